/**
 * Trains the token dream model, then exports it to ONNX and registers it in models/manifest.json.
 *
 *   npm run train:token-dream -- --data data/world-model/episodes --config small
 *
 * --data DIR        a directory of episode files (format: src/episodes.ts); when it is empty or
 *                   missing it is first filled with the seeded random + scripted episodes
 * --config NAME     tiny | small | base
 * --run DIR         checkpoint directory (default data/world-model/runs/<config>)
 * --resume          continue from the run directory's checkpoint (a finished run only re-exports)
 * --export-only     export the run directory's checkpoint as it is (no training)
 * --steps N --batch N --lr X --seed N --max-minutes M
 * --changed-view-weight W, --changed-state-weight W
 *                   loss weight of view / other target tokens that differ from the newest context frame
 * --reward-weight W   loss weight of nonzero-reward transitions in the reward head
 * --name NAME       model name in the manifest (default token-dream-<config>)
 * --models DIR      where the ONNX file and manifest go (default models/)
 * --no-export       train only
 * Relative paths are resolved against the directory npm was started from.
 */
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { getConfig } from '../src/config.ts';
import { loadDataset } from '../src/node/episode-files.ts';
import { DEFAULT_GENERATION, generateEpisodes } from '../src/node/generate.ts';
import { loadCheckpoint } from '../src/node/checkpoint.ts';
import { train } from '../src/node/train.ts';

const DEFAULTS: Record<string, { steps: number; batch: number; lr: number }> = {
  tiny: { steps: 200, batch: 16, lr: 3e-3 },
  small: { steps: 2400, batch: 32, lr: 2e-3 },
  base: { steps: 20000, batch: 64, lr: 1e-3 },
};

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    config: { type: 'string', default: 'small' },
    run: { type: 'string' },
    resume: { type: 'boolean', default: false },
    'export-only': { type: 'boolean', default: false },
    steps: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'max-minutes': { type: 'string', default: '1000000' },
    'changed-view-weight': { type: 'string', default: '1' },
    'changed-state-weight': { type: 'string', default: '1' },
    'reward-weight': { type: 'string', default: '1' },
    name: { type: 'string' },
    models: { type: 'string' },
    'no-export': { type: 'boolean', default: false },
    'no-progress': { type: 'boolean', default: false },
  },
});
const cwd = process.env.INIT_CWD ?? process.cwd();
const repoRoot = resolve(import.meta.dirname, '../../..');
if (!values.data) {
  console.error('usage: npm run train:token-dream -- --data <episode dir> [--config small] [--resume] [--max-minutes 20]');
  process.exit(2);
}
const dataDir = resolve(cwd, values.data);
if (!existsSync(dataDir) || readdirSync(dataDir).length === 0) {
  // A fresh checkout has no data yet: the default dataset is re-created bit for bit from seeds.
  console.log(`${dataDir} is ${existsSync(dataDir) ? 'empty' : 'missing'}: generating the seeded random + scripted episodes ...`);
  const r = generateEpisodes({ out: dataDir, ...DEFAULT_GENERATION });
  console.log(`  ${r.episodes} episodes, ${r.steps} steps`);
}
const config = getConfig(values.config!);
const d = DEFAULTS[config.name] ?? DEFAULTS.small;
const data = loadDataset(dataDir);
console.log(`data: ${data.files} files (${Object.entries(data.sources).map(([k, v]) => `${v} ${k}`).join(', ')}), ${data.train.length} train / ${data.validation.length} validation episodes`);
const runDir = resolve(cwd, values.run ?? resolve(repoRoot, 'data/world-model/runs', config.name));
const t0 = performance.now();
const ck = values['export-only'] ? loadCheckpoint(runDir) : await train({
  config,
  data,
  dataDir: values.data,
  runDir,
  steps: Number(values.steps ?? d.steps),
  batch: Number(values.batch ?? d.batch),
  lr: Number(values.lr ?? d.lr),
  seed: Number(values.seed),
  resume: values.resume!,
  maxMinutes: Number(values['max-minutes']),
  weights: { changedView: Number(values['changed-view-weight']), changedState: Number(values['changed-state-weight']), reward: Number(values['reward-weight']) },
  checkpointEvery: 100,
  validateEvery: 100,
  progress: !values['no-progress'] && process.stderr.isTTY === true,
});
console.log(`trained ${ck.state.step} steps in ${ck.state.trainSeconds.toFixed(0)} s (this session ${((performance.now() - t0) / 1000).toFixed(0)} s); checkpoint in ${runDir}`);
if (!values['no-export']) {
  const { exportTrained } = await import('../src/node/export-model.ts');
  const args = process.argv.slice(2).filter((a) => a !== '--resume' && a !== '--export-only');
  const command = `npm run train:token-dream -- ${args.join(' ')}`;
  const entry = await exportTrained(ck, { modelsDir: resolve(cwd, values.models ?? resolve(repoRoot, 'models')), command, ...(values.name ? { name: values.name } : {}) });
  console.log(`exported ${entry.file} (${entry.bytes} bytes, sha256 ${entry.sha256.slice(0, 12)}…)`);
}
