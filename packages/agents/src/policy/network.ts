/**
 * The policy network (actor + critic), plain TypeScript: the same code trains in Node and runs in
 * a browser; the ONNX export (onnx-export.ts) is the same network for onnxruntime. An MLP over
 * the one-hot fair view of the last K frames and the previous action (features.ts): ReLU hidden
 * layers, then 17 action logits and a value.
 */
import { NUM_ACTIONS, Rng } from '@aikon/engine';
import { z } from 'zod';
import { activeCount, activeFeatures, featureWidth, type PolicyInputs, type PolicyOutputs } from './features.ts';
import { MEMORY_FEATURES_VERSION } from './memory.ts';

export const PolicyConfigSchema = z.object({
  name: z.string().regex(/^[a-z0-9-]+$/),
  /** Frames of history the policy sees (1 = the current one only). */
  frames: z.number().int().min(1).max(8),
  hidden: z.array(z.number().int().positive()).min(1).max(4),
  /**
   * The memory feature set the policy reads (memory.ts MEMORY_FEATURES_VERSION); absent: none,
   * the frames and previous action only (every model before the memory map).
   */
  memory: z.literal(MEMORY_FEATURES_VERSION).optional(),
});
export type PolicyConfig = z.infer<typeof PolicyConfigSchema>;

export const POLICY_CONFIGS: Record<string, PolicyConfig> = {
  small: { name: 'small', frames: 3, hidden: [256, 256] },
  /** `small` with the memory map's features. */
  'small-memory': { name: 'small-memory', frames: 3, hidden: [256, 256], memory: MEMORY_FEATURES_VERSION },
  /** Tests and the loop's --quick round. */
  tiny: { name: 'tiny', frames: 2, hidden: [32] },
  'tiny-memory': { name: 'tiny-memory', frames: 2, hidden: [32], memory: MEMORY_FEATURES_VERSION },
};

export function hasMemory(c: PolicyConfig): boolean {
  return c.memory !== undefined;
}

export interface PolicyParamSpec {
  readonly name: string;
  readonly shape: readonly [number, number] | readonly [number];
  readonly std: number;
}

/** Parameters by name, in order: l0..l(n−1) (weights, biases), pi, v. */
export function policyParamSpecs(c: PolicyConfig): PolicyParamSpec[] {
  const specs: PolicyParamSpec[] = [];
  // A multi-hot row has activeCount ones: He initialisation over the active inputs.
  let fanIn = activeCount(c.frames, hasMemory(c));
  let width = featureWidth(c.frames, hasMemory(c));
  c.hidden.forEach((h, i) => {
    specs.push(
      { name: `l${i}.w`, shape: [width, h], std: Math.sqrt(2 / fanIn) },
      { name: `l${i}.b`, shape: [h], std: 0 },
    );
    fanIn = width = h;
  });
  specs.push(
    { name: 'pi.w', shape: [width, NUM_ACTIONS], std: 0.01 },
    { name: 'pi.b', shape: [NUM_ACTIONS], std: 0 },
    { name: 'v.w', shape: [width, 1], std: 0.01 },
    { name: 'v.b', shape: [1], std: 0 },
  );
  return specs;
}

export function policyParamCount(c: PolicyConfig): number {
  return policyParamSpecs(c).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

export type PolicyWeights = Map<string, Float32Array>;

/** Seeded initial weights (Box–Muller over the engine's sfc32). */
export function initPolicyWeights(c: PolicyConfig, seed: number): PolicyWeights {
  const rng = new Rng(seed);
  const w: PolicyWeights = new Map();
  for (const p of policyParamSpecs(c)) {
    const a = new Float32Array(p.shape.reduce((x, y) => x * y, 1));
    if (p.std > 0) {
      for (let i = 0; i < a.length; i++) {
        const u = Math.max(rng.uniform(), 1e-12);
        a[i] = p.std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.uniform());
      }
    }
    w.set(p.name, a);
  }
  return w;
}

