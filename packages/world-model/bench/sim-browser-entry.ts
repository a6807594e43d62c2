/**
 * Bundled into one script by sim-browser.bench.ts and run in Chromium, on the page and in a Web
 * Worker: the browser dream shard's path at batch 1 (SimShard behind the dream protocol).
 */
import { NUM_ACTIONS, Rng, World } from '@aikon/engine';
import { handleDreamRequest } from '../src/dream-protocol.ts';
import { simFromBytes } from '../src/sim/model.ts';
import { SimShard } from '../src/sim/shard.ts';
import { tokenize } from '../src/tokens.ts';

export interface SimBrowserResult {
  steps: number;
  seconds: number;
  stepsPerSecond: number;
  /** Dreams that ended on predicted death and were restarted. */
  resets: number;
}

/** Steps one dream of the shard with random actions for `seconds` through the protocol handler. */
async function run(bytes: Uint8Array, seconds: number): Promise<SimBrowserResult> {
  const shard = new SimShard(simFromBytes(bytes), { seed: 1 });
  const world = World.generate({ seed: 1 });
  world.addPlayer();
  const frames = [Array.from(tokenize(world))];
  const rng = new Rng(7);
  await handleDreamRequest(shard, { type: 'reset', v: 1, id: 0, frames });
  for (let i = 0; i < 200; i++)
    await handleDreamRequest(shard, { type: 'step', v: 1, id: 0, action: rng.int(NUM_ACTIONS) }); // warm-up (JIT)
  await handleDreamRequest(shard, { type: 'reset', v: 1, id: 0, frames });
  let steps = 0;
  let resets = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const r = await handleDreamRequest(shard, { type: 'step', v: 1, id: steps, action: rng.int(NUM_ACTIONS) });
    if (r.type === 'error') throw new Error(r.message);
    steps++;
    if (r.type === 'frame' && r.ended) {
      resets++;
      await handleDreamRequest(shard, { type: 'reset', v: 1, id: 0, frames });
    }
  }
  const secs = (performance.now() - start) / 1000;
  return { steps, seconds: secs, stepsPerSecond: steps / secs, resets };
}

const scope = globalThis as unknown as {
  benchSim?: typeof run;
  document?: unknown;
  onmessage: ((e: { data: { bytes: Uint8Array; seconds: number } }) => void) | null;
  postMessage(m: unknown): void;
};
if (scope.document) scope.benchSim = run;
else
  scope.onmessage = (e) =>
    void run(e.data.bytes, e.data.seconds).then(
      (r) => scope.postMessage(r),
      (err: Error) => scope.postMessage({ error: err.message }),
    );
