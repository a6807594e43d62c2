/** A worker of SimDreamsPool: one slice of the dreams, stepped on request into shared memory. */
import { parentPort, workerData } from 'node:worker_threads';
import { SimDreams, type SimStart } from '../sim/dream.ts';
import { SimModel } from '../sim/model.ts';
import { FRAME_TOKENS } from '../tokens.ts';
import type { PoolWorkerData } from './sim-pool.ts';

const d = workerData as PoolWorkerData;
const n = d.to - d.from;
const dreams = new SimDreams(new SimModel(d.arch, Float32Array.from(d.params), d.calibration), n, d.sampling);
const b = d.buffers;

parentPort!.on('message', (m: { type: 'ping' } | { type: 'reset'; starts: SimStart[] } | { type: 'step' }) => {
  try {
    if (m.type === 'reset') dreams.reset(m.starts);
    else if (m.type === 'step') {
      const r = dreams.step(b.actions.subarray(d.from, d.to));
      b.tokens.set(r.tokens, d.from * FRAME_TOKENS);
      b.reward.set(r.reward, d.from);
      b.continuation.set(r.continuation, d.from);
      b.done.set(r.done, d.from);
      b.event.set(r.event, d.from);
      b.eventProbability.set(r.eventProbability, d.from);
      b.unlock.set(r.unlock, d.from);
      b.move.set(r.move, d.from);
    }
    parentPort!.postMessage({ type: 'ok' });
  } catch (err) {
    parentPort!.postMessage({ type: 'error', message: (err as Error).message });
  }
});
