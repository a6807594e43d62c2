/**
 * The world simulator's network: parameters, forward passes, the model-owned loss with its
 * gradient, and the weights file. Plain Float32Array arithmetic (browser-safe, no tfjs): a step
 * is ~0.1 MFLOP, so batched imagination runs at tens of thousands of steps per second in Node.
 */
import { NUM_ACTIONS, NUM_ITEMS, Rng } from '@aikon/engine';
import { MAX_COUNT, VIEW_TOKENS } from '../tokens.ts';
import { z } from 'zod';
import {
  DELTAS,
  EVENTS,
  G_ACTIVE,
  G_DENSE,
  G_OUT,
  G_ROWS,
  MOVES,
  O_CHANGE,
  O_DAY,
  O_DELTA,
  O_DONE,
  O_EVENT,
  O_FACING,
  O_MOVE,
  PRIOR_COLS,
  PRIOR_OF,
  PRIOR_ROWS,
  priorIndex,
  relation,
  T_ACTIVE,
  T_DAY,
  T_MOVE,
  T_NEIGH,
  T_OUT,
  T_POS,
  T_REL_ACT,
  T_REL_EVENT,
  T_ROWS,
  TILE_INPUTS,
} from './layout.ts';

/** Sizes of the network (everything else in the training config is how it is trained). */
export const SimArchitectureSchema = z.object({
  globalHidden: z.number().int().min(4),
  globalHidden2: z.number().int().min(4),
  tileHidden: z.number().int().min(4),
});
export type SimArchitecture = z.infer<typeof SimArchitectureSchema>;

/**
 * Inference settings chosen after training on calibration episodes (never the evaluation's).
 * `eventThreshold`: a greedy dream predicts an achievement event only where the event head gives
 * it at least this probability (else no event); 0 = the head's argmax as it is.
 */
export const SimCalibrationSchema = z.object({
  eventThreshold: z.number().min(0).max(1),
});
export type SimCalibration = z.infer<typeof SimCalibrationSchema>;

/** Loss weight of each head (the loss is the weighted sum of the heads' mean cross-entropies). */
export const SimLossWeightsSchema = z.object({
  move: z.number().min(0),
  facing: z.number().min(0),
  inventory: z.number().min(0),
  event: z.number().min(0),
  done: z.number().min(0),
  daylight: z.number().min(0),
  tile: z.number().min(0),
});
export type SimLossWeights = z.infer<typeof SimLossWeightsSchema>;
export const HEADS = ['move', 'facing', 'inventory', 'event', 'done', 'daylight', 'tile'] as const;
export type Head = (typeof HEADS)[number];

/** Parameter blocks, in file order. */
function blocks(a: SimArchitecture): [string, number][] {
  const { globalHidden: H1, globalHidden2: H2, tileHidden: HT } = a;
  return [
    ['gE', G_ROWS * H1],
    ['gB1', H1],
    ['gW2', H2 * H1],
    ['gB2', H2],
    ['gWo', G_OUT * H2],
    ['gBo', G_OUT],
    ['tE', T_ROWS * HT],
    ['tB', HT],
    ['tWo', T_OUT * HT],
    ['tBo', T_OUT],
  ];
}

export function simParamCount(a: SimArchitecture): number {
  return blocks(a).reduce((n, [, k]) => n + k, 0);
}

/** One training batch: B transitions, their global rows and targets, and 63 tile examples each. */
export interface SimBatch {
  readonly size: number;
  readonly gRows: Int32Array; // B × G_ACTIVE
  readonly move: Int32Array; // B, −1 = unknown
  readonly facing: Int32Array; // B (0..7)
  readonly invDelta: Int32Array; // B × 16 (delta + 9)
  readonly event: Int32Array; // B, −1 = unknown
  readonly done: Uint8Array; // B
  readonly day: Int32Array; // B
  readonly tRows: Int32Array; // B × 63 × T_ACTIVE
  readonly tTarget: Int32Array; // B × 63, −1 = not scored
}

export type SimLossParts = Record<Head, number> & { total: number };

export class SimModel {
  readonly params: Float32Array;
  readonly gE: Float32Array;
  readonly gB1: Float32Array;
  readonly gW2: Float32Array;
  readonly gB2: Float32Array;
  readonly gWo: Float32Array;
  readonly gBo: Float32Array;
  readonly tE: Float32Array;
  readonly tB: Float32Array;
  readonly tWo: Float32Array;
  readonly tBo: Float32Array;

