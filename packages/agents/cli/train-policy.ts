/**
 * Behaviour cloning of the workforce's fair-sense play:
 *   npm run train:policy -- [--name bc-small] [--config small|tiny] [--demos 150] [--demo-seed 1]
 *                           [--steps 6000] [--batch 256] [--lr 0.001] [--max-minutes 20] [--resume]
 *                           [--no-human] [--data-dir ./data] [--models-dir ./models] [--init-from bc-small]
 *                           [--decisive-weight 1]
 * 1. demonstrations: the workforce plays `--demos` single-player sessions recorded into the data
 *    directory through the datasets pipeline (kept in <data>/policies/<name>/demos.json, reused);
 * 2. read back through the datasets pipeline (plus every consented human episode unless --no-human);
 * 3. BC training with checkpoints in <data>/policies/<name>/ (--resume continues);
 * 4. ONNX export into the models directory with a manifest entry of kind 'policy'.
 * --init-from starts from a policy of the models directory instead of fresh weights (its frames
 * and hidden sizes; the features the config adds, e.g. the memory map's, start at zero weight).
 * --decisive-weight W multiplies the cross-entropy of the demonstrator's rare decisive actions
 * (sleep, place_*, make_*: bc.ts DECISIVE_ACTIONS) by W.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { findPolicy, type PolicyEntry } from '@aikon/world-model';
import { readManifest } from '@aikon/world-model/node';
import { POLICY_CONFIGS, type PolicyWeights, widenPolicyWeights } from '../src/policy/network.ts';
import { importPolicyOnnx } from '../src/policy/onnx-export.ts';
import { trainBc } from '../src/policy/node/bc.ts';
import { generateDemos, loadDemos } from '../src/policy/node/demos.ts';
import { exportPolicy } from '../src/policy/node/export-policy.ts';

const DemoRecordSchema = z.object({
  sessions: z.array(z.string()),
  worldSeeds: z.array(z.number().int()),
  seed: z.number().int(),
  demonstrator: z.string(),
  seconds: z.number(),
});

function bar(label: string) {
  return new cliProgress.SingleBar(
    {
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 15_000,
      format: `${label} [{bar}] {value}/{total} | ETA {eta}s`,
    },
    cliProgress.Presets.shades_classic,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      name: { type: 'string', default: 'bc-small' },
      config: { type: 'string', default: 'small' },
      demos: { type: 'string', default: '150' },
      'demo-seed': { type: 'string', default: '1' },
      steps: { type: 'string', default: '6000' },
      batch: { type: 'string', default: '256' },
      lr: { type: 'string', default: '0.001' },
      seed: { type: 'string', default: '0' },
      'max-minutes': { type: 'string', default: '20' },
      resume: { type: 'boolean', default: false },
      'no-human': { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: process.env.AIKON_DATA_DIR ?? './data' },
      'models-dir': { type: 'string', default: './models' },
      'init-from': { type: 'string' },
      'decisive-weight': { type: 'string', default: '1' },
    },
    strict: true,
  });
  const int = (k: keyof typeof values): number => {
    const v = Number(values[k]);
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`--${k} must be a non-negative integer, got ${values[k]}`);
    return v;
  };
  const decisiveWeight = Number(values['decisive-weight']);
  if (!(decisiveWeight > 0 && Number.isFinite(decisiveWeight)))
    throw new Error(`--decisive-weight must be a positive number, got ${values['decisive-weight']}`);
  const config = POLICY_CONFIGS[values.config!];
  if (!config) throw new Error(`--config must be one of ${Object.keys(POLICY_CONFIGS).join(', ')}`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(values.name!))
    throw new Error('--name must be lowercase letters, digits and dashes');
  // Paths are relative to where npm was started (npm runs the script in the workspace).
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const dataDir = resolve(cwd, values['data-dir']!);
  const runDir = join(dataDir, 'policies', values.name!);
  mkdirSync(runDir, { recursive: true });
  const started = performance.now();

  const demoPath = join(runDir, 'demos.json');
  let record: z.infer<typeof DemoRecordSchema>;
  if (existsSync(demoPath)) {
    record = DemoRecordSchema.parse(JSON.parse(readFileSync(demoPath, 'utf8')));
    console.error(`demonstrations: reusing ${record.sessions.length} sessions (${demoPath})`);
  } else {
    const n = int('demos');
    const b = bar('demonstrations (workforce, fair)');
    b.start(n, 0);
    const t0 = performance.now();
    const g = generateDemos({
      dataDir,
      episodes: n,
      seed: int('demo-seed'),
      sense: 'fair',
      onProgress: (d) => b.update(d),
    });
    b.stop();
    record = {
      sessions: g.sessions,
      worldSeeds: g.worldSeeds,
      seed: int('demo-seed'),
      demonstrator: 'workforce-fair',
      seconds: (performance.now() - t0) / 1000,
    };
    writeFileSync(demoPath, JSON.stringify(record));
    console.error(`demonstrations: ${g.sessions.length} sessions, ${g.steps} steps in ${record.seconds.toFixed(0)} s`);
  }
  const rb = bar('reading back');
  rb.start(record.sessions.length, 0);
  const demos = loadDemos(dataDir, {
    sessions: record.sessions,
    human: !values['no-human'],
    onProgress: (d, t) => rb.update(d, { total: t }),
  });
  rb.stop();
  console.error(
    `read back: ${demos.steps.ai} workforce steps (${demos.episodes.ai} episodes), ` +
      `${demos.steps.human} human steps (${demos.episodes.human} episodes)` +
      (demos.autopilotSteps
        ? `; ${demos.autopilotSteps} steps of those episodes chosen by their autopilot are context, not labels`
        : ''),
  );

  let init: PolicyWeights | undefined;
  let from: PolicyEntry | undefined;
  if (values['init-from']) {
    const modelsDir = resolve(cwd, values['models-dir']!);
    from = findPolicy(readManifest(modelsDir), values['init-from']);
    const start = importPolicyOnnx(new Uint8Array(readFileSync(join(modelsDir, from.file))));
    init = widenPolicyWeights(start.config, start.weights, config);
    console.error(`starting from ${from.name} (${start.config.name})`);
  }
  const ck = await trainBc({
    config,
    init,
    demos,
    data: {
      dir: values['data-dir']!,
      steps: demos.steps,
      episodes: demos.episodes,
      demonstrator: record.demonstrator,
      sessions: demos.sessions.length,
      worldSeeds: demos.worldSeeds,
    },
    runDir,
    steps: int('steps'),
    batch: int('batch'),
    lr: Number(values.lr),
    seed: int('seed'),
    resume: values.resume!,
    decisiveWeight,
    maxMinutes: Number(values['max-minutes']),
    checkpointEvery: 200,
    validateEvery: 250,
    progress: true,
  });
  const last = ck.state.history.findLast((h) => h.valAccuracy !== undefined);
  console.error(
    `bc: ${ck.state.step} steps in ${ck.state.trainSeconds.toFixed(0)} s; validation loss ` +
      `${last?.valLoss?.toFixed(3)} accuracy ${((last?.valAccuracy ?? NaN) * 100).toFixed(1)} %`,
  );
  const entry = await exportPolicy(ck, {
    modelsDir: resolve(cwd, values['models-dir']!),
    name: values.name!,
    command: `npm run train:policy -- ${process.argv.slice(2).join(' ')}`,
    earlierStages: from?.training.stages,
  });
  console.error(
    `exported models/${entry.file} (${entry.bytes} bytes); total ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}

main().catch((error: unknown) => {
  console.error(`train:policy: ${(error as Error).stack ?? error}`);
  process.exit(2);
});
