/**
 * Absorbing (masked) discrete diffusion sampler: the next frame starts fully masked and is
 * unmasked in `steps` passes (default 4). In each pass the model predicts every masked token;
 * the most confident predictions are kept, the others stay masked, following the schedule.
 * Deterministic given the seed (the engine's sfc32). Browser-safe.
 */
import type { Rng } from '@aikon/engine';
import type { InferenceBackend, ModelInputs } from './io.ts';
import {
  CLS,
  COUNT_BASE,
  FRAME_TOKENS,
  INVENTORY_POS,
  MASK,
  REWARD_CLASSES,
  rewardOfClass,
  SEQ,
  tokenRange,
  VOCAB,
} from './tokens.ts';

export type MaskSchedule = 'cosine' | 'linear';

export interface SamplerSettings {
  /** Denoising passes per predicted frame. */
  readonly steps: number;
  /** 0 = greedy (argmax); otherwise softmax temperature for sampling tokens. */
  readonly temperature: number;
  readonly schedule: MaskSchedule;
}

export const DEFAULT_SAMPLER: SamplerSettings = { steps: 4, temperature: 0, schedule: 'cosine' };

/**
 * How many of `n` tokens are still masked after each of `steps` passes: strictly decreasing
 * while any remain (each pass unmasks at least one token), never increasing, 0 after the last.
 */
export function maskSchedule(n: number, steps: number, schedule: MaskSchedule = 'cosine'): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${steps}`);
  const out: number[] = [];
  let prev = n;
  for (let s = 0; s < steps; s++) {
    const f = (s + 1) / steps;
    const frac = schedule === 'cosine' ? Math.cos((Math.PI / 2) * f) : 1 - f;
    let m = s === steps - 1 ? 0 : Math.floor(n * frac + 1e-9);
    m = Math.max(0, Math.min(m, prev - 1));
    out.push(m);
    prev = m;
  }
  return out;
}

export interface SampleResult {
  /** [B, FRAME_TOKENS] predicted frames. */
  readonly frames: Int32Array;
  /** Predicted reward per sample (argmax class). */
  readonly reward: Float32Array;
  /** Termination probability per sample (1 where the predicted health is 0). */
  readonly doneProb: Float32Array;
  /** Masked positions per pass for sample 0 (for tests and tools). */
  readonly trace: number[];
}

const RANGES = Array.from({ length: FRAME_TOKENS }, (_, p) => tokenRange(p));

/**
 * Samples the next frame for a batch. `context` is [B, K, SEQ] (CLS-terminated rows),
 * `action` [B, NUM_ACTIONS].
 */
export async function sampleNext(
  backend: InferenceBackend,
  batch: number,
  context: Int32Array,
  action: Float32Array,
  settings: SamplerSettings,
  rng: Rng,
): Promise<SampleResult> {
  const target = new Int32Array(batch * SEQ).fill(MASK);
  for (let b = 0; b < batch; b++) target[b * SEQ + FRAME_TOKENS] = CLS;
  const schedule = maskSchedule(FRAME_TOKENS, settings.steps, settings.schedule);
  const inputs: ModelInputs = { batch, target, context, action };
  const reward = new Float32Array(batch);
  const doneProb = new Float32Array(batch);
  const trace: number[] = [];
  const cand = new Int32Array(FRAME_TOKENS);
  const conf = new Float64Array(FRAME_TOKENS);
  const order: number[] = [];
  for (let s = 0; s < settings.steps; s++) {
    const out = await backend.run(inputs);
    for (let b = 0; b < batch; b++) {
      order.length = 0;
      for (let p = 0; p < FRAME_TOKENS; p++) {
        if (target[b * SEQ + p] !== MASK) continue;
        const [lo, hi] = RANGES[p];
        const base = (b * SEQ + p) * VOCAB;
        let best = lo;
        let max = -Infinity;
        for (let v = lo; v < hi; v++)
          if (out.logits[base + v] > max) {
            max = out.logits[base + v];
            best = v;
          }
        let z = 0;
        for (let v = lo; v < hi; v++) z += Math.exp(out.logits[base + v] - max);
        let tok = best;
        if (settings.temperature > 0) {
          const T = settings.temperature;
          let zt = 0;
          for (let v = lo; v < hi; v++) zt += Math.exp((out.logits[base + v] - max) / T);
          let u = rng.uniform() * zt;
          tok = hi - 1;
          for (let v = lo; v < hi; v++) {
            u -= Math.exp((out.logits[base + v] - max) / T);
            if (u <= 0) {
              tok = v;
              break;
            }
          }
        }
        cand[p] = tok;
        conf[p] = Math.exp(out.logits[base + tok] - max) / z;
        order.push(p);
      }
      if (b === 0) trace.push(order.length);
      // Keep the most confident predictions (ties: lower position first).
      const keepMasked = Math.min(schedule[s], order.length);
      order.sort((x, y) => conf[y] - conf[x] || x - y);
      for (let i = 0; i < order.length - keepMasked; i++) target[b * SEQ + order[i]] = cand[order[i]];
      if (s === settings.steps - 1) {
        let rb = 0;
        for (let k = 1; k < REWARD_CLASSES; k++)
          if (out.reward[b * REWARD_CLASSES + k] > out.reward[b * REWARD_CLASSES + rb]) rb = k;
        reward[b] = rewardOfClass(rb);
        doneProb[b] = 1 / (1 + Math.exp(-out.done[b]));
      }
    }
  }
  const frames = new Int32Array(batch * FRAME_TOKENS);
  for (let b = 0; b < batch; b++) {
    frames.set(target.subarray(b * SEQ, b * SEQ + FRAME_TOKENS), b * FRAME_TOKENS);
    // The rule of the world (§7.3): a player whose health reaches 0 dies, so a predicted
    // health of 0 is a predicted termination whatever the termination head says.
    if (target[b * SEQ + INVENTORY_POS] === COUNT_BASE) doneProb[b] = 1;
  }
  return { frames, reward, doneProb, trace };
}