  constructor(
    readonly arch: SimArchitecture,
    params?: Float32Array,
    readonly calibration?: SimCalibration,
  ) {
    const n = simParamCount(arch);
    if (params && params.length !== n) throw new RangeError(`the simulator has ${n} parameters, got ${params.length}`);
    this.params = params ?? new Float32Array(n);
    const v = SimModel.views(arch, this.params);
    this.gE = v.gE;
    this.gB1 = v.gB1;
    this.gW2 = v.gW2;
    this.gB2 = v.gB2;
    this.gWo = v.gWo;
    this.gBo = v.gBo;
    this.tE = v.tE;
    this.tB = v.tB;
    this.tWo = v.tWo;
    this.tBo = v.tBo;
  }

  /** Named views of a flat buffer in the parameter layout (parameters, gradients, optimizer moments). */
  static views(a: SimArchitecture, flat: Float32Array): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    let o = 0;
    for (const [name, k] of blocks(a)) {
      out[name] = flat.subarray(o, o + k);
      o += k;
    }
    return out;
  }

  /** He-initialised weights (embeddings scaled by the number of active rows), zero biases. */
  static init(arch: SimArchitecture, seed: number): SimModel {
    const m = new SimModel(arch);
    const rng = new Rng(seed);
    const gauss = (): number => {
      const u = Math.max(1e-12, rng.uniform());
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.uniform());
    };
    const fill = (a: Float32Array, std: number) => {
      for (let i = 0; i < a.length; i++) a[i] = gauss() * std;
    };
    fill(m.gE, Math.sqrt(2 / G_ACTIVE));
    fill(m.gW2, Math.sqrt(2 / arch.globalHidden));
    fill(m.gWo, Math.sqrt(1 / arch.globalHidden2));
    fill(m.tE, Math.sqrt(2 / T_ACTIVE));
    fill(m.tWo, Math.sqrt(1 / arch.tileHidden));
    return m;
  }

  /** Global network on one example: rows → h1, h2 (post-ReLU) and the G_OUT output logits. */
  globalForward(rows: Int32Array, ro: number, h1: Float32Array, h2: Float32Array, out: Float32Array, oo = 0): void {
    const H1 = this.arch.globalHidden;
    const H2 = this.arch.globalHidden2;
    const E = this.gE;
    h1.set(this.gB1);
    for (let k = 0; k < G_ACTIVE; k++) {
      const r = rows[ro + k] * H1;
      for (let j = 0; j < H1; j++) h1[j] += E[r + j];
    }
    for (let j = 0; j < H1; j++) if (h1[j] < 0) h1[j] = 0;
    const W2 = this.gW2;
    for (let i = 0; i < H2; i++) {
      let s = this.gB2[i];
      const w = i * H1;
      for (let j = 0; j < H1; j++) s += W2[w + j] * h1[j];
      h2[i] = Math.max(s, 0);
    }
    const Wo = this.gWo;
    for (let o = 0; o < G_OUT; o++) {
      let s = this.gBo[o];
      const w = o * H2;
      for (let i = 0; i < H2; i++) s += Wo[w + i] * h2[i];
      out[oo + o] = s;
    }
  }

  /** Tile network on one cell: rows → h (post-ReLU) and the 19 logits. */
  tileForward(rows: Int32Array, ro: number, h: Float32Array, out: Float32Array, oo = 0): void {
    const HT = this.arch.tileHidden;
    const E = this.tE;
    h.set(this.tB);
    for (let k = 0; k < T_ACTIVE; k++) {
      const r = rows[ro + k] * HT;
      for (let j = 0; j < HT; j++) h[j] += E[r + j];
    }
    for (let j = 0; j < HT; j++) if (h[j] < 0) h[j] = 0;
    const W = this.tWo;
    for (let o = 0; o < T_OUT; o++) {
      let s = this.tBo[o];
      const w = o * HT;
      for (let j = 0; j < HT; j++) s += W[w + j] * h[j];
      out[oo + o] = s;
    }
  }

  /**
   * The model's loss on a batch: the weighted sum of each head's mean cross-entropy (move,
   * facing, the 16 inventory changes, event, death as binary, daylight, the 63 tiles).
   * With `grad` (same layout as params, zeroed by the caller) it adds d loss / d params.
   */
  loss(b: SimBatch, w: SimLossWeights, grad?: Float32Array): SimLossParts {
    const { globalHidden: H1, globalHidden2: H2, tileHidden: HT } = this.arch;
    const g = grad ? SimModel.views(this.arch, grad) : null;
    const h1 = new Float32Array(H1),
      h2 = new Float32Array(H2),
      out = new Float32Array(G_OUT),
      dOut = new Float32Array(G_OUT);
    const dh2 = new Float32Array(H2),
      dh1 = new Float32Array(H1);
    const sums: Record<Head, number> = { move: 0, facing: 0, inventory: 0, event: 0, done: 0, daylight: 0, tile: 0 };
    const counts: Record<Head, number> = { move: 0, facing: 0, inventory: 0, event: 0, done: 0, daylight: 0, tile: 0 };
    for (let i = 0; i < b.size; i++) {
      if (b.move[i] >= 0) counts.move++;
      if (b.event[i] >= 0) counts.event++;
      for (let p = 0; p < VIEW_TOKENS; p++) if (b.tTarget[i * VIEW_TOKENS + p] >= 0) counts.tile++;
    }
    counts.facing = counts.done = counts.daylight = b.size;
    let changed = 0;
    for (let k = 0; k < b.size * NUM_ITEMS; k++) if (b.invDelta[k] !== MAX_COUNT) changed++;
    counts.inventory = b.size;
    // Softmax cross-entropy of out[o0, o0+n) against class t, scaled by s into dOut.
    // Sigmoid cross-entropy of logit x against y, scaled by s into d[o].
    const bce = (x: number, y: number, s: number, d: Float32Array | null, o: number): number => {
      if (d) d[o] = s * (1 / (1 + Math.exp(-x)) - y);
      return Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
    };
    const ce = (logits: Float32Array, o0: number, n: number, t: number, s: number, d: Float32Array | null): number => {
      let mx = -Infinity;
      for (let k = 0; k < n; k++) if (logits[o0 + k] > mx) mx = logits[o0 + k];
      let z = 0;
      for (let k = 0; k < n; k++) z += Math.exp(logits[o0 + k] - mx);
      if (d) for (let k = 0; k < n; k++) d[o0 + k] = s * (Math.exp(logits[o0 + k] - mx) / z - (k === t ? 1 : 0));
      return Math.log(z) + mx - logits[o0 + t];
    };
    for (let i = 0; i < b.size; i++) {
      this.globalForward(b.gRows, i * G_ACTIVE, h1, h2, out);
      const d = g ? dOut.fill(0) : null;
      if (b.move[i] >= 0) sums.move += ce(out, O_MOVE, MOVES, b.move[i], w.move / counts.move, d);
      sums.facing += ce(out, O_FACING, 8, b.facing[i], w.facing / counts.facing, d);
      // Inventory: whether each item changes (mean over items), and by how much where it does
      // (mean over the batch's changes); the loss counts the pair once per example.
      for (let k = 0; k < NUM_ITEMS; k++) {
        const delta = b.invDelta[i * NUM_ITEMS + k];
        sums.inventory +=
          bce(
            out[O_CHANGE + k],
            delta !== MAX_COUNT ? 1 : 0,
            w.inventory / (counts.inventory * NUM_ITEMS),
            d,
            O_CHANGE + k,
          ) / NUM_ITEMS;
        if (delta !== MAX_COUNT)
          sums.inventory +=
            (ce(out, O_DELTA + k * DELTAS, DELTAS, delta, (w.inventory * b.size) / (counts.inventory * changed), d) *
              b.size) /
            changed;
      }
      if (b.event[i] >= 0) sums.event += ce(out, O_EVENT, EVENTS, b.event[i], w.event / counts.event, d);
      sums.done += bce(out[O_DONE], b.done[i], w.done / counts.done, d, O_DONE);
      sums.daylight += ce(out, O_DAY, 8, b.day[i], w.daylight / counts.daylight, d);
      if (g && d) {
        // Backward through the global network.
        dh2.fill(0);
        for (let o = 0; o < G_OUT; o++) {
          const dv = d[o];
          if (dv === 0) continue;
          g.gBo[o] += dv;
          const wo = o * H2;
          for (let k = 0; k < H2; k++) {
            g.gWo[wo + k] += dv * h2[k];
            dh2[k] += dv * this.gWo[wo + k];
          }
        }
        dh1.fill(0);
        for (let k = 0; k < H2; k++) {
          if (h2[k] <= 0) continue;
          const dv = dh2[k];
          g.gB2[k] += dv;
          const wr = k * H1;
          for (let j = 0; j < H1; j++) {
            g.gW2[wr + j] += dv * h1[j];
            dh1[j] += dv * this.gW2[wr + j];
          }
        }
        for (let j = 0; j < H1; j++) if (h1[j] <= 0) dh1[j] = 0;
        for (let j = 0; j < H1; j++) g.gB1[j] += dh1[j];
        for (let k = 0; k < G_ACTIVE; k++) {
          const r = b.gRows[i * G_ACTIVE + k] * H1;
          for (let j = 0; j < H1; j++) g.gE[r + j] += dh1[j];
        }
      }
    }
    const th = new Float32Array(HT),
      tout = new Float32Array(T_OUT),
      dt = new Float32Array(T_OUT),
      dth = new Float32Array(HT);
    const ts = w.tile / Math.max(1, counts.tile);
    for (let c = 0; c < b.size * VIEW_TOKENS; c++) {
      const t = b.tTarget[c];
      if (t < 0) continue;
      this.tileForward(b.tRows, c * T_ACTIVE, th, tout);
      sums.tile += ce(tout, 0, T_OUT, t, ts, g ? dt : null);
      if (!g) continue;
      dth.fill(0);
      for (let o = 0; o < T_OUT; o++) {
        const dv = dt[o];
        g.tBo[o] += dv;
        const wo = o * HT;
        for (let j = 0; j < HT; j++) {
          g.tWo[wo + j] += dv * th[j];
          dth[j] += dv * this.tWo[wo + j];
        }
      }
      for (let j = 0; j < HT; j++) {
        if (th[j] <= 0) continue;
        const dv = dth[j];
        g.tB[j] += dv;
        for (let k = 0; k < T_ACTIVE; k++) g.tE[b.tRows[c * T_ACTIVE + k] * HT + j] += dv;
      }
    }
    const parts = Object.fromEntries(HEADS.map((h) => [h, counts[h] ? sums[h] / counts[h] : 0])) as Record<
      Head,
      number
    >;
    const total = HEADS.reduce((s, h) => s + w[h] * parts[h], 0);
    return { ...parts, total };
  }
}

