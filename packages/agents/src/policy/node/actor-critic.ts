/**
 * Actor-critic fine-tuning (Node, tfjs on the wasm backend, one thread), starting from a policy
 * checkpoint (behaviour cloning): rollouts of `horizon` steps in `envs` auto-resetting
 * environments (the real engine, or any RolloutEnvs), λ-returns (GAE), then clipped policy-gradient
 * updates (PPO's ratio clip, so that several minibatch steps on one rollout stay near it) with a
 * value loss and entropy regularisation. Resumable checkpoints, progress, a wall-time bound.
 */
import { mixSeed, NUM_ACTIONS, Rng } from '@aikon/engine';
import { FRAME_TOKENS } from '@aikon/world-model';
import { learningRate, setupTf } from '@aikon/world-model/node';
import * as tf from '@tensorflow/tfjs';
import cliProgress from 'cli-progress';
import { sampleAction } from '../act.ts';
import type { RolloutEnvs } from '../envs.ts';
import type { PolicyInputs } from '../features.ts';
import { type PolicyConfig, type PolicyWeights, TfPolicy } from '../network.ts';
import { lambdaReturns } from '../returns.ts';
import { hasPolicyCheckpoint, loadPolicyCheckpoint, type PolicyCheckpoint, type PolicyCheckpointState, savePolicyCheckpoint, type TrainingData } from './checkpoint.ts';

export interface ActorCriticOptions {
  readonly config: PolicyConfig;
  /** The starting weights (the BC policy). */
  readonly weights: PolicyWeights;
  readonly data: TrainingData;
  readonly stage: 'rl-real' | 'rl-imagination';
  /** Makes the environments; `episodesStarted` continues the seed sequence after a resume. */
  readonly makeEnvs: (episodesStarted: number) => RolloutEnvs;
  readonly runDir: string;
  readonly updates: number;
  readonly horizon: number;
  readonly minibatch: number;
  readonly epochs: number;
  readonly lr: number;
  readonly gamma: number;
  readonly lambda: number;
  readonly entropy: number;
  readonly clip: number;
  readonly valueWeight: number;
  readonly seed: number;
  readonly resume: boolean;
  readonly maxMinutes: number;
  readonly progress: boolean;
  readonly stopAfter?: number;
}

export const AC_DEFAULTS = { horizon: 64, minibatch: 512, epochs: 2, lr: 1e-4, gamma: 0.99, lambda: 0.95, entropy: 0.01, clip: 0.2, valueWeight: 0.5 } as const;

interface Rollout {
  inputs: PolicyInputs;
  actions: Int32Array;
  logp: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
}

function logSoftmaxAt(logits: Float32Array, b: number, a: number): number {
  const o = b * NUM_ACTIONS;
  let max = -Infinity;
  for (let j = 0; j < NUM_ACTIONS; j++) max = Math.max(max, logits[o + j]);
  let sum = 0;
  for (let j = 0; j < NUM_ACTIONS; j++) sum += Math.exp(logits[o + j] - max);
  return logits[o + a] - max - Math.log(sum);
}

/** One rollout of `horizon` steps in every environment, with λ-returns. */
function collect(model: TfPolicy, envs: RolloutEnvs, o: ActorCriticOptions, rng: Rng): Rollout {
  const N = envs.count;
  const T = o.horizon;
  const K = model.config.frames;
  const row = K * FRAME_TOKENS;
  const tokens = new Int32Array(T * N * row);
  const prevAction = new Int32Array(T * N);
  const actions = new Int32Array(T * N);
  const logp = new Float32Array(T * N);
  const values = new Float32Array(T * N);
  const rewards = new Float32Array(T * N);
  const dones = new Uint8Array(T * N);
  const act = new Int32Array(N);
  for (let t = 0; t < T; t++) {
    const at = t * N;
    for (const [i, h] of envs.histories.entries()) h.write(tokens.subarray(at * row, (at + N) * row), prevAction.subarray(at, at + N), i);
    const out = model.predict({ batch: N, tokens: tokens.subarray(at * row, (at + N) * row), prevAction: prevAction.subarray(at, at + N) });
    for (let i = 0; i < N; i++) {
      act[i] = sampleAction(out.logits, i, rng, 1);
      actions[at + i] = act[i];
      logp[at + i] = logSoftmaxAt(out.logits, i, act[i]);
      values[at + i] = out.value[i];
    }
    const r = envs.step(act);
    rewards.set(r.rewards, at);
    dones.set(r.dones, at);
  }
  const lastTokens = new Int32Array(N * row);
  const lastPrev = new Int32Array(N);
  for (const [i, h] of envs.histories.entries()) h.write(lastTokens, lastPrev, i);
  const last = model.predict({ batch: N, tokens: lastTokens, prevAction: lastPrev });
  const { advantages, returns } = lambdaReturns({ rewards, values, dones, lastValues: last.value, steps: T, envs: N }, o.gamma, o.lambda);
  return { inputs: { batch: T * N, tokens, prevAction }, actions, logp, advantages, returns };
}

