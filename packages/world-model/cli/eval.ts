/**
 * Evaluates the manifest's token dream model on held-out episodes (the validation split of its
 * training data, re-generated from the default seeds when absent) and writes the metrics into
 * its manifest entry.
 *
 *   npm run eval:token-dream [-- --json] [--name token-dream-small] [--data DIR] [--rollouts 128]
 *     [--one-step 2048] [--steps 4] [--temperature 0] [--schedule cosine] [--no-write]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { findModel } from '../src/manifest.ts';
import { loadModel } from '../src/runtime.ts';
import { OrtNodeBackend } from '../src/node/backend-node.ts';
import { cli } from '../src/node/cli.ts';
import { loadDataset } from '../src/node/episode-files.ts';
import { evaluate } from '../src/node/evaluate.ts';
import { readManifest, upsertEntry } from '../src/node/export-model.ts';
import { ensureEpisodes } from '../src/node/generate.ts';
import type { MaskSchedule } from '../src/sampler.ts';

const { values, path, repoRoot, command } = cli('npm run eval:token-dream -- [options]', {
  json: { type: 'boolean', help: 'print one JSON object' },
  name: { type: 'string', help: "the model's name in the manifest (default: the first token dream model)" },
  data: { type: 'string', help: 'episode directory (default: the one the model trained on)' },
  models: { type: 'string', help: 'models directory (default models/)' },
  rollouts: { type: 'number', integer: true, min: 1, default: 128, help: 'open-loop rollouts' },
  'one-step': { type: 'number', integer: true, min: 1, default: 2048, help: 'one-step transitions' },
  batch: { type: 'number', integer: true, min: 1, default: 64, help: 'rollouts stepped together' },
  steps: { type: 'number', integer: true, min: 1, help: "denoising steps (default: the manifest's sampler)" },
  temperature: { type: 'number', min: 0, help: "sampling temperature (default: the manifest's sampler)" },
  schedule: { type: 'string', choices: ['cosine', 'linear'], help: "mask schedule (default: the manifest's sampler)" },
  seed: { type: 'number', integer: true, default: 12345, help: 'rollout start seed' },
  'no-write': { type: 'boolean', help: 'leave the manifest as it is' },
});
const modelsDir = path(values.models ?? join(repoRoot, 'models'));
const manifest = readManifest(modelsDir);
const model = await loadModel(
  manifest,
  async (f) => new Uint8Array(readFileSync(join(modelsDir, f))),
  (bytes, K) => OrtNodeBackend.create(bytes, K),
  values.name,
);
const entry = model.entry;
const dataDir = values.data !== undefined ? path(values.data) : join(repoRoot, entry.training.data.dir);
if (values.data !== undefined && !existsSync(dataDir)) throw new Error(`no episode directory ${dataDir}`);
ensureEpisodes(dataDir, values.json ? () => {} : console.log);
const data = loadDataset(dataDir);
const sampler = {
  steps: values.steps ?? entry.sampler.steps,
  temperature: values.temperature ?? entry.sampler.temperature,
  schedule: (values.schedule ?? entry.sampler.schedule) as MaskSchedule,
};
const bar =
  !values.json && process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { format: 'eval {bar} {percentage}% | ETA {eta_formatted}' },
        cliProgress.Presets.shades_classic,
      )
    : null;
let started = false;
const t0 = performance.now();
const result = await evaluate({
  backend: model.backend,
  context: entry.contextLength,
  episodes: data.validation,
  sampler,
  seed: values.seed,
  rollouts: values.rollouts,
  oneStep: values['one-step'],
  batch: values.batch,
  onProgress: (d, total) => {
    if (!bar) return;
    if (!started) {
      bar.start(total, 0);
      started = true;
    }
    bar.update(d);
  },
});
bar?.stop();
const report = {
  model: entry.name,
  version: entry.version,
  file: entry.file,
  sha256: entry.sha256,
  backend: model.backend.name,
  data: { dir: entry.training.data.dir, split: 'validation (episode id hash < 0.1)', episodes: data.validation.length },
  seconds: Math.round((performance.now() - t0) / 1000),
  ...result,
};
if (!values['no-write']) {
  const fresh = findModel(readManifest(modelsDir), entry.name);
  upsertEntry(modelsDir, {
    ...fresh,
    metrics: { command: command('eval:token-dream'), evaluatedAt: new Date().toISOString(), ...result },
  });
}
await model.backend.dispose();
if (values.json) {
  console.log(JSON.stringify(report));
} else {
  console.log(
    `${entry.name} on ${data.validation.length} held-out episodes, ${result.rollouts} ` +
      `open-loop rollouts (${model.backend.name}, sampler ${JSON.stringify(sampler)})`,
  );
  console.log('view-token accuracy (%):  horizon   model  repeatLast  noAction   margin');
  for (const [h, v] of Object.entries(result.horizons)) {
    const m = result.margins[h];
    const margin = Math.min(m.overRepeatLast, m.overNoAction);
    console.log(
      `                           ${h.padStart(7)} ${v.model.toFixed(2).padStart(7)} ` +
        `${v.repeatLast.toFixed(2).padStart(11)} ${v.noAction.toFixed(2).padStart(9)}   ` +
        `${margin >= 0 ? '+' : ''}${margin.toFixed(2)}`,
    );
  }
  const s = result.oneStep;
  console.log(
    `one step (${s.transitions} transitions): view ${s.model.view}% (repeat ` +
      `${s.repeatLast.view}%, noAction ${s.noAction.view}%), inventory ${s.model.inventory}%, ` +
      `stats ${s.model.stats}%, facing ${s.model.facing}%, daylight ${s.model.daylight}%`,
  );
  console.log(
    `reward ${s.reward.accuracy}% (nonzero ${s.reward.nonzeroAccuracy}% of ${s.reward.nonzeroSteps}), ` +
      `termination ${s.termination.accuracy}% (recall ${s.termination.recall}% of ${s.termination.terminalSteps})`,
  );
  console.log(
    result.beatsBaselines ? 'beats both baselines at every horizon' : 'DOES NOT beat both baselines at every horizon',
  );
}
