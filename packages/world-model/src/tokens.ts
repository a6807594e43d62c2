/**
 * Semantic tokens of one observation of one player (the token dream model's alphabet).
 *
 * A frame is FRAME_TOKENS = 81 tokens in one shared vocabulary:
 *   0..62   the local 9×7 view, row-major (index j * 9 + i shows world tile
 *           (x + i − 4, y + j − 3)); token = semantic id 0..18 (materials 0..12, objects 13 + kind;
 *           0 = off-world)
 *   63      the player's facing (0..3 = left, right, up, down) + 4 if asleep     → 19 + v
 *   64..79  the 16 inventory counts in INVENTORY order (vitals first), 0..9      → 27 + v
 *   80      daylight bucket ⌊daylight · 8⌋ clamped to 0..7                       → 37 + v
 * MASK (45) is the absorbing state of the diffusion; CLS (46) is the model's extra position that
 * carries the reward and termination heads. This file imports nothing from Node.
 */
import {
  FAIR_VIEW_CELLS,
  FAIR_VIEW_DAYLIGHT,
  FAIR_VIEW_FACING,
  FAIR_VIEW_INVENTORY,
  FAIR_VIEW_SIZE,
  localSemanticView,
  NUM_ITEMS,
  VIEW_COLS,
  VIEW_ROWS,
  type World,
} from '@aikon/engine';

// Frame positions are the engine's fair-view layout (the VecEnv observation vector), one definition.
export const VIEW_TOKENS = FAIR_VIEW_CELLS; // 63
export const NUM_SEMANTIC = 19;
export const FACING_POS = FAIR_VIEW_FACING; // 63
export const INVENTORY_POS = FAIR_VIEW_INVENTORY; // 64
export const DAYLIGHT_POS = FAIR_VIEW_DAYLIGHT; // 80
export const FRAME_TOKENS = FAIR_VIEW_SIZE; // 81
export const DAYLIGHT_BUCKETS = 8;
export const MAX_COUNT = 9;

export const FACING_BASE = NUM_SEMANTIC; // 19 (8 values)
export const COUNT_BASE = FACING_BASE + 8; // 27 (10 values)
export const DAYLIGHT_BASE = COUNT_BASE + MAX_COUNT + 1; // 37 (8 values)
export const MASK = DAYLIGHT_BASE + DAYLIGHT_BUCKETS; // 45
export const CLS = MASK + 1; // 46
export const VOCAB = CLS + 1; // 47
/** Model sequence length: the frame plus the CLS position. */
export const SEQ = FRAME_TOKENS + 1; // 82

/** Input streams of the model: the noisy target, the K context frames, and the newest context
 * frame's 4 view neighbours (left, right, up, down) — the tokens a step can move into a cell. */
export const NEIGHBOUR_STREAMS = 4;
export function inputStreams(K: number): number {
  return 1 + K + NEIGHBOUR_STREAMS;
}
/**
 * NEIGHBOURS[d][p]: the position whose newest-context token is position p's neighbour-stream
 * d input (d = left, right, up, down in the 9×7 view); SEQ − 1 (the CLS slot) where the
 * neighbour is outside the view or p is not a view cell.
 */
export const NEIGHBOURS: readonly Int32Array[] = [
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
].map(([dx, dy]) =>
  Int32Array.from({ length: FRAME_TOKENS + 1 }, (_, p) => {
    if (p >= VIEW_TOKENS) return FRAME_TOKENS;
    const i = (p % VIEW_COLS) + dx;
    const j = Math.floor(p / VIEW_COLS) + dy;
    return i >= 0 && i < VIEW_COLS && j >= 0 && j < VIEW_ROWS ? j * VIEW_COLS + i : FRAME_TOKENS;
  }),
);

/** Reward classes: round(reward · 10) in −10..20 → class 0..30. */
export const REWARD_MIN = -10;
export const REWARD_CLASSES = 31;

