/**
 * The world simulator's batched imagination in Node (part of `npm run bench -w @aikon/world-model`):
 * steps per second of wall time and per CPU-second of the process, and the latency of one
 * batched step (p50/p99), at batch 1 and 256 in one thread and over a `SimDreamsPool` of two
 * worker threads. The baseline — the simulator's code at an earlier commit, extracted with
 * `git archive` under data/bench/ — runs in the same process, interleaved with the current code
 * (same starts, same actions), so the ratio holds whatever else loads the machine.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NUM_ACTIONS, Rng, World } from '@aikon/engine';
import type { SimStart, SimStepResult } from '../src/sim/dream.ts';
import { SimDreams } from '../src/sim/dream.ts';
import type { SimModel } from '../src/sim/model.ts';
import { simFromBytes } from '../src/sim/model.ts';
import { SimDreamsPool } from '../src/node/sim-pool.ts';
import { tokenize } from '../src/tokens.ts';

/** The simulator's code before issue 12's speed work (incremental first layer, argmax cache). */
export const BASELINE_COMMIT = 'a6cd82e';

interface Stepper {
  step(actions: Int32Array): SimStepResult | Promise<SimStepResult>;
}

export interface SpeedRow {
  readonly code: string;
  readonly batch: number;
  readonly threads: number;
  readonly steps: number;
  readonly stepsPerSecond: number;
  readonly stepsPerCpuSecond: number;
  /** Milliseconds per batched step. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Starts from generated worlds: 8 real frames each, after 10–40 random steps. */
export function benchStarts(n: number): SimStart[] {
  return Array.from({ length: n }, (_, i) => {
    const world = World.generate({ seed: 500 + i });
    world.addPlayer();
    const rng = new Rng(i);
    const frames: Int32Array[] = [];
    const warm = 10 + rng.int(30);
    for (let t = 0; t < warm + 8; t++) {
      world.step([rng.int(NUM_ACTIONS)]);
      if (t >= warm) frames.push(tokenize(world));
    }
    return { frames };
  });
}

async function measure(
  code: string,
  dreams: Stepper,
  batch: number,
  threads: number,
  steps: number,
  seed: number,
): Promise<SpeedRow> {
  const rng = new Rng(seed);
  const actions = new Int32Array(batch);
  const times = new Float64Array(steps);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let s = 0; s < steps; s++) {
    for (let b = 0; b < batch; b++) actions[b] = rng.int(NUM_ACTIONS);
    const a = performance.now();
    await dreams.step(actions);
    times[s] = performance.now() - a;
  }
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - t0) / 1000;
  times.sort();
  const q = (p: number) => Math.round(times[Math.min(steps - 1, Math.floor(p * steps))] * 100) / 100;
  return {
    code,
    batch,
    threads,
    steps,
    stepsPerSecond: Math.round((batch * steps) / wall),
    stepsPerCpuSecond: Math.round((batch * steps) / ((cpu.user + cpu.system) / 1e6)),
    p50Ms: q(0.5),
    p99Ms: q(0.99),
  };
}

/** The baseline's SimDreams class, from `git archive` of its commit (null without git history). */
async function baselineDreams(repoRoot: string): Promise<typeof SimDreams | null> {
  const dir = join(repoRoot, 'data/bench', `world-sim-${BASELINE_COMMIT}`);
  const entry = join(dir, 'packages/world-model/src/sim/dream.ts');
  if (!existsSync(entry)) {
    try {
      mkdirSync(dir, { recursive: true });
      const tar = execFileSync('git', ['-C', repoRoot, 'archive', BASELINE_COMMIT, 'packages/world-model/src']);
      execFileSync('tar', ['-x', '-C', dir], { input: tar });
    } catch (err) {
      console.error(`baseline ${BASELINE_COMMIT} unavailable (${(err as Error).message.split('\n')[0]}): no ratio`);
      return null;
    }
  }
  return ((await import(pathToFileURL(entry).href)) as { SimDreams: typeof SimDreams }).SimDreams;
}