/**
 * Weights of a trained policy carried into a config that reads more features (e.g. the same net
 * with the memory map): the first layer's rows for the features both read are copied, the new
 * features' rows start at zero (so the network starts as the trained one), every other layer is
 * copied. The configs must agree on frames and hidden sizes.
 */
export function widenPolicyWeights(from: PolicyConfig, weights: PolicyWeights, to: PolicyConfig): PolicyWeights {
  if (from.frames !== to.frames || JSON.stringify(from.hidden) !== JSON.stringify(to.hidden))
    throw new Error(`cannot carry ${from.name} (frames ${from.frames}, hidden ${from.hidden}) into ${to.name}`);
  const out: PolicyWeights = new Map();
  for (const spec of policyParamSpecs(to)) {
    const w = weights.get(spec.name);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (!w || w.length > n) throw new Error(`${from.name} has no ${spec.name} that fits ${to.name}`);
    const a = new Float32Array(n);
    a.set(w);
    out.set(spec.name, a);
  }
  return out;
}

/** What a forward pass keeps for the backward pass. */
export interface PolicyForward extends PolicyOutputs {
  readonly batch: number;
  /** [B, activeCount(K)] the first layer's summed rows. */
  readonly active: Int32Array;
  /** Post-ReLU activations of each hidden layer, [B, hidden[i]]. */
  readonly hidden: Float32Array[];
}

/** out[b, ·] = bias + inp[b, ·] · W (W [nIn, nOut] row-major), ReLU'd when asked; zero inputs skipped. */
function denseForward(
  inp: Float32Array,
  B: number,
  nIn: number,
  W: Float32Array,
  bias: Float32Array,
  nOut: number,
  out: Float32Array,
  relu: boolean,
): void {
  const nz = new Int32Array(nIn);
  for (let b = 0; b < B; b++) {
    const o = b * nOut;
    const ib = b * nIn;
    let n = 0;
    for (let i = 0; i < nIn; i++) if (inp[ib + i] !== 0) nz[n++] = i;
    // Eight outputs at a time in registers, over the non-zero inputs.
    let j = 0;
    for (; j + 8 <= nOut; j += 8) {
      let s0 = bias[j],
        s1 = bias[j + 1],
        s2 = bias[j + 2],
        s3 = bias[j + 3],
        s4 = bias[j + 4],
        s5 = bias[j + 5],
        s6 = bias[j + 6],
        s7 = bias[j + 7];
      for (let q = 0; q < n; q++) {
        const i = nz[q];
        const x = inp[ib + i];
        const w = i * nOut + j;
        s0 += x * W[w];
        s1 += x * W[w + 1];
        s2 += x * W[w + 2];
        s3 += x * W[w + 3];
        s4 += x * W[w + 4];
        s5 += x * W[w + 5];
        s6 += x * W[w + 6];
        s7 += x * W[w + 7];
      }
      out[o + j] = s0;
      out[o + j + 1] = s1;
      out[o + j + 2] = s2;
      out[o + j + 3] = s3;
      out[o + j + 4] = s4;
      out[o + j + 5] = s5;
      out[o + j + 6] = s6;
      out[o + j + 7] = s7;
    }
    for (; j < nOut; j++) {
      let s = bias[j];
      for (let q = 0; q < n; q++) s += inp[ib + nz[q]] * W[nz[q] * nOut + j];
      out[o + j] = s;
    }
    if (relu) for (let k = 0; k < nOut; k++) if (out[o + k] < 0) out[o + k] = 0;
  }
}

/**
 * Gradients of a dense layer: gW += inpᵀ · dOut, gB += Σ dOut, and dIn += dOut · Wᵀ where the
 * (post-ReLU) input is positive — which is the ReLU's derivative applied as well.
 */