/**
 * The network laid out for fast inference of `slots` dreams (one slot each):
 *  - the global network's first layer is kept per slot and updated by the rows that changed
 *    since that slot's last step (a step changes few of the 88 active rows: the view cells that
 *    changed, the counts that moved, the action), instead of summing all 88 every step;
 *  - the dense layers are sums of weight rows scaled by the nonzero (post-ReLU) hidden units,
 *    taken four at a time (one load and store of the output per four products);
 *  - tile logits are cached, direct-mapped, by the tile's packed inputs, with their argmax (most
 *    cells of a dream repeat an input seen before: grass among grass); on a miss the tile's first
 *    layer is a cached sum over its 3×3 neighbourhood + its position's row + the step's context
 *    (relation × action and × event, daylight, move), instead of 14 rows summed afresh.
 * Float64 throughout (V8's arithmetic on doubles skips a conversion per load). A snapshot: build
 * a new one after the parameters change.
 */
export class SimInference {
  private readonly H1: number;
  private readonly H2: number;
  private readonly HT: number;
  private readonly gE: Float64Array;
  private readonly gB2: Float64Array;
  private readonly gBo: Float64Array;
  private readonly gWo: Float64Array;
  private readonly tE: Float64Array;
  private readonly tB: Float64Array;
  private readonly tBo: Float64Array;
  private readonly W2T: Float64Array; // H1 × H2
  private readonly WoT: Float64Array; // H2 × G_DENSE
  private readonly tWoT: Float64Array; // HT × T_OUT
  /** Per slot: the first layer's pre-activation (bias + the rows' sum) and the rows it sums. */
  private readonly acc: Float64Array;
  private readonly accRows: Int32Array;
  private readonly accValid: Uint8Array;
  private readonly h2: Float64Array;
  private readonly gOut = new Float64Array(G_DENSE);
  private readonly th: Float64Array;
  private readonly tOut = new Float64Array(T_OUT);
  private readonly nz: Int32Array;
  private readonly cacheKeys: Int32Array;
  /** Neighbourhood sums of the tile network's first layer, direct-mapped by the 3×3 neighbourhood. */
  private readonly neighKeys: Int32Array;
  private readonly neighSums: Float64Array;
  private readonly neighMask: number;
  /** The step context's part of the first layer, per relation (0 self, 1 in front, 2 other). */
  private readonly ctx: Float64Array;
  private readonly ctxKeys = new Int32Array(3).fill(-1);
  /** Tile logits by cache slot (19 from slot·19) and their argmax, for what `tileOf` returns. */
  readonly tileLogits: Float32Array;
  readonly tileArgmax: Uint8Array;
  private readonly cacheMask: number;

