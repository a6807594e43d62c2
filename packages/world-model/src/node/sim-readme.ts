/**
 * The world-model README's results section, generated from the manifest's metrics (what
 * `npm run eval:world-model` writes there), so that the figures in the README cannot drift from
 * the shipped models. `npm run docs -w @aikon/world-model` rewrites it; the eval does too; a test
 * checks that the README matches the manifest.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { parseManifest } from '../manifest.ts';

export const RESULTS_BEGIN =
  '<!-- world-sim results: generated from models/manifest.json ' +
  'by `npm run docs -w @aikon/world-model`; do not edit -->';
export const RESULTS_END = '<!-- end of generated world-sim results -->';

const Pct = z.number();
const ViewSchema = z.object({ model: Pct, repeatLast: Pct, noAction: Pct });
const ReportSchema = z.object({
  episodes: z.number().int(),
  rollouts: z.number().int(),
  horizons: z.record(z.string(), ViewSchema),
  inventory: z.record(z.string(), z.object({ model: Pct, modelExact: Pct, repeatLast: Pct })),
  actionConditioning: z.record(z.string(), z.object({ taken: Pct, shuffled: Pct, margin: z.number() })),
  memory: z.record(
    z.string(),
    z.object({
      seen: Pct.nullable(),
      seenInPlace: Pct.nullable(),
      unseen: Pct.nullable(),
      unseenShare: Pct.nullable(),
      drifted: Pct.nullable(),
    }),
  ),
  oneStep: z.object({
    transitions: z.number().int(),
    view: Pct,
    inventory: Pct,
    rewardExact: Pct,
    unlocks: z.object({
      real: z.number().int(),
      predicted: z.number().int(),
      precision: Pct.nullable(),
      recall: Pct.nullable(),
      byAchievement: z.record(
        z.string(),
        z.object({ real: z.number().int(), hit: z.number().int(), false: z.number().int() }),
      ),
    }),
    death: z.object({ deaths: z.number().int(), rocAuc: z.number().nullable() }),
  }),
});
const TripSchema = z.object({ trials: z.number().int(), skipped: z.number().int(), matchReal: Pct, realReturned: Pct });
/** The part of a simulator's manifest metrics the README shows (the eval's result). */
const SimMetricsSchema = ReportSchema.extend({
  command: z.string(),
  evaluatedAt: z.string(),
  bySource: z.record(z.string(), ReportSchema),
  returnTrip: z.record(z.string(), TripSchema),
  returnTripAnyPath: z.record(z.string(), TripSchema),
  imagination: z.array(
    z.object({
      batch: z.number().int(),
      threads: z.number().int().optional(),
      stepsPerSecond: z.number(),
      stepsPerCpuSecond: z.number(),
    }),
  ),
});

const fmt = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? '—' : x.toFixed(digits));
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const horizonsOf = (r: z.infer<typeof ReportSchema>) => Object.keys(r.horizons).sort((a, b) => Number(a) - Number(b));

