/**
 * A dream shard on the world simulator (browser-safe): the DreamSession the worker and the relay
 * serve, one dream of the batched SimDreams. The dream ends when the model predicts death: that
 * step's frame says `ended: 'death'` and further steps are refused until the next reset.
 */
import type { World } from '@aikon/engine';
import { contextFromWorld, type DreamContext, type DreamSession, type DreamStep } from '../dream-shard.ts';
import { decodeObservation, FRAME_TOKENS } from '../tokens.ts';
import { SimDreams } from './dream.ts';
import type { SimModel } from './model.ts';

export interface SimShardOptions {
  /** 0 = greedy; otherwise softmax temperature of every head. */
  readonly temperature?: number;
  readonly seed?: number;
  /** Frames kept for `frames` (what the next step follows from). */
  readonly history?: number;
}

export class SimShard implements DreamSession {
  /** How the shard names its inference (the worker's and relay's `backend`). */
  static readonly backendName = 'world-sim (TypeScript, 1 thread)';
  private dreams: SimDreams | null = null;
  private history: Int32Array[] = [];
  private steps = 0;
  private ended = false;
  private readonly temperature: number;
  private seed: number;

  constructor(
    readonly model: SimModel,
    private readonly o: SimShardOptions = {},
  ) {
    this.temperature = o.temperature ?? 0;
    this.seed = o.seed ?? 0;
  }

  get sampler(): { steps: number; temperature: number } {
    return { steps: 1, temperature: this.temperature };
  }

  reset(context: DreamContext, seed?: number): void {
    // One SimDreams for the shard's life (its tile cache and compiled code stay warm); a new
    // seed starts a new sampling stream.
    if (!this.dreams || (seed !== undefined && seed !== this.seed)) {
      if (seed !== undefined) this.seed = seed;
      this.dreams = new SimDreams(this.model, 1, { temperature: this.temperature, seed: this.seed });
    }
    this.dreams.reset([{ frames: context.frames }]); // validates the frames
    this.history = context.frames.slice(-(this.o.history ?? 2)).map((f) => Int32Array.from(f));
    this.steps = 0;
    this.ended = false;
  }

  resetFromWorld(world: World, slot = 0, seed?: number): void {
    this.reset(contextFromWorld(world, slot), seed);
  }

  get frames(): readonly Int32Array[] {
    return this.history;
  }

  async step(action: number | null): Promise<DreamStep> {
    if (!this.dreams) throw new Error('reset the dream shard before stepping');
    if (this.ended) throw new Error('this dream has ended: the model predicted the player died; reset to dream again');
    const r = this.dreams.step([action ?? -1]);
    const tokens = Int32Array.from(r.tokens.subarray(0, FRAME_TOKENS));
    this.history = [...this.history.slice(1 - (this.o.history ?? 2)), tokens];
    this.steps++;
    const done = r.done[0] === 1;
    if (done) this.ended = true;
    return {
      step: this.steps,
      tokens,
      observation: decodeObservation(tokens),
      reward: r.reward[0],
      done,
      doneProbability: 1 - r.continuation[0],
      event: r.event[0],
      unlock: r.unlock[0],
      ...(done ? { ended: 'death' as const } : {}),
    };
  }

  async dispose(): Promise<void> {
    this.dreams = null;
    this.history = [];
  }
}
