/**
 * Calibrates the manifest's world simulator on calibration episodes (fresh ones: neither trained
 * on nor in the evaluation's held-out split) and registers the calibrated model — same weights,
 * the chosen settings in its weights file's header — as a new version.
 *
 *   npm run calibrate:world-model -- --data data/world-model/calibration \
 *     [--recorded data/world-model/calibration-recorded] --version 1.2.0 [--models DIR] [--name world-sim-small]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../src/node/cli.ts';
import { loadTrainingData } from '../src/node/episode-files.ts';
import { readManifest } from '../src/node/export-model.ts';
import { calibrated, chooseEventThreshold } from '../src/node/sim-calibrate.ts';
import { upsertSimEntry } from '../src/node/sim-export.ts';
import { sha256Hex } from '../src/manifest.ts';
import { simToBytes } from '../src/sim/model.ts';
import { loadSim } from '../src/sim/load.ts';

const { values, path, repoRoot, command } = cli('npm run calibrate:world-model -- [options]', {
  data: { type: 'string', help: 'calibration episode directory (required)' },
  recorded: { type: 'string', help: 'datasets data directory whose recordings join the calibration episodes' },
  name: { type: 'string', help: "the simulator's name in the manifest (default: the first)" },
  models: { type: 'string', help: 'models directory (default models/)' },
  version: { type: 'string', help: 'the calibrated model’s version (required)' },
});
if (values.data === undefined || values.version === undefined) throw new Error('--data and --version are required');
const modelsDir = path(values.models ?? join(repoRoot, 'models'));
const { entry, model } = await loadSim(
  readManifest(modelsDir),
  async (f) => new Uint8Array(readFileSync(join(modelsDir, f))),
  values.name,
);
const data = await loadTrainingData(
  path(values.data),
  values.recorded === undefined ? undefined : path(values.recorded),
);
const episodes = [...data.train, ...data.validation];
console.log(
  `calibrating ${entry.name} ${entry.version} on ${episodes.length} episodes (${JSON.stringify(data.sources)})`,
);
const choice = chooseEventThreshold(model, episodes);
console.log(JSON.stringify(choice));
const bytes = simToBytes(calibrated(model, { eventThreshold: choice.eventThreshold }));
writeFileSync(join(modelsDir, entry.file), bytes);
const { metrics: _stale, ...rest } = entry as typeof entry & { metrics?: unknown };
upsertSimEntry(modelsDir, {
  ...rest,
  version: values.version,
  bytes: bytes.byteLength,
  sha256: await sha256Hex(bytes),
  calibration: {
    command: command('calibrate:world-model'),
    from: { version: entry.version, sha256: entry.sha256 },
    episodes: episodes.length,
    sources: data.sources,
    ...choice,
  },
});
console.log(`wrote ${entry.file} (${entry.name} ${values.version}); run npm run eval:world-model for its metrics`);