  constructor(
    readonly model: SimModel,
    readonly slots = 1,
    cacheBits = 16,
  ) {
    const { globalHidden: H1, globalHidden2: H2, tileHidden: HT } = model.arch;
    this.H1 = H1;
    this.H2 = H2;
    this.HT = HT;
    this.W2T = transpose(model.gW2, H2, H1);
    this.WoT = transpose(model.gWo.subarray(0, G_DENSE * H2), G_DENSE, H2);
    this.tWoT = transpose(model.tWo, T_OUT, HT);
    this.gE = Float64Array.from(model.gE);
    this.gB2 = Float64Array.from(model.gB2);
    this.gBo = Float64Array.from(model.gBo);
    this.gWo = Float64Array.from(model.gWo);
    this.tE = Float64Array.from(model.tE);
    this.tB = Float64Array.from(model.tB);
    this.tBo = Float64Array.from(model.tBo);
    this.acc = new Float64Array(slots * H1);
    this.accRows = new Int32Array(slots * G_ACTIVE);
    this.accValid = new Uint8Array(slots);
    this.h2 = new Float64Array(H2);
    this.th = new Float64Array(HT);
    this.nz = new Int32Array(Math.max(H1, H2, HT));
    this.cacheMask = (1 << cacheBits) - 1;
    this.cacheKeys = new Int32Array((1 << cacheBits) * 3).fill(-1);
    this.tileLogits = new Float32Array((1 << cacheBits) * T_OUT);
    this.tileArgmax = new Uint8Array(1 << cacheBits);
    this.neighMask = (1 << (cacheBits - 4)) - 1;
    this.neighKeys = new Int32Array((1 << (cacheBits - 4)) * 2).fill(-1);
    this.neighSums = new Float64Array((1 << (cacheBits - 4)) * HT);
    this.ctx = new Float64Array(3 * HT);
  }

