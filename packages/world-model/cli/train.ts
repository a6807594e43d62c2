/**
 * Trains the token dream model, then exports it to ONNX and registers it in models/manifest.json.
 *
 *   npm run train:token-dream -- --data data/world-model/episodes --config small
 *
 * An empty or missing --data directory is first filled with the seeded random + scripted
 * episodes; --recorded adds a datasets data directory's recordings. --help lists every option;
 * relative paths are resolved against the directory npm was started from.
 */
import { resolve } from 'node:path';
import { getConfig } from '../src/config.ts';
import { cli } from '../src/node/cli.ts';
import { loadTrainingData } from '../src/node/episode-files.ts';
import { ensureEpisodes } from '../src/node/generate.ts';
import { loadCheckpoint } from '../src/node/checkpoint.ts';
import { train } from '../src/node/train.ts';

const DEFAULTS: Record<string, { steps: number; batch: number; lr: number }> = {
  tiny: { steps: 200, batch: 16, lr: 3e-3 },
  small: { steps: 2400, batch: 32, lr: 2e-3 },
  base: { steps: 20000, batch: 64, lr: 1e-3 },
};

const { values, path, repoRoot, command } = cli('npm run train:token-dream -- --data <episode dir> [options]', {
  data: {
    type: 'string',
    help: 'episode files (src/episodes.ts); filled with the seeded episodes when empty or missing',
  },
  recorded: { type: 'string', help: 'a datasets data directory whose recordings are added' },
  config: { type: 'string', default: 'small', choices: Object.keys(DEFAULTS), help: 'model size' },
  run: { type: 'string', help: 'checkpoint directory (default data/world-model/runs/<config>)' },
  resume: { type: 'boolean', help: "continue from the run directory's checkpoint (a finished run only re-exports)" },
  'export-only': { type: 'boolean', help: "export the run directory's checkpoint as it is (no training)" },
  steps: { type: 'number', integer: true, min: 1, help: 'optimiser steps (default per config)' },
  batch: { type: 'number', integer: true, min: 1, help: 'transitions per step (default per config)' },
  lr: { type: 'number', min: 0, help: 'learning rate (default per config)' },
  seed: { type: 'number', integer: true, default: 1, help: 'initialisation seed' },
  'max-minutes': { type: 'number', min: 0, default: 1_000_000, help: 'wall-time bound' },
  'changed-view-weight': {
    type: 'number',
    min: 0,
    default: 1,
    help: 'loss weight of view tokens that differ from the newest context frame',
  },
  'changed-state-weight': {
    type: 'number',
    min: 0,
    default: 1,
    help: 'loss weight of other target tokens that differ from it',
  },
  'reward-weight': {
    type: 'number',
    min: 0,
    default: 1,
    help: 'loss weight of nonzero-reward transitions in the reward head',
  },
  name: { type: 'string', help: 'model name in the manifest (default token-dream-<config>)' },
  models: { type: 'string', help: 'where the ONNX file and manifest go (default models/)' },
  'no-export': { type: 'boolean', help: 'train only' },
  'no-progress': { type: 'boolean', help: 'no progress bar' },
});
if (!values.data) {
  console.error('--data is required (--help lists the options)');
  process.exit(2);
}
const dataDir = path(values.data);
ensureEpisodes(dataDir);
const config = getConfig(values.config);
const d = DEFAULTS[config.name] ?? DEFAULTS.small;
const data = await loadTrainingData(dataDir, values.recorded !== undefined ? path(values.recorded) : undefined);
console.log(
  `data: ${data.files} files + ${data.recorded} recorded episodes (${Object.entries(data.sources)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')}), ${data.train.length} train / ${data.validation.length} validation episodes`,
);
const runDir = path(values.run ?? resolve(repoRoot, 'data/world-model/runs', config.name));
const t0 = performance.now();
const ck = values['export-only']
  ? loadCheckpoint(runDir)
  : await train({
      config,
      data,
      dataDir: values.data,
      runDir,
      steps: values.steps ?? d.steps,
      batch: values.batch ?? d.batch,
      lr: values.lr ?? d.lr,
      seed: values.seed,
      resume: values.resume,
      maxMinutes: values['max-minutes'],
      weights: {
        changedView: values['changed-view-weight'],
        changedState: values['changed-state-weight'],
        reward: values['reward-weight'],
      },
      checkpointEvery: 100,
      validateEvery: 100,
      progress: !values['no-progress'] && process.stderr.isTTY === true,
    });
console.log(
  `trained ${ck.state.step} steps in ${ck.state.trainSeconds.toFixed(0)} s (this ` +
    `session ${((performance.now() - t0) / 1000).toFixed(0)} s); checkpoint in ${runDir}`,
);
if (!values['no-export']) {
  const { exportTrained } = await import('../src/node/export-model.ts');
  const entry = await exportTrained(ck, {
    modelsDir: path(values.models ?? resolve(repoRoot, 'models')),
    command: command('train:token-dream', ['--resume', '--export-only']),
    ...(values.name ? { name: values.name } : {}),
  });
  console.log(`exported ${entry.file} (${entry.bytes} bytes, sha256 ${entry.sha256.slice(0, 12)}…)`);
}
