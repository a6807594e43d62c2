/**
 * Evaluates the workforce (one worker, planner + commander + executor) on single-player
 * Crafter episodes, beside the uniformly random agent on the same seeds:
 *   npm run eval:agents -- --episodes 100 --sense privileged|fair --goal "all achievements"
 *                          [--seed S] [--threads T] [--json]
 * Episodes last 10,000 steps or until death. The progress bar goes to stderr; --json prints one
 * JSON object (the engine's EvalSummary plus the random baseline) on stdout.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import cliProgress from 'cli-progress';
import { ACHIEVEMENTS, type EpisodeOutcome, randomEpisode, summarize } from '@aikon/engine';
// The engine's CLI table printer is not part of its package API (a CLI helper, not library code).
import { printSummary } from '../../engine/cli/summary-table.ts';
import { parseGoal } from '../src/goals.ts';
import type { AgentEpisodeOutcome } from '../src/episode.ts';
import type { Sense } from '../src/senses.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      episodes: { type: 'string', default: '100' },
      sense: { type: 'string', default: 'privileged' },
      goal: { type: 'string', default: 'all achievements' },
      seed: { type: 'string', default: '0' },
      threads: { type: 'string', default: String(Math.max(1, Math.min(4, availableParallelism()))) },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npm run eval:agents -- [--episodes N] [--sense privileged|fair] ' +
        '[--goal "all achievements"] [--seed S] [--threads T] [--json]',
    );
    return;
  }
  const episodes = Number(values.episodes);
  const seed = Number(values.seed);
  const threads = Number(values.threads);
  const sense = values.sense as Sense;
  if (!Number.isSafeInteger(episodes) || episodes < 1)
    throw new Error(`--episodes must be a positive integer, got ${values.episodes}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  if (!Number.isSafeInteger(threads) || threads < 1)
    throw new Error(`--threads must be a positive integer, got ${values.threads}`);
  if (sense !== 'privileged' && sense !== 'fair')
    throw new Error(`--sense must be privileged or fair, got ${values.sense}`);
  const goal = parseGoal(values.goal);
  if (!goal.ok) throw new Error(`--goal refused: ${goal.reason}`);

  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `workforce (${sense}) [{bar}] {value}/{total} episodes | {steps} steps | ETA {eta}s`,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(episodes, 0, { steps: 0 });
  const started = performance.now();
  const outcomes: AgentEpisodeOutcome[] = new Array(episodes);
  let steps = 0;
  let done = 0;
  const pool = Math.min(threads, episodes);
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let running = pool;
    for (let w = 0; w < pool; w++) {
      const worker = new Worker(new URL('./eval-worker.mjs', import.meta.url), {
        workerData: { seed, sense, goal: values.goal },
      });
      const feed = (): void => {
        if (next < episodes) worker.postMessage(next++);
        else worker.postMessage(null);
      };
      worker.on('message', (msg: { k: number; outcome: AgentEpisodeOutcome }) => {
        outcomes[msg.k] = msg.outcome;
        steps += msg.outcome.length;
        bar.update(++done, { steps });
        feed();
      });
      worker.on('error', reject);
      worker.on('exit', () => {
        if (--running === 0) resolve();
      });
      feed();
    }
  });
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  const random: EpisodeOutcome[] = [];
  for (let k = 0; k < episodes; k++) random.push(randomEpisode(seed, k));
  const summary = summarize(outcomes);
  const baseline = summarize(random);
  const deaths = outcomes.filter((o) => o.dead).length;
  const meanUnlockStep = Object.fromEntries(
    ACHIEVEMENTS.map((name, i) => {
      const at = outcomes.map((o) => o.unlockedAt[i]).filter((t) => t >= 0);
      return [name, at.length > 0 ? Math.round(at.reduce((a, b) => a + b, 0) / at.length) : null];
    }),
  );
  if (values.json) {
    console.log(
      JSON.stringify({
        agent: 'workforce',
        sense,
        goal: values.goal,
        seed,
        ...summary,
        deaths,
        meanUnlockStep,
        random: baseline,
        steps,
        seconds,
      }),
    );
    return;
  }
  printSummary(`Workforce, ${sense} sense, goal "${values.goal}"`, summary);
  printSummary('Uniformly random agent (same seeds)', baseline);
  const weakest = ACHIEVEMENTS.map((a) => [a, summary.successRates[a]] as const)
    .sort((a, b) => a[1] - b[1])
    .slice(0, 5)
    .map(([a, r]) => `${a} ${r.toFixed(0)} %`);
  console.log(
    `\nCrafter score: workforce ${summary.score.toFixed(1)} % vs ` +
      `random ${baseline.score.toFixed(1)} % (human experts 50.5 %)`,
  );
  console.log(`deaths: ${deaths}/${episodes}; weakest: ${weakest.join(', ')}`);
  console.log(
    `${steps} agent steps in ${seconds.toFixed(1)} s on ${pool} thread(s) (${Math.round(steps / seconds)} steps/s)`,
  );
}

main().catch((error: unknown) => {
  console.error(`eval:agents: ${(error as Error).message}`);
  process.exit(2);
});
