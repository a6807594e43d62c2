/**
 * Evaluates the manifest's token dream model on held-out episodes (the validation split of its
 * training data, re-generated from the default seeds when absent) and writes the metrics into
 * its manifest entry.
 *
 *   npm run eval:token-dream [-- --json] [--name token-dream-small] [--data DIR] [--rollouts 128]
 *     [--one-step 2048] [--steps 4] [--temperature 0] [--schedule cosine] [--no-write]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { findModel } from '../src/manifest.ts';
import { loadModel } from '../src/runtime.ts';
import { OrtNodeBackend } from '../src/node/backend-node.ts';
import { loadDataset } from '../src/node/episode-files.ts';
import { evaluate } from '../src/node/evaluate.ts';
import { readManifest, upsertEntry } from '../src/node/export-model.ts';
import { DEFAULT_GENERATION, generateEpisodes } from '../src/node/generate.ts';
import type { MaskSchedule } from '../src/sampler.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    name: { type: 'string' },
    data: { type: 'string' },
    models: { type: 'string' },
    rollouts: { type: 'string', default: '128' },
    'one-step': { type: 'string', default: '2048' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string' },
    temperature: { type: 'string' },
    schedule: { type: 'string' },
    seed: { type: 'string', default: '12345' },
    'no-write': { type: 'boolean', default: false },
  },
});
const cwd = process.env.INIT_CWD ?? process.cwd();
const repoRoot = resolve(import.meta.dirname, '../../..');
const modelsDir = resolve(cwd, values.models ?? join(repoRoot, 'models'));
const manifest = readManifest(modelsDir);
const model = await loadModel(manifest, async (f) => new Uint8Array(readFileSync(join(modelsDir, f))), (bytes, K) => OrtNodeBackend.create(bytes, K), values.name);
const entry = model.entry;
const dataDir = resolve(values.data ? cwd : repoRoot, values.data ?? entry.training.data.dir);
if (!existsSync(dataDir)) {
  if (values.data) throw new Error(`no episode directory ${dataDir}`);
  if (!values.json) console.log(`re-generating the training episodes into ${dataDir} (seeded, deterministic) ...`);
  generateEpisodes({ out: dataDir, ...DEFAULT_GENERATION });
}
const data = loadDataset(dataDir);
const sampler = {
  steps: Number(values.steps ?? entry.sampler.steps),
  temperature: Number(values.temperature ?? entry.sampler.temperature),
  schedule: (values.schedule ?? entry.sampler.schedule) as MaskSchedule,
};
const bar = !values.json && process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'eval {bar} {percentage}% | ETA {eta_formatted}' }, cliProgress.Presets.shades_classic) : null;
let started = false;
const t0 = performance.now();
const result = await evaluate({
  backend: model.backend,
  context: entry.contextLength,
  episodes: data.validation,
  sampler,
  seed: Number(values.seed),
  rollouts: Number(values.rollouts),
  oneStep: Number(values['one-step']),
  batch: Number(values.batch),
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
const command = `npm run eval:token-dream -- ${process.argv.slice(2).join(' ')}`.trim();
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
  upsertEntry(modelsDir, { ...fresh, metrics: { command, evaluatedAt: new Date().toISOString(), ...result } });
}
await model.backend.dispose();
if (values.json) {
  console.log(JSON.stringify(report));
} else {
  console.log(`${entry.name} on ${data.validation.length} held-out episodes, ${result.rollouts} open-loop rollouts (${model.backend.name}, sampler ${JSON.stringify(sampler)})`);
  console.log('view-token accuracy (%):  horizon   model  repeatLast  noAction   margin');
  for (const [h, v] of Object.entries(result.horizons)) {
    const m = result.margins[h];
    console.log(`                           ${h.padStart(7)} ${v.model.toFixed(2).padStart(7)} ${v.repeatLast.toFixed(2).padStart(11)} ${v.noAction.toFixed(2).padStart(9)}   ${Math.min(m.overRepeatLast, m.overNoAction) >= 0 ? "+" : ""}${Math.min(m.overRepeatLast, m.overNoAction).toFixed(2)}`);
  }
  const s = result.oneStep;
  console.log(`one step (${s.transitions} transitions): view ${s.model.view}% (repeat ${s.repeatLast.view}%, noAction ${s.noAction.view}%), inventory ${s.model.inventory}%, stats ${s.model.stats}%, facing ${s.model.facing}%, daylight ${s.model.daylight}%`);
  console.log(`reward ${s.reward.accuracy}% (nonzero ${s.reward.nonzeroAccuracy}% of ${s.reward.nonzeroSteps}), termination ${s.termination.accuracy}% (recall ${s.termination.recall}% of ${s.termination.terminalSteps})`);
  console.log(result.beatsBaselines ? 'beats both baselines at every horizon' : 'DOES NOT beat both baselines at every horizon');
}