function denseBackward(
  inp: Float32Array,
  B: number,
  nIn: number,
  W: Float32Array,
  nOut: number,
  dOut: Float32Array,
  gW: Float32Array,
  gB: Float32Array,
  dIn: Float32Array | null,
): void {
  for (let b = 0; b < B; b++) {
    const o = b * nOut;
    for (let j = 0; j < nOut; j++) gB[j] += dOut[o + j];
    for (let i = 0; i < nIn; i++) {
      const x = inp[b * nIn + i];
      if (x <= 0) continue;
      const w = i * nOut;
      let d = 0;
      for (let j = 0; j < nOut; j++) {
        gW[w + j] += x * dOut[o + j];
        d += W[w + j] * dOut[o + j];
      }
      if (dIn) dIn[b * nIn + i] += d;
    }
  }
}

/**
 * The policy network in plain TypeScript (Float32Array arithmetic, browser-safe, no tfjs): the
 * first layer is an embedding bag (the sum of the weight rows of a row's active features — the
 * multi-hot product without the zeros), then dense ReLU layers, the 17 logits and the value.
 * Parameters live in one flat buffer (policyParamSpecs order) so that a trainer's gradient and
 * Adam moments share its layout. Forward and backward (hand-written gradients) for training.
 */
export class PolicyNet {
  readonly params: Float32Array;
  private readonly p: Map<string, Float32Array>;

  constructor(
    readonly config: PolicyConfig,
    weights?: PolicyWeights,
  ) {
    this.params = new Float32Array(policyParamCount(config));
    this.p = PolicyNet.views(config, this.params);
    if (weights)
      for (const [name, view] of this.p) {
        const w = weights.get(name);
        if (!w || w.length !== view.length) throw new Error(`missing or misshapen policy weight ${name}`);
        view.set(w);
      }
  }

