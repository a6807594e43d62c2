/**
 * Calibration of a trained world simulator on calibration episodes — fresh episodes that are
 * neither in its training data nor in the evaluation's held-out split — so the evaluation stays
 * a test. Today one setting: the event threshold (`SimCalibration.eventThreshold`).
 */
import type { TokenEpisode } from '../episodes.ts';
import { SimDreams } from '../sim/dream.ts';
import { type SimCalibration, SimModel } from '../sim/model.ts';
import { startAt } from './sim-evaluate.ts';

export interface EventThresholdChoice {
  readonly eventThreshold: number;
  /** One-step unlock precision and recall (%) on the calibration episodes at that threshold … */
  readonly precision: number;
  readonly recall: number;
  /** … and with the head's argmax (no threshold). */
  readonly argmax: { readonly precision: number; readonly recall: number };
  readonly transitions: number;
  readonly unlocks: number;
}

/**
 * The event threshold that maximises min(precision, recall) of one-step achievement unlocks
 * (teacher-forced from every state of `episodes`, scored as the evaluation scores them: a
 * predicted unlock is right when the step really unlocked one). Candidates: 0 and each predicted
 * unlock's probability; ties go to the lower threshold. Suppressing an event at one step changes
 * nothing else of that step's unlock score, so the sweep is exact.
 */
export function chooseEventThreshold(
  model: SimModel,
  episodes: readonly TokenEpisode[],
  batch = 256,
): EventThresholdChoice {
  const plain = new SimModel(model.arch, model.params); // no calibration: the head's argmax
  const items: { ep: TokenEpisode; t: number }[] = [];
  for (const ep of episodes) for (let t = 0; t < ep.length; t++) items.push({ ep, t });
  const predicted: { p: number; real: boolean }[] = [];
  let unlocks = 0;
  for (let b0 = 0; b0 < items.length; b0 += batch) {
    const chunk = items.slice(b0, b0 + batch);
    const dreams = new SimDreams(plain, chunk.length);
    dreams.reset(chunk.map(({ ep, t }) => startAt(ep, t, 16)));
    const r = dreams.step(chunk.map(({ ep, t }) => ep.actions[t]));
    chunk.forEach(({ ep, t }, i) => {
      const real = ep.rewards[t] >= 0.5;
      if (real) unlocks++;
      if (r.unlock[i] >= 0) predicted.push({ p: r.eventProbability[i], real });
    });
  }
  if (unlocks === 0) throw new Error('the calibration episodes hold no achievement unlock: nothing to calibrate on');
  const score = (tau: number) => {
    let tp = 0,
      fp = 0;
    for (const x of predicted) if (x.p >= tau) x.real ? tp++ : fp++;
    const pct = (a: number, b: number) => (b ? Math.round((10000 * a) / b) / 100 : 0);
    return { precision: pct(tp, tp + fp), recall: pct(tp, unlocks) };
  };
  const candidates = [0, ...new Set(predicted.map((x) => x.p))].sort((a, b) => a - b);
  let best = 0;
  let bestScore = -1;
  for (const tau of candidates) {
    const s = score(tau);
    const m = Math.min(s.precision, s.recall);
    if (m > bestScore) {
      bestScore = m;
      best = tau;
    }
  }
  // Halfway to the next lower candidate: the same predictions, less brittle to rounding.
  const below = candidates.filter((c) => c < best).at(-1) ?? 0;
  const eventThreshold = Math.round(((best + below) / 2) * 1e6) / 1e6;
  return {
    eventThreshold,
    ...score(eventThreshold),
    argmax: score(0),
    transitions: items.length,
    unlocks,
  };
}

/** The model with the chosen calibration (same weights). */
export function calibrated(model: SimModel, c: SimCalibration): SimModel {
  return new SimModel(model.arch, model.params, c);
}
