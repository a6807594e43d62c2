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
  PRIOR_OF,
  relation,
  T_ACTIVE,
  T_OUT,
  T_ROWS,
  tileRows,
} from './layout.ts';

/** Sizes of the network (everything else in the training config is how it is trained). */
export const SimArchitectureSchema = z.object({
  globalHidden: z.number().int().min(4),
  globalHidden2: z.number().int().min(4),
  tileHidden: z.number().int().min(4),
});
export type SimArchitecture = z.infer<typeof SimArchitectureSchema>;

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
 * The network laid out for fast inference: output matrices transposed so each layer is a sum of
 * rows scaled by the (ReLU-sparse) hidden units, and a direct-mapped cache of tile logits by the
 * tile's 14 input rows (most cells of a dream repeat an input seen before: grass among grass).
 * A snapshot: build a new one after the parameters change.
 */
export class SimInference {
  private readonly H1: number;
  private readonly H2: number;
  private readonly HT: number;
  // Float64 copies: V8's arithmetic on doubles skips a conversion per load.
  private readonly gE: Float64Array;
  private readonly gB1: Float64Array;
  private readonly gB2: Float64Array;
  private readonly gBo: Float64Array;
  private readonly gWo: Float64Array;
  private readonly tE: Float64Array;
  private readonly tB: Float64Array;
  private readonly tBo: Float64Array;
  private readonly W2T: Float64Array; // H1 × H2
  private readonly WoT: Float64Array; // H2 × G_DENSE
  private readonly tWoT: Float64Array; // HT × T_OUT
  private readonly h1: Float64Array;
  private readonly h2: Float64Array;
  private readonly th: Float64Array;
  private readonly cacheKeys: Int32Array;
  private readonly tRows = new Int32Array(T_ACTIVE);
  /** Tile logits by cache slot; `tile` returns where a cell's 19 logits start. */
  readonly tileLogits: Float32Array;
  private readonly cacheMask: number;

  constructor(
    readonly model: SimModel,
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
    this.gB1 = Float64Array.from(model.gB1);
    this.gB2 = Float64Array.from(model.gB2);
    this.gBo = Float64Array.from(model.gBo);
    this.gWo = Float64Array.from(model.gWo);
    this.tE = Float64Array.from(model.tE);
    this.tB = Float64Array.from(model.tB);
    this.tBo = Float64Array.from(model.tBo);
    this.h1 = new Float64Array(H1);
    this.h2 = new Float64Array(H2);
    this.th = new Float64Array(HT);
    this.cacheMask = (1 << cacheBits) - 1;
    this.cacheKeys = new Int32Array((1 << cacheBits) * 3).fill(-1);
    this.tileLogits = new Float32Array((1 << cacheBits) * T_OUT);
  }

  /** The dense global logits (G_DENSE) of one example into out; then `delta` per changing item. */
  global(rows: Int32Array, ro: number, out: Float32Array): void {
    const { H1, H2, h1, h2 } = this;
    const E = this.gE;
    h1.set(this.gB1);
    for (let k = 0; k < G_ACTIVE; k++) {
      const r = rows[ro + k] * H1;
      for (let j = 0; j < H1; j++) h1[j] += E[r + j];
    }
    h2.set(this.gB2);
    const W2T = this.W2T;
    for (let j = 0; j < H1; j++) {
      const x = h1[j];
      if (x <= 0) continue;
      const w = j * H2;
      for (let i = 0; i < H2; i++) h2[i] += x * W2T[w + i];
    }
    for (let o = 0; o < G_DENSE; o++) out[o] = this.gBo[o];
    const WoT = this.WoT;
    for (let i = 0; i < H2; i++) {
      const x = h2[i];
      if (x <= 0) continue;
      const w = i * G_DENSE;
      for (let o = 0; o < G_DENSE; o++) out[o] += x * WoT[w + o];
    }
  }

  /** Item k's 19 change logits into out[O_DELTA + k·19 …], from the last `global` call. */
  delta(k: number, out: Float32Array): void {
    const { H2, h2, gBo, gWo } = this;
    for (let c = 0; c < DELTAS; c++) {
      const o = O_DELTA + k * DELTAS + c;
      let s = gBo[o];
      const w = o * H2;
      for (let i = 0; i < H2; i++) s += gWo[w + i] * h2[i];
      out[o] = s;
    }
  }

  /**
   * The 19 tile logits of view cell p (their offset in `tileLogits`, valid until the next call),
   * from the 11×9 prior window at `po` and the step's context. Cached by a packed key of exactly
   * the cell's inputs — the 3×3 prior neighbourhood (5 bits each), the cell, its relation to the
   * player crossed with the action and the event, daylight and the move — so a hit returns what
   * the network computes; most cells of a step are hits (the same ground seen again).
   */
  tileOf(
    prior: Uint8Array,
    po: number,
    p: number,
    facing: number,
    action: number,
    event: number,
    day: number,
    move: number,
  ): number {
    const q = p * 9;
    const P = PRIOR_OF;
    const k0 =
      prior[po + P[q]] |
      (prior[po + P[q + 1]] << 5) |
      (prior[po + P[q + 2]] << 10) |
      (prior[po + P[q + 3]] << 15) |
      (prior[po + P[q + 4]] << 20) |
      (prior[po + P[q + 5]] << 25);
    const k1 =
      prior[po + P[q + 6]] |
      (prior[po + P[q + 7]] << 5) |
      (prior[po + P[q + 8]] << 10) |
      (p << 15) |
      (day << 21) |
      (move << 24);
    const r = relation(p, facing);
    const k2 = (r * NUM_ACTIONS + action) | ((r * EVENTS + event) << 6);
    let h = Math.imul(0x811c9dc5 ^ k0, 0x01000193);
    h = Math.imul(h ^ k1, 0x01000193);
    h = Math.imul(h ^ k2, 0x01000193);
    const slot = (h ^ (h >>> 15)) & this.cacheMask;
    const keys = this.cacheKeys;
    const ko = slot * 3;
    const lo = slot * T_OUT;
    if (keys[ko] === k0 && keys[ko + 1] === k1 && keys[ko + 2] === k2) return lo;
    keys[ko] = k0;
    keys[ko + 1] = k1;
    keys[ko + 2] = k2;
    const rows = this.tRows;
    tileRows(prior, po, p, facing, action, event, day, move, rows);
    const { HT, th } = this;
    const E = this.tE;
    th.set(this.tB);
    for (let k = 0; k < T_ACTIVE; k++) {
      const rr = rows[k] * HT;
      for (let j = 0; j < HT; j++) th[j] += E[rr + j];
    }
    const logits = this.tileLogits;
    for (let o = 0; o < T_OUT; o++) logits[lo + o] = this.tBo[o];
    const W = this.tWoT;
    for (let j = 0; j < HT; j++) {
      const x = th[j];
      if (x <= 0) continue;
      const w = j * T_OUT;
      for (let o = 0; o < T_OUT; o++) logits[lo + o] += x * W[w + o];
    }
    return lo;
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
});

export function simToBytes(m: SimModel): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({ format: SIM_FORMAT, version: SIM_VERSION, architecture: m.arch, params: m.params.length }),
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
  return new SimModel(header.architecture, params);
}
