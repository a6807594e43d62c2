/**
 * When in the day a learned policy's episodes end, and what it does at night (docs/POLICIES.md,
 * *Where its episodes end*):
 *   npx tsx packages/agents/scripts/deaths-by-time.ts --model NAME [--episodes 100] [--seed 0]
 *                                                    [--temperature 1] [--models-dir ./models] [--json]
 * Plays the episodes eval:policy plays (same worlds, same sampling, so the same outcomes) and puts
 * each death in a period of the day by its step: the first day before dusk, the 100 steps before the
 * first night, the first night, the first dawn, or later (in a later night or not), with its cause;
 * plus the quartiles of the episodes' lengths and the share of each kind of action taken at night.
 * Night is daylight below the workforce's night threshold (tuning.ts), by the engine's daylightAt.
 */
import { parseArgs } from 'node:util';
import { ACTIONS, DAY_LENGTH, daylightAt } from '@aikon/engine';
import { findPolicy } from '@aikon/world-model';
import { readManifest } from '@aikon/world-model/node';
import { OrtPolicy } from '../src/policy/node/ort-policy.ts';
import { trainedOnEvaluationWorlds } from '../src/policy/node/evaluate.ts';
import { type PolicyEpisodeOutcome, policyEpisodes } from '../src/policy/rollout.ts';
import { TUNING } from '../src/tuning.ts';
import { POLICY_EVAL_OPTIONS, policyEvalArgs } from '../cli/policy-eval-args.ts';

const DUSK = 100;
/** eval:policy's default batch, so that the sampled episodes are eval:policy's. */
const PARALLEL = 100;
const USAGE =
  'usage: npx tsx packages/agents/scripts/deaths-by-time.ts --model NAME [--episodes 100] [--seed 0] ' +
  '[--temperature 1] [--models-dir ./models] [--json]';

const isNight = (t: number): boolean => daylightAt(t) < TUNING.daylight.night;
const nightPhases = Array.from({ length: DAY_LENGTH }, (_, p) => p).filter(isNight);
const [nightStart, nightEnd] = [nightPhases[0], nightPhases[nightPhases.length - 1]];

const PERIODS = ['first day', 'before first night', 'first night', 'first dawn', 'later night', 'later day'] as const;
type Period = (typeof PERIODS)[number];

function period(t: number): Period {
  if (t < nightStart - DUSK) return 'first day';
  if (t < nightStart) return 'before first night';
  if (t <= nightEnd) return 'first night';
  if (t < DAY_LENGTH) return 'first dawn';
  return isNight(t) ? 'later night' : 'later day';
}

/** The action kinds the night's table counts (the four moves as one). */
function actionKind(a: number): string {
  const name = ACTIONS[a];
  return name.startsWith('move_') ? 'move' : name;
}

/** Quartiles interpolated between order statistics (numpy's default), rounded to steps. */
function quartiles(xs: number[]): [number, number, number] {
  const s = xs.toSorted((a, b) => a - b);
  const at = (q: number): number => {
    const i = q * (s.length - 1);
    const lo = Math.floor(i);
    return Math.round(s[lo] + (i - lo) * ((s[lo + 1] ?? s[lo]) - s[lo]));
  };
  return [at(0.25), at(0.5), at(0.75)];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...POLICY_EVAL_OPTIONS,
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help || !values.model) {
    console.log(USAGE);
    if (!values.help) process.exit(2);
    return;
  }
  const { episodes, seed, temperature, modelsDir } = policyEvalArgs(values);
  const reused = trainedOnEvaluationWorlds(findPolicy(readManifest(modelsDir), values.model), seed, episodes);
  if (reused.length > 0) throw new Error(`seed ${seed}: ${reused.length} worlds were trained on by ${values.model}`);

  const policy = await OrtPolicy.load(modelsDir, values.model);
  const steps = new Array<number>(episodes).fill(0);
  const nightActions: Record<string, number> = {};
  let outcomes: PolicyEpisodeOutcome[];
  try {
    outcomes = await policyEpisodes(policy, {
      seed,
      episodes,
      temperature,
      parallel: PARALLEL,
      // The action before frame t+1 was taken at step t (the episode's last action is not seen).
      onFrame: (k, _frame, a) => {
        if (a === undefined) return;
        if (isNight(steps[k]++)) nightActions[actionKind(a)] = (nightActions[actionKind(a)] ?? 0) + 1;
      },
    });
  } finally {
    await policy.dispose();
  }
  const deaths: Partial<Record<Period, Record<string, number>>> = {};
  for (const o of outcomes) {
    if (!o.dead || !o.cause) continue;
    const p = period(o.length);
    const causes = deaths[p] ?? {};
    causes[o.cause] = (causes[o.cause] ?? 0) + 1;
    deaths[p] = causes;
  }
  const nightTotal = Object.values(nightActions).reduce((n, x) => n + x, 0);
  const nightShare = Object.fromEntries(
    Object.entries(nightActions)
      .sort((a, b) => b[1] - a[1])
      .map(([kind, n]) => [kind, Math.round((1000 * n) / nightTotal) / 10]),
  );
  const result = {
    model: values.model,
    seed,
    episodes,
    temperature,
    night: { threshold: TUNING.daylight.night, firstNight: [nightStart, nightEnd] },
    deaths,
    deadBefore300: outcomes.filter((o) => o.dead && o.length < DAY_LENGTH).length,
    lengthQuartiles: quartiles(outcomes.map((o) => o.length)),
    nightActionsPercent: nightShare,
  };
  if (values.json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`${values.model}: ${episodes} episodes, seed ${seed}, temperature ${temperature}`);
  console.log(`night: daylight < ${TUNING.daylight.night}, steps ${nightStart}–${nightEnd} of each ${DAY_LENGTH}`);
  console.log(`dead before step ${DAY_LENGTH}: ${result.deadBefore300}`);
  for (const p of PERIODS) {
    const causes = deaths[p];
    if (!causes) continue;
    const total = Object.values(causes).reduce((n, x) => n + x, 0);
    const parts = Object.entries(causes).map(([c, n]) => `${c} ${n}`);
    console.log(`  ${p}: ${total} (${parts.join(', ')})`);
  }
  console.log(`length quartiles: ${result.lengthQuartiles.join(' / ')}`);
  const shares = Object.entries(nightShare).map(([kind, pct]) => `${kind} ${pct} %`);
  console.log(`actions at night: ${shares.join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(`deaths-by-time: ${(error as Error).message}\n${USAGE}`);
  process.exit(2);
});
