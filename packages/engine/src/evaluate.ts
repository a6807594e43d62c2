import { ACHIEVEMENTS, type AchievementName, NUM_ACTIONS } from './constants.ts';
import { crafterScore } from './rules.ts';
import { episodeSeed, Rng } from './rng.ts';
import { World } from './world.ts';

/** What one finished single-player episode contributes to an evaluation. */
export interface EpisodeOutcome {
  readonly length: number;
  readonly return: number;
  /** Achievement counters at the end of the episode, in ACHIEVEMENTS order. */
  readonly achievements: ArrayLike<number>;
}

/** The evaluation summary shared by every agent's evaluation command (`--json` prints it). */
export interface EvalSummary {
  episodes: number;
  /** Crafter score in percent (§16). */
  score: number;
  /** Percentage of episodes in which each achievement was unlocked. */
  successRates: Record<AchievementName, number>;
  meanLength: number;
  meanReturn: number;
}

export function summarize(outcomes: readonly EpisodeOutcome[]): EvalSummary {
  const n = outcomes.length;
  if (n === 0) throw new RangeError('cannot summarize zero episodes');
  const successes = new Array<number>(ACHIEVEMENTS.length).fill(0);
  let length = 0;
  let ret = 0;
  for (const o of outcomes) {
    length += o.length;
    ret += o.return;
    for (let i = 0; i < ACHIEVEMENTS.length; i++) if (o.achievements[i] > 0) successes[i]++;
  }
  const rates = successes.map((s) => (100 * s) / n);
  const successRates = {} as Record<AchievementName, number>;
  for (const [i, name] of ACHIEVEMENTS.entries()) successRates[name] = rates[i];
  return { episodes: n, score: crafterScore(rates), successRates, meanLength: length / n, meanReturn: ret / n };
}

/**
 * One episode of the uniformly random agent on the world of `episodeSeed(seed, k)`.
 * Observations are not rendered: rendering never affects the game (§14), so the outcome
 * is the same as with them.
 */
export function randomEpisode(seed: number, k: number): EpisodeOutcome {
  const world = World.generate({ seed: episodeSeed(seed, k) });
  const player = world.addPlayer();
  const agent = new Rng(episodeSeed(seed, k) ^ 0x5eed);
  const actions = [0];
  while (!player.done) {
    actions[0] = agent.int(NUM_ACTIONS);
    world.step(actions);
  }
  return { length: player.episodeSteps, return: player.episodeReturn, achievements: player.achievements.slice() };
}

/** A percentile bootstrap confidence interval of the Crafter score. */
export interface ScoreInterval {
  low: number;
  high: number;
  /** Confidence level in percent (95). */
  level: number;
}

/**
 * Percentile bootstrap of the Crafter score: `rounds` resamples of the episodes with replacement
 * (seeded, so the interval is reproducible), the score of each, and the central `level` % of them.
 */
export function bootstrapScore(
  outcomes: readonly EpisodeOutcome[],
  options: { rounds?: number; level?: number; seed?: number } = {},
): ScoreInterval {
  const n = outcomes.length;
  if (n === 0) throw new RangeError('cannot bootstrap zero episodes');
  const rounds = options.rounds ?? 2000;
  const level = options.level ?? 95;
  const rng = new Rng(options.seed ?? 0xb007);
  const A = ACHIEVEMENTS.length;
  const unlocked = new Uint8Array(n * A);
  outcomes.forEach((o, i) => {
    for (let a = 0; a < A; a++) unlocked[i * A + a] = o.achievements[a] > 0 ? 1 : 0;
  });
  const counts = new Array<number>(A);
  const scores = new Float64Array(rounds);
  for (let r = 0; r < rounds; r++) {
    counts.fill(0);
    for (let j = 0; j < n; j++) {
      const i = rng.int(n);
      for (let a = 0; a < A; a++) counts[a] += unlocked[i * A + a];
    }
    scores[r] = crafterScore(counts.map((c) => (100 * c) / n));
  }
  scores.sort();
  const tail = (100 - level) / 200;
  const at = (q: number): number => scores[Math.min(rounds - 1, Math.max(0, Math.round(q * (rounds - 1))))];
  return { low: at(tail), high: at(1 - tail), level };
}
