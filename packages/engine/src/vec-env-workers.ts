/**
 * VecEnv over worker threads (Node): the same arrays and the same synchronous reset() / step(),
 * with the worlds split into contiguous blocks, one block per worker. Every array lives in
 * shared memory: workers write observations, pixels, rewards and flags in place, and the main
 * thread hands out a step and waits for it with Atomics — no messages and no copies per step.
 *
 *   const env = await VecEnvWorkers.create({ seeds, workers: 2 });
 *   env.reset();
 *   env.step(actions);   // env.observations, env.rewards, … as in VecEnv
 *   await env.close();
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Textures } from './render/textures.ts';
import {
  checkVecEnvStep,
  type VecEnvBuffers,
  type VecEnvOptions,
  vecEnvBufferLengths,
  vecEnvImageSize,
  vecEnvSeeds,
} from './vec-env.ts';

/** Control words shared with each worker (Int32Array indices). */
export const CONTROL = { request: 0, done: 1, command: 2, failed: 3, length: 4 } as const;
export const COMMAND = { reset: 1, step: 2, close: 3 } as const;
export const ERROR_BYTES = 2048;

/** What a worker receives at start (structured-cloned; the SharedArrayBuffers are shared). */
export interface VecEnvWorkerData {
  lo: number;
  hi: number;
  seeds: number[];
  size: number | null;
  atlas: { width: number; height: number; data: Uint8Array } | null;
  shared: Record<keyof VecEnvBuffers, SharedArrayBuffer | null>;
  actions: SharedArrayBuffer;
  control: SharedArrayBuffer;
  error: SharedArrayBuffer;
}

const BYTES: Record<keyof VecEnvBuffers, number> = {
  observations: 4,
  finalObservations: 4,
  pixels: 1,
  finalPixels: 1,
  rewards: 4,
  terminated: 1,
  truncated: 1,
  episodeSeeds: 8,
};

interface Handle {
  worker: Worker;
  control: Int32Array;
  error: Uint8Array;
}

export class VecEnvWorkers {
  readonly num: number;
  readonly size: number | null;
  readonly observations: Float32Array;
  readonly finalObservations: Float32Array;
  readonly pixels: Uint8Array | null;
  readonly finalPixels: Uint8Array | null;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly episodeSeeds: Float64Array;
  private readonly actions: Int32Array;
  private readonly handles: Handle[];
  private started = false;
  private closed = false;

  /** Starts the workers (default: one per core, at most one per world) and waits until they are ready. */
  static async create(options: VecEnvOptions & { workers?: number }): Promise<VecEnvWorkers> {
    const env = new VecEnvWorkers(options, options.workers ?? Math.min(availableParallelism(), options.seeds.length));
    await Promise.all(
      env.handles.map(
        ({ worker }) =>
          new Promise<void>((resolve, reject) => {
            worker.once('message', (m: unknown) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
            worker.once('error', reject);
          }),
      ),
    );
    // From here workers only run inside a synchronous step() or reset(): they need not keep the
    // process alive, so a program that forgets close() still exits.
    for (const { worker } of env.handles) worker.unref();
    return env;
  }

  private constructor(options: VecEnvOptions, workers: number) {
    const seeds = vecEnvSeeds(options);
    if (!Number.isInteger(workers) || workers < 1 || workers > seeds.length) {
      throw new RangeError(`workers must be an integer in 1..${seeds.length}, got ${workers}`);
    }
    this.num = seeds.length;
    this.size = vecEnvImageSize(options);
    const lengths = vecEnvBufferLengths(this.num, this.size);
    const shared = {} as Record<keyof VecEnvBuffers, SharedArrayBuffer | null>;
    for (const key of Object.keys(lengths) as (keyof VecEnvBuffers)[]) {
      shared[key] = lengths[key] > 0 ? new SharedArrayBuffer(lengths[key] * BYTES[key]) : null;
    }
    this.observations = new Float32Array(shared.observations!);
    this.finalObservations = new Float32Array(shared.finalObservations!);
    this.pixels = shared.pixels ? new Uint8Array(shared.pixels) : null;
    this.finalPixels = shared.finalPixels ? new Uint8Array(shared.finalPixels) : null;
    this.rewards = new Float32Array(shared.rewards!);
    this.terminated = new Uint8Array(shared.terminated!);
    this.truncated = new Uint8Array(shared.truncated!);
    this.episodeSeeds = new Float64Array(shared.episodeSeeds!);
    const actions = new SharedArrayBuffer(this.num * 4);
    this.actions = new Int32Array(actions);
    const atlas = options.textures ? atlasOf(options.textures) : null;
    this.handles = [];
    for (let w = 0; w < workers; w++) {
      const lo = Math.floor((w * this.num) / workers);
      const hi = Math.floor(((w + 1) * this.num) / workers);
      const control = new SharedArrayBuffer(CONTROL.length * 4);
      const error = new SharedArrayBuffer(ERROR_BYTES);
      const workerData: VecEnvWorkerData = {
        lo,
        hi,
        seeds: seeds.slice(lo, hi),
        size: this.size,
        atlas,
        shared,
        actions,
        control,
        error,
      };
      const worker = new Worker(new URL('./vec-env-worker-entry.mjs', import.meta.url), { workerData });
      this.handles.push({ worker, control: new Int32Array(control), error: new Uint8Array(error) });
    }
  }

  reset(): void {
    this.run(COMMAND.reset);
    this.started = true;
  }

  step(actions: ArrayLike<number>): void {
    checkVecEnvStep(this.started, this.num, actions);
    this.actions.set(actions);
    this.run(COMMAND.step);
  }

  /** Stops the workers; the arrays stay readable. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.handles) this.signal(h, COMMAND.close);
    await Promise.all(this.handles.map((h) => h.worker.terminate()));
  }

  /** Hands every worker the command, then blocks until all of them finished it. */
  private run(command: number): void {
    if (this.closed) throw new Error('this VecEnvWorkers is closed');
    const targets = this.handles.map((h) => this.signal(h, command));
    this.handles.forEach((h, w) => {
      for (;;) {
        const done = Atomics.load(h.control, CONTROL.done);
        if (done === targets[w]) break;
        // The timeout only bounds each wait; a worker that died leaves `done` behind for good.
        if (Atomics.wait(h.control, CONTROL.done, done, 60_000) === 'timed-out') {
          throw new Error(`VecEnvWorkers: worker ${w} did not answer within 60 s`);
        }
      }
      if (Atomics.load(h.control, CONTROL.failed) !== 0) {
        const text = new TextDecoder().decode(
          h.error.slice(0, h.error.indexOf(0) < 0 ? ERROR_BYTES : h.error.indexOf(0)),
        );
        throw new Error(`VecEnvWorkers: worker ${w} failed: ${text}`);
      }
    });
  }

  private signal(h: Handle, command: number): number {
    Atomics.store(h.control, CONTROL.command, command);
    const request = Atomics.add(h.control, CONTROL.request, 1) + 1;
    Atomics.notify(h.control, CONTROL.request);
    return request;
  }
}

function atlasOf(textures: Textures): VecEnvWorkerData['atlas'] {
  const { width, height, data } = textures.atlas;
  return { width, height, data };
}
