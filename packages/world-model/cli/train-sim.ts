/**
 * Trains the world simulator, then writes models/world-sim-<config>.bin and its manifest entry.
 *
 *   npm run train:world-model -- --data data/world-model/episodes [--recorded data/world-model/recorded]
 *     --config small [--resume] [--max-minutes 20]      (--help lists every option)
 *
 * An empty or missing --data directory is first filled with the seeded random + scripted
 * episodes; --recorded adds every verified episode of a datasets data directory's recordings
 * (the workforce's sessions, AI workers, consenting people), read back through the datasets pipeline.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { getSimConfig, SIM_CONFIGS } from '../src/sim/config.ts';
import { cli } from '../src/node/cli.ts';
import { loadTrainingData } from '../src/node/episode-files.ts';
import { ensureEpisodes } from '../src/node/generate.ts';
import { loadSimCheckpoint, trainSim } from '../src/node/sim-train.ts';
import { exportSim } from '../src/node/sim-export.ts';
import { readManifest } from '../src/node/export-model.ts';
import { loadSim } from '../src/sim/load.ts';

const { values, path, repoRoot, command } = cli('npm run train:world-model -- --data <episode dir> [options]', {
  data: {
    type: 'string',
    help: 'episode files (src/episodes.ts); filled with the seeded episodes when empty or missing',
  },
  recorded: {
    type: 'string',
    help: 'a datasets data directory whose recordings are added (read back through the datasets pipeline)',
  },
  config: {
    type: 'string',
    default: 'small',
    choices: Object.keys(SIM_CONFIGS),
    help: 'the training configuration (src/sim/config.ts)',
  },
  run: { type: 'string', help: 'checkpoint directory (default data/world-model/runs/sim-<config>)' },
  resume: { type: 'boolean', help: "continue from the run directory's checkpoint" },
  'export-only': { type: 'boolean', help: "export the run directory's checkpoint as it is" },
  steps: { type: 'number', integer: true, min: 1, help: 'optimiser steps (overrides the config)' },
  batch: { type: 'number', integer: true, min: 1, help: 'transitions per step (overrides the config)' },
  lr: { type: 'number', min: 0, help: 'peak learning rate (overrides the config)' },
  seed: { type: 'number', integer: true, help: 'initialisation and sampling seed (overrides the config)' },
  'max-minutes': { type: 'number', min: 0, help: 'wall-time bound of this run (overrides the config)' },
  init: {
    type: 'string',
    help:
      "a fresh run starts from this simulator's weights in the " +
      'models directory (same architecture), e.g. world-sim-small',
  },
  models: { type: 'string', help: 'where the weights and manifest go (default models/)' },
  version: {
    type: 'string',
    help: "the exported model's version (default: the next minor of the manifest's entry of that name)",
  },
  'no-export': { type: 'boolean', help: 'train only' },
});
if (!values.data) {
  console.error('--data is required (--help lists the options)');
  process.exit(2);
}
if (values.version !== undefined && !/^\d+\.\d+\.\d+$/.test(values.version)) {
  console.error(`--version must look like 1.4.0, got ${JSON.stringify(values.version)}`);
  process.exit(2);
}
const dataDir = path(values.data);
ensureEpisodes(dataDir);
const overrides = Object.fromEntries(
  Object.entries({
    steps: values.steps,
    batch: values.batch,
    lr: values.lr,
    seed: values.seed,
    maxMinutes: values['max-minutes'],
  }).filter(([, v]) => v !== undefined),
);
const config = getSimConfig(values.config, overrides);
const data = await loadTrainingData(dataDir, values.recorded !== undefined ? path(values.recorded) : undefined);
console.log(
  `data: ${data.files} files + ${data.recorded} recorded episodes (${Object.entries(data.sources)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')}), ${data.train.length} train / ${data.validation.length} validation episodes`,
);
const modelsDir = path(values.models ?? resolve(repoRoot, 'models'));
const init =
  values.init === undefined
    ? undefined
    : await (async (name: string) => {
        const { model, entry } = await loadSim(
          readManifest(modelsDir),
          async (f) => new Uint8Array(readFileSync(join(modelsDir, f))),
          name,
        );
        return { model, from: `${entry.name} ${entry.version} (sha256 ${entry.sha256.slice(0, 12)}…)` };
      })(values.init);
const runDir = path(values.run ?? resolve(repoRoot, 'data/world-model/runs', `sim-${config.name}`));
const tty = process.stderr.isTTY === true;
const bar = tty
  ? new cliProgress.SingleBar(
      { format: 'train {bar} {value}/{total} | loss {loss} | held-out {val} | lr {lr} | ETA {eta_formatted}' },
      cliProgress.Presets.shades_classic,
    )
  : null;
const t0 = performance.now();
let started = false;
const ck = values['export-only']
  ? loadSimCheckpoint(runDir)
  : trainSim({
      config,
      data,
      dataDir: values.data,
      ...(values.recorded !== undefined ? { recordedDir: values.recorded } : {}),
      runDir,
      resume: values.resume,
      ...(init ? { init } : {}),
      onProgress: (step, total, loss, val, lr) => {
        const v = val
          ? `${val.total} (tile ${val.tile}, inv ${val.inventory}, event ${val.event}, done ${val.done})`
          : '-';
        if (bar) {
          if (!started) {
            bar.start(total, 0, { loss: '-', val: '-', lr: '-' });
            started = true;
          }
          bar.update(step, { loss: loss.toFixed(4), val: v, lr: lr.toExponential(2) });
        } else if (step % 50 === 0 || step === total) {
          console.log(
            `step ${step}/${total} loss ${loss.toFixed(4)} held-out ${v} lr ` +
              `${lr.toExponential(2)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
          );
        }
      },
    });
bar?.stop();
console.log(
  `trained ${ck.state.step} steps in ${ck.state.trainSeconds.toFixed(0)} s (this ` +
    `session ${((performance.now() - t0) / 1000).toFixed(0)} s); checkpoint in ${runDir}`,
);
if (!values['no-export']) {
  const entry = await exportSim(ck, {
    modelsDir,
    command: command('train:world-model', ['--resume', '--export-only']),
    ...(values.version !== undefined ? { version: values.version } : {}),
  });
  console.log(`exported ${entry.file} (${entry.bytes} bytes, sha256 ${entry.sha256.slice(0, 12)}…)`);
}
