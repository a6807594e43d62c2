/**
 * The dream camera's denoiser in tfjs (training, and the reference the ONNX graph must agree
 * with). At cell resolution (camera.ts), each cell on its own (1 × 1 layers: the engine draws
 * every cell from its own content, and a 3 × 3 layer cut training throughput 4×, 70 vs 300
 * samples/s at 64 channels):
 *   h1 = relu(c_in·x·W_x + cond·W_c + c_noise·w_n + b),  h2 = relu(h1·W_m + b_m)
 *   F  = h2·W_o + b_o + (cond·W_t) ⊙ (1 + h2·W_s)        (a texture per content, modulated)
 *   D  = c_skip·(1 + h2·W_g) ⊙ x + c_out·F
 * The gate W_g (zero at the start: plain EDM) lets the network drop the skip where the tokens
 * determine the pixel: the target is nearly a function of the condition, and without the gate
 * the 147 noisy values had to pass through the hidden layer (4-step PSNR fell 6 dB below 1-step).
 *
 * Ops: matrix products with transpose-first gradients (tf-model.ts) and elementwise ops.
 */
import { Rng } from '@aikon/engine';
import * as tf from '@tensorflow/tfjs';
import type { Weights } from '../params.ts';
import { mm } from '../tf-model.ts';
import { CELL_VALUES, CELLS, COND_FEATURES, EDM, precondition } from './camera.ts';

export interface CameraConfig {
  readonly name: string;
  /** Channels per cell of the hidden layers. */
  readonly hidden: number;
}

export const CAMERA_CONFIGS: Record<string, CameraConfig> = {
  small: { name: 'small', hidden: 64 },
  tiny: { name: 'tiny', hidden: 16 },
};

/** Parameter names and shapes (the checkpoint and ONNX export read them in this order). */
export function cameraParamSpecs(c: CameraConfig): { name: string; shape: number[]; fanIn: number }[] {
  const C = c.hidden;
  return [
    { name: 'in.x', shape: [CELL_VALUES, C], fanIn: CELL_VALUES + COND_FEATURES },
    { name: 'in.cond', shape: [COND_FEATURES, C], fanIn: CELL_VALUES + COND_FEATURES },
    { name: 'in.noise', shape: [1, C], fanIn: 1 },
    { name: 'in.b', shape: [C], fanIn: 0 },
    { name: 'mid.w', shape: [C, C], fanIn: C },
    { name: 'mid.b', shape: [C], fanIn: 0 },
    { name: 'out.w', shape: [C, CELL_VALUES], fanIn: C },
    { name: 'out.b', shape: [CELL_VALUES], fanIn: 0 },
    // The texture path: a linear map of the condition, modulated per value by the hidden state.
    { name: 'tex.w', shape: [COND_FEATURES, CELL_VALUES], fanIn: COND_FEATURES },
    { name: 'tex.scale', shape: [C, CELL_VALUES], fanIn: C },
    // The skip gate g: D = c_skip·(1 + g)·x + c_out·F (zero at the start: plain EDM).
    { name: 'gate.w', shape: [C, CELL_VALUES], fanIn: 0 },
  ];
}

export function cameraParamCount(c: CameraConfig): number {
  return cameraParamSpecs(c).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** Seeded He-normal weights, zero biases (the output layer scaled down: F starts near 0). */
export function initCameraWeights(c: CameraConfig, seed: number): Weights {
  const rng = new Rng(seed);
  const normal = (): number => {
    const u = Math.max(rng.uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.uniform());
  };
  const w: Weights = new Map();
  for (const p of cameraParamSpecs(c)) {
    const a = new Float32Array(p.shape.reduce((x, y) => x * y, 1));
    const std = p.fanIn === 0 ? 0 : Math.sqrt(2 / p.fanIn) * (p.name === 'out.w' || p.name === 'tex.scale' ? 0.1 : 1);
    for (let i = 0; i < a.length; i++) a[i] = std * normal();
    w.set(p.name, a);
  }
  return w;
}

type RowName = 'sigma' | 'cSkip' | 'cOut' | 'cIn' | 'cNoise';
type Rows = Record<RowName, tf.Tensor2D>;

/** Per-row columns [B·CELLS, 1] of σ and its preconditioning, for per-frame noise levels (call inside tidy). */
export function preconditionRows(sigmas: ArrayLike<number>): Rows {
  const n = sigmas.length * CELLS;
  const cols = Object.fromEntries(
    (['sigma', 'cSkip', 'cOut', 'cIn', 'cNoise'] as const).map((k) => [k, new Float32Array(n)]),
  ) as Record<RowName, Float32Array>;
  for (let b = 0; b < sigmas.length; b++) {
    const p = { sigma: sigmas[b], ...precondition(sigmas[b]) };
    for (const k of Object.keys(cols) as RowName[]) cols[k].fill(p[k], b * CELLS, (b + 1) * CELLS);
  }
  return Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, tf.tensor2d(v, [n, 1])])) as Rows;
}