  /** Forgets slot s's first layer (its next `global` sums every row afresh): a new dream there. */
  restart(s: number): void {
    this.accValid[s] = 0;
  }

  /** The dense global logits (G_DENSE) of slot s's example (rows at ro) into out; then `delta` per changing item. */
  global(s: number, rows: Int32Array, ro: number, out: Float32Array): void {
    const { H1, H2, h2, nz } = this;
    const E = this.gE;
    const acc = this.acc;
    const a0 = s * H1;
    const prev = this.accRows;
    const p0 = s * G_ACTIVE;
    if (!this.accValid[s]) {
      const b1 = this.model.gB1;
      for (let j = 0; j < H1; j++) acc[a0 + j] = b1[j];
      for (let k = 0; k < G_ACTIVE; k++) {
        const r = rows[ro + k] * H1;
        prev[p0 + k] = rows[ro + k];
        for (let j = 0; j < H1; j++) acc[a0 + j] += E[r + j];
      }
      this.accValid[s] = 1;
    } else {
      for (let k = 0; k < G_ACTIVE; k++) {
        const now = rows[ro + k];
        const was = prev[p0 + k];
        if (now === was) continue;
        prev[p0 + k] = now;
        const rn = now * H1;
        const rw = was * H1;
        for (let j = 0; j < H1; j++) acc[a0 + j] += E[rn + j] - E[rw + j];
      }
    }
    let n = 0;
    for (let j = 0; j < H1; j++) if (acc[a0 + j] > 0) nz[n++] = j;
    h2.set(this.gB2);
    axpyRows(this.W2T, H2, acc, a0, nz, n, h2);
    n = 0;
    for (let i = 0; i < H2; i++) if (h2[i] > 0) nz[n++] = i;
    const gOut = this.gOut;
    for (let o = 0; o < G_DENSE; o++) gOut[o] = this.gBo[o];
    axpyRows(this.WoT, G_DENSE, h2, 0, nz, n, gOut);
    for (let o = 0; o < G_DENSE; o++) out[o] = gOut[o];
  }

