/**
 * Dataset export benchmark: generates AI sessions headless, then exports them in every
 * format and reports throughput (steps/s, wall clock, replay + render + encode + write) and
 * bytes per step, plus the replay+render baseline without writing. Steps per CPU-second (user +
 * system time of the whole process, all threads) is given beside the wall-clock figure: on a
 * loaded machine it moves far less than wall clock.
 *   npm run bench -w @aikon/datasets [-- --json] [--steps 6000]
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { loadTextures } from '@aikon/engine/node';
import { loadCatalog } from '../src/catalog.ts';
import { planExport, writeExport } from '../src/export.ts';
import { extractEpisodes } from '../src/extract.ts';
import { generateSessions } from '../src/generate.ts';
import { h5Ready } from '../src/writers/minari.ts';

const { values } = parseArgs({
  options: { json: { type: 'boolean', default: false }, steps: { type: 'string', default: '6000' } },
  strict: true,
});
const targetSteps = Number(values.steps);
/** User + system CPU seconds of this process (every thread). */
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
if (!(targetSteps >= 100)) throw new Error('--steps must be at least 100');

const root = join(tmpdir(), `aikon-ds-bench-${process.pid}`);
rmSync(root, { recursive: true, force: true });
const dataDir = join(root, 'data');
// Episodes of 250 steps (players leave and are replaced), 2 players per session.
const episodes = Math.max(2, Math.round(targetSteps / 110));
let t0 = performance.now();
generateSessions({ dataDir, episodes, seed: 7, sessions: 2, players: 2, maxSteps: 250 });
const generateMs = performance.now() - t0;
const catalog = loadCatalog(dataDir);
const steps = catalog.flatMap((s) => s.episodes).reduce((n, e) => n + e.length, 0);

// Baseline: replay + render only.
const textures = loadTextures();
const scratch = join(root, 'scratch');
mkdirSync(scratch, { recursive: true });
t0 = performance.now();
let c0 = cpuSeconds();
let rendered = 0;
for (const s of catalog) {
  extractEpisodes(s.sessionId, new Uint8Array(readFileSync(join(dataDir, 'recordings', s.file))), {
    textures,
    wanted: new Set(s.episodes.map((e) => e.id)),
    scratchDir: scratch,
    onEpisode: (e) => {
      rendered += e.length;
    },
  });
}
const baselineMs = performance.now() - t0;
const baselineCpu = cpuSeconds() - c0;
await h5Ready();

const results: Record<
  string,
  { stepsPerSecond: number; stepsPerCpuSecond: number; bytesPerStep: number; seconds: number; bytes: number }
> = {};
for (const format of ['minari', 'parquet', 'replay'] as const) {
  t0 = performance.now();
  c0 = cpuSeconds();
  const m = await writeExport(dataDir, planExport(dataDir, { format }), join(root, `out-${format}`));
  const s = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - c0;
  results[format] = {
    stepsPerSecond: Math.round(m.steps / s),
    stepsPerCpuSecond: Math.round(m.steps / cpu),
    bytesPerStep: Math.round((m.bytes / m.steps) * 10) / 10,
    seconds: Math.round(s * 100) / 100,
    bytes: m.bytes,
  };
}
rmSync(root, { recursive: true, force: true });

const summary = {
  steps,
  episodes: catalog.reduce((n, s) => n + s.episodes.length, 0),
  generateStepsPerSecond: Math.round(steps / (generateMs / 1000)),
  replayRenderStepsPerSecond: Math.round(rendered / (baselineMs / 1000)),
  replayRenderStepsPerCpuSecond: Math.round(rendered / baselineCpu),
  formats: results,
};
if (values.json) {
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} else {
  process.stdout.write(
    `dataset export benchmark: ${summary.steps} steps in ${summary.episodes} episodes (2 sessions × 2 AI players)\n`,
  );
  process.stdout.write(`  generate (headless play + log):  ${summary.generateStepsPerSecond} steps/s\n`);
  process.stdout.write(
    `  replay + render (no writing):    ${summary.replayRenderStepsPerSecond} steps/s, ` +
      `${summary.replayRenderStepsPerCpuSecond} steps/CPU-s\n`,
  );
  process.stdout.write('  format    steps/s  steps/CPU-s   bytes/step   seconds   total bytes\n');
  for (const [f, r] of Object.entries(results)) {
    const cols = [r.stepsPerSecond, r.stepsPerCpuSecond, r.bytesPerStep, r.seconds, r.bytes].map(String);
    process.stdout.write(
      `  ${f.padEnd(8)} ${cols[0].padStart(8)} ${cols[1].padStart(12)} ` +
        `${cols[2].padStart(12)} ${cols[3].padStart(9)} ${cols[4].padStart(13)}\n`,
    );
  }
}
