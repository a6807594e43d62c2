/**
 * Evaluates the uniformly random agent on single-player Crafter:
 *   npm run eval:random -- --episodes 1000 --seed 0 [--json]
 * Prints per-achievement success rates, the Crafter score, mean length and return.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { randomEpisode, summarize, type EpisodeOutcome } from '../src/evaluate.ts';
import { printSummary } from './summary-table.ts';

function main(): void {
  const { values } = parseArgs({
    options: {
      episodes: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '0' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log('usage: npm run eval:random -- [--episodes N] [--seed S] [--json]');
    return;
  }
  const episodes = Number(values.episodes);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(episodes) || episodes < 1)
    throw new Error(`--episodes must be a positive integer, got ${values.episodes}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);

  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'random agent [{bar}] {value}/{total} episodes | {steps} steps | ETA {eta}s' },
    cliProgress.Presets.shades_classic,
  );
  bar.start(episodes, 0, { steps: 0 });
  const started = performance.now();
  const outcomes: EpisodeOutcome[] = [];
  let steps = 0;
  for (let k = 0; k < episodes; k++) {
    const outcome = randomEpisode(seed, k);
    outcomes.push(outcome);
    steps += outcome.length;
    bar.update(k + 1, { steps });
  }
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  const summary = summarize(outcomes);
  if (values.json) {
    console.log(JSON.stringify({ agent: 'random', seed, ...summary, steps, seconds }));
  } else {
    printSummary('Uniformly random agent', summary);
    console.log(`${steps} steps in ${seconds.toFixed(1)} s (${Math.round(steps / seconds)} steps/s)`);
  }
}

try {
  main();
} catch (error) {
  console.error(`eval:random: ${(error as Error).message}`);
  process.exit(2);
}