/** The generated results section (markers included) for every simulator in the manifest. */
export function renderSimResults(manifestJson: unknown): string {
  const manifest = parseManifest(manifestJson);
  const parts: string[] = [RESULTS_BEGIN, ''];
  for (const sim of manifest.simulators ?? []) {
    const d = sim.training.data;
    parts.push(`#### \`${sim.name}\` ${sim.version}`, '');
    parts.push(
      `${int(sim.architecture.params)} parameters, ${int(sim.bytes)} bytes (\`${sim.file}\`). ` +
        `Trained ${int(sim.training.steps)} steps in ${int(sim.training.seconds)} s` +
        `${sim.training.initFrom ? ` from ${sim.training.initFrom}` : ''} on ` +
        `${int(d.trainTransitions)} transitions of ${d.trainEpisodes} episodes ` +
        `(${Object.entries(d.sources)
          .map(([k, v]) => `${v} ${k}`)
          .join(
            ', ',
          )}; \`${d.dir}\`${d.recorded ? ` + recordings of \`${d.recorded}\`` : ''}): \`${sim.training.command}\`.`,
      '',
    );
    if (sim.calibration) {
      const c = sim.calibration;
      parts.push(
        `Calibrated from ${sim.name} ${c.from.version} (sha256 ${c.from.sha256.slice(0, 12)}…, ` +
          `same weights) on ${int(c.transitions)} transitions of ${c.episodes} calibration episodes ` +
          `(${Object.entries(c.sources)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ')}; none trained on, none held out below): event threshold ${c.eventThreshold}, ` +
          `one-step unlock precision / recall there ${fmt(c.precision)} / ${fmt(c.recall)} (argmax: ` +
          `${fmt(c.argmax.precision)} / ${fmt(c.argmax.recall)}; ${int(c.unlocks)} unlocks): \`${c.command}\`.`,
        '',
      );
    }
    if (!sim.metrics) {
      parts.push('Not evaluated yet: `npm run eval:world-model`.', '');
      continue;
    }
    const m = SimMetricsSchema.parse(sim.metrics);
    const sources = Object.keys(m.bySource).sort();
    parts.push(
      `\`${m.command}\` (${m.evaluatedAt.slice(0, 10)}): ${m.episodes} held-out ` +
        `episodes (${sources.map((s) => `${m.bySource[s].episodes} ${s}`).join(', ')}), ` +
        `${m.rollouts} open-loop rollouts, greedy. View tokens (%), model / repeat-last ` +
        '/ no-action (noop at every step), and the model under shuffled actions:',
      '',
      `| horizon | all | ${sources.join(' | ')} | shuffled actions (all) |`,
      `|---:|---|${sources.map(() => '---|').join('')}---:|`,
    );
    for (const h of horizonsOf(m)) {
      const cell = (r: z.infer<typeof ReportSchema>) =>
        r.horizons[h]
          ? `${fmt(r.horizons[h].model)} / ${fmt(r.horizons[h].repeatLast)} / ${fmt(r.horizons[h].noAction)}`
          : '—';
      parts.push(
        `| ${h} | **${fmt(m.horizons[h].model)}** / ${fmt(m.horizons[h].repeatLast)} / ` +
          `${fmt(m.horizons[h].noAction)} | ${sources.map((s) => cell(m.bySource[s])).join(' | ')} ` +
          `| ${fmt(m.actionConditioning[h]?.shuffled)} |`,
      );
    }
    const view = (h: string) => fmt(m.horizons[h]?.model);
    const perSource = (f: (r: z.infer<typeof ReportSchema>) => string) =>
      sources.map((s) => `${s} ${f(m.bySource[s])}`).join(', ');
    const u = m.oneStep.unlocks;
    const trips = (t: typeof m.returnTrip) => Object.entries(t).sort(([a], [b]) => Number(a) - Number(b));
    const mem = (h: string) => m.memory[h];
    const misses = Object.entries(u.byAchievement)
      .map(([name, a]) => ({ name, missed: a.real - a.hit, false: a.false }))
      .filter((a) => a.missed + a.false > 0)
      .sort((a, b) => b.missed + b.false - a.missed - a.false || a.name.localeCompare(b.name));
    const speed = m.imagination
      .map(
        (s) =>
          `batch ${s.batch}${s.threads ? ` × ${s.threads} threads` : ''}: ` +
          `${int(s.stepsPerSecond)}/s wall, ${int(s.stepsPerCpuSecond)} per CPU-second`,
      )
      .join('; ');
    parts.push(
      '',
      '| measure | this model | target |',
      '|---|---|---|',
      `| view tokens h1 / h16 / h64 | ${view('1')} / ${view('16')} / ${view('64')} | ≥ 99.5 / 95 / 90 |`,
      `| inventory + vitals tokens at h16 | ${fmt(m.inventory['16']?.model)} ` +
        `(all 16 exact in ${fmt(m.inventory['16']?.modelExact)} % of rollouts; ` +
        `repeat-last ${fmt(m.inventory['16']?.repeatLast)}) | ≥ 90 |`,
      `| achievement unlocks, one step: precision / recall | ${fmt(u.precision)} / ${fmt(u.recall)} (${u.real} ` +
        `unlocks; ${perSource((r) => `${fmt(r.oneStep.unlocks.precision)} / ${fmt(r.oneStep.unlocks.recall)}`)}) ` +
        '| ≥ 90 / 90 |',
      `| death ROC AUC | ${fmt(m.oneStep.death.rocAuc, 3)} (${m.oneStep.death.deaths} ` +
        `deaths; ${perSource((r) => fmt(r.oneStep.death.rocAuc, 3))}) | ≥ 0.95 |`,
      '| achievement unlocks missed / false alarms, by achievement (one step) | ' +
        `${misses.map((a) => `${a.name} ${a.missed} / ${a.false}`).join(', ')} | |`,
      '| view tokens h16 / h64 on tiles the start frames showed (all rollouts; rollouts whose ' +
        `dead-reckoned position is still the real one) | ${fmt(mem('16')?.seen)} / ` +
        `${fmt(mem('64')?.seen)} (${fmt(mem('16')?.seenInPlace)} / ${fmt(mem('64')?.seenInPlace)}) | |`,
      '| view tokens h16 / h64 on tiles never seen before the dream (their share ' +
        `of the view) | ${fmt(mem('16')?.unseen)} / ${fmt(mem('64')?.unseen)} ` +
        `(${fmt(mem('16')?.unseenShare)} / ${fmt(mem('64')?.unseenShare)} %) | |`,
      '| rollouts whose dead-reckoned position differs from the real one, h16 / h64 | ' +
        `${fmt(mem('16')?.drifted)} / ${fmt(mem('64')?.drifted)} % | |`,
      '| return trip: k tiles away along open ground and back, view tokens matching the real world ' +
        `(trials; the real player back at its start) | ${trips(m.returnTrip)
          .map(([k, v]) => `k = ${k}: ${fmt(v.matchReal)} (${v.trials}; ${fmt(v.realReturned, 0)} %)`)
          .join(', ')} | ≥ 95 |`,
      '| return trip in a random direction, obstacles never seen included ' +
        `(the first version of the row above) | ${trips(m.returnTripAnyPath)
          .map(([k, v]) => `k = ${k}: ${fmt(v.matchReal)} (${v.trials}; ${fmt(v.realReturned, 0)} %)`)
          .join(', ')} | |`,
      `| action conditioning h1 / h16, taken vs shuffled | ${fmt(m.actionConditioning['1']?.taken)} ` +
        `vs ${fmt(m.actionConditioning['1']?.shuffled)} / ${fmt(m.actionConditioning['16']?.taken)} ` +
        `vs ${fmt(m.actionConditioning['16']?.shuffled)} | a clear margin |`,
      `| one step from every held-out state (${int(m.oneStep.transitions)}): ` +
        `view / inventory + vitals / reward exact (±0.05) | ${fmt(m.oneStep.view)} ` +
        `/ ${fmt(m.oneStep.inventory)} / ${fmt(m.oneStep.rewardExact)} | |`,
      `| imagination in Node, one thread per \`SimDreams\` (measured during the eval, ` +
        `on whatever load the machine had) | ${speed} | ≥ 20,000/s at batch ≥ 256 |`,
      `| model size | ${(sim.bytes / 1024).toFixed(0)} KiB | ≤ 5 MB |`,
      '',
    );
  }
  parts.push(RESULTS_END);
  return parts.join('\n');
}

/** The README text with its generated section replaced; throws when the markers are missing. */
export function withSimResults(readme: string, manifestJson: unknown): string {
  const a = readme.indexOf(RESULTS_BEGIN);
  const b = readme.indexOf(RESULTS_END);
  if (a < 0 || b < a)
    throw new Error('the README has no generated world-sim results section (its markers are missing)');
  return readme.slice(0, a) + renderSimResults(manifestJson) + readme.slice(b + RESULTS_END.length);
}

/** Rewrites the README's generated section from the manifest file; true when it changed. */
export function updateSimReadme(readmePath: string, manifestPath: string): boolean {
  const before = readFileSync(readmePath, 'utf8');
  const after = withSimResults(before, JSON.parse(readFileSync(manifestPath, 'utf8')));
  if (after !== before) writeFileSync(readmePath, after);
  return after !== before;
}
