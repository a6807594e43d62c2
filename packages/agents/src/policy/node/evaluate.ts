/**
 * A manifest policy evaluated in the real engine, acting alone from the fair view (the code of
 * `npm run eval:policy` and of the loop's evaluation stage): single-player Crafter episodes
 * (10,000 steps or death) on `episodeSeed(seed, k)`, refused if any is a world the policy was
 * trained on; the engine's EvalSummary, a 95 % bootstrap interval of the score, deaths, and the
 * uniformly random agent on the same seeds.
 */
import {
  bootstrapScore,
  episodeSeed,
  type EvalSummary,
  randomEpisode,
  type ScoreInterval,
  summarize,
} from '@aikon/engine';
import { findPolicy, type PolicyEntry } from '@aikon/world-model';
import { readManifest, upsertEntry } from '@aikon/world-model/node';
import { type DeathCause, policyEpisodes } from '../rollout.ts';
import { OrtPolicy } from './ort-policy.ts';

export interface PolicyEvaluation {
  entry: PolicyEntry;
  summary: EvalSummary;
  scoreInterval: ScoreInterval;
  deaths: number;
  /** Deaths by cause (rollout.ts deathCause). */
  deathCauses: Partial<Record<DeathCause, number>>;
  random: EvalSummary;
  randomInterval: ScoreInterval;
  steps: number;
  seconds: number;
  /** The runtime that ran the policy. */
  runtime: string;
}

/** Evaluation worlds the policy was trained on (demonstration worlds, fine-tuning seed ranges). */
export function trainedOnEvaluationWorlds(entry: PolicyEntry, seed: number, episodes: number): number[] {
  const trained = new Set(entry.training.data.worldSeeds);
  for (const r of entry.training.data.seedRanges ?? [])
    for (let k = 0; k < r.count; k++) trained.add(episodeSeed(r.base, k));
  return Array.from({ length: episodes }, (_, k) => episodeSeed(seed, k)).filter((s) => trained.has(s));
}

export async function evaluatePolicy(
  modelsDir: string,
  name: string,
  o: {
    episodes: number;
    seed: number;
    temperature: number;
    parallel: number;
    onEpisode?: (done: number, steps: number) => void;
  },
): Promise<PolicyEvaluation> {
  const entry = findPolicy(readManifest(modelsDir), name);
  const reused = trainedOnEvaluationWorlds(entry, o.seed, o.episodes);
  if (reused.length > 0)
    throw new Error(
      `seed ${o.seed}: ${reused.length} evaluation worlds were ` +
        `trained on by ${name} (e.g. ${reused[0]}); pick another seed`,
    );
  const policy = await OrtPolicy.load(modelsDir, name);
  const started = performance.now();
  let done = 0;
  try {
    const outcomes = await policyEpisodes(policy, {
      seed: o.seed,
      episodes: o.episodes,
      temperature: o.temperature,
      parallel: o.parallel,
      onEpisode: (_k, _o, steps) => o.onEpisode?.(++done, steps),
    });
    const random = Array.from({ length: o.episodes }, (_, k) => randomEpisode(o.seed, k));
    return {
      entry,
      summary: summarize(outcomes),
      scoreInterval: bootstrapScore(outcomes),
      deaths: outcomes.filter((x) => x.dead).length,
      deathCauses: outcomes.reduce<Partial<Record<DeathCause, number>>>((n, x) => {
        if (x.cause) n[x.cause] = (n[x.cause] ?? 0) + 1;
        return n;
      }, {}),
      random: summarize(random),
      randomInterval: bootstrapScore(random),
      steps: outcomes.reduce((n, x) => n + x.length, 0),
      seconds: (performance.now() - started) / 1000,
      runtime: policy.name,
    };
  } finally {
    await policy.dispose();
  }
}

/** Writes an evaluation's figures into the policy's manifest entry (refused if the model changed meanwhile). */
export function writePolicyMetrics(
  modelsDir: string,
  e: PolicyEvaluation,
  o: { command: string; seed: number; temperature: number },
): void {
  const fresh = findPolicy(readManifest(modelsDir), e.entry.name);
  if (fresh.sha256 !== e.entry.sha256)
    throw new Error(`models/${e.entry.file} changed during the evaluation; figures not written`);
  upsertEntry(modelsDir, {
    ...fresh,
    metrics: {
      command: o.command,
      evaluatedAt: new Date().toISOString(),
      seed: o.seed,
      temperature: o.temperature,
      ...e.summary,
      scoreInterval: e.scoreInterval,
      deaths: e.deaths,
      randomScore: e.random.score,
    },
  });
}
