/**
 * Evaluation of a token dream model on held-out episodes:
 *  - open-loop rollouts (the real actions replayed into the dream, the model's own predictions
 *    fed back as context) scored at horizons 1, 4, 16, 64 against the real observations;
 *  - one-step (teacher-forced) accuracy of tokens, inventory, stats, reward and termination;
 *  - baselines: repeat the last real observation; the same model with the action input zeroed.
 */
import { NUM_ACTIONS, Rng } from '@aikon/engine';
import { putFrame } from '../batching.ts';
import type { TokenEpisode } from '../episodes.ts';
import type { InferenceBackend } from '../io.ts';
import { type SamplerSettings, sampleNext } from '../sampler.ts';
import { DAYLIGHT_POS, FACING_POS, FRAME_TOKENS, INVENTORY_POS, rewardClass, SEQ, VIEW_TOKENS } from '../tokens.ts';

export const HORIZONS = [1, 4, 16, 64] as const;

/** Token groups of a frame scored separately. */
const GROUPS = {
  view: [0, VIEW_TOKENS],
  facing: [FACING_POS, FACING_POS + 1],
  stats: [INVENTORY_POS, INVENTORY_POS + 4],
  inventory: [INVENTORY_POS + 4, DAYLIGHT_POS],
  daylight: [DAYLIGHT_POS, DAYLIGHT_POS + 1],
  all: [0, FRAME_TOKENS],
} as const;
type Group = keyof typeof GROUPS;

class Acc {
  readonly hit: Record<Group, number> = { view: 0, facing: 0, stats: 0, inventory: 0, daylight: 0, all: 0 };
  readonly n: Record<Group, number> = { view: 0, facing: 0, stats: 0, inventory: 0, daylight: 0, all: 0 };
  add(pred: ArrayLike<number>, po: number, real: ArrayLike<number>, ro: number): void {
    for (const g of Object.keys(GROUPS) as Group[]) {
      const [a, b] = GROUPS[g];
      for (let p = a; p < b; p++) if (pred[po + p] === real[ro + p]) this.hit[g]++;
      this.n[g] += b - a;
    }
  }
  pct(g: Group): number {
    return this.n[g] ? round((100 * this.hit[g]) / this.n[g]) : NaN;
  }
  summary(): Record<Group, number> {
    return Object.fromEntries((Object.keys(GROUPS) as Group[]).map((g) => [g, this.pct(g)])) as Record<Group, number>;
  }
}

const round = (x: number): number => Math.round(x * 100) / 100;

export interface EvalOptions {
  readonly backend: InferenceBackend;
  readonly context: number;
  readonly episodes: readonly TokenEpisode[];
  readonly sampler: SamplerSettings;
  readonly seed: number;
  /** Open-loop rollouts (start points), spread over the episodes long enough for 64 steps. */
  readonly rollouts: number;
  /** One-step transitions scored (teacher-forced), at most. */
  readonly oneStep: number;
  readonly batch: number;
  readonly onProgress?: (done: number, total: number) => void;
}

type Variant = 'model' | 'noAction';

function contextRows(K: number, items: readonly { ep: TokenEpisode; t: number }[]): Int32Array {
  const ctx = new Int32Array(items.length * K * SEQ);
  items.forEach(({ ep, t }, b) => {
    for (let k = 0; k < K; k++) putFrame(ep, t - (K - 1) + k, ctx, (b * K + k) * SEQ);
  });
  return ctx;
}

