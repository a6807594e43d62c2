/**
 * Actor-critic fine-tuning (Node, the plain-TypeScript network, one thread), starting from a
 * policy (behaviour cloning): rollouts of `horizon` steps in `envs` auto-resetting environments
 * (the real engine, or any RolloutEnvs), λ-returns (GAE; an episode the environment reports as cut
 * by a time limit — a dream's horizon — is bootstrapped from its last state's value), then clipped
 * policy-gradient updates (PPO's ratio clip, so that several minibatch steps on one rollout stay near it) with a value
 * loss, entropy regularisation and, when `kl` > 0, a guard: kl × KL(start policy ‖ policy) on the
 * visited states, which keeps the policy near what it started from where the environment (a
 * world model's dream above all) pays for something else. Resumable checkpoints, progress, a
 * wall-time bound.
 */
import { mixSeed, NUM_ACTIONS, Rng } from '@aikon/engine';
import { FRAME_TOKENS } from '@aikon/world-model';
import { learningRate } from '@aikon/world-model/node';
import cliProgress from 'cli-progress';
import { sampleAction } from '../act.ts';
import type { RolloutEnvs } from '../envs.ts';
import type { PolicyInputs } from '../features.ts';
import { MEMORY_SLOTS } from '../memory.ts';
import { hasMemory, type PolicyConfig, PolicyNet, type PolicyWeights } from '../network.ts';
import { lambdaReturns } from '../returns.ts';
import { type PolicyCheckpoint, PolicyRun, type TrainingData } from './checkpoint.ts';

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
  /** Weight of the KL(start policy ‖ policy) guard (0: none). */
  readonly kl?: number;
  /**
   * Updates at the start in which only the critic learns (value loss and the KL guard; no policy
   * gradient, no entropy bonus): a critic trained elsewhere (BC's full-episode returns) is first
   * fitted to this environment's returns, so that the actor's first advantages are not its error.
   */
  readonly criticWarmup?: number;
  readonly seed: number;
  readonly resume: boolean;
  readonly maxMinutes: number;
  readonly progress: boolean;
  readonly stopAfter?: number;
}

export const AC_DEFAULTS = {
  horizon: 64,
  minibatch: 512,
  epochs: 2,
  lr: 1e-4,
  gamma: 0.99,
  lambda: 0.95,
  entropy: 0.01,
  clip: 0.2,
  valueWeight: 0.5,
  kl: 0,
} as const;

interface Rollout {
  inputs: PolicyInputs;
  actions: Int32Array;
  logp: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
  /** [T·N, 17] the start policy's log-probabilities (the guard's reference), when kl > 0. */
  refLogp: Float32Array | null;
}

/** Row b's log-softmax into out[0, 17). */
function logSoftmax(logits: Float32Array, b: number, out: Float64Array): Float64Array {
  const o = b * NUM_ACTIONS;
  let max = -Infinity;
  for (let j = 0; j < NUM_ACTIONS; j++) max = Math.max(max, logits[o + j]);
  let sum = 0;
  for (let j = 0; j < NUM_ACTIONS; j++) sum += Math.exp(logits[o + j] - max);
  const lse = max + Math.log(sum);
  for (let j = 0; j < NUM_ACTIONS; j++) out[j] = logits[o + j] - lse;
  return out;
}

/** One rollout of `horizon` steps in every environment, with λ-returns. */
function collect(
  model: PolicyNet,
  reference: PolicyNet | null,
  envs: RolloutEnvs,
  o: ActorCriticOptions,
  rng: Rng,
): Rollout {
  const N = envs.count;
  const T = o.horizon;
  const K = model.config.frames;
  const row = K * FRAME_TOKENS;
  const tokens = new Int32Array(T * N * row);
  const prevAction = new Int32Array(T * N);
  const S = MEMORY_SLOTS;
  const memory = hasMemory(model.config) ? new Int32Array(T * N * S) : undefined;
  const actions = new Int32Array(T * N);
  const logp = new Float32Array(T * N);
  const values = new Float32Array(T * N);
  const rewards = new Float32Array(T * N);
  const dones = new Uint8Array(T * N);
  // The value of the state an episode was cut at (a dream's horizon), where one was (else 0).
  let cutValues: Float32Array | undefined;
  const refLogp = reference ? new Float32Array(T * N * NUM_ACTIONS) : null;
  const act = new Int32Array(N);
  const lp = new Float64Array(NUM_ACTIONS);
  for (let t = 0; t < T; t++) {
    const at = t * N;
    const x = {
      batch: N,
      tokens: tokens.subarray(at * row, (at + N) * row),
      prevAction: prevAction.subarray(at, at + N),
      memory: memory?.subarray(at * S, (at + N) * S),
    };
    for (const [i, h] of envs.histories.entries()) h.write(x.tokens, x.prevAction, i, x.memory);
    const out = model.predict(x);
    const ref = reference?.predict(x);
    for (let i = 0; i < N; i++) {
      act[i] = sampleAction(out.logits, i, rng, 1);
      actions[at + i] = act[i];
      logp[at + i] = logSoftmax(out.logits, i, lp)[act[i]];
      values[at + i] = out.value[i];
      if (ref && refLogp) refLogp.set(logSoftmax(ref.logits, i, lp), (at + i) * NUM_ACTIONS);
    }
    const r = envs.step(act);
    rewards.set(r.rewards, at);
    dones.set(r.dones, at);
    if (r.cut?.envs.includes(1)) {
      cutValues ??= new Float32Array(T * N);
      const v = model.predict(r.cut.inputs).value;
      for (let i = 0; i < N; i++) if (r.cut.envs[i]) cutValues[at + i] = v[i];
    }
  }
  const lastTokens = new Int32Array(N * row);
  const lastPrev = new Int32Array(N);
  const lastMemory = memory ? new Int32Array(N * S) : undefined;
  for (const [i, h] of envs.histories.entries()) h.write(lastTokens, lastPrev, i, lastMemory);
  const last = model.predict({ batch: N, tokens: lastTokens, prevAction: lastPrev, memory: lastMemory });
  const { advantages, returns } = lambdaReturns(
    { rewards, values, dones, lastValues: last.value, cutValues, steps: T, envs: N },
    o.gamma,
    o.lambda,
  );
  return { inputs: { batch: T * N, tokens, prevAction, memory }, actions, logp, advantages, returns, refLogp };
}

