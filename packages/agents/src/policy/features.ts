/**
 * What a learned policy sees: the fair view as the world model's tokens (the 9×7 local view,
 * facing/sleep, the 16 inventory counts with the vitals, the daylight bucket — exactly what
 * Crafter's 64×64 image shows), for the last K frames (oldest first; the first frame repeated
 * before an episode has K), plus the previous action. Browser-safe, no tfjs.
 *
 * The network's first layer reads these as one-hot features: position p of frame k with token t
 * is feature k·FRAME_FEATURES + t + SHIFT[p] (each position's valid token range packed densely),
 * and the previous action a is feature K·FRAME_FEATURES + a. A policy with memory (memory.ts) also
 * reads its map: slot s with value v is feature K·FRAME_FEATURES + 17 + s·MEMORY_VALUES + v. A row
 * has K·81 + 1 (+ MEMORY_SLOTS) active features out of featureWidth, so the first layer is a sum
 * of that many weight rows (activeFeatures).
 */
import { NUM_ACTIONS, type World } from '@aikon/engine';
import { FRAME_TOKENS, tokenize, tokenRange } from '@aikon/world-model';
import { MEMORY_FEATURES, MEMORY_SLOTS, MEMORY_VALUES, MemoryMap } from './memory.ts';

/** SHIFT[p]: added to a token at frame position p to get its feature within the frame block. */
export const SHIFT: Int32Array = new Int32Array(FRAME_TOKENS);
/** One-hot features of one frame (1,373: 63·19 view + 8 facing + 16·10 counts + 8 daylight). */
export let FRAME_FEATURES = 0;
for (let p = 0; p < FRAME_TOKENS; p++) {
  const [lo, hi] = tokenRange(p);
  SHIFT[p] = FRAME_FEATURES - lo;
  FRAME_FEATURES += hi - lo;
}

export function featureWidth(frames: number, memory = false): number {
  return frames * FRAME_FEATURES + NUM_ACTIONS + (memory ? MEMORY_FEATURES : 0);
}

/** A batch of policy inputs in plain arrays (the layout of the ONNX inputs). */
export interface PolicyInputs {
  readonly batch: number;
  /** [B, K, 81] token frames, oldest first. */
  readonly tokens: Int32Array;
  /** [B] the action taken before the newest frame (0, noop, at an episode's start). */
  readonly prevAction: Int32Array;
  /** [B, MEMORY_SLOTS] each memory slot's value (policies with memory only; memory.ts). */
  readonly memory?: Int32Array;
}

export interface PolicyOutputs {
  /** [B, 17] */
  readonly logits: Float32Array;
  /** [B] */
  readonly value: Float32Array;
}

/** Active features per row: one per frame position, the previous action, and one per memory slot. */
export function activeCount(frames: number, memory = false): number {
  return frames * FRAME_TOKENS + 1 + (memory ? MEMORY_SLOTS : 0);
}

/**
 * The active (value 1) features of each row, [B, activeCount(K)]: the rows of the first layer's
 * weight matrix that the network sums (an embedding bag over the multi-hot input).
 */
export function activeFeatures(
  x: PolicyInputs,
  frames: number,
  memory = false,
  out = new Int32Array(x.batch * activeCount(frames, memory)),
): Int32Array {
  const A = activeCount(frames, memory);
  if (memory && x.memory?.length !== x.batch * MEMORY_SLOTS)
    throw new Error(`a policy with memory needs [${x.batch}, ${MEMORY_SLOTS}] memory features`);
  const memoryBase = frames * FRAME_FEATURES + NUM_ACTIONS;
  for (let b = 0; b < x.batch; b++) {
    let o = b * A;
    for (let k = 0; k < frames; k++) {
      const src = (b * frames + k) * FRAME_TOKENS;
      const base = k * FRAME_FEATURES;
      for (let p = 0; p < FRAME_TOKENS; p++) out[o++] = base + x.tokens[src + p] + SHIFT[p];
    }
    out[o++] = frames * FRAME_FEATURES + x.prevAction[b];
    if (memory)
      for (let s = 0; s < MEMORY_SLOTS; s++)
        out[o++] = memoryBase + s * MEMORY_VALUES + x.memory![b * MEMORY_SLOTS + s];
  }
  return out;
}

/**
 * One player's recent frames and last action — and, for a policy with memory, its map of every
 * frame since the episode's start — as a policy acting in the world keeps them.
 */
export class FrameHistory {
  private readonly frames: Int32Array;
  private filled = 0;
  prevAction = 0;
  readonly map: MemoryMap | null;

  constructor(
    readonly k: number,
    memory = false,
  ) {
    this.frames = new Int32Array(k * FRAME_TOKENS);
    this.map = memory ? new MemoryMap() : null;
  }

  /** Adds the newest observation (after `action` was taken; at an episode's start, none). */
  push(tokens: Int32Array, action?: number): void {
    if (this.filled === 0) {
      for (let k = 0; k < this.k; k++) this.frames.set(tokens, k * FRAME_TOKENS);
      this.filled = 1;
    } else {
      this.frames.copyWithin(0, FRAME_TOKENS);
      this.frames.set(tokens, (this.k - 1) * FRAME_TOKENS);
    }
    this.prevAction = action ?? 0;
    this.map?.observe(tokens, action);
  }

  observe(world: World, slot: number, action?: number): void {
    this.push(tokenize(world, slot), action);
  }

  /** Writes this history as row `b` of a batch (the memory slots too when the batch has them). */
  write(tokens: Int32Array, prevAction: Int32Array, b: number, memory?: Int32Array): void {
    tokens.set(this.frames, b * this.k * FRAME_TOKENS);
    prevAction[b] = this.prevAction;
    if (memory) {
      if (!this.map) throw new Error('this history keeps no memory map');
      this.map.features(memory, b * MEMORY_SLOTS);
    }
  }

  reset(): void {
    this.filled = 0;
    this.prevAction = 0;
    this.map?.reset();
  }
}