  /** Item k's 19 change logits into out[O_DELTA + k·19 …], from the last `global` call. */
  delta(k: number, out: Float32Array): void {
    const { H2, h2, gBo, gWo } = this;
    for (let c = 0; c < DELTAS; c++) {
      const o = O_DELTA + k * DELTAS + c;
      let s = gBo[o];
      const w = o * H2;
      for (let i = 0; i < H2; i++) if (h2[i] > 0) s += gWo[w + i] * h2[i];
      out[o] = s;
    }
  }

  /**
   * The cache slot of view cell p's tile logits (`tileLogits` from slot·19, `tileArgmax[slot]`;
   * valid until the next call), from the 11×9 prior window at `po`, its row codes (`rowCodes`:
   * each prior cell with its left and right neighbours, 5 bits each) and the step's context.
   * Cached by a packed key of exactly the cell's inputs — the 3×3 prior neighbourhood, the cell,
   * its relation to the player crossed with the action and the event, daylight and the move — so
   * a hit returns what the network computes.
   */
  tileOf(
    prior: Uint8Array,
    po: number,
    codes: Int32Array,
    p: number,
    facing: number,
    action: number,
    event: number,
    day: number,
    move: number,
  ): number {
    const c = PRIOR_CENTER[p];
    const k0 = codes[c - PRIOR_COLS] | (codes[c] << 15);
    const k1 = codes[c + PRIOR_COLS] | (p << 15) | (day << 21) | (move << 24);
    const r = relation(p, facing);
    const k2 = (r * NUM_ACTIONS + action) | ((r * EVENTS + event) << 6);
    let h = Math.imul(0x811c9dc5 ^ k0, 0x01000193);
    h = Math.imul(h ^ k1, 0x01000193);
    h = Math.imul(h ^ k2, 0x01000193);
    const slot = (h ^ (h >>> 15)) & this.cacheMask;
    const keys = this.cacheKeys;
    const ko = slot * 3;
    if (keys[ko] === k0 && keys[ko + 1] === k1 && keys[ko + 2] === k2) return slot;
    keys[ko] = k0;
    keys[ko + 1] = k1;
    keys[ko + 2] = k2;
    // First layer = (3×3 neighbourhood rows, cached by the neighbourhood alone) + (the cell's
    // position row) + (relation × action, relation × event, daylight and move rows: the step's
    // context, kept per relation while it stays the same).
    const { HT, th, nz } = this;
    const E = this.tE;
    const below = codes[c + PRIOR_COLS];
    let hn = Math.imul(0x811c9dc5 ^ k0, 0x01000193);
    hn = Math.imul(hn ^ below, 0x01000193);
    const ns = (hn ^ (hn >>> 15)) & this.neighMask;
    const nb = this.neighSums;
    const no = ns * HT;
    if (this.neighKeys[2 * ns] !== k0 || this.neighKeys[2 * ns + 1] !== below) {
      this.neighKeys[2 * ns] = k0;
      this.neighKeys[2 * ns + 1] = below;
      for (let j = 0; j < HT; j++) nb[no + j] = 0;
      const q = p * 9;
      for (let k = 0; k < 9; k++) {
        const rr = (T_NEIGH + k * TILE_INPUTS + prior[po + PRIOR_OF[q + k]]) * HT;
        for (let j = 0; j < HT; j++) nb[no + j] += E[rr + j];
      }
    }
    const ctx = this.ctx;
    const co = r * HT;
    const ck = action | (event << 5) | (day << 10) | (move << 13);
    if (this.ctxKeys[r] !== ck) {
      this.ctxKeys[r] = ck;
      const ra = (T_REL_ACT + r * NUM_ACTIONS + action) * HT;
      const re = (T_REL_EVENT + r * EVENTS + event) * HT;
      const rd = (T_DAY + day) * HT;
      const rm = (T_MOVE + move) * HT;
      for (let j = 0; j < HT; j++) ctx[co + j] = this.tB[j] + E[ra + j] + E[re + j] + E[rd + j] + E[rm + j];
    }
    const rp = (T_POS + p) * HT;
    for (let j = 0; j < HT; j++) th[j] = nb[no + j] + E[rp + j] + ctx[co + j];
    let n = 0;
    for (let j = 0; j < HT; j++) if (th[j] > 0) nz[n++] = j;
    const tOut = this.tOut;
    for (let o = 0; o < T_OUT; o++) tOut[o] = this.tBo[o];
    axpyRows(this.tWoT, T_OUT, th, 0, nz, n, tOut);
    let best = 0;
    for (let o = 1; o < T_OUT; o++) if (tOut[o] > tOut[best]) best = o;
    this.tileLogits.set(tOut, slot * T_OUT);
    this.tileArgmax[slot] = best;
    return slot;
  }
}

