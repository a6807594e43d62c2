/**
 * The world simulator's inputs and outputs (browser-safe, no Node imports).
 *
 * The simulator is a factored model of one player's next observation:
 *  - a *global* network reads the whole current frame (view, facing/sleep, inventory, daylight),
 *    the action, the tile the action aims at, and the ages of the four vitals (steps since each
 *    last changed — Crafter's hidden hunger/thirst/fatigue/recovery counters make them
 *    predictable), and predicts the player's move, next facing, each inventory count's change,
 *    the achievement event, death and the next daylight bucket;
 *  - a *tile* network predicts each of the 63 next view cells from its 3×3 neighbourhood in the
 *    prior view — the dreamed map, remembered by dead-reckoned position, shifted by the move —
 *    plus the cell's place, its relation to the player (self / the tile in front / other) crossed
 *    with the action and with the event, daylight and the move.
 * Both are sparse one-hot inputs summed as embedding rows, one ReLU layer (two for the global
 * network), linear heads: cheap enough for tens of thousands of steps per second in plain JS.
 */
import { ACHIEVEMENTS, DIRECTIONS, NUM_ACTIONS, NUM_ITEMS, VIEW_COLS, VIEW_ROWS } from '@aikon/engine';
import {
  COUNT_BASE,
  DAYLIGHT_BASE,
  DAYLIGHT_BUCKETS,
  DAYLIGHT_POS,
  FACING_BASE,
  FACING_POS,
  INVENTORY_POS,
  MAX_COUNT,
  NUM_SEMANTIC,
  VIEW_TOKENS,
} from '../tokens.ts';

/** A prior-view cell never seen in this dream. */
export const UNKNOWN = NUM_SEMANTIC; // 19
export const TILE_INPUTS = NUM_SEMANTIC + 1; // 20
/** The prior window around the player: the view plus a one-cell border (neighbours of edge cells). */
export const PRIOR_COLS = VIEW_COLS + 2; // 11
export const PRIOR_ROWS = VIEW_ROWS + 2; // 9
export const PRIOR_CELLS = PRIOR_COLS * PRIOR_ROWS; // 99
export const CENTER = ((VIEW_ROWS - 1) / 2) * VIEW_COLS + (VIEW_COLS - 1) / 2; // 31: the player's cell

/** Move classes: 0 stays, 1 + d moved one tile along DIRECTIONS[d] (left, right, up, down). */
export const MOVES = 5;
/** Event classes: 0 none, 1 + i achievement i's counter rose (the first if several). */
export const EVENTS = 1 + ACHIEVEMENTS.length; // 23
/** Inventory changes −9..+9 per item. */
export const DELTAS = 2 * MAX_COUNT + 1; // 19
/** Steps since a vital (health, food, drink, energy) last changed, 0..AGES−1 (older clamps). */
export const AGES = 40;
export const VITALS = 4;
const ENERGY = 3;

/**
 * Advances the four vitals' ages (at `ao`) over one step from the frame at `po` to the frame at
 * `no` (each of 81 tokens). A vital's age restarts when it changes. Energy's also restarts when
 * the player falls asleep: Crafter's hidden fatigue counter, which times every energy change,
 * becomes min(fatigue − 1, 0) then, i.e. 0 as after an energy change (−1, one step further on,
 * when energy changed in the step before). So every energy gain of a sleep comes at the same age,
 * the first one too (with the age since the last change alone it came at an unpredictable one).
 */
export function advanceAges(
  prev: ArrayLike<number>,
  po: number,
  next: ArrayLike<number>,
  no: number,
  ages: Uint8Array,
  ao: number,
): void {
  const fellAsleep = prev[po + FACING_POS] - FACING_BASE < 4 && next[no + FACING_POS] - FACING_BASE >= 4;
  for (let v = 0; v < VITALS; v++) {
    const age = ages[ao + v];
    if (next[no + INVENTORY_POS + v] !== prev[po + INVENTORY_POS + v]) ages[ao + v] = 0;
    else if (v === ENERGY && fellAsleep) ages[ao + v] = age === 0 ? 1 : 0;
    else ages[ao + v] = Math.min(AGES - 1, age + 1);
  }
}

// ---- global network inputs: one-hot rows
export const G_VIEW = 0; // 63 × 19
export const G_FACING = G_VIEW + VIEW_TOKENS * NUM_SEMANTIC; // 8 (facing + 4·asleep)
export const G_INV = G_FACING + 8; // 16 × 10
export const G_DAY = G_INV + NUM_ITEMS * (MAX_COUNT + 1); // 8
export const G_ACT = G_DAY + DAYLIGHT_BUCKETS; // 17
export const G_ACT_TARGET = G_ACT + NUM_ACTIONS; // 17 × 19: action × the tile it aims at
export const G_AGE = G_ACT_TARGET + NUM_ACTIONS * NUM_SEMANTIC; // 4 × 40
export const G_ROWS = G_AGE + VITALS * AGES;
/** Active rows per global example. */
export const G_ACTIVE = VIEW_TOKENS + 1 + NUM_ITEMS + 1 + 1 + 1 + VITALS;

