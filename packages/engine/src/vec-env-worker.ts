/** The body of one VecEnvWorkers thread: a VecEnv over its block of worlds, on shared arrays. */
import { parentPort, workerData } from 'node:worker_threads';
import { FAIR_VIEW_SIZE } from './fair-view.ts';
import { texturesFromAtlas } from './render/textures.ts';
import { VecEnv, type VecEnvBuffers } from './vec-env.ts';
import { COMMAND, CONTROL, ERROR_BYTES, type VecEnvWorkerData } from './vec-env-workers.ts';

const data = workerData as VecEnvWorkerData;
const { lo, hi, shared } = data;
const image = data.size === null ? 0 : data.size * data.size * 3;
const view = <T>(
  make: (buffer: SharedArrayBuffer, start: number, length: number) => T,
  buffer: SharedArrayBuffer,
  per: number,
): T => make(buffer, lo * per, (hi - lo) * per);
const f32 = (b: SharedArrayBuffer, start: number, length: number) => new Float32Array(b, start * 4, length);
const u8 = (b: SharedArrayBuffer, start: number, length: number) => new Uint8Array(b, start, length);
const f64 = (b: SharedArrayBuffer, start: number, length: number) => new Float64Array(b, start * 8, length);
const buffers: VecEnvBuffers = {
  observations: view(f32, shared.observations!, FAIR_VIEW_SIZE),
  finalObservations: view(f32, shared.finalObservations!, FAIR_VIEW_SIZE),
  pixels: shared.pixels ? view(u8, shared.pixels, image) : null,
  finalPixels: shared.finalPixels ? view(u8, shared.finalPixels, image) : null,
  rewards: view(f32, shared.rewards!, 1),
  terminated: view(u8, shared.terminated!, 1),
  truncated: view(u8, shared.truncated!, 1),
  episodeSeeds: view(f64, shared.episodeSeeds!, 1),
};
const textures = data.atlas ? texturesFromAtlas(data.atlas.width, data.atlas.height, data.atlas.data) : undefined;
const env = new VecEnv({ seeds: data.seeds, textures, size: data.size ?? undefined }, buffers);
const actions = new Int32Array(data.actions, lo * 4, hi - lo);
const control = new Int32Array(data.control);
const error = new Uint8Array(data.error);

parentPort!.postMessage('ready');
let seen = 0;
for (;;) {
  Atomics.wait(control, CONTROL.request, seen);
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
}