  /** Named views of a flat buffer in the parameter layout (parameters, gradients, moments). */
  static views(c: PolicyConfig, flat: Float32Array): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    let o = 0;
    for (const spec of policyParamSpecs(c)) {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      out.set(spec.name, flat.subarray(o, o + n));
      o += n;
    }
    return out;
  }

  private w(name: string): Float32Array {
    return this.p.get(name)!;
  }

  forward(x: PolicyInputs): PolicyForward {
    const B = x.batch;
    const memory = hasMemory(this.config);
    const A = activeCount(this.config.frames, memory);
    const active = activeFeatures(x, this.config.frames, memory);
    const sizes = this.config.hidden;
    const hidden = sizes.map((h) => new Float32Array(B * h));
    const H0 = sizes[0];
    const E = this.w('l0.w');
    const bias = this.w('l0.b');
    const h0 = hidden[0];
    for (let b = 0; b < B; b++) {
      const o = b * H0;
      const at = b * A;
      // Eight columns at a time in registers (one cache line of each summed row).
      let j = 0;
      for (; j + 8 <= H0; j += 8) {
        let s0 = bias[j],
          s1 = bias[j + 1],
          s2 = bias[j + 2],
          s3 = bias[j + 3],
          s4 = bias[j + 4],
          s5 = bias[j + 5],
          s6 = bias[j + 6],
          s7 = bias[j + 7];
        for (let k = 0; k < A; k++) {
          const r = active[at + k] * H0 + j;
          s0 += E[r];
          s1 += E[r + 1];
          s2 += E[r + 2];
          s3 += E[r + 3];
          s4 += E[r + 4];
          s5 += E[r + 5];
          s6 += E[r + 6];
          s7 += E[r + 7];
        }
        h0[o + j] = Math.max(s0, 0);
        h0[o + j + 1] = Math.max(s1, 0);
        h0[o + j + 2] = Math.max(s2, 0);
        h0[o + j + 3] = Math.max(s3, 0);
        h0[o + j + 4] = Math.max(s4, 0);
        h0[o + j + 5] = Math.max(s5, 0);
        h0[o + j + 6] = Math.max(s6, 0);
        h0[o + j + 7] = Math.max(s7, 0);
      }
      for (; j < H0; j++) {
        let s = bias[j];
        for (let k = 0; k < A; k++) s += E[active[at + k] * H0 + j];
        h0[o + j] = Math.max(s, 0);
      }
    }
    for (let i = 1; i < sizes.length; i++)
      denseForward(hidden[i - 1], B, sizes[i - 1], this.w(`l${i}.w`), this.w(`l${i}.b`), sizes[i], hidden[i], true);
    const last = hidden[sizes.length - 1];
    const H = sizes[sizes.length - 1];
    const logits = new Float32Array(B * NUM_ACTIONS);
    const value = new Float32Array(B);
    denseForward(last, B, H, this.w('pi.w'), this.w('pi.b'), NUM_ACTIONS, logits, false);
    denseForward(last, B, H, this.w('v.w'), this.w('v.b'), 1, value, false);
    return { batch: B, active, hidden, logits, value };
  }

  predict(x: PolicyInputs): PolicyOutputs {
    const { logits, value } = this.forward(x);
    return { logits, value };
  }

  /** Adds d loss / d params into `grad` (the params' layout) given d loss / d logits and / d value. */
  backward(f: PolicyForward, dLogits: Float32Array, dValue: Float32Array, grad: Float32Array): void {
    const g = PolicyNet.views(this.config, grad);
    const B = f.batch;
    const sizes = this.config.hidden;
    const n = sizes.length;
    let dh = new Float32Array(B * sizes[n - 1]);
    denseBackward(
      f.hidden[n - 1],
      B,
      sizes[n - 1],
      this.w('pi.w'),
      NUM_ACTIONS,
      dLogits,
      g.get('pi.w')!,
      g.get('pi.b')!,
      dh,
    );
    denseBackward(f.hidden[n - 1], B, sizes[n - 1], this.w('v.w'), 1, dValue, g.get('v.w')!, g.get('v.b')!, dh);
    for (let i = n - 1; i >= 1; i--) {
      const dIn = new Float32Array(B * sizes[i - 1]);
      denseBackward(
        f.hidden[i - 1],
        B,
        sizes[i - 1],
        this.w(`l${i}.w`),
        sizes[i],
        dh,
        g.get(`l${i}.w`)!,
        g.get(`l${i}.b`)!,
        dIn,
      );
      dh = dIn;
    }
    // dh is already zero where the first layer's ReLU was off (denseBackward only fills positive inputs).
    const H0 = sizes[0];
    const A = activeCount(this.config.frames, hasMemory(this.config));
    const gE = g.get('l0.w')!;
    const gB = g.get('l0.b')!;
    const active = f.active;
    for (let b = 0; b < B; b++) {
      const o = b * H0;
      const at = b * A;
      for (let j = 0; j < H0; j++) gB[j] += dh[o + j];
      let j = 0;
      for (; j + 8 <= H0; j += 8) {
        const d0 = dh[o + j],
          d1 = dh[o + j + 1],
          d2 = dh[o + j + 2],
          d3 = dh[o + j + 3],
          d4 = dh[o + j + 4],
          d5 = dh[o + j + 5],
          d6 = dh[o + j + 6],
          d7 = dh[o + j + 7];
        if (d0 === 0 && d1 === 0 && d2 === 0 && d3 === 0 && d4 === 0 && d5 === 0 && d6 === 0 && d7 === 0) continue;
        for (let k = 0; k < A; k++) {
          const r = active[at + k] * H0 + j;
          gE[r] += d0;
          gE[r + 1] += d1;
          gE[r + 2] += d2;
          gE[r + 3] += d3;
          gE[r + 4] += d4;
          gE[r + 5] += d5;
          gE[r + 6] += d6;
          gE[r + 7] += d7;
        }
      }
      for (; j < H0; j++) {
        const d = dh[o + j];
        if (d !== 0) for (let k = 0; k < A; k++) gE[active[at + k] * H0 + j] += d;
      }
    }
  }

  weights(): PolicyWeights {
    return new Map([...this.p].map(([name, v]) => [name, v.slice()]));
  }
}