/** Each prior cell's row code: itself and its left and right neighbours, 5 bits each (cols 1..9). */
export function priorRowCodes(prior: Uint8Array, po: number, codes: Int32Array): void {
  for (let j = 0; j < PRIOR_ROWS; j++) {
    const o = po + j * PRIOR_COLS;
    for (let i = 1; i < PRIOR_COLS - 1; i++)
      codes[j * PRIOR_COLS + i] = prior[o + i - 1] | (prior[o + i] << 5) | (prior[o + i + 1] << 10);
  }
}

/** The prior-window index of each view cell. */
const PRIOR_CENTER: Int32Array = Int32Array.from({ length: VIEW_TOKENS }, (_, p) => priorIndex(p, 0, 0));

/**
 * out[c] += Σ over the listed inputs j of x[xo + j] · W[j·cols + c]: a dense layer as a sum
 * of weight rows scaled by its nonzero inputs, four rows per pass over the outputs.
 */
function axpyRows(
  W: Float64Array,
  cols: number,
  x: Float64Array,
  xo: number,
  idx: Int32Array,
  n: number,
  out: Float64Array,
): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const j0 = idx[k],
      j1 = idx[k + 1],
      j2 = idx[k + 2],
      j3 = idx[k + 3];
    const x0 = x[xo + j0],
      x1 = x[xo + j1],
      x2 = x[xo + j2],
      x3 = x[xo + j3];
    const w0 = j0 * cols,
      w1 = j1 * cols,
      w2 = j2 * cols,
      w3 = j3 * cols;
    for (let c = 0; c < cols; c++) out[c] += x0 * W[w0 + c] + x1 * W[w1 + c] + x2 * W[w2 + c] + x3 * W[w3 + c];
  }
  for (; k < n; k++) {
    const j = idx[k];
    const xj = x[xo + j];
    const w = j * cols;
    for (let c = 0; c < cols; c++) out[c] += xj * W[w + c];
  }
}

function transpose(a: Float32Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

// ---- the weights file: "AIKONSIM", u32 header length, JSON header, padding to 4, float32 LE params

export const SIM_FORMAT = 'aikon.world-sim';
export const SIM_VERSION = 1;
const MAGIC = 'AIKONSIM';
const SimHeaderSchema = z.object({
  format: z.literal(SIM_FORMAT),
  version: z.literal(SIM_VERSION),
  architecture: SimArchitectureSchema,
  params: z.number().int(),
  calibration: SimCalibrationSchema.optional(),
});

export function simToBytes(m: SimModel): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({
      format: SIM_FORMAT,
      version: SIM_VERSION,
      architecture: m.arch,
      params: m.params.length,
      ...(m.calibration ? { calibration: m.calibration } : {}),
    }),
  );
  const start = Math.ceil((12 + header.length) / 4) * 4;
  const bytes = new Uint8Array(start + m.params.byteLength);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(8, header.length, true);
  bytes.set(header, 12);
  bytes.set(new Uint8Array(m.params.buffer, m.params.byteOffset, m.params.byteLength), start);
  return bytes;
}

export function simFromBytes(bytes: Uint8Array): SimModel {
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw new Error('not a world-simulator weights file');
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const header = SimHeaderSchema.parse(JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len))));
  const start = Math.ceil((12 + len) / 4) * 4;
  if (bytes.length !== start + header.params * 4)
    throw new Error(`weights file has ${bytes.length} bytes, expected ${start + header.params * 4}`);
  const params = new Float32Array(header.params);
  new Uint8Array(params.buffer).set(bytes.subarray(start));
  return new SimModel(header.architecture, params, header.calibration);
}