/** An observation decoded from tokens. */
export interface Observation {
  /** 63 semantic ids, row-major 9 × 7. */
  readonly view: Uint8Array;
  readonly facing: number;
  readonly sleeping: boolean;
  /** 16 counts, INVENTORY order (health, food, drink, energy first). */
  readonly inventory: Uint8Array;
  /** 0..7 */
  readonly daylightBucket: number;
}

/** The valid token range [lo, hi) of each frame position. */
export function tokenRange(pos: number): readonly [number, number] {
  if (pos < VIEW_TOKENS) return [0, NUM_SEMANTIC];
  if (pos === FACING_POS) return [FACING_BASE, FACING_BASE + 8];
  if (pos < DAYLIGHT_POS) return [COUNT_BASE, COUNT_BASE + MAX_COUNT + 1];
  if (pos === DAYLIGHT_POS) return [DAYLIGHT_BASE, DAYLIGHT_BASE + DAYLIGHT_BUCKETS];
  throw new RangeError(`frame position ${pos} out of 0..${FRAME_TOKENS - 1}`);
}

export function daylightBucket(daylight: number): number {
  return Math.max(0, Math.min(DAYLIGHT_BUCKETS - 1, Math.floor(daylight * DAYLIGHT_BUCKETS)));
}

export function encodeObservation(obs: Observation, out = new Int32Array(FRAME_TOKENS)): Int32Array {
  for (let k = 0; k < VIEW_TOKENS; k++) {
    const v = obs.view[k];
    if (v >= NUM_SEMANTIC) throw new RangeError(`semantic id ${v} out of range`);
    out[k] = v;
  }
  out[FACING_POS] = FACING_BASE + (obs.facing & 3) + (obs.sleeping ? 4 : 0);
  for (let i = 0; i < NUM_ITEMS; i++) {
    out[INVENTORY_POS + i] = COUNT_BASE + Math.max(0, Math.min(MAX_COUNT, obs.inventory[i]));
  }
  out[DAYLIGHT_POS] = DAYLIGHT_BASE + obs.daylightBucket;
  return out;
}

/** Decodes a frame; a token outside its position's range (e.g. MASK) throws. */
export function decodeObservation(tokens: ArrayLike<number>, offset = 0): Observation {
  for (let p = 0; p < FRAME_TOKENS; p++) {
    const [lo, hi] = tokenRange(p);
    const t = tokens[offset + p];
    if (t < lo || t >= hi) throw new RangeError(`token ${t} at position ${p} outside ${lo}..${hi - 1}`);
  }
  const view = new Uint8Array(VIEW_TOKENS);
  for (let k = 0; k < VIEW_TOKENS; k++) view[k] = tokens[offset + k];
  const f = tokens[offset + FACING_POS] - FACING_BASE;
  const inventory = new Uint8Array(NUM_ITEMS);
  for (let i = 0; i < NUM_ITEMS; i++) inventory[i] = tokens[offset + INVENTORY_POS + i] - COUNT_BASE;
  return {
    view,
    facing: f & 3,
    sleeping: f >= 4,
    inventory,
    daylightBucket: tokens[offset + DAYLIGHT_POS] - DAYLIGHT_BASE,
  };
}

/** The observation of player `slot` in a world (its local view, facing, inventory, daylight). */
export function observe(world: World, slot = 0): Observation {
  const p = world.player(slot);
  const view = localSemanticView(world, slot, new Uint8Array(VIEW_TOKENS));
  const inventory = new Uint8Array(NUM_ITEMS);
  for (let i = 0; i < NUM_ITEMS; i++) inventory[i] = Math.max(0, Math.min(MAX_COUNT, p.inventory[i]));
  return { view, facing: p.facing, sleeping: p.sleeping, inventory, daylightBucket: daylightBucket(world.daylight) };
}

/** Tokens of the world as player `slot` sees it now. */
export function tokenize(world: World, slot = 0): Int32Array {
  return encodeObservation(observe(world, slot));
}

export function rewardClass(reward: number): number {
  return Math.max(0, Math.min(REWARD_CLASSES - 1, Math.round(reward * 10) - REWARD_MIN));
}
export function rewardOfClass(k: number): number {
  return (k + REWARD_MIN) / 10;
}
