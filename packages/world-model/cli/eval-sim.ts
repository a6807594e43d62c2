/**
 * Evaluates the manifest's world simulator on held-out episodes (the validation split of its
 * training data: the episode files, re-generated from the default seeds when absent, plus the
 * recordings it trained on), writes the metrics into its manifest entry and real-vs-dreamed
 * strips (PNG) next to the model.
 *
 *   npm run eval:world-model [-- --json] [--name world-sim-small] [--data DIR] [--recorded DIR]
 *                            [--rollouts 128] [--no-write]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../src/node/cli.ts';
import { loadTrainingData } from '../src/node/episode-files.ts';
import { readManifest } from '../src/node/export-model.ts';
import { ensureEpisodes } from '../src/node/generate.ts';
import { evaluateSim } from '../src/node/sim-evaluate.ts';
import { upsertSimEntry } from '../src/node/sim-export.ts';
import { updateSimReadme } from '../src/node/sim-readme.ts';
import { writeStrips } from '../src/node/sim-strips.ts';
import { loadSim } from '../src/sim/load.ts';

const { values, path, repoRoot, command } = cli('npm run eval:world-model -- [options]', {
  json: { type: 'boolean', help: 'print one JSON object' },
  name: { type: 'string', help: "the simulator's name in the manifest (default: the first)" },
  data: { type: 'string', help: 'episode directory (default: the one the model trained on)' },
  recorded: {
    type: 'string',
    help: 'datasets data directory whose recordings join the held-out split (default: the one the model trained on)',
  },
  'no-recorded': { type: 'boolean', help: 'leave the recordings out' },
  models: { type: 'string', help: 'models directory (default models/)' },
  rollouts: { type: 'number', integer: true, min: 1, default: 128, help: 'open-loop rollouts' },
  batch: { type: 'number', integer: true, min: 1, default: 64, help: 'rollouts stepped together' },
  seed: { type: 'number', integer: true, default: 12345, help: 'rollout start seed' },
  strips: { type: 'number', integer: true, min: 0, default: 4, help: 'real-vs-dreamed strips to write' },
  'no-write': { type: 'boolean', help: 'write neither the manifest metrics nor the strips' },
});
const modelsDir = path(values.models ?? join(repoRoot, 'models'));
const { entry, model } = await loadSim(
  readManifest(modelsDir),
  async (f) => new Uint8Array(readFileSync(join(modelsDir, f))),
  values.name,
);
const dataDir = values.data !== undefined ? path(values.data) : join(repoRoot, entry.training.data.dir);
if (values.data !== undefined && !existsSync(dataDir)) throw new Error(`no episode directory ${dataDir}`);
ensureEpisodes(dataDir, values.json ? () => {} : console.log);
const recordedArg = values['no-recorded'] ? undefined : (values.recorded ?? entry.training.data.recorded);
const recordedDir =
  recordedArg === undefined
    ? undefined
    : values.recorded !== undefined
      ? path(recordedArg)
      : join(repoRoot, recordedArg);
if (recordedDir !== undefined && !existsSync(recordedDir))
  throw new Error(`no recordings directory ${recordedDir} (--no-recorded leaves them out)`);
const data = await loadTrainingData(dataDir, recordedDir);
const t0 = performance.now();
// Return-trip worlds: seeds outside the generated training range.
const returnSeeds = Array.from({ length: 48 }, (_, i) => 900_000 + i);
const result = await evaluateSim(model, {
  episodes: data.validation,
  rollouts: values.rollouts,
  seed: values.seed,
  batch: values.batch,
  returnSeeds,
});
const strips = values['no-write']
  ? []
  : writeStrips(model, data.validation, { dir: modelsDir, prefix: entry.name, count: values.strips, steps: 32 });
const report = {
  model: entry.name,
  version: entry.version,
  file: entry.file,
  sha256: entry.sha256,
  backend: 'plain TypeScript (Node, 1 thread)',
  data: {
    dir: entry.training.data.dir,
    recorded: recordedArg ?? null,
    split: 'validation (episode id hash < 0.1)',
    episodes: data.validation.length,
    sources: Object.fromEntries(
      [...new Set(data.validation.map((e) => e.source))].map((s) => [
        s,
        data.validation.filter((e) => e.source === s).length,
      ]),
    ),
  },
  seconds: Math.round((performance.now() - t0) / 1000),
  strips,
  ...result,
};
if (!values['no-write']) {
  const fresh = readManifest(modelsDir).simulators!.find((m) => m.name === entry.name)!;
  upsertSimEntry(modelsDir, {
    ...fresh,
    metrics: { command: command('eval:world-model'), evaluatedAt: new Date().toISOString(), strips, ...result },
  });
  // The README shows the shipped models' figures: regenerate it when these are they.
  if (modelsDir === join(repoRoot, 'models'))
    updateSimReadme(join(repoRoot, 'packages/world-model/README.md'), join(modelsDir, 'manifest.json'));
}
if (values.json) {
  console.log(JSON.stringify(report));
} else {
  const r = result;
  console.log(`${entry.name} on ${data.validation.length} held-out episodes, ${r.rollouts} open-loop rollouts`);
  for (const [label, rep] of [['all', r], ...Object.entries(r.bySource)] as const) {
    console.log(
      `-- ${label}: view tokens (%) horizon: model / repeatLast / noAction ` +
        '| shuffled action | inventory+stats token % (exact all 16 %)',
    );
    for (const h of Object.keys(rep.horizons)) {
      const v = rep.horizons[h],
        a = rep.actionConditioning[h],
        inv = rep.inventory[h];
      console.log(
        `   ${h.padStart(3)}: ${v.model} / ${v.repeatLast} / ${v.noAction} | ` +
          `${a.shuffled} | ${inv.model} (${inv.modelExact}) vs repeat ${inv.repeatLast}`,
      );
    }
    const s = rep.oneStep;
    console.log(
      `   one step: unlock precision ${s.unlocks.precision}% recall ${s.unlocks.recall}% (${s.unlocks.real} ` +
        `real); death ROC AUC ${s.death.rocAuc} (${s.death.deaths} deaths); reward exact ${s.rewardExact}%`,
    );
  }
  const trip = (t: typeof r.returnTrip) =>
    Object.entries(t)
      .map(([k, v]) => `k=${k}: ${v.matchReal}% (${v.trials} trials, real player back in ${v.realReturned}%)`)
      .join(', ');
  console.log(
    `return trip along open ground (view tokens matching the real world after k away + k back): ${trip(r.returnTrip)}`,
  );
  console.log(
    `return trip in a random direction (obstacles never seen can stop the real walk): ${trip(r.returnTripAnyPath)}`,
  );
  console.log(
    `tiles seen before the dream vs never seen, view tokens h16 / h64: seen ${r.memory['16'].seen}% / ` +
      `${r.memory['64'].seen}% (position still right: ${r.memory['16'].seenInPlace}% / ` +
      `${r.memory['64'].seenInPlace}%), never seen ${r.memory['16'].unseen}% / ${r.memory['64'].unseen}%; ` +
      `position drifted in ${r.memory['16'].drifted}% / ${r.memory['64'].drifted}% of rollouts`,
  );
  console.log(
    `imagination: ${r.imagination
      .map(
        (s) =>
          `batch ${s.batch}, ${'threads' in s ? s.threads : 1} thread(s): ` +
          `${s.stepsPerSecond} steps/s wall, ${s.stepsPerCpuSecond} per CPU-second`,
      )
      .join('; ')}`,
  );
  if (strips.length) console.log(`strips: ${strips.join(', ')}`);
}
