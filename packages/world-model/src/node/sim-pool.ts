/**
 * Batched imagination over several threads (Node): B dreams split into contiguous slices, one
 * SimDreams per worker thread, results in shared memory. The policy runs in the calling thread;
 * each `step` hands the actions to every worker and resolves when all slices have stepped.
 * With temperature > 0 each worker samples from its own stream (seed + worker index), so the
 * draws depend on the thread count; greedy dreams do not.
 */
import { Worker } from 'node:worker_threads';
import { FRAME_TOKENS } from '../tokens.ts';
import type { SimSampling, SimStart, SimStepResult } from '../sim/dream.ts';
import type { SimModel } from '../sim/model.ts';

/** Shared result arrays of the pool (what `step` returns views of). */
function sharedResult(B: number) {
  const sab = (bytes: number) => new SharedArrayBuffer(Math.max(4, bytes));
  return {
    actions: new Int32Array(sab(4 * B)),
    tokens: new Int32Array(sab(4 * B * FRAME_TOKENS)),
    reward: new Float32Array(sab(4 * B)),
    continuation: new Float32Array(sab(4 * B)),
    done: new Uint8Array(sab(B)),
    event: new Int32Array(sab(4 * B)),
    eventProbability: new Float32Array(sab(4 * B)),
    unlock: new Int32Array(sab(4 * B)),
    move: new Int32Array(sab(4 * B)),
  };
}
export type PoolBuffers = ReturnType<typeof sharedResult>;

export interface PoolWorkerData {
  readonly arch: SimModel['arch'];
  readonly params: Float32Array;
  readonly calibration: SimModel['calibration'];
  readonly from: number;
  readonly to: number;
  readonly sampling: Partial<SimSampling>;
  readonly buffers: PoolBuffers;
}

export class SimDreamsPool {
  private readonly pending = new Map<Worker, (m: { type: string; message?: string }) => void>();

  private constructor(
    readonly size: number,
    private readonly workers: Worker[],
    private readonly slices: [number, number][],
    private readonly buffers: PoolBuffers,
  ) {
    for (const w of workers) {
      w.on('message', (m: { type: string; message?: string }) => {
        const r = this.pending.get(w);
        this.pending.delete(w);
        r?.(m);
      });
      w.on('error', (err) => {
        const r = this.pending.get(w);
        this.pending.delete(w);
        r?.({ type: 'error', message: err.message });
      });
    }
  }

  /** Starts `threads` workers (default 2) holding `size` dreams between them. */
  static async create(
    model: SimModel,
    size: number,
    o: { threads?: number; sampling?: Partial<SimSampling> } = {},
  ): Promise<SimDreamsPool> {
    const threads = Math.max(1, Math.min(o.threads ?? 2, size));
    const buffers = sharedResult(size);
    const slices: [number, number][] = [];
    for (let t = 0; t < threads; t++)
      slices.push([Math.floor((t * size) / threads), Math.floor(((t + 1) * size) / threads)]);
    const workers = slices.map(([from, to], t) => {
      const data: PoolWorkerData = {
        arch: model.arch,
        params: model.params,
        calibration: model.calibration,
        from,
        to,
        sampling: { ...o.sampling, seed: (o.sampling?.seed ?? 0) + t },
        buffers,
      };
      return new Worker(new URL('./sim-pool-worker.mjs', import.meta.url), { workerData: data });
    });
    const pool = new SimDreamsPool(size, workers, slices, buffers);
    await pool.all(() => ({ type: 'ping' }));
    return pool;
  }

  private async all(msg: (t: number) => unknown): Promise<void> {
    const replies = await Promise.all(
      this.workers.map(
        (w, t) =>
          new Promise<{ type: string; message?: string }>((ok) => {
            this.pending.set(w, ok);
            w.postMessage(msg(t));
          }),
      ),
    );
    const bad = replies.find((r) => r.type === 'error');
    if (bad) throw new Error(`imagination worker failed: ${bad.message}`);
  }

  async reset(starts: readonly SimStart[]): Promise<void> {
    if (starts.length !== this.size)
      throw new RangeError(`${this.size} dreams need ${this.size} starts, got ${starts.length}`);
    await this.all((t) => ({
      type: 'reset',
      starts: starts
        .slice(this.slices[t][0], this.slices[t][1])
        .map((s) => ({ ...s, frames: s.frames.map((f) => Int32Array.from(f)) })),
    }));
  }

  /** Steps every dream; the result's arrays are shared views, overwritten by the next step. */
  async step(actions: ArrayLike<number>): Promise<SimStepResult> {
    if (actions.length !== this.size)
      throw new RangeError(`${this.size} dreams need ${this.size} actions, got ${actions.length}`);
    this.buffers.actions.set(Array.from(actions));
    await this.all(() => ({ type: 'step' }));
    const { tokens, reward, continuation, done, event, eventProbability, unlock, move } = this.buffers;
    return { tokens, reward, continuation, done, event, eventProbability, unlock, move };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