function rows(r: Rollout, idx: ArrayLike<number>, K: number): PolicyInputs {
  const row = K * FRAME_TOKENS;
  const B = idx.length;
  const tokens = new Int32Array(B * row);
  const prevAction = new Int32Array(B);
  const from = r.inputs.memory;
  const S = MEMORY_SLOTS;
  const memory = from ? new Int32Array(B * S) : undefined;
  for (let b = 0; b < B; b++) {
    const i = idx[b];
    tokens.set(r.inputs.tokens.subarray(i * row, (i + 1) * row), b * row);
    prevAction[b] = r.inputs.prevAction[i];
    memory?.set(from!.subarray(i * S, (i + 1) * S), b * S);
  }
  return { batch: B, tokens, prevAction, memory };
}

/**
 * The actor-critic loss on rollout samples `idx`, its gradient added into `grad`: clipped policy
 * gradient + valueWeight × value error − entropy × entropy + kl × KL(reference ‖ policy);
 * with `actor` false (the critic's warm-up) the policy-gradient and entropy terms are left out.
 */
export function actorCriticLoss(
  net: PolicyNet,
  r: Rollout,
  idx: ArrayLike<number>,
  o: Pick<ActorCriticOptions, 'clip' | 'valueWeight' | 'entropy' | 'kl'>,
  grad: Float32Array,
  actor = true,
): { loss: number; kl: number } {
  const x = rows(r, idx, net.config.frames);
  const f = net.forward(x);
  const B = x.batch;
  const dLogits = new Float32Array(B * NUM_ACTIONS);
  const dValue = new Float32Array(B);
  const lp = new Float64Array(NUM_ACTIONS);
  const beta = o.kl ?? 0;
  const entropyWeight = actor ? o.entropy : 0;
  let loss = 0;
  let klSum = 0;
  for (let b = 0; b < B; b++) {
    const i = idx[b];
    const a = r.actions[i];
    const adv = r.advantages[i];
    logSoftmax(f.logits, b, lp);
    const ratio = Math.exp(lp[a] - r.logp[i]);
    const clipped = Math.min(Math.max(ratio, 1 - o.clip), 1 + o.clip);
    // min(ratio·A, clip(ratio)·A): the gradient flows through the unclipped term only where it is the minimum.
    const unclippedMin = ratio * adv <= clipped * adv;
    if (actor) loss -= Math.min(ratio * adv, clipped * adv) / B;
    const g = actor && unclippedMin ? (ratio * adv) / B : 0;
    let entropy = 0;
    for (let j = 0; j < NUM_ACTIONS; j++) entropy -= Math.exp(lp[j]) * lp[j];
    loss -= (entropyWeight * entropy) / B;
    let kl = 0;
    const ref = r.refLogp ? r.refLogp.subarray(i * NUM_ACTIONS, (i + 1) * NUM_ACTIONS) : null;
    if (ref) for (let j = 0; j < NUM_ACTIONS; j++) kl += Math.exp(ref[j]) * (ref[j] - lp[j]);
    klSum += kl;
    loss += (beta * kl) / B;
    const o0 = b * NUM_ACTIONS;
    for (let j = 0; j < NUM_ACTIONS; j++) {
      const p = Math.exp(lp[j]);
      let d = -g * ((j === a ? 1 : 0) - p); // policy gradient
      d += (entropyWeight / B) * p * (lp[j] + entropy); // −entropy
      if (ref && beta > 0) d += (beta / B) * (p - Math.exp(ref[j])); // KL(ref ‖ π)
      dLogits[o0 + j] = d;
    }
    const err = f.value[b] - r.returns[i];
    loss += (o.valueWeight * err * err) / B;
    dValue[b] = (2 * o.valueWeight * err) / B;
  }
  net.backward(f, dLogits, dValue, grad);
  return { loss, kl: klSum / B };
}