export class TfCamera {
  readonly vars = new Map<string, tf.Variable>();

  constructor(
    readonly config: CameraConfig,
    weights: Weights,
  ) {
    for (const p of cameraParamSpecs(config)) {
      const w = weights.get(p.name);
      if (!w) throw new Error(`missing weight ${p.name}`);
      this.vars.set(p.name, tf.variable(tf.tensor(w, p.shape), true));
    }
  }

  private v(name: string): tf.Variable {
    return this.vars.get(name)!;
  }

  weights(): Weights {
    return new Map([...this.vars].map(([k, v]) => [k, v.dataSync() as Float32Array]));
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
  }

  /** D(x; σ, cond): x [B·CELLS, CELL_VALUES], cond [B·CELLS, COND_FEATURES] → [B·CELLS, CELL_VALUES]. */
  forward(x: tf.Tensor2D, cond: tf.Tensor2D, rows: Rows): tf.Tensor2D {
    const h1 = tf.relu(
      tf.add(
        tf.add(mm(tf.mul(x, rows.cIn), this.v('in.x')), mm(cond, this.v('in.cond'))),
        tf.add(tf.mul(rows.cNoise, this.v('in.noise')), this.v('in.b')),
      ),
    );
    const h2 = tf.relu(tf.add(mm(h1, this.v('mid.w')), this.v('mid.b')));
    const tex = tf.mul(mm(cond, this.v('tex.w')), tf.add(1, mm(h2, this.v('tex.scale'))));
    const f = tf.add(tf.add(mm(h2, this.v('out.w')), this.v('out.b')), tex);
    const skip = tf.mul(tf.mul(x, rows.cSkip), tf.add(1, mm(h2, this.v('gate.w'))));
    return tf.add(skip, tf.mul(f, rows.cOut)) as tf.Tensor2D;
  }

  /**
   * The EDM loss of a batch: clean cells y, noise n ~ N(0, 1) and per-frame σ: the mean over
   * values of λ(σ)·(D(y + σn) − y)², λ = 1 / c_out² (Karras et al.'s weighting).
   */
  loss(y: tf.Tensor2D, noise: tf.Tensor2D, cond: tf.Tensor2D, sigmas: ArrayLike<number>): tf.Scalar {
    const rows = preconditionRows(sigmas);
    const d = this.forward(tf.add(y, tf.mul(noise, rows.sigma)) as tf.Tensor2D, cond, rows);
    return tf.mean(tf.div(tf.square(tf.sub(d, y)), tf.square(rows.cOut))) as tf.Scalar;
  }

  /** The denoiser on plain arrays (cell layout): for `sample` and the agreement test. */
  denoise(x: Float32Array, sigma: number, cond: Float32Array, batch: number): Float32Array {
    return tf.tidy(() => {
      const rows = preconditionRows(new Float32Array(batch).fill(sigma));
      const n = batch * CELLS;
      return this.forward(tf.tensor2d(x, [n, CELL_VALUES]), tf.tensor2d(cond, [n, COND_FEATURES]), rows).dataSync();
    }) as Float32Array;
  }
}

/** Training noise levels: ln σ ~ N(P_mean, P_std²) (EDM), `rng` seeded per step. */
export function trainingSigmas(batch: number, rng: Rng): Float32Array {
  const out = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    const u = Math.max(rng.uniform(), 1e-12);
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.uniform());
    out[b] = Math.exp(EDM.pMean + EDM.pStd * z);
  }
  return out;
}
