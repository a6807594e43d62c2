/** The body of one VecEnvWorkers thread: a VecEnv over its block of worlds, on shared arrays. */
import { parentPort, workerData } from 'node:worker_threads';
import { texturesFromAtlas } from './render/textures.ts';
import { VecEnv } from './vec-env.ts';
import {
  BUSY,
  blockBuffers,
  COMMAND,
  CONTROL,
  ERROR_BYTES,
  spinWhile,
  type VecEnvWorkerData,
} from './vec-env-workers.ts';

const data = workerData as VecEnvWorkerData;
const { lo, hi } = data;
const textures = data.atlas ? texturesFromAtlas(data.atlas.width, data.atlas.height, data.atlas.data) : undefined;
const env = new VecEnv(
  { seeds: data.seeds, textures, size: data.size ?? undefined },
  blockBuffers(data.shared, lo, hi, data.size),
);
const actions = new Int32Array(data.actions, lo * 4, hi - lo);
const control = new Int32Array(data.control);
const error = new Uint8Array(data.error);
const sync = new Int32Array(data.sync);

/**
 * Waits for the request after `seen`. Meanwhile it generates worlds ahead while other threads
 * still step (their time, not the next step's), then polls briefly (the next step usually comes
 * at once), then generates ahead while the caller is busy elsewhere (each phase may delay the
 * next step by ≈ 0.1 ms), then sleeps.
 */
function awaitRequest(seen: number): void {
  const idle = () => Atomics.load(control, CONTROL.request) === seen;
  while (idle() && Atomics.load(sync, BUSY) > 0 && env.prepare());
  if (!idle() || spinWhile(control, CONTROL.request, seen)) return;
  while (idle() && env.prepare());
  Atomics.wait(control, CONTROL.request, seen);
}

parentPort!.postMessage('ready');
let seen = 0;
for (;;) {
  awaitRequest(seen);
  seen = Atomics.load(control, CONTROL.request);
  const command = Atomics.load(control, CONTROL.command);
  if (command === COMMAND.close) break;
  try {
    if (command === COMMAND.reset) env.reset();
    else env.step(actions);
  } catch (e) {
    const text = new TextEncoder().encode(String((e as Error)?.stack ?? e)).subarray(0, ERROR_BYTES - 1);
    error.fill(0);
    error.set(text);
    Atomics.store(control, CONTROL.failed, 1);
  }
  Atomics.store(control, CONTROL.done, seen);
  Atomics.notify(control, CONTROL.done);
  Atomics.sub(sync, BUSY, 1);
}