export async function evaluate(o: EvalOptions) {
  const K = o.context;
  const H = HORIZONS[HORIZONS.length - 1];
  const rng = new Rng(o.seed);
  // Rollout start points: t0 with t0 + H ≤ T (observation t0 is the last real context frame).
  const long = o.episodes.filter((e) => e.length >= H + 1);
  const starts: { ep: TokenEpisode; t: number }[] = [];
  for (let i = 0; i < o.rollouts && long.length > 0; i++) {
    const ep = long[i % long.length];
    starts.push({ ep, t: rng.int(ep.length - H + 1) });
  }
  // One-step transitions: a deterministic subset of all held-out transitions.
  const all: { ep: TokenEpisode; t: number }[] = [];
  for (const ep of o.episodes) for (let t = 0; t < ep.length; t++) all.push({ ep, t });
  for (let i = all.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  const one = all.slice(0, o.oneStep);
  const totalWork = 2 * Math.ceil(starts.length / o.batch) * H + 2 * Math.ceil(one.length / o.batch);
  let work = 0;
  const tick = () => o.onProgress?.(++work, totalWork);

  // ---- open-loop rollouts
  const roll: Record<Variant | 'repeatLast', Map<number, Acc>> = {
    model: new Map(),
    noAction: new Map(),
    repeatLast: new Map(),
  };
  for (const v of Object.values(roll)) for (const h of HORIZONS) v.set(h, new Acc());
  for (let s = 0; s < starts.length; s++)
    for (const h of HORIZONS) {
      const { ep, t } = starts[s];
      roll.repeatLast.get(h)!.add(ep.frames, t * FRAME_TOKENS, ep.frames, (t + h) * FRAME_TOKENS);
    }
  for (const variant of ['model', 'noAction'] as const) {
    for (let b0 = 0; b0 < starts.length; b0 += o.batch) {
      const items = starts.slice(b0, b0 + o.batch);
      const B = items.length;
      const ctx = contextRows(K, items);
      const srng = new Rng(o.seed + b0);
      for (let h = 1; h <= H; h++) {
        const act = new Float32Array(B * NUM_ACTIONS);
        if (variant === 'model')
          for (const [b, { ep, t }] of items.entries()) act[b * NUM_ACTIONS + ep.actions[t + h - 1]] = 1;
        const r = await sampleNext(o.backend, B, ctx, act, o.sampler, srng);
        tick();
        items.forEach(({ ep, t }, b) => {
          // Shift the context window and append the prediction.
          const base = b * K * SEQ;
          ctx.copyWithin(base, base + SEQ, base + K * SEQ);
          ctx.set(r.frames.subarray(b * FRAME_TOKENS, (b + 1) * FRAME_TOKENS), base + (K - 1) * SEQ);
          const acc = roll[variant].get(h);
          if (acc) acc.add(r.frames, b * FRAME_TOKENS, ep.frames, (t + h) * FRAME_TOKENS);
        });
      }
    }
  }

  // ---- one step, teacher-forced
  const step: Record<Variant | 'repeatLast', Acc> = { model: new Acc(), noAction: new Acc(), repeatLast: new Acc() };
  const rew = { hit: 0, n: 0, nzHit: 0, nz: 0, doneHit: 0, terminal: 0, terminalHit: 0, falseAlarm: 0 };
  const rewNoAction = { hit: 0, nzHit: 0 };
  for (const { ep, t } of one) step.repeatLast.add(ep.frames, t * FRAME_TOKENS, ep.frames, (t + 1) * FRAME_TOKENS);
  for (const variant of ['model', 'noAction'] as const) {
    for (let b0 = 0; b0 < one.length; b0 += o.batch) {
      const items = one.slice(b0, b0 + o.batch);
      const B = items.length;
      const act = new Float32Array(B * NUM_ACTIONS);
      if (variant === 'model') for (const [b, { ep, t }] of items.entries()) act[b * NUM_ACTIONS + ep.actions[t]] = 1;
      const r = await sampleNext(o.backend, B, contextRows(K, items), act, o.sampler, new Rng(o.seed + 7 + b0));
      tick();
      items.forEach(({ ep, t }, b) => {
        step[variant].add(r.frames, b * FRAME_TOKENS, ep.frames, (t + 1) * FRAME_TOKENS);
        const realClass = rewardClass(ep.rewards[t]);
        const ok = rewardClass(r.reward[b]) === realClass;
        const nonzero = realClass !== rewardClass(0);
        if (variant === 'noAction') {
          if (ok) rewNoAction.hit++;
          if (ok && nonzero) rewNoAction.nzHit++;
          return;
        }
        rew.n++;
        if (ok) rew.hit++;
        if (nonzero) {
          rew.nz++;
          if (ok) rew.nzHit++;
        }
        const terminal = ep.terminated && t === ep.length - 1;
        const predicted = r.doneProb[b] > 0.5;
        if (predicted === terminal) rew.doneHit++;
        if (terminal) {
          rew.terminal++;
          if (predicted) rew.terminalHit++;
        } else if (predicted) rew.falseAlarm++;
      });
    }
  }
  const pct = (a: number, n: number): number | null => (n ? round((100 * a) / n) : null);

  const horizons: Record<string, { model: number; repeatLast: number; noAction: number }> = {};
  const horizonsAllTokens: typeof horizons = {};
  const rolloutStats: Record<string, Record<string, { model: number; repeatLast: number; noAction: number }>> = {};
  for (const h of HORIZONS) {
    const m = roll.model.get(h)!;
    const r = roll.repeatLast.get(h)!;
    const n = roll.noAction.get(h)!;
    horizons[h] = { model: m.pct('view'), repeatLast: r.pct('view'), noAction: n.pct('view') };
    horizonsAllTokens[h] = { model: m.pct('all'), repeatLast: r.pct('all'), noAction: n.pct('all') };
    rolloutStats[h] = Object.fromEntries(
      (['facing', 'stats', 'inventory', 'daylight'] as const).map((g) => [
        g,
        { model: m.pct(g), repeatLast: r.pct(g), noAction: n.pct(g) },
      ]),
    );
  }
  const margins: Record<string, { overRepeatLast: number; overNoAction: number }> = {};
  for (const h of HORIZONS)
    margins[h] = {
      overRepeatLast: round(horizons[h].model - horizons[h].repeatLast),
      overNoAction: round(horizons[h].model - horizons[h].noAction),
    };
  return {
    tokenAccuracy: 'percent of the 63 view tokens (9×7 semantic ids) equal to the real next observation',
    sampler: o.sampler,
    episodes: o.episodes.length,
    rollouts: starts.length,
    horizons,
    margins,
    beatsBaselines: HORIZONS.every((h) => margins[h].overRepeatLast > 0 && margins[h].overNoAction > 0),
    horizonsAllTokens,
    rolloutGroups: rolloutStats,
    oneStep: {
      transitions: one.length,
      model: step.model.summary(),
      repeatLast: step.repeatLast.summary(),
      noAction: step.noAction.summary(),
      reward: {
        accuracy: pct(rew.hit, rew.n),
        nonzeroSteps: rew.nz,
        nonzeroAccuracy: pct(rew.nzHit, rew.nz),
        noActionAccuracy: pct(rewNoAction.hit, rew.n),
        noActionNonzeroAccuracy: pct(rewNoAction.nzHit, rew.nz),
        alwaysZeroAccuracy: pct(rew.n - rew.nz, rew.n),
      },
      termination: {
        accuracy: pct(rew.doneHit, rew.n),
        terminalSteps: rew.terminal,
        recall: pct(rew.terminalHit, rew.terminal),
        falseAlarms: rew.falseAlarm,
      },
    },
  };
}
export type EvalResult = Awaited<ReturnType<typeof evaluate>>;
