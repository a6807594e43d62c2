/**
 * Evaluates a learned policy from models/ in the real engine, acting alone from the fair view:
 *   npm run eval:policy -- --model NAME [--episodes 100] [--seed 0] [--temperature 1] [--json] [--no-write]
 * Single-player Crafter episodes (10,000 steps or death) on `episodeSeed(seed, k)` — the seeds
 * eval:random and eval:agents use — refused if any is a world the policy was trained on. Prints
 * the engine's EvalSummary (the JSON shape of eval:random / eval:agents) plus `model` and a 95 %
 * bootstrap interval of the score, beside the random agent on the same seeds; writes the figures
 * into the model's manifest entry unless --no-write.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ACHIEVEMENTS, bootstrapScore, episodeSeed, randomEpisode, summarize } from '@aikon/engine';
import { findPolicy } from '@aikon/world-model';
import { readManifest, upsertEntry } from '@aikon/world-model/node';
// The engine's CLI table printer is not part of its package API (a CLI helper, not library code).
import { printSummary } from '../../engine/cli/summary-table.ts';
import { OrtPolicy } from '../src/policy/node/ort-policy.ts';
import { policyEpisodes } from '../src/policy/rollout.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      episodes: { type: 'string', default: '100' },
      seed: { type: 'string', default: '0' },
      temperature: { type: 'string', default: '1' },
      parallel: { type: 'string', default: '100' },
      'models-dir': { type: 'string', default: './models' },
      json: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help || !values.model) {
    console.log('usage: npm run eval:policy -- --model NAME [--episodes 100] [--seed 0] [--temperature 1] [--parallel 100] [--models-dir ./models] [--json] [--no-write]');
    if (!values.help) process.exit(2);
    return;
  }
  const episodes = Number(values.episodes);
  const seed = Number(values.seed);
  const temperature = Number(values.temperature);
  const parallel = Number(values.parallel);
  if (!Number.isSafeInteger(episodes) || episodes < 1) throw new Error(`--episodes must be a positive integer, got ${values.episodes}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  if (!(temperature >= 0)) throw new Error(`--temperature must be ≥ 0, got ${values.temperature}`);
  if (!Number.isSafeInteger(parallel) || parallel < 1) throw new Error(`--parallel must be a positive integer, got ${values.parallel}`);
  const modelsDir = resolve(process.env.INIT_CWD ?? process.cwd(), values['models-dir']!);
  const entry = findPolicy(readManifest(modelsDir), values.model);
  const trained = new Set(entry.training.data.worldSeeds);
  for (const r of entry.training.data.seedRanges ?? []) for (let k = 0; k < r.count; k++) trained.add(episodeSeed(r.base, k));
  const reused = Array.from({ length: episodes }, (_, k) => episodeSeed(seed, k)).filter((s) => trained.has(s));
  if (reused.length > 0) throw new Error(`--seed ${seed}: ${reused.length} evaluation worlds were trained on (e.g. ${reused[0]}); pick another seed`);
  const policy = await OrtPolicy.load(modelsDir, values.model);

  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `policy ${entry.name} [{bar}] {value}/{total} episodes | {steps} steps | ETA {eta}s`, noTTYOutput: true, notTTYSchedule: 10_000 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(episodes, 0, { steps: 0 });
  const started = performance.now();
  let done = 0;
  const outcomes = await policyEpisodes(policy, { seed, episodes, temperature, parallel, onEpisode: (_k, _o, steps) => bar.update(++done, { steps }) });
  bar.stop();
  await policy.dispose();
  const seconds = (performance.now() - started) / 1000;
  const steps = outcomes.reduce((n, o) => n + o.length, 0);
  const summary = summarize(outcomes);
  const scoreInterval = bootstrapScore(outcomes);
  const random = summarize(Array.from({ length: episodes }, (_, k) => randomEpisode(seed, k)));
  const deaths = outcomes.filter((o) => o.dead).length;
  const command = `npm run eval:policy -- ${process.argv.slice(2).join(' ')}`;
  if (!values['no-write']) {
    const fresh = findPolicy(readManifest(modelsDir), entry.name);
    if (fresh.sha256 !== entry.sha256) throw new Error(`models/${entry.file} changed during the evaluation; figures not written`);
    upsertEntry(modelsDir, { ...fresh, metrics: { command, evaluatedAt: new Date().toISOString(), seed, temperature, ...summary, scoreInterval, deaths, randomScore: random.score } });
  }
  if (values.json) {
    console.log(JSON.stringify({ agent: 'policy', model: entry.name, seed, temperature, ...summary, scoreInterval, deaths, random, steps, seconds }));
    return;
  }
  printSummary(`Policy ${entry.name} (fair view, temperature ${temperature})`, summary);
  printSummary('Uniformly random agent (same seeds)', random);
  const weakest = ACHIEVEMENTS.map((a) => [a, summary.successRates[a]] as const)
    .sort((a, b) => b[1] - a[1])
    .filter(([, r]) => r > 0)
    .map(([a, r]) => `${a} ${r.toFixed(0)} %`);
  console.log(`\nCrafter score: ${entry.name} ${summary.score.toFixed(1)} % (95 % bootstrap ${scoreInterval.low.toFixed(1)}–${scoreInterval.high.toFixed(1)}) vs random ${random.score.toFixed(1)} %`);
  console.log(`deaths: ${deaths}/${episodes}; unlocked: ${weakest.join(', ') || 'nothing'}`);
  console.log(`${steps} steps in ${seconds.toFixed(1)} s (${Math.round(steps / seconds)} steps/s, ${policy.name})`);
}

main().catch((error: unknown) => {
  console.error(`eval:policy: ${(error as Error).message}`);
  process.exit(2);
});
