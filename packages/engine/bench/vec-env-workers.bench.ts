/**
 * VecEnvWorkers against a one-thread VecEnv, measured so that a loaded machine cannot fake the
 * answer either way. The wall-clock speed-up alone says little on a machine shared with other
 * jobs: two workers need two free cores and get what the scheduler leaves. So the script also
 * reads each thread's time on a CPU (Linux: /proc/self/task/<tid>/schedstat, nanoseconds;
 * preemption by other jobs is not counted there) and reports:
 *   - one thread: CPU time per vector step (all of it on the main thread);
 *   - workers: the critical path of each vector step in CPU time: the main thread's part
 *     (actions, hand-off, waits) plus, per step, the slowest worker's CPU time in that step — a
 *     worker resetting a world while the other waits counts in full. Idle cores would run a step
 *     in about that time (plus the thread wake-ups, ≈ 10 µs, not counted), so
 *     one-thread time ÷ critical path is the speed-up on idle cores (an estimate, stated so);
 *   - the wall-clock speed-up as measured, the load average, and each side's share of time
 *     spent waiting for a CPU, which says how far the wall figure is from an idle machine's.
 * The sides run in alternating rounds (medians over rounds) with random actions, fair-view
 * observations and automatic resets, as training uses them.
 *   npx tsx packages/engine/bench/vec-env-workers.bench.ts [--worlds 64] [--workers 2] [--rounds 7]
 *     [--round-ms 1500] [--json]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { NUM_ACTIONS, Rng, VecEnv } from '../src/index.ts';
import { VecEnvWorkers } from '../src/node.ts';

const { values } = parseArgs({
  options: {
    worlds: { type: 'string', default: '64' },
    workers: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '7' },
    'round-ms': { type: 'string', default: '1500' },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});
const worlds = Number(values.worlds);
const workers = Number(values.workers);
const rounds = Number(values.rounds);
const roundMs = Number(values['round-ms']);
for (const [name, v] of [
  ['worlds', worlds],
  ['workers', workers],
  ['rounds', rounds],
  ['round-ms', roundMs],
] as const) {
  if (!(Number.isInteger(v) && v > 0)) throw new Error(`--${name} must be a positive integer, got ${v}`);
}

/** Nanoseconds one thread has run on a CPU and waited for one so far (schedstat). */
function schedstat(tid: number): { runNs: number; waitNs: number } {
  const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ');
  return { runNs: Number(run), waitNs: Number(wait) };
}

function threadIds(): number[] {
  return readdirSync('/proc/self/task').map(Number);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const seeds = Array.from({ length: worlds }, (_, i) => i);
const one = new VecEnv({ seeds });
const existing = new Set(threadIds());
const many = await VecEnvWorkers.create({ seeds, workers });
one.reset();
many.reset();
const agent = new Rng(3);
const actions = new Int32Array(worlds);
const randomActions = (): Int32Array => {
  for (let i = 0; i < worlds; i++) actions[i] = agent.int(NUM_ACTIONS);
  return actions;
};
const MAIN = process.pid;

// The worker threads: of the threads VecEnvWorkers started, the `workers` that run most while it
// steps. (V8's helper threads — compiler, garbage collector — run for both sides and are left
// out of both: the one-thread figure is the main thread's alone.)
const started = threadIds().filter((tid) => !existing.has(tid));
const before = new Map(started.map((tid) => [tid, schedstat(tid).runNs]));
for (let k = 0; k < 100; k++) many.step(randomActions());
const workerTids = started
  .map((tid) => ({ tid, ran: schedstat(tid).runNs - before.get(tid)! }))
  .sort((a, b) => b.ran - a.ran)
  .slice(0, workers)
  .map((t) => t.tid);

interface Round {
  /** Vector steps, wall seconds, and the main thread's CPU and CPU-wait nanoseconds. */
  steps: number;
  wallS: number;
  mainRunNs: number;
  mainWaitNs: number;
  /** Workers only: Σ over steps of the slowest worker's CPU ns, and the workers' CPU-wait ns. */
  criticalNs: number;
  workersRunNs: number;
  workersWaitNs: number;
}

/** Steps `env` for about roundMs of wall time; `perStep` reads the workers' CPU time every step. */
function round(env: { step(actions: Int32Array): void }, perStep: boolean): Round {
  const main0 = schedstat(MAIN);
  let last = workerTids.map(schedstat);
  const first = last;
  let criticalNs = 0;
  let steps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < roundMs) {
    env.step(randomActions());
    steps++;
    if (perStep) {
      const now = workerTids.map(schedstat);
      criticalNs += Math.max(...now.map((s, w) => s.runNs - last[w].runNs));
      last = now;
    }
  }
  const wallS = (performance.now() - t0) / 1000;
  const main1 = schedstat(MAIN);
  const end = workerTids.map(schedstat);
  return {
    steps,
    wallS,
    mainRunNs: main1.runNs - main0.runNs,
    mainWaitNs: main1.waitNs - main0.waitNs,
    criticalNs,
    workersRunNs: end.reduce((a, s, w) => a + s.runNs - first[w].runNs, 0),
    workersWaitNs: end.reduce((a, s, w) => a + s.waitNs - first[w].waitNs, 0),
  };
}

