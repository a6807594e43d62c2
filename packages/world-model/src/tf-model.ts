/**
 * The token dream model in @tensorflow/tfjs (training, and the reference for ONNX parity).
 *
 * A pre-LN transformer over SEQ = 82 positions (81 frame tokens + CLS). Each position's input
 * is the sum of the embeddings of the noisy target token and of the K context frames' tokens
 * at the same position (one multi-hot × matrix product: streams 0..K share one table),
 * a learned position embedding and the action embedding (one-hot × matrix; an all-zero
 * action vector means "no action", the noAction baseline). Heads: per-position logits over
 * the vocabulary, and reward classes + termination logit from the CLS position.
 *
 * Only ops whose gradients are fast on tfjs-backend-wasm are used: matMul (batched for
 * attention), elementwise ops with broadcasting (their gradients are sums), reshape,
 * transpose, softmax/logSoftmax, slice, mean — no conv, gather, tile or broadcastTo.
 */
import { NUM_ACTIONS, Rng } from '@aikon/engine';
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config.ts';
import type { ModelInputs, ModelOutputs } from './io.ts';
import { paramSpecs, type Weights } from './params.ts';
import { inputStreams, NEIGHBOUR_STREAMS, NEIGHBOURS, SEQ, VOCAB } from './tokens.ts';

export const LN_EPS = 1e-5;

/**
 * Matrix products with custom gradients. On tfjs-backend-wasm a product with a transposed
 * operand (what tfjs's own matMul gradient uses: dA = dY·Bᵀ, dB = Aᵀ·dY) is ≈8× slower than a
 * plain one, while an explicit transpose is cheap; these gradients transpose first.
 * Checked against numerical gradients in test/gradients.test.ts.
 */
export const mm = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1])),
      tf.matMul(tf.transpose(saved[0]), dy as tf.Tensor2D),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

/** Batched [B, M, K] · [B, K, N] with the same transpose-first gradients. */
export const bmm = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor3D, tf.transpose(saved[1], [0, 2, 1]) as tf.Tensor3D),
      tf.matMul(tf.transpose(saved[0], [0, 2, 1]) as tf.Tensor3D, dy as tf.Tensor3D),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor3D;

export type { ModelInputs, ModelOutputs } from './io.ts';

/** Seeded initial weights (Box–Muller over the engine's sfc32). */
export function initWeights(config: ModelConfig, seed: number): Weights {
  const rng = new Rng(seed);
  const normal = (): number => {
    const u = Math.max(rng.uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.uniform());
  };
  const w: Weights = new Map();
  for (const p of paramSpecs(config)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    if (p.init === 'ones') a.fill(1);
    else if (p.init === 'normal') for (let i = 0; i < n; i++) a[i] = normal() * (p.std ?? 0.02);
    w.set(p.name, a);
  }
  return w;
}

/** Width of a multi-hot input row. */
export function multiHotWidth(K: number): number {
  return inputStreams(K) * VOCAB;
}

/**
 * Multi-hot input rows [B·SEQ, streams·VOCAB]: stream 0 the target token, streams 1..K the
 * context frames' tokens, then the newest context frame's tokens at the 4 view neighbours.
 */
export function multiHot(inputs: ModelInputs, K: number): Float32Array {
  const { batch, target, context } = inputs;
  const width = multiHotWidth(K);
  const out = new Float32Array(batch * SEQ * width);
  for (let b = 0; b < batch; b++) {
    const last = (b * K + K - 1) * SEQ;
    for (let p = 0; p < SEQ; p++) {
      const row = (b * SEQ + p) * width;
      out[row + target[b * SEQ + p]] = 1;
      for (let k = 0; k < K; k++) out[row + (k + 1) * VOCAB + context[(b * K + k) * SEQ + p]] = 1;
      for (let n = 0; n < NEIGHBOUR_STREAMS; n++) out[row + (K + 1 + n) * VOCAB + context[last + NEIGHBOURS[n][p]]] = 1;
    }
  }
  return out;
}

export class TfDreamModel {
  readonly vars = new Map<string, tf.Variable>();

  constructor(
    readonly config: ModelConfig,
    weights: Weights,
    trainable = true,
  ) {
    for (const spec of paramSpecs(config)) {
      const w = weights.get(spec.name);
      if (!w) throw new Error(`missing weight ${spec.name}`);
      this.vars.set(spec.name, tf.variable(tf.tensor(w, spec.shape as number[]), trainable, spec.name));
    }
  }

  v(name: string): tf.Variable {
    const t = this.vars.get(name);
    if (!t) throw new Error(`no parameter ${name}`);
    return t;
  }

  weights(): Weights {
    const w: Weights = new Map();
    for (const [name, v] of this.vars) w.set(name, v.dataSync() as Float32Array);
    return w;
  }