// ---- global network outputs. The dense block is computed every step; an item's 19 change
// logits only when its change logit says it changes (most steps change nothing).
export const O_MOVE = 0;
export const O_FACING = O_MOVE + MOVES; // 8
export const O_CHANGE = O_FACING + 8; // 16 logits: does item i change?
export const O_EVENT = O_CHANGE + NUM_ITEMS; // 23
export const O_DONE = O_EVENT + EVENTS; // 1 logit
export const O_DAY = O_DONE + 1; // 8
export const G_DENSE = O_DAY + DAYLIGHT_BUCKETS; // 61
export const O_DELTA = G_DENSE; // 16 × 19: item i's change −9..+9 given that it changes
export const G_OUT = O_DELTA + NUM_ITEMS * DELTAS;

// ---- tile network inputs
export const T_NEIGH = 0; // 9 slots × 20
export const T_POS = T_NEIGH + 9 * TILE_INPUTS; // 63
export const T_REL_ACT = T_POS + VIEW_TOKENS; // 3 × 17
export const T_REL_EVENT = T_REL_ACT + 3 * NUM_ACTIONS; // 3 × 23
export const T_DAY = T_REL_EVENT + 3 * EVENTS; // 8
export const T_MOVE = T_DAY + DAYLIGHT_BUCKETS; // 5
export const T_ROWS = T_MOVE + MOVES;
export const T_ACTIVE = 9 + 5;
export const T_OUT = NUM_SEMANTIC;

/** The view cell an action aims at: the neighbour in a move action's direction, else the one in front. */
export function targetCell(action: number, facing: number): number {
  const d = action >= 1 && action <= 4 ? action - 1 : facing;
  const [dx, dy] = DIRECTIONS[d];
  return CENTER + dy * VIEW_COLS + dx;
}

/** The move class between two dead-reckoned positions (−1 when they are not 0 or 1 tile apart). */
export function moveClass(dx: number, dy: number): number {
  if (dx === 0 && dy === 0) return 0;
  for (let d = 0; d < 4; d++) if (DIRECTIONS[d][0] === dx && DIRECTIONS[d][1] === dy) return 1 + d;
  return -1;
}

/**
 * Writes the global network's active rows for one example into `out` (G_ACTIVE entries).
 * `frame` holds the 81 tokens at `fo`; `ages` the four vitals' ages at `ao`.
 */
export function globalRows(
  frame: ArrayLike<number>,
  fo: number,
  action: number,
  ages: ArrayLike<number>,
  ao: number,
  out: Int32Array | Int16Array,
  oo = 0,
): void {
  let k = oo;
  for (let p = 0; p < VIEW_TOKENS; p++) out[k++] = G_VIEW + p * NUM_SEMANTIC + frame[fo + p];
  const f = frame[fo + FACING_POS] - FACING_BASE;
  out[k++] = G_FACING + f;
  for (let i = 0; i < NUM_ITEMS; i++)
    out[k++] = G_INV + i * (MAX_COUNT + 1) + (frame[fo + INVENTORY_POS + i] - COUNT_BASE);
  out[k++] = G_DAY + (frame[fo + DAYLIGHT_POS] - DAYLIGHT_BASE);
  out[k++] = G_ACT + action;
  out[k++] = G_ACT_TARGET + action * NUM_SEMANTIC + frame[fo + targetCell(action, f & 3)];
  for (let v = 0; v < VITALS; v++) out[k++] = G_AGE + v * AGES + Math.min(AGES - 1, ages[ao + v]);
}

/** Relation of view cell p to the player: 0 the player's cell, 1 the cell in front, 2 any other. */
export function relation(p: number, facing: number): number {
  return RELATION[facing * VIEW_TOKENS + p];
}
const RELATION: Uint8Array = (() => {
  const t = new Uint8Array(4 * VIEW_TOKENS).fill(2);
  for (let f = 0; f < 4; f++) {
    const [dx, dy] = DIRECTIONS[f];
    t[f * VIEW_TOKENS + CENTER] = 0;
    t[f * VIEW_TOKENS + CENTER + dy * VIEW_COLS + dx] = 1;
  }
  return t;
})();

/** Index of view cell p's neighbour (dx, dy) in the 11×9 prior window. */
export function priorIndex(p: number, dx: number, dy: number): number {
  return (Math.floor(p / VIEW_COLS) + 1 + dy) * PRIOR_COLS + (p % VIEW_COLS) + 1 + dx;
}
/** PRIOR_OF[p * 9 + n]: the prior cell of neighbour slot n (dy, dx in −1..1, row-major) of view cell p. */
export const PRIOR_OF: Int32Array = (() => {
  const t = new Int32Array(VIEW_TOKENS * 9);
  for (let p = 0; p < VIEW_TOKENS; p++)
    for (let n = 0; n < 9; n++) t[p * 9 + n] = priorIndex(p, (n % 3) - 1, Math.floor(n / 3) - 1);
  return t;
})();

/**
 * Writes the tile network's active rows for view cell p (T_ACTIVE entries). `prior` is the
 * 11×9 prior window at `po`; `facing` the player's facing before the step.
 */
export function tileRows(
  prior: ArrayLike<number>,
  po: number,
  p: number,
  facing: number,
  action: number,
  event: number,
  day: number,
  move: number,
  out: Int32Array | Int16Array,
  oo = 0,
): void {
  let k = oo;
  for (let n = 0; n < 9; n++) out[k++] = T_NEIGH + n * TILE_INPUTS + prior[po + PRIOR_OF[p * 9 + n]];
  const r = relation(p, facing);
  out[k++] = T_POS + p;
  out[k++] = T_REL_ACT + r * NUM_ACTIONS + action;
  out[k++] = T_REL_EVENT + r * EVENTS + event;
  out[k++] = T_DAY + day;
  out[k++] = T_MOVE + move;
}
