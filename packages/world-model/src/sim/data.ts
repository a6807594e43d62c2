/**
 * Training examples of the world simulator from token episodes (browser-safe). Each transition
 * t → t+1 becomes one global example and 63 tile examples; the tile examples' prior view is
 * built exactly as a dream builds it: a map of everything seen so far in the episode, kept by
 * the player's position, read around the next position.
 */
import { DIRECTIONS, NUM_ITEMS, VIEW_COLS } from '@aikon/engine';
import type { TokenEpisode } from '../episodes.ts';
import {
  COUNT_BASE,
  DAYLIGHT_BASE,
  DAYLIGHT_POS,
  FACING_BASE,
  FACING_POS,
  FRAME_TOKENS,
  INVENTORY_POS,
  MAX_COUNT,
  VIEW_TOKENS,
} from '../tokens.ts';
import {
  advanceAges,
  CENTER,
  G_ACTIVE,
  globalRows,
  moveClass,
  PRIOR_CELLS,
  T_ACTIVE,
  tileRows,
  VITALS,
} from './layout.ts';
import { DreamMap } from './map.ts';
import type { SimBatch } from './model.ts';

/** Dead-reckoned moves of an episode: from its positions, else inferred from how the view shifted. */
export function episodeMoves(ep: TokenEpisode): Int32Array {
  const moves = new Int32Array(ep.length);
  for (let t = 0; t < ep.length; t++) {
    if (ep.positions) {
      moves[t] = moveClass(
        ep.positions[2 * t + 2] - ep.positions[2 * t],
        ep.positions[2 * t + 3] - ep.positions[2 * t + 1],
      );
    } else {
      moves[t] = inferMove(ep.frames, t * FRAME_TOKENS, (t + 1) * FRAME_TOKENS, ep.actions[t]);
    }
  }
  return moves;
}

/**
 * The move (class) under which the next view best matches the previous view shifted. Where the
 * view cannot tell (uniform ground), a move action's own direction wins the tie, else staying.
 */
export function inferMove(frames: ArrayLike<number>, a: number, b: number, action = 0): number {
  let best = 0;
  let bestScore = -1;
  const hinted = action >= 1 && action <= 4 ? action : 0;
  for (let m = 0; m < 5; m++) {
    const [dx, dy] = m === 0 ? [0, 0] : DIRECTIONS[m - 1];
    // Share of matching cells where the shifted views overlap (the player's own cell left out).
    let hits = 0,
      cells = 0;
    for (let p = 0; p < VIEW_TOKENS; p++) {
      const i = (p % VIEW_COLS) + dx;
      const j = Math.floor(p / VIEW_COLS) + dy;
      if (
        i < 0 ||
        i >= VIEW_COLS ||
        j < 0 ||
        j >= VIEW_TOKENS / VIEW_COLS ||
        p === CENTER ||
        j * VIEW_COLS + i === CENTER
      )
        continue;
      cells++;
      if (frames[b + p] === frames[a + j * VIEW_COLS + i]) hits++;
    }
    const score = hits / cells;
    if (score > bestScore || (score === bestScore && m === hinted)) {
      bestScore = score;
      best = m;
    }
  }
  return best;
}

/** Ages (steps since each vital last changed, from the episode start) at every observation: (T+1) × 4. */
export function episodeAges(ep: TokenEpisode): Uint8Array {
  const ages = new Uint8Array((ep.length + 1) * VITALS);
  for (let t = 1; t <= ep.length; t++) {
    ages.copyWithin(t * VITALS, (t - 1) * VITALS, t * VITALS);
    advanceAges(ep.frames, (t - 1) * FRAME_TOKENS, ep.frames, t * FRAME_TOKENS, ages, t * VITALS);
  }
  return ages;
}

/** All transitions of a set of episodes, ready to be batched. */
export interface TransitionSet {
  readonly size: number;
  readonly episodes: readonly TokenEpisode[];
  readonly ep: Int32Array;
  readonly t: Int32Array;
  readonly gRows: Int16Array; // N × G_ACTIVE
  readonly prior: Uint8Array; // N × 99
  readonly move: Int32Array;
  readonly event: Int32Array; // −1 unknown
  readonly done: Uint8Array;
  /** Sampling weight of each transition (rare events oversampled). */
  readonly weight: Float32Array;
}

export interface Oversampling {
  /** Extra weight of a transition with an achievement event (or a nonzero reward without events). */
  readonly event: number;
  /** Extra weight of the transition in which the player died. */
  readonly death: number;
  /** Extra weight of a transition in which some inventory count changed. */
  readonly inventory: number;
}

