/**
 * A dream shard: one running token-dream session — a model behind an inference backend plus
 * its history buffer. `reset` from real observations (or a World via the tokenizer), then
 * `step(action)` returns the predicted next observation, reward and termination.
 * Browser-safe: works the same over onnxruntime-web in a Web Worker and onnxruntime-node.
 */
import { NUM_ACTIONS, Rng, type World } from '@aikon/engine';
import type { InferenceBackend } from './io.ts';
import { DEFAULT_SAMPLER, type SamplerSettings, sampleNext } from './sampler.ts';
import { CLS, decodeObservation, FRAME_TOKENS, type Observation, SEQ, tokenize } from './tokens.ts';

/** Real observations to dream from: 1..K frames of FRAME_TOKENS tokens, oldest first. */
export interface DreamContext {
  readonly frames: readonly Int32Array[];
}

export interface DreamStep {
  /** Dream steps taken since reset. */
  readonly step: number;
  readonly tokens: Int32Array;
  readonly observation: Observation;
  readonly reward: number;
  readonly done: boolean;
  readonly doneProbability: number;
  /** World simulator only: the achievement event class (0 none, 1 + achievement id). */
  readonly event?: number;
  /** World simulator only: the achievement this step unlocked (id), or −1. */
  readonly unlock?: number;
  /** World simulator only: why the dream ended with this step ('death': the model predicted it). */
  readonly ended?: 'death';
}

/** One running dream, whichever model family runs it (what the protocol handlers serve). */
export interface DreamSession {
  reset(context: DreamContext, seed?: number): void;
  resetFromWorld(world: World, slot?: number, seed?: number): void;
  step(action: number | null): Promise<DreamStep>;
  dispose(): Promise<void>;
  /** The real or dreamed frames the next step conditions on, oldest first. */
  readonly frames: readonly Int32Array[];
  /** Passes per step and sampling temperature (0 = greedy). */
  readonly sampler: { readonly steps: number; readonly temperature: number };
}

export interface DreamShardOptions {
  /** The model's context length K. */
  readonly context: number;
  readonly sampler?: Partial<SamplerSettings>;
  readonly seed?: number;
}

/** The context of a dream starting from player `slot` of a live world (its current view). */
export function contextFromWorld(world: World, slot = 0, history: readonly Int32Array[] = []): DreamContext {
  return { frames: [...history, tokenize(world, slot)] };
}

export class DreamShard implements DreamSession {
  readonly sampler: SamplerSettings;
  private readonly K: number;
  private history: Int32Array[] = [];
  private rng: Rng;
  private steps = 0;

  constructor(
    private readonly backend: InferenceBackend,
    o: DreamShardOptions,
  ) {
    this.K = o.context;
    this.sampler = { ...DEFAULT_SAMPLER, ...o.sampler };
    this.rng = new Rng(o.seed ?? 0);
  }

  /** Starts a dream from real frames (the last K are kept; fewer are padded with the oldest). */
  reset(context: DreamContext, seed?: number): void {
    if (context.frames.length === 0) throw new RangeError('a dream context needs at least one frame');
    for (const f of context.frames)
      if (f.length !== FRAME_TOKENS) throw new RangeError(`a frame has ${FRAME_TOKENS} tokens, got ${f.length}`);
    for (const f of context.frames) decodeObservation(f); // validates every token
    const frames = context.frames.slice(-this.K).map((f) => Int32Array.from(f));
    while (frames.length < this.K) frames.unshift(Int32Array.from(frames[0]));
    this.history = frames;
    this.steps = 0;
    if (seed !== undefined) this.rng = new Rng(seed);
  }

  /** Starts a dream from player `slot` of a live world. */
  resetFromWorld(world: World, slot = 0, seed?: number): void {
    this.reset(contextFromWorld(world, slot), seed);
  }

  /** The frames the next step conditions on, oldest first. */
  get frames(): readonly Int32Array[] {
    return this.history;
  }

  /** Dreams one step; `action` null means "no action" (the zero action vector). */
  async step(action: number | null): Promise<DreamStep> {
    if (this.history.length === 0) throw new Error('reset the dream shard before stepping');
    if (action !== null && (!Number.isInteger(action) || action < 0 || action >= NUM_ACTIONS))
      throw new RangeError(`unknown action ${action}`);
    const context = new Int32Array(this.K * SEQ);
    this.history.forEach((f, k) => {
      context.set(f, k * SEQ);
      context[k * SEQ + FRAME_TOKENS] = CLS;
    });
    const act = new Float32Array(NUM_ACTIONS);
    if (action !== null) act[action] = 1;
    const r = await sampleNext(this.backend, 1, context, act, this.sampler, this.rng);
    const tokens = r.frames.slice(0, FRAME_TOKENS);
    this.history = [...this.history.slice(1), tokens];
    this.steps++;
    return {
      step: this.steps,
      tokens,
      observation: decodeObservation(tokens),
      reward: r.reward[0],
      done: r.doneProb[0] > 0.5,
      doneProbability: r.doneProb[0],
    };
  }

  async dispose(): Promise<void> {
    await this.backend.dispose();
  }
}