export interface SimBenchReport {
  readonly model: string;
  readonly bytes: number;
  readonly baseline: string | null;
  readonly loadAverage: [number, number];
  readonly rows: SpeedRow[];
  /** Current ÷ baseline at batch 256, one thread (means over the interleaved runs). */
  readonly ratio: { readonly cpu: number; readonly wall: number } | null;
}

/**
 * Runs the measures: `runs` interleaved baseline/current runs at batch 256 (one thread), batch 1,
 * and the pool at batch 256 and 1024. `scale` multiplies every step count (0.1 for a smoke run).
 */
export async function benchSimImagination(o: {
  repoRoot: string;
  modelName: string;
  modelBytes: Uint8Array;
  runs: number;
  scale: number;
}): Promise<SimBenchReport> {
  const load0 = loadavg()[0];
  const model: SimModel = simFromBytes(o.modelBytes);
  const starts = benchStarts(64);
  const startsFor = (B: number) => Array.from({ length: B }, (_, i) => starts[i % starts.length]);
  const n = (k: number) => Math.max(5, Math.round(k * o.scale));
  const Baseline = await baselineDreams(o.repoRoot);
  const rows: SpeedRow[] = [];
  for (let r = 0; r < o.runs; r++) {
    for (const [code, Dreams] of [
      ...(Baseline ? ([[BASELINE_COMMIT, Baseline]] as const) : []),
      ['current', SimDreams] as const,
    ]) {
      const d = new Dreams(model, 256);
      d.reset(startsFor(256));
      await measure(code, d, 256, 1, n(10), 99); // warm-up: compiled code, filled tile cache
      rows.push(await measure(code, d, 256, 1, n(100), r + 1));
      console.error(`sim: ${JSON.stringify(rows.at(-1))}`);
    }
  }
  const one = new SimDreams(model, 1);
  one.reset(startsFor(1));
  await measure('current', one, 1, 1, n(300), 99);
  rows.push(await measure('current', one, 1, 1, n(3000), 1));
  console.error(`sim: ${JSON.stringify(rows.at(-1))}`);
  for (const B of [256, 1024]) {
    const pool = await SimDreamsPool.create(model, B, { threads: 2 });
    try {
      await pool.reset(startsFor(B));
      await measure('current', pool, B, 2, n(10), 99);
      rows.push(await measure('current', pool, B, 2, n((100 * 256) / B), 1));
      console.error(`sim: ${JSON.stringify(rows.at(-1))}`);
    } finally {
      await pool.close();
    }
  }
  const mean = (code: string, k: 'stepsPerSecond' | 'stepsPerCpuSecond') => {
    const xs = rows.filter((x) => x.code === code && x.batch === 256 && x.threads === 1).map((x) => x[k]);
    return xs.reduce((s, x) => s + x, 0) / xs.length;
  };
  const ratio = Baseline
    ? {
        cpu:
          Math.round((mean('current', 'stepsPerCpuSecond') / mean(BASELINE_COMMIT, 'stepsPerCpuSecond')) * 100) / 100,
        wall: Math.round((mean('current', 'stepsPerSecond') / mean(BASELINE_COMMIT, 'stepsPerSecond')) * 100) / 100,
      }
    : null;
  const r2 = (x: number) => Math.round(x * 10) / 10;
  return {
    model: o.modelName,
    bytes: o.modelBytes.byteLength,
    baseline: Baseline ? BASELINE_COMMIT : null,
    loadAverage: [r2(load0), r2(loadavg()[0])],
    rows,
    ratio,
  };
}

/** The report as the BENCHMARKS.md subsection's table. */
export function simBenchTable(r: SimBenchReport): string {
  const int = (x: number) => x.toLocaleString('en-US');
  return [
    '| code | batch × threads | steps | steps/s (wall) | steps per CPU-second | ms per batched step p50 / p99 |',
    '|---|---|---:|---:|---:|---:|',
    ...r.rows.map(
      (x) =>
        `| ${x.code} | ${x.batch} × ${x.threads} | ${int(x.steps)} | ` +
        `${int(x.stepsPerSecond)} | ${int(x.stepsPerCpuSecond)} | ${x.p50Ms} / ${x.p99Ms} |`,
    ),
  ].join('\n');
}
