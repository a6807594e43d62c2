/**
 * VecEnv over threads (Node): the same arrays and the same synchronous reset() / step(), with the
 * worlds split into contiguous blocks, one block per thread: the calling thread steps the first
 * block itself (it would only wait otherwise) and a worker thread each of the others. Every array
 * lives in shared memory: each thread writes its worlds' observations, pixels, rewards and flags
 * in place, and the caller hands out a step and waits for it with Atomics — no messages and no
 * copies per step. Balance: a thread that finishes its block early generates ahead the worlds of
 * its worlds' next episodes (`VecEnv.prepare`) while the others finish, so that automatic resets,
 * whose world generation costs as much as ≈ 200 world steps, do not leave one thread behind.
 *
 *   const env = await VecEnvWorkers.create({ seeds, threads: 2 });
 *   env.reset();
 *   env.step(actions);   // env.observations, env.rewards, … as in VecEnv
 *   await env.close();
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { FAIR_VIEW_SIZE } from './fair-view.ts';
import type { Textures } from './render/textures.ts';
import {
  checkVecEnvStep,
  VecEnv,
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
/** Word 0 of the buffer shared by all threads: how many threads have not finished the current command. */
export const BUSY = 0;
/**
 * How long a thread polls before it sleeps in Atomics.wait (ms): waking a sleeping thread costs
 * tens of µs (more on a virtual machine whose idle core has halted), as much as a tenth of a step.
 */
export const SPIN_MS = 0.1;

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
  /** Shared by all threads: the BUSY count. */
  sync: SharedArrayBuffer;
}

/** Views of the shared arrays on worlds lo … hi − 1 (the slice one thread steps). */
export function blockBuffers(
  shared: VecEnvWorkerData['shared'],
  lo: number,
  hi: number,
  size: number | null,
): VecEnvBuffers {
  const image = size === null ? 0 : size * size * 3;
  const f32 = (b: SharedArrayBuffer | null, per: number) => new Float32Array(b!, lo * per * 4, (hi - lo) * per);
  const u8 = (b: SharedArrayBuffer | null, per: number) => new Uint8Array(b!, lo * per, (hi - lo) * per);
  return {
    observations: f32(shared.observations, FAIR_VIEW_SIZE),
    finalObservations: f32(shared.finalObservations, FAIR_VIEW_SIZE),
    pixels: shared.pixels ? u8(shared.pixels, image) : null,
    finalPixels: shared.finalPixels ? u8(shared.finalPixels, image) : null,
    rewards: f32(shared.rewards, 1),
    terminated: u8(shared.terminated, 1),
    truncated: u8(shared.truncated, 1),
    episodeSeeds: new Float64Array(shared.episodeSeeds!, lo * 8, hi - lo),
  };
}

/** Polls until `cell` of `array` leaves `value`, for at most SPIN_MS; true if it did. */
export function spinWhile(array: Int32Array, cell: number, value: number): boolean {
  const until = performance.now() + SPIN_MS;
  while (Atomics.load(array, cell) === value) if (performance.now() > until) return false;
  return true;
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
  /** The calling thread's block: the first worlds, stepped in step() itself. */
  private readonly local: VecEnv;
  private readonly localActions: Int32Array;
  private readonly sync: Int32Array;
  private readonly handles: Handle[];
  private started = false;
  private closed = false;

  /**
   * Starts the worker threads and waits until they are ready. `threads`: how many threads step
   * worlds, the calling thread included (default: one per core, at most one per world).
   */
  static async create(options: VecEnvOptions & { threads?: number }): Promise<VecEnvWorkers> {
    const env = new VecEnvWorkers(options, options.threads ?? Math.min(availableParallelism(), options.seeds.length));
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

  private constructor(options: VecEnvOptions, threads: number) {
    const seeds = vecEnvSeeds(options);
    if (!Number.isInteger(threads) || threads < 1 || threads > seeds.length) {
      throw new RangeError(`threads must be an integer in 1..${seeds.length}, got ${threads}`);
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
    const sync = new SharedArrayBuffer(4);
    this.sync = new Int32Array(sync);
    const atlas = options.textures ? atlasOf(options.textures) : null;
    const bound = (t: number) => Math.floor((t * this.num) / threads);
    this.local = new VecEnv(
      { seeds: seeds.slice(0, bound(1)), textures: options.textures, size: this.size ?? undefined },
      blockBuffers(shared, 0, bound(1), this.size),
    );
    this.localActions = this.actions.subarray(0, bound(1));
    this.handles = [];
    for (let t = 1; t < threads; t++) {
      const [lo, hi] = [bound(t), bound(t + 1)];
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
        sync,
      };
      const worker = new Worker(new URL('./vec-env-worker-entry.mjs', import.meta.url), { workerData });
      this.handles.push({ worker, control: new Int32Array(control), error: new Uint8Array(error) });
    }
  }

  reset(): void {
    this.run(COMMAND.reset, () => this.local.reset());
    this.started = true;
  }

  step(actions: ArrayLike<number>): void {
    checkVecEnvStep(this.started, this.num, actions);
    this.actions.set(actions);
    this.run(COMMAND.step, () => this.local.step(this.localActions));
  }

  /** Stops the workers; the arrays stay readable. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.handles) this.signal(h, COMMAND.close);
    await Promise.all(this.handles.map((h) => h.worker.terminate()));
  }

  /**
   * Hands every worker the command, runs it on the local block, then generates ahead while
   * workers are still busy, and returns once all of them finished.
   */
  private run(command: number, local: () => void): void {
    if (this.closed) throw new Error('this VecEnvWorkers is closed');
    Atomics.store(this.sync, BUSY, this.handles.length + 1);
    const targets = this.handles.map((h) => this.signal(h, command));
    try {
      local();
    } finally {
      Atomics.sub(this.sync, BUSY, 1);
      while (Atomics.load(this.sync, BUSY) > 0 && this.local.prepare());
      for (let w = 0; w < this.handles.length; w++) this.await(this.handles[w], w, targets[w]);
    }
  }

  /** Blocks until worker w has done request `target`; throws what it failed with. */
  private await(h: Handle, w: number, target: number): void {
    for (;;) {
      const done = Atomics.load(h.control, CONTROL.done);
      if (done === target) break;
      if (spinWhile(h.control, CONTROL.done, done)) continue;
      // The timeout only bounds each wait; a worker that died leaves `done` behind for good.
      if (Atomics.wait(h.control, CONTROL.done, done, 60_000) === 'timed-out') {
        throw new Error(`VecEnvWorkers: worker ${w + 1} did not answer within 60 s`);
      }
    }
    if (Atomics.load(h.control, CONTROL.failed) !== 0) {
      const text = new TextDecoder().decode(
        h.error.slice(0, h.error.indexOf(0) < 0 ? ERROR_BYTES : h.error.indexOf(0)),
      );
      throw new Error(`VecEnvWorkers: worker ${w + 1} failed: ${text}`);
    }
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