  setWeights(weights: Weights): void {
    for (const [name, v] of this.vars) {
      const w = weights.get(name);
      if (!w) throw new Error(`missing weight ${name}`);
      v.assign(tf.tensor(w, v.shape));
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
  }

  private layerNorm(x: tf.Tensor, g: string, b: string): tf.Tensor {
    const mean = tf.mean(x, -1, true);
    const xc = tf.sub(x, mean);
    const variance = tf.mean(tf.square(xc), -1, true);
    return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, LN_EPS))), this.v(g)), this.v(b));
  }

  /**
   * Forward pass from a multi-hot input [B·SEQ, streams·VOCAB] and actions [B, A].
   * Returns logits [B·SEQ, VOCAB], reward logits [B, R], done logit [B, 1].
   */
  forward(multi: tf.Tensor2D, action: tf.Tensor2D): { logits: tf.Tensor2D; reward: tf.Tensor2D; done: tf.Tensor2D } {
    const c = this.config;
    const d = c.dModel;
    const H = c.heads;
    const dh = d / H;
    const B = action.shape[0];
    let h: tf.Tensor = mm(multi, this.v('embed')).reshape([B, SEQ, d]);
    h = tf.add(h, this.v('pos'));
    h = tf.add(h, mm(action, this.v('action')).reshape([B, 1, d]));
    h = h.reshape([B * SEQ, d]);
    const scale = 1 / Math.sqrt(dh);
    const heads = (x: tf.Tensor): tf.Tensor3D =>
      x
        .reshape([B, SEQ, H, dh])
        .transpose([0, 2, 1, 3])
        .reshape([B * H, SEQ, dh]) as tf.Tensor3D;
    for (let l = 0; l < c.layers; l++) {
      const a = this.layerNorm(h, `l${l}.ln1.g`, `l${l}.ln1.b`);
      const q = heads(mm(a, this.v(`l${l}.wq`)));
      const k = heads(mm(a, this.v(`l${l}.wk`)));
      const v = heads(mm(a, this.v(`l${l}.wv`)));
      const att = tf.softmax(tf.mul(bmm(q, tf.transpose(k, [0, 2, 1])), scale));
      const o = bmm(att, v)
        .reshape([B, H, SEQ, dh])
        .transpose([0, 2, 1, 3])
        .reshape([B * SEQ, d]);
      h = tf.add(h, tf.add(mm(o, this.v(`l${l}.wo`)), this.v(`l${l}.bo`)));
      const m = this.layerNorm(h, `l${l}.ln2.g`, `l${l}.ln2.b`);
      const f = tf.relu(tf.add(mm(m, this.v(`l${l}.w1`)), this.v(`l${l}.b1`)));
      h = tf.add(h, tf.add(mm(f, this.v(`l${l}.w2`)), this.v(`l${l}.b2`)));
    }
    const hf = this.layerNorm(h, 'lnf.g', 'lnf.b') as tf.Tensor2D;
    const logits = tf.add(mm(hf, this.v('out.w')), this.v('out.b')) as tf.Tensor2D;
    const cls = hf
      .reshape([B, SEQ, d])
      .slice([0, SEQ - 1, 0], [B, 1, d])
      .reshape([B, d]) as tf.Tensor2D;
    const reward = tf.add(mm(cls, this.v('reward.w')), this.v('reward.b')) as tf.Tensor2D;
    const done = tf.add(mm(cls, this.v('done.w')), this.v('done.b')) as tf.Tensor2D;
    return { logits, reward, done };
  }

  /** Inference on plain arrays (tests, parity, the tfjs backend). */
  predict(inputs: ModelInputs): ModelOutputs {
    return tf.tidy(() => {
      const multi = tf.tensor2d(multiHot(inputs, this.config.context), [
        inputs.batch * SEQ,
        multiHotWidth(this.config.context),
      ]);
      const action = tf.tensor2d(inputs.action, [inputs.batch, NUM_ACTIONS]);
      const out = this.forward(multi, action);
      return {
        logits: out.logits.dataSync() as Float32Array,
        reward: out.reward.dataSync() as Float32Array,
        done: out.done.dataSync() as Float32Array,
      };
    });
  }
}

/** A training batch: inputs plus per-position weighted one-hot labels. */
export interface TrainBatch {
  readonly inputs: ModelInputs;
  /** [B·SEQ, VOCAB]: one-hot label × weight (masked positions only; weights sum to 1). */
  readonly tokenLabels: Float32Array;
  /** [B, REWARD_CLASSES] one-hot / B */
  readonly rewardLabels: Float32Array;
  /** [B, 1] 0/1 */
  readonly doneLabels: Float32Array;
}

export const LOSS_WEIGHTS = { reward: 0.5, done: 0.5 } as const;

/** Scalar training loss (token CE on masked positions + reward CE + termination BCE). */
export function lossFn(
  model: TfDreamModel,
  multi: tf.Tensor2D,
  action: tf.Tensor2D,
  labels: { tok: tf.Tensor2D; rew: tf.Tensor2D; done: tf.Tensor2D },
) {
  const out = model.forward(multi, action);
  const tokLoss = tf.neg(tf.sum(tf.mul(tf.logSoftmax(out.logits), labels.tok)));
  const rewLoss = tf.neg(tf.sum(tf.mul(tf.logSoftmax(out.reward), labels.rew)));
  const B = action.shape[0];
  // BCE with logits: softplus(x) − y·x, averaged over the batch.
  const doneLoss = tf.div(tf.sum(tf.sub(tf.softplus(out.done), tf.mul(labels.done, out.done))), B);
  const total = tf.add(tokLoss, tf.add(tf.mul(rewLoss, LOSS_WEIGHTS.reward), tf.mul(doneLoss, LOSS_WEIGHTS.done)));
  return { total: total as tf.Scalar, tokLoss, rewLoss, doneLoss };
}