export function buildTransitions(episodes: readonly TokenEpisode[], over: Oversampling): TransitionSet {
  const N = episodes.reduce((n, e) => n + e.length, 0);
  const s = {
    size: N,
    episodes,
    ep: new Int32Array(N),
    t: new Int32Array(N),
    gRows: new Int16Array(N * G_ACTIVE),
    prior: new Uint8Array(N * PRIOR_CELLS),
    move: new Int32Array(N),
    event: new Int32Array(N),
    done: new Uint8Array(N),
    weight: new Float32Array(N),
  };
  const rows = new Int32Array(G_ACTIVE);
  let n = 0;
  episodes.forEach((ep, e) => {
    const moves = episodeMoves(ep);
    const ages = episodeAges(ep);
    const map = new DreamMap();
    map.write(ep.frames, 0);
    for (let t = 0; t < ep.length; t++, n++) {
      s.ep[n] = e;
      s.t[n] = t;
      globalRows(ep.frames, t * FRAME_TOKENS, ep.actions[t], ages, t * VITALS, rows);
      s.gRows.set(rows, n * G_ACTIVE);
      s.move[n] = moves[t];
      if (moves[t] < 0)
        map.clear(); // a jump (respawn): nothing remembered carries over
      else map.move(moves[t]);
      map.readPrior(s.prior, n * PRIOR_CELLS);
      map.write(ep.frames, (t + 1) * FRAME_TOKENS);
      s.event[n] = ep.events ? ep.events[t] : -1;
      s.done[n] = ep.terminated && t === ep.length - 1 ? 1 : 0;
      let invChanged = false;
      for (let i = 0; i < NUM_ITEMS; i++)
        if (ep.frames[(t + 1) * FRAME_TOKENS + INVENTORY_POS + i] !== ep.frames[t * FRAME_TOKENS + INVENTORY_POS + i])
          invChanged = true;
      const eventful = s.event[n] > 0 || (!ep.events && Math.abs(ep.rewards[t]) >= 0.5);
      s.weight[n] = 1 + (eventful ? over.event : 0) + (s.done[n] ? over.death : 0) + (invChanged ? over.inventory : 0);
    }
  });
  return s;
}

/** A batch of the transitions at `idx`. */
export function makeBatch(s: TransitionSet, idx: ArrayLike<number>): SimBatch {
  const B = idx.length;
  const b: SimBatch = {
    size: B,
    gRows: new Int32Array(B * G_ACTIVE),
    move: new Int32Array(B),
    facing: new Int32Array(B),
    invDelta: new Int32Array(B * NUM_ITEMS),
    event: new Int32Array(B),
    done: new Uint8Array(B),
    day: new Int32Array(B),
    tRows: new Int32Array(B * VIEW_TOKENS * T_ACTIVE),
    tTarget: new Int32Array(B * VIEW_TOKENS),
  };
  for (let i = 0; i < B; i++) {
    const n = idx[i];
    const ep = s.episodes[s.ep[n]];
    const cur = s.t[n] * FRAME_TOKENS;
    const nxt = cur + FRAME_TOKENS;
    for (let k = 0; k < G_ACTIVE; k++) b.gRows[i * G_ACTIVE + k] = s.gRows[n * G_ACTIVE + k];
    b.move[i] = s.move[n];
    b.facing[i] = ep.frames[nxt + FACING_POS] - FACING_BASE;
    for (let k = 0; k < NUM_ITEMS; k++)
      b.invDelta[i * NUM_ITEMS + k] =
        ep.frames[nxt + INVENTORY_POS + k] - ep.frames[cur + INVENTORY_POS + k] + MAX_COUNT;
    b.event[i] = s.event[n];
    b.done[i] = s.done[n];
    b.day[i] = ep.frames[nxt + DAYLIGHT_POS] - DAYLIGHT_BASE;
    const facing = (ep.frames[cur + FACING_POS] - FACING_BASE) & 3;
    const action = ep.actions[s.t[n]];
    const event = Math.max(0, s.event[n]);
    const day = ep.frames[cur + DAYLIGHT_POS] - DAYLIGHT_BASE;
    for (let p = 0; p < VIEW_TOKENS; p++) {
      const c = i * VIEW_TOKENS + p;
      tileRows(s.prior, n * PRIOR_CELLS, p, facing, action, event, day, Math.max(0, s.move[n]), b.tRows, c * T_ACTIVE);
      b.tTarget[c] = s.move[n] < 0 ? -1 : ep.frames[nxt + p];
    }
  }
  return b;
}

/** Inventory count at observation t of an episode (for tests and evaluation). */
export function countAt(ep: TokenEpisode, t: number, item: number): number {
  return ep.frames[t * FRAME_TOKENS + INVENTORY_POS + item] - COUNT_BASE;
}
