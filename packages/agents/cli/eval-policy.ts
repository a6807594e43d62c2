/**
 * Evaluates a learned policy from models/ in the real engine, acting alone from the fair view:
 *   npm run eval:policy -- --model NAME [--episodes 100] [--seed 0] [--temperature 1] [--json] [--no-write]
 * Single-player Crafter episodes (10,000 steps or death) on `episodeSeed(seed, k)` — the seeds
 * eval:random and eval:agents use — refused if any is a world the policy was trained on. Prints
 * the engine's EvalSummary (the JSON shape of eval:random / eval:agents) plus `model` and a 95 %
 * bootstrap interval of the score, beside the random agent on the same seeds; writes the figures
 * into the model's manifest entry unless --no-write.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ACHIEVEMENTS } from '@aikon/engine';
// The engine's CLI table printer is not part of its package API (a CLI helper, not library code).
import { printSummary } from '../../engine/cli/summary-table.ts';
import { evaluatePolicy, writePolicyMetrics } from '../src/policy/node/evaluate.ts';
import { POLICY_EVAL_OPTIONS, policyEvalArgs } from './policy-eval-args.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...POLICY_EVAL_OPTIONS,
      parallel: { type: 'string', default: '100' },
      json: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help || !values.model) {
    console.log(
      'usage: npm run eval:policy -- --model NAME [--episodes 100] [--seed 0] ' +
        '[--temperature 1] [--parallel 100] [--models-dir ./models] [--json] [--no-write]',
    );
    if (!values.help) process.exit(2);
    return;
  }
  const { episodes, seed, temperature, modelsDir } = policyEvalArgs(values);
  const parallel = Number(values.parallel);
  if (!Number.isSafeInteger(parallel) || parallel < 1)
    throw new Error(`--parallel must be a positive integer, got ${values.parallel}`);
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `policy ${values.model} [{bar}] {value}/{total} episodes | {steps} steps | ETA {eta}s`,
      noTTYOutput: true,
      notTTYSchedule: 10_000,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(episodes, 0, { steps: 0 });
  const e = await evaluatePolicy(modelsDir, values.model, {
    episodes,
    seed,
    temperature,
    parallel,
    onEpisode: (done, steps) => bar.update(done, { steps }),
  }).finally(() => bar.stop());
  const { entry, summary, scoreInterval, deaths, deathCauses, random, steps, seconds } = e;
  const command = `npm run eval:policy -- ${process.argv.slice(2).join(' ')}`;
  if (!values['no-write']) writePolicyMetrics(modelsDir, e, { command, seed, temperature });
  if (values.json) {
    console.log(
      JSON.stringify({
        agent: 'policy',
        model: entry.name,
        seed,
        temperature,
        ...summary,
        scoreInterval,
        deaths,
        deathCauses,
        random,
        steps,
        seconds,
      }),
    );
    return;
  }
  printSummary(`Policy ${entry.name} (fair view, temperature ${temperature})`, summary);
  printSummary('Uniformly random agent (same seeds)', random);
  const weakest = ACHIEVEMENTS.map((a) => [a, summary.successRates[a]] as const)
    .sort((a, b) => b[1] - a[1])
    .filter(([, r]) => r > 0)
    .map(([a, r]) => `${a} ${r.toFixed(0)} %`);
  console.log(
    `\nCrafter score: ${entry.name} ${summary.score.toFixed(1)} % (95 % bootstrap ` +
      `${scoreInterval.low.toFixed(1)}–${scoreInterval.high.toFixed(1)}) vs random ${random.score.toFixed(1)} %`,
  );
  const causes = Object.entries(deathCauses).map(([c, n]) => `${c} ${n}`);
  console.log(
    `deaths: ${deaths}/${episodes} (${causes.join(', ') || 'none'}); unlocked: ${weakest.join(', ') || 'nothing'}`,
  );
  console.log(`${steps} steps in ${seconds.toFixed(1)} s (${Math.round(steps / seconds)} steps/s, ${e.runtime})`);
}

main().catch((error: unknown) => {
  console.error(`eval:policy: ${(error as Error).message}`);
  process.exit(2);
});
