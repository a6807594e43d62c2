/**
 * Evaluates the manifest's world simulator on held-out episodes (the validation split of its
 * training data, re-generated from the default seeds when absent), writes the metrics into its
 * manifest entry and real-vs-dreamed strips (PNG) next to the model.
 *
 *   npm run eval:world-model [-- --json] [--name world-sim-small] [--data DIR] [--rollouts 128] [--no-write]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/node/episode-files.ts';
import { readManifest } from '../src/node/export-model.ts';
import { DEFAULT_GENERATION, generateEpisodes } from '../src/node/generate.ts';
import { evaluateSim } from '../src/node/sim-evaluate.ts';
import { upsertSimEntry } from '../src/node/sim-export.ts';
import { writeStrips } from '../src/node/sim-strips.ts';
import { loadSim } from '../src/sim/load.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    name: { type: 'string' },
    data: { type: 'string' },
    models: { type: 'string' },
    rollouts: { type: 'string', default: '128' },
    batch: { type: 'string', default: '64' },
    seed: { type: 'string', default: '12345' },
    strips: { type: 'string', default: '4' },
    'no-write': { type: 'boolean', default: false },
  },
});
const cwd = process.env.INIT_CWD ?? process.cwd();
const repoRoot = resolve(import.meta.dirname, '../../..');
const modelsDir = resolve(cwd, values.models ?? join(repoRoot, 'models'));
const { entry, model } = await loadSim(readManifest(modelsDir), async (f) => new Uint8Array(readFileSync(join(modelsDir, f))), values.name);
const dataDir = resolve(values.data ? cwd : repoRoot, values.data ?? entry.training.data.dir);
if (!existsSync(dataDir)) {
  if (values.data) throw new Error(`no episode directory ${dataDir}`);
  if (!values.json) console.log(`re-generating the training episodes into ${dataDir} (seeded, deterministic) ...`);
  generateEpisodes({ out: dataDir, ...DEFAULT_GENERATION });
}
const data = loadDataset(dataDir);
const t0 = performance.now();
// Return-trip worlds: seeds outside the generated training range.
const returnSeeds = Array.from({ length: 48 }, (_, i) => 900_000 + i);
const result = await evaluateSim(model, { episodes: data.validation, rollouts: Number(values.rollouts), seed: Number(values.seed), batch: Number(values.batch), returnSeeds });
const strips = values['no-write'] ? [] : writeStrips(model, data.validation, { dir: modelsDir, prefix: entry.name, count: Number(values.strips), steps: 32 });
const command = `npm run eval:world-model -- ${process.argv.slice(2).join(' ')}`.trim();
const report = {
  model: entry.name,
  version: entry.version,
  file: entry.file,
  sha256: entry.sha256,
  backend: 'plain TypeScript (Node, 1 thread)',
  data: { dir: entry.training.data.dir, split: 'validation (episode id hash < 0.1)', episodes: data.validation.length, sources: Object.fromEntries([...new Set(data.validation.map((e) => e.source))].map((s) => [s, data.validation.filter((e) => e.source === s).length])) },
  seconds: Math.round((performance.now() - t0) / 1000),
  strips,
  ...result,
};
if (!values['no-write']) {
  const fresh = readManifest(modelsDir).simulators!.find((m) => m.name === entry.name)!;
  upsertSimEntry(modelsDir, { ...fresh, metrics: { command, evaluatedAt: new Date().toISOString(), strips, ...result } });
}
if (values.json) {
  console.log(JSON.stringify(report));
} else {
  const r = result;
  console.log(`${entry.name} on ${data.validation.length} held-out episodes, ${r.rollouts} open-loop rollouts`);
  for (const [label, rep] of [['all', r], ...Object.entries(r.bySource)] as const) {
    console.log(`-- ${label}: view tokens (%) horizon: model / repeatLast / noAction | shuffled action | inventory+stats token % (exact all 16 %)`);
    for (const h of Object.keys(rep.horizons)) {
      const v = rep.horizons[h], a = rep.actionConditioning[h], inv = rep.inventory[h];
      console.log(`   ${h.padStart(3)}: ${v.model} / ${v.repeatLast} / ${v.noAction} | ${a.shuffled} | ${inv.model} (${inv.modelExact}) vs repeat ${inv.repeatLast}`);
    }
    const s = rep.oneStep;
    console.log(`   one step: unlock precision ${s.unlocks.precision}% recall ${s.unlocks.recall}% (${s.unlocks.real} real); death ROC AUC ${s.death.rocAuc} (${s.death.deaths} deaths); reward exact ${s.rewardExact}%`);
  }
  console.log(`return trip (view tokens matching the real world after k away + k back): ${Object.entries(r.returnTrip).map(([k, v]) => `k=${k}: ${v.matchReal}% (${v.trials})`).join(', ')}`);
  console.log(`imagination: ${r.imagination.map((s) => `batch ${s.batch}, ${'threads' in s ? s.threads : 1} thread(s): ${s.stepsPerSecond} steps/s wall, ${s.stepsPerCpuSecond} per CPU-second`).join('; ')}`);
  if (strips.length) console.log(`strips: ${strips.join(', ')}`);
}