function rows(r: Rollout, idx: ArrayLike<number>, K: number) {
  const row = K * FRAME_TOKENS;
  const B = idx.length;
  const tokens = new Int32Array(B * row);
  const prevAction = new Int32Array(B);
  const oneHot = new Float32Array(B * NUM_ACTIONS);
  const oldLogp = new Float32Array(B);
  const adv = new Float32Array(B);
  const ret = new Float32Array(B);
  for (let b = 0; b < B; b++) {
    const i = idx[b];
    tokens.set(r.inputs.tokens.subarray(i * row, (i + 1) * row), b * row);
    prevAction[b] = r.inputs.prevAction[i];
    oneHot[b * NUM_ACTIONS + r.actions[i]] = 1;
    oldLogp[b] = r.logp[i];
    adv[b] = r.advantages[i];
    ret[b] = r.returns[i];
  }
  return { inputs: { batch: B, tokens, prevAction }, oneHot, oldLogp, adv, ret };
}

export async function trainActorCritic(o: ActorCriticOptions): Promise<PolicyCheckpoint> {
  await setupTf('wasm');
  let state: PolicyCheckpointState;
  let weights = o.weights;
  let optState: Float32Array[] | null = null;
  let episodesStarted = 0;
  if (o.resume && hasPolicyCheckpoint(o.runDir)) {
    const ck = loadPolicyCheckpoint(o.runDir);
    if (ck.state.stage !== o.stage) throw new Error(`checkpoint in ${o.runDir} is stage ${ck.state.stage}, not ${o.stage}`);
    ({ state, weights } = ck);
    optState = ck.optimizer;
    episodesStarted = ck.state.data.seedRanges?.at(-1)?.count ?? 0;
    console.error(`resuming ${o.runDir} at update ${state.step}/${state.totalSteps}`);
  } else {
    state = {
      format: 'aikon.policy.checkpoint',
      version: 1,
      config: o.config,
      stage: o.stage,
      step: 0,
      totalSteps: o.updates,
      batch: o.minibatch,
      seed: o.seed,
      lr: o.lr,
      trainSeconds: 0,
      data: o.data,
      history: [],
      optimizer: [],
    };
  }
  const envs = o.makeEnvs(episodesStarted);
  const K = o.config.frames;
  const model = new TfPolicy(o.config, weights);
  const opt = tf.train.adam(state.lr);
  if (optState) await opt.setWeights(state.optimizer.map((v, i) => ({ name: v.name, tensor: tf.tensor(optState![i], v.shape) })));
  const bar = o.progress
    ? new cliProgress.SingleBar(
        { stream: process.stderr, noTTYOutput: true, notTTYSchedule: 15_000, format: `${o.stage} {bar} {value}/{total} updates | return {ret} (len {len}, {eps} episodes) | loss {loss} | {sps} env steps/s | ETA {eta_formatted}` },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(state.totalSteps, state.step, { ret: '-', len: '-', eps: 0, loss: '-', sps: '-' });
  const started = performance.now();
  const startSeconds = state.trainSeconds;
  const deadline = started + o.maxMinutes * 60_000 - startSeconds * 1000;
  const startUpdate = state.step;
  const save = async (): Promise<PolicyCheckpoint> => {
    state.trainSeconds = startSeconds + (performance.now() - started) / 1000;
    const worlds = envs.worlds;
    if (worlds) state.data = { ...state.data, seedRanges: [...(o.data.seedRanges ?? []), worlds] };
    const ow = await opt.getWeights();
    state.optimizer = ow.map((w) => ({ name: w.name, shape: w.tensor.shape }));
    const ck = { state, weights: model.weights(), optimizer: ow.map((w) => w.tensor.dataSync() as Float32Array) };
    savePolicyCheckpoint(o.runDir, ck);
    return ck;
  };
  const recent: number[] = [];
  const recentLen: number[] = [];
  let episodes = 0;
  while (state.step < state.totalSteps && state.step < (o.stopAfter ?? Infinity)) {
    if (performance.now() > deadline) {
      bar?.stop();
      console.error(`time limit (${o.maxMinutes} min) reached at update ${state.step}`);
      break;
    }
    const rng = new Rng(mixSeed(o.seed, state.step));
    const r = collect(model, envs, o, rng);
    const done = envs.drain();
    episodes += done.returns.length;
    recent.push(...done.returns);
    recentLen.push(...done.lengths);
    recent.splice(0, Math.max(0, recent.length - 50));
    recentLen.splice(0, Math.max(0, recentLen.length - 50));
    // Advantages normalised per rollout.
    let mean = 0;
    for (const a of r.advantages) mean += a;
    mean /= r.advantages.length;
    let sd = 0;
    for (const a of r.advantages) sd += (a - mean) ** 2;
    sd = Math.sqrt(sd / r.advantages.length) + 1e-8;
    for (let i = 0; i < r.advantages.length; i++) r.advantages[i] = (r.advantages[i] - mean) / sd;
    (opt as unknown as { learningRate: number }).learningRate = learningRate(state.step, state.totalSteps, state.lr, (startSeconds + (performance.now() - started) / 1000) / (o.maxMinutes * 60));
    let lossSum = 0;
    let lossN = 0;
    const n = r.inputs.batch;
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let s = 0; s + o.minibatch <= n; s += o.minibatch) {
        const mb = rows(r, order.slice(s, s + o.minibatch), K);
        const loss = tf.tidy(() => {
          const x = model.input(mb.inputs);
          const oneHot = tf.tensor2d(mb.oneHot, [mb.inputs.batch, NUM_ACTIONS]);
          const oldLogp = tf.tensor1d(mb.oldLogp);
          const adv = tf.tensor1d(mb.adv);
          const ret = tf.tensor1d(mb.ret);
          return opt.minimize(() => {
            const { logits, value } = model.forward(x);
            const logpAll = tf.logSoftmax(logits);
            const logp = tf.sum(tf.mul(logpAll, oneHot), -1);
            const ratio = tf.exp(tf.sub(logp, oldLogp));
            const pg = tf.neg(tf.mean(tf.minimum(tf.mul(ratio, adv), tf.mul(tf.clipByValue(ratio, 1 - o.clip, 1 + o.clip), adv))));
            const v = tf.mean(tf.square(tf.sub(value, ret)));
            const ent = tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logpAll), logpAll), -1)));
            return tf.sub(tf.add(pg, tf.mul(o.valueWeight, v)), tf.mul(o.entropy, ent)) as tf.Scalar;
          }, true)!;
        });
        lossSum += loss.dataSync()[0];
        lossN++;
        loss.dispose();
      }
    }
    state.step++;
    const meanRet = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : NaN;
    const meanLen = recentLen.length ? recentLen.reduce((a, b) => a + b, 0) / recentLen.length : NaN;
    state.history.push({ step: state.step, loss: lossSum / Math.max(1, lossN), ...(Number.isNaN(meanRet) ? {} : { meanReturn: meanRet, meanLength: meanLen }) });
    const secs = (performance.now() - started) / 1000;
    bar?.update(state.step, {
      ret: Number.isNaN(meanRet) ? '-' : meanRet.toFixed(2),
      len: Number.isNaN(meanLen) ? '-' : meanLen.toFixed(0),
      eps: episodes,
      loss: (lossSum / Math.max(1, lossN)).toFixed(3),
      sps: (((state.step - startUpdate) * o.horizon * envs.count) / Math.max(1e-3, secs)).toFixed(0),
    });
    if (state.step % 5 === 0) await save();
  }
  bar?.stop();
  const ck = await save();
  model.dispose();
  opt.dispose();
  return ck;
}
