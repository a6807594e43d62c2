/** Training/evaluation samples from token episodes, and diffusion masking for training. */
import { NUM_ACTIONS, type Rng } from '@aikon/engine';
import type { TokenEpisode } from './episodes.ts';
import type { ModelInputs } from './tf-model.ts';
import { CLS, FRAME_TOKENS, MASK, REWARD_CLASSES, rewardClass, SEQ, VIEW_TOKENS, VOCAB } from './tokens.ts';

/** Copies frame t of an episode (clamped to 0) into a SEQ row with CLS at the end. */
export function putFrame(ep: TokenEpisode, t: number, out: Int32Array, offset: number): void {
  const tt = Math.max(0, t);
  out.set(ep.frames.subarray(tt * FRAME_TOKENS, (tt + 1) * FRAME_TOKENS), offset);
  out[offset + FRAME_TOKENS] = CLS;
}

/** Every (episode, step) pair, for sampling transitions. */
export function transitionIndex(episodes: readonly TokenEpisode[]): Uint32Array {
  let n = 0;
  for (const e of episodes) n += e.length;
  const idx = new Uint32Array(n * 2);
  let k = 0;
  episodes.forEach((e, i) => {
    for (let t = 0; t < e.length; t++) {
      idx[k++] = i;
      idx[k++] = t;
    }
  });
  return idx;
}

export interface Sample {
  readonly ep: TokenEpisode;
  /** Transition from observation t to t+1 with action t. */
  readonly t: number;
}

export interface BatchWeights {
  /** Loss weight of a masked view token that differs from the newest context frame (1 = uniform). */
  readonly changedView: number;
  /** Loss weight of a masked facing/inventory/stat/daylight token that differs from the newest context frame. */
  readonly changedState: number;
  /** Loss weight of a transition with a nonzero reward in the reward head's loss. */
  readonly reward: number;
}
export const UNIFORM_WEIGHTS: BatchWeights = { changedView: 1, changedState: 1, reward: 1 };

function tokenWeight(w: BatchWeights, p: number, changed: boolean): number {
  if (!changed) return 1;
  return p < VIEW_TOKENS ? w.changedView : w.changedState;
}

export function makeTrainBatch(
  samples: readonly Sample[],
  K: number,
  rng: Rng,
  weights: BatchWeights = UNIFORM_WEIGHTS,
) {
  const B = samples.length;
  const target = new Int32Array(B * SEQ);
  const context = new Int32Array(B * K * SEQ);
  const action = new Float32Array(B * NUM_ACTIONS);
  const tokenLabels = new Float32Array(B * SEQ * VOCAB);
  const rewardLabels = new Float32Array(B * REWARD_CLASSES);
  const doneLabels = new Float32Array(B);
  const masked: number[] = [];
  let total = 0;
  let rewardTotal = 0;
  const perSample: number[][] = [];
  samples.forEach(({ ep, t }, b) => {
    for (let k = 0; k < K; k++) putFrame(ep, t - (K - 1) + k, context, (b * K + k) * SEQ);
    putFrame(ep, t + 1, target, b * SEQ);
    action[b * NUM_ACTIONS + ep.actions[t]] = 1;
    const rc = rewardClass(ep.rewards[t]);
    rewardLabels[b * REWARD_CLASSES + rc] = rc === rewardClass(0) ? 1 : weights.reward;
    rewardTotal += rc === rewardClass(0) ? 1 : weights.reward;
    doneLabels[b] = ep.terminated && t === ep.length - 1 ? 1 : 0;
    // Absorbing diffusion: mask each frame token with probability r ~ U(0, 1], at least one.
    const r = 1 - rng.uniform();
    masked.length = 0;
    for (let p = 0; p < FRAME_TOKENS; p++) if (rng.uniform() < r) masked.push(p);
    if (masked.length === 0) masked.push(rng.int(FRAME_TOKENS));
    perSample.push(masked.slice());
    const last = (b * K + K - 1) * SEQ;
    for (const p of masked) total += tokenWeight(weights, p, target[b * SEQ + p] !== context[last + p]);
  });
  for (let i = 0; i < rewardLabels.length; i++) rewardLabels[i] /= rewardTotal;
  // Masked tokens weigh 1 (or their `changed…` weight where the token differs from the newest
  // context frame); labels sum to 1 over the batch.
  samples.forEach((_, b) => {
    const last = (b * K + K - 1) * SEQ;
    for (const p of perSample[b]) {
      const i = b * SEQ + p;
      const w = tokenWeight(weights, p, target[i] !== context[last + p]);
      tokenLabels[i * VOCAB + target[i]] = w / total;
      target[i] = MASK;
    }
  });
  const inputs: ModelInputs = { batch: B, target, context, action };
  return { inputs, tokenLabels, rewardLabels, doneLabels, maskedCount: total };
}
