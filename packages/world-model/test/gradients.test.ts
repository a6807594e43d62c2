import { NUM_ACTIONS, Rng } from '@aikon/engine';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTrainBatch } from '../src/batching.ts';
import { getConfig } from '../src/config.ts';
import { generateEpisode } from '../src/explorer.ts';
import { episodeToTokens } from '../src/episodes.ts';
import { setupTf } from '../src/node/tf-setup.ts';
import { bmm, initWeights, lossFn, mm, multiHot, multiHotWidth, TfDreamModel } from '../src/tf-model.ts';
import { REWARD_CLASSES, SEQ, VOCAB } from '../src/tokens.ts';

beforeAll(() => setupTf('wasm'));

/** Central differences of a scalar function of one tensor (float32, so tolerances are loose). */
function numericalGrad(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, eps = 1e-2): Float32Array {
  const base = x.dataSync().slice();
  const g = new Float32Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const plus = base.slice();
    plus[i] += eps;
    const minus = base.slice();
    minus[i] -= eps;
    const fp = tf.tidy(() => f(tf.tensor(plus, x.shape)).dataSync()[0]);
    const fm = tf.tidy(() => f(tf.tensor(minus, x.shape)).dataSync()[0]);
    g[i] = (fp - fm) / (2 * eps);
  }
  return g;
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(tol * (1 + Math.abs(b[i])));
}

describe('custom matrix-product gradients', () => {
  it('mm: analytic gradients match numerical ones and tf.matMul', () => {
    const a = tf.randomNormal([5, 4], 0, 1, 'float32', 1);
    const b = tf.randomNormal([4, 3], 0, 1, 'float32', 2);
    const w = tf.randomNormal([5, 3], 0, 1, 'float32', 3);
    const loss = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.tanh(mm(x, y)), w)) as tf.Scalar;
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => loss(x, y))([a, b]);
    expectClose(
      ga.dataSync(),
      numericalGrad((x) => loss(x, b), a),
      2e-2,
    );
    expectClose(
      gb.dataSync(),
      numericalGrad((y) => loss(a, y), b),
      2e-2,
    );
    const [ra, rb] = tf.grads(
      (x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(tf.tanh(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D)), w)) as tf.Scalar,
    )([a, b]);
    expectClose(ga.dataSync(), ra.dataSync(), 1e-5);
    expectClose(gb.dataSync(), rb.dataSync(), 1e-5);
  });

  it('bmm: analytic gradients match numerical ones and tf.matMul', () => {
    const a = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 4);
    const b = tf.randomNormal([2, 4, 5], 0, 1, 'float32', 5);
    const w = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 6);
    const loss = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.tanh(bmm(x, y)), w)) as tf.Scalar;
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => loss(x, y))([a, b]);
    expectClose(
      ga.dataSync(),
      numericalGrad((x) => loss(x, b), a),
      2e-2,
    );
    expectClose(
      gb.dataSync(),
      numericalGrad((y) => loss(a, y), b),
      2e-2,
    );
    const [ra, rb] = tf.grads(
      (x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(tf.tanh(tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D)), w)) as tf.Scalar,
    )([a, b]);
    expectClose(ga.dataSync(), ra.dataSync(), 1e-5);
    expectClose(gb.dataSync(), rb.dataSync(), 1e-5);
  });

  it('the whole model loss: gradients of sampled parameters match central differences', () => {
    const config = { ...getConfig('tiny'), dModel: 8, ff: 8 };
    const model = new TfDreamModel(config, initWeights(config, 3));
    const ep = episodeToTokens(generateEpisode({ policy: 'scripted', seed: 4, maxSteps: 30 }));
    const rng = new Rng(1);
    const bt = makeTrainBatch(
      [
        { ep, t: 3 },
        { ep, t: 10 },
      ],
      config.context,
      rng,
    );
    const K = config.context;
    const B = 2;
    const multi = tf.tensor2d(multiHot(bt.inputs, K), [B * SEQ, multiHotWidth(K)]);
    const action = tf.tensor2d(bt.inputs.action, [B, NUM_ACTIONS]);
    const labels = {
      tok: tf.tensor2d(bt.tokenLabels, [B * SEQ, VOCAB]),
      rew: tf.tensor2d(bt.rewardLabels, [B, REWARD_CLASSES]),
      done: tf.tensor2d(bt.doneLabels, [B, 1]),
    };
    const f = () => lossFn(model, multi, action, labels).total;
    const { grads } = tf.variableGrads(f);
    for (const name of ['l0.wq', 'l0.wo', 'l0.w1', 'out.w', 'reward.w', 'l0.ln1.g']) {
      const v = model.v(name);
      const analytic = grads[name].dataSync();
      const orig = v.dataSync().slice();
      // Check 6 entries per parameter.
      for (let k = 0; k < 6; k++) {
        const i = (k * 7919) % orig.length;
        const eps = 3e-3;
        const at = (delta: number) => {
          const w = orig.slice();
          w[i] += delta;
          v.assign(tf.tensor(w, v.shape));
          return f().dataSync()[0];
        };
        const num = (at(eps) - at(-eps)) / (2 * eps);
        v.assign(tf.tensor(orig, v.shape));
        // Loose: float32 central differences, and ReLU kinks may fall inside ±eps.
        expect(Math.abs(analytic[i] - num)).toBeLessThan(3e-3 + 5e-2 * Math.abs(num));
      }
    }
  });
});