const load = [loadavg()[0]];
const ones: Round[] = [];
const manys: Round[] = [];
const paths: Round[] = [];
// Round 0 warms up (compiles the step paths); later rounds alternate which side goes first.
for (let r = 0; r <= rounds; r++) {
  const sides = [() => ones.push(round(one, false)), () => manys.push(round(many, false))];
  if (r % 2 === 1) sides.reverse();
  for (const side of sides) side();
  paths.push(round(many, true));
  if (r === 0) for (const list of [ones, manys, paths]) list.length = 0;
  load.push(loadavg()[0]);
}
await many.close();

const us = (ns: number): number => ns / 1000;
// Per vector step: one thread's CPU time; the workers' critical path in CPU time (the main
// thread's part from the plain rounds, the slowest worker's from the per-step rounds).
const oneStepUs = median(ones.map((r) => us(r.mainRunNs) / r.steps));
const mainPartUs = median(manys.map((r) => us(r.mainRunNs) / r.steps));
const slowestWorkerUs = median(paths.map((r) => us(r.criticalNs) / r.steps));
const criticalUs = mainPartUs + slowestWorkerUs;
const cpuWaitShare = (run: number, wait: number): number => Number((wait / (run + wait)).toFixed(2));
const result = {
  worlds,
  workers,
  rounds,
  roundMs,
  loadAverage: { min: Math.min(...load), max: Math.max(...load) },
  oneThread: {
    cpuUsPerVectorStep: Number(oneStepUs.toFixed(1)),
    worldStepsPerCpuS: Math.round((worlds * 1e6) / oneStepUs),
    wallWorldStepsPerS: Math.round(median(ones.map((r) => (r.steps * worlds) / r.wallS))),
    cpuWaitShare: median(ones.map((r) => cpuWaitShare(r.mainRunNs, r.mainWaitNs))),
  },
  workerThreads: {
    criticalPathUsPerVectorStep: Number(criticalUs.toFixed(1)),
    mainThreadUs: Number(mainPartUs.toFixed(1)),
    slowestWorkerUs: Number(slowestWorkerUs.toFixed(1)),
    allWorkersCpuUsPerVectorStep: Number(median(manys.map((r) => us(r.workersRunNs) / r.steps)).toFixed(1)),
    wallWorldStepsPerS: Math.round(median(manys.map((r) => (r.steps * worlds) / r.wallS))),
    cpuWaitShare: median(manys.map((r) => cpuWaitShare(r.workersRunNs, r.workersWaitNs))),
  },
  estimatedSpeedupOnIdleCores: Number((oneStepUs / criticalUs).toFixed(2)),
  wallSpeedup: Number(median(manys.map((m, k) => ones[k].wallS / ones[k].steps / (m.wallS / m.steps))).toFixed(2)),
  node: process.version,
};
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(`VecEnv, ${worlds} worlds: one thread against ${workers} worker threads, ${rounds} alternating rounds`);
  console.log(`load average (1 min) ${result.loadAverage.min}–${result.loadAverage.max}`);
  console.table({ 'one thread': result.oneThread });
  console.table({ [`${workers} workers`]: result.workerThreads });
  console.log(
    `speed-up on idle cores (CPU-time critical path, estimate): ${result.estimatedSpeedupOnIdleCores}×; ` +
      `wall-clock speed-up here: ${result.wallSpeedup}×`,
  );
}