export async function trainActorCritic(o: ActorCriticOptions): Promise<PolicyCheckpoint> {
  const run = new PolicyRun(o.runDir, o.maxMinutes, {
    resume: o.resume,
    check: (s) => {
      if (s.stage !== o.stage) throw new Error(`checkpoint in ${o.runDir} is stage ${s.stage}, not ${o.stage}`);
    },
    fresh: () => ({
      weights: o.weights,
      state: {
        format: 'aikon.policy.checkpoint',
        version: 2,
        config: o.config,
        stage: o.stage,
        step: 0,
        totalSteps: o.updates,
        batch: o.minibatch,
        seed: o.seed,
        lr: o.lr,
        trainSeconds: 0,
        optimizerSteps: 0,
        data: o.data,
        history: [],
      },
    }),
  });
  const { state, net: model } = run;
  const episodesStarted = run.resumed ? (state.data.seedRanges?.at(-1)?.count ?? 0) : 0;
  const envs = o.makeEnvs(episodesStarted);
  // The guard's reference: the policy training started from (o.weights, also after a resume).
  const reference = (o.kl ?? 0) > 0 ? new PolicyNet(o.config, o.weights) : null;
  const bar = o.progress
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          noTTYOutput: true,
          notTTYSchedule: 15_000,
          format:
            `${o.stage} {bar} {value}/{total} updates | return {ret} (len {len}, {eps} ` +
            'episodes) | loss {loss} kl {kl} | {sps} env steps/s | ETA {eta_formatted}',
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(state.totalSteps, state.step, { ret: '-', len: '-', eps: 0, loss: '-', kl: '-', sps: '-' });
  const started = performance.now();
  const startUpdate = state.step;
  const save = (): PolicyCheckpoint => {
    const worlds = envs.worlds;
    if (worlds) state.data = { ...state.data, seedRanges: [...(o.data.seedRanges ?? []), worlds] };
    return run.save();
  };
  const recent: number[] = [];
  const recentLen: number[] = [];
  let episodes = 0;
  while (state.step < state.totalSteps && state.step < (o.stopAfter ?? Infinity)) {
    if (run.outOfTime()) {
      bar?.stop();
      console.error(`time limit (${o.maxMinutes} min) reached at update ${state.step}`);
      break;
    }
    const rng = new Rng(mixSeed(o.seed, state.step));
    const r = collect(model, reference, envs, o, rng);
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
    const lr = learningRate(state.step, state.totalSteps, state.lr, run.timeFraction());
    const warmup = state.step < (o.criticWarmup ?? 0);
    let lossSum = 0;
    let klSum = 0;
    let lossN = 0;
    const n = r.inputs.batch;
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let s = 0; s + o.minibatch <= n; s += o.minibatch) {
        const l = actorCriticLoss(model, r, order.slice(s, s + o.minibatch), o, run.grad, !warmup);
        if (!Number.isFinite(l.loss)) throw new Error(`loss is ${l.loss} at update ${state.step}`);
        run.update(lr);
        lossSum += l.loss;
        klSum += l.kl;
        lossN++;
      }
    }
    state.step++;
    const meanRet = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : NaN;
    const meanLen = recentLen.length ? recentLen.reduce((a, b) => a + b, 0) / recentLen.length : NaN;
    const kl = klSum / Math.max(1, lossN);
    state.history.push({
      step: state.step,
      loss: lossSum / Math.max(1, lossN),
      ...(reference ? { kl } : {}),
      ...(Number.isNaN(meanRet) ? {} : { meanReturn: meanRet, meanLength: meanLen }),
    });
    const secs = (performance.now() - started) / 1000;
    bar?.update(state.step, {
      ret: Number.isNaN(meanRet) ? '-' : meanRet.toFixed(2),
      len: Number.isNaN(meanLen) ? '-' : meanLen.toFixed(0),
      eps: episodes,
      loss: (lossSum / Math.max(1, lossN)).toFixed(3),
      kl: reference ? kl.toFixed(3) : '-',
      sps: (((state.step - startUpdate) * o.horizon * envs.count) / Math.max(1e-3, secs)).toFixed(0),
    });
    if (state.step % 5 === 0) save();
    // The loop is synchronous: yield so that the progress bar's timer (its only renderer off a TTY) runs.
    await new Promise((resolve) => setImmediate(resolve));
  }
  bar?.stop();
  return save();
}
