/**
 * The training loop, end to end (packages/agents/src/loop):
 *   npm run loop -- [--iterations 1] [--quick] [--data-dir ./data] [--run-dir <data>/loop] [--models-dir ./models]
 * Each round: record workforce demonstrations (+ every consented human episode) → world simulator
 * → behaviour cloning → actor-critic in imagination → real-engine evaluation on held-out worlds →
 * registration in the models directory only of what beats the current model. `--iterations N`
 * runs until N rounds are finished in the run directory; a rerun after an interruption skips
 * finished stages and resumes training from checkpoints.
 * --quick: tiny data and few updates in a temporary directory (or --run-dir), never the repo's
 * models/ — the CI proof that the whole loop runs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runLoop } from '../src/loop/loop.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      iterations: { type: 'string', default: '1' },
      quick: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      'run-dir': { type: 'string' },
      'models-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npm run loop -- [--iterations 1] [--quick] [--data-dir ./data] ' +
        '[--run-dir <data>/loop] [--models-dir ./models] [--json]',
    );
    return;
  }
  const iterations = Number(values.iterations);
  if (!Number.isSafeInteger(iterations) || iterations < 1)
    throw new Error(`--iterations must be a positive integer, got ${values.iterations}`);
  const cwd = process.env.INIT_CWD ?? process.cwd();
  let dataDir: string;
  let runDir: string;
  let modelsDir: string;
  if (values.quick) {
    if (values['models-dir'] || values['data-dir'])
      throw new Error('--quick works in its own directory (--run-dir); it takes no --models-dir or --data-dir');
    runDir = values['run-dir'] ? resolve(cwd, values['run-dir']) : mkdtempSync(join(tmpdir(), 'aikon-loop-quick-'));
    dataDir = join(runDir, 'data');
    modelsDir = join(runDir, 'registered-models');
  } else {
    dataDir = resolve(cwd, values['data-dir'] ?? process.env.AIKON_DATA_DIR ?? './data');
    runDir = values['run-dir'] ? resolve(cwd, values['run-dir']) : join(dataDir, 'loop');
    modelsDir = resolve(cwd, values['models-dir'] ?? './models');
  }
  console.error(
    `loop: ${iterations} round(s)${values.quick ? ' (quick)' : ''}; ` +
      `data ${dataDir}, run ${runDir}, models ${modelsDir}`,
  );
  const started = performance.now();
  const rounds = await runLoop({ iterations, quick: values.quick!, dataDir, runDir, modelsDir, progress: true });
  console.error(
    `loop: ${rounds.length} round(s) finished; ${((performance.now() - started) / 1000).toFixed(0)} s in this run`,
  );
  if (values.json) console.log(JSON.stringify(rounds));
  else
    for (const h of rounds) {
      console.log(
        `round ${h.round}: ${h.policies.map((p) => `${p.name} ${p.score.toFixed(1)} %`).join(', ')}, ` +
          `random ${h.random.score.toFixed(1)} %; world model h1/h16 ` +
          `${h.worldModel.viewAccuracy['1']}/${h.worldModel.viewAccuracy['16']} %`,
      );
      console.log(`  ${h.decision}`);
      console.log(
        `  seconds: ${Object.entries(h.seconds)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
    }
}

main().catch((error: unknown) => {
  console.error(`loop: ${(error as Error).stack ?? error}`);
  process.exit(2);
});
