/**
 * VecEnvWorkers against a one-thread VecEnv, measured so that a loaded machine cannot fake the
 * answer either way. The wall-clock speed-up alone says little on a machine shared with other
 * jobs: two threads need two free cores and get what the scheduler leaves. So the script also
 * reads each thread's time on a CPU (Linux: /proc/self/task/<tid>/schedstat, nanoseconds;
 * preemption by other jobs is not counted there) and its sleeps (voluntary context switches) and
 * reports:
 *   - one thread: CPU time per vector step (all of it on the main thread);
 *   - threads: each stepping thread's CPU time per vector step (the calling thread's and each
 *     worker's). A thread that finishes its block first does not stop: it generates worlds ahead,
 *     then polls for the others (VecEnvWorkers), so while no thread sleeps every thread is on a
 *     CPU for the whole of every step, and the busiest thread's CPU time per step is what a step
 *     would take on idle cores. One-thread time ÷ that is the speed-up on idle cores (an
 *     estimate, stated so). It leans low on a loaded machine (a thread polls on while the other
 *     is preempted, and preempted threads come back to cold caches); it would lean high if threads
 *     slept often (a sleep is not CPU time), so the sleeps per step are printed beside it;
 *   - the wall-clock speed-up as measured, the load average, and each side's share of time
 *     spent waiting for a CPU, which says how far the wall figure is from an idle machine's.
 * The sides run in alternating rounds (medians over rounds) with random actions, fair-view
 * observations and automatic resets, as training uses them.
 *   npx tsx packages/engine/bench/vec-env-workers.bench.ts [--worlds 64] [--threads 2] [--rounds 7]
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
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '7' },
    'round-ms': { type: 'string', default: '1500' },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});
const worlds = Number(values.worlds);
const threads = Number(values.threads);
const rounds = Number(values.rounds);
const roundMs = Number(values['round-ms']);
for (const [name, v] of [
  ['worlds', worlds],
  ['threads', threads],
  ['rounds', rounds],
  ['round-ms', roundMs],
] as const) {
  if (!(Number.isInteger(v) && v > 0)) throw new Error(`--${name} must be a positive integer, got ${v}`);
}

/** One thread's time on a CPU and waiting for one (ns, schedstat), and its sleeps so far. */
interface ThreadTimes {
  runNs: number;
  waitNs: number;
  sleeps: number;
}

function threadTimes(tid: number): ThreadTimes {
  const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ');
  const sleeps = /voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/self/task/${tid}/status`, 'utf8'));
  return { runNs: Number(run), waitNs: Number(wait), sleeps: Number(sleeps![1]) };
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
const many = await VecEnvWorkers.create({ seeds, threads });
one.reset();
many.reset();
const agent = new Rng(3);
const actions = new Int32Array(worlds);
const randomActions = (): Int32Array => {
  for (let i = 0; i < worlds; i++) actions[i] = agent.int(NUM_ACTIONS);
  return actions;
};

// The stepping threads: the main thread, and of the threads VecEnvWorkers started the
// threads − 1 that run most while it steps. (V8's helper threads — compiler, garbage collector —
// run for both sides and are left out of both: the one-thread figure is the main thread's alone.)
const started = threadIds().filter((tid) => !existing.has(tid));
const before = new Map(started.map((tid) => [tid, threadTimes(tid).runNs]));
for (let k = 0; k < 100; k++) many.step(randomActions());
const stepping = [
  process.pid,
  ...started
    .map((tid) => ({ tid, ran: threadTimes(tid).runNs - before.get(tid)! }))
    .sort((a, b) => b.ran - a.ran)
    .slice(0, threads - 1)
    .map((t) => t.tid),
];

interface Round {
  steps: number;
  wallS: number;
  /** Per stepping thread (the main thread first): CPU ns, CPU-wait ns and sleeps in the round. */
  threads: ThreadTimes[];
}

/** Steps `env` for about roundMs of wall time. */
function round(env: { step(actions: Int32Array): void }): Round {
  const first = stepping.map(threadTimes);
  let steps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < roundMs) {
    env.step(randomActions());
    steps++;
  }
  const wallS = (performance.now() - t0) / 1000;
  const end = stepping.map(threadTimes);
  return {
    steps,
    wallS,
    threads: end.map((e, k) => ({
      runNs: e.runNs - first[k].runNs,
      waitNs: e.waitNs - first[k].waitNs,
      sleeps: e.sleeps - first[k].sleeps,
    })),
  };
}

const load = [loadavg()[0]];
const ones: Round[] = [];
const manys: Round[] = [];
// Round 0 warms up (compiles the step paths); later rounds alternate which side goes first.
for (let r = 0; r <= rounds; r++) {
  const sides = [() => ones.push(round(one)), () => manys.push(round(many))];
  if (r % 2 === 1) sides.reverse();
  for (const side of sides) side();
  if (r === 0) for (const list of [ones, manys]) list.length = 0;
  load.push(loadavg()[0]);
}
await many.close();

const perStep = (rs: Round[], value: (r: Round) => number): number => median(rs.map((r) => value(r) / r.steps));
const oneStepUs = perStep(ones, (r) => r.threads[0].runNs / 1000);
const threadUs = stepping.map((_, k) => perStep(manys, (r) => r.threads[k].runNs / 1000));
const busiestUs = Math.max(...threadUs);
const cpuWaitShare = (ts: ThreadTimes[]): number => {
  const run = ts.reduce((a, t) => a + t.runNs, 0);
  const wait = ts.reduce((a, t) => a + t.waitNs, 0);
  return Number((wait / (run + wait)).toFixed(2));
};
const result = {
  worlds,
  threads,
  rounds,
  roundMs,
  loadAverage: { min: Math.min(...load), max: Math.max(...load) },
  oneThread: {
    cpuUsPerVectorStep: Number(oneStepUs.toFixed(1)),
    worldStepsPerCpuS: Math.round((worlds * 1e6) / oneStepUs),
    wallWorldStepsPerS: Math.round(median(ones.map((r) => (r.steps * worlds) / r.wallS))),
    cpuWaitShare: median(ones.map((r) => cpuWaitShare(r.threads.slice(0, 1)))),
  },
  threadsSide: {
    cpuUsPerVectorStepByThread: threadUs.map((us) => Number(us.toFixed(1))),
    sleepsPerVectorStepByThread: stepping.map((_, k) => Number(perStep(manys, (r) => r.threads[k].sleeps).toFixed(2))),
    wallWorldStepsPerS: Math.round(median(manys.map((r) => (r.steps * worlds) / r.wallS))),
    cpuWaitShare: median(manys.map((r) => cpuWaitShare(r.threads))),
  },
  estimatedSpeedupOnIdleCores: Number((oneStepUs / busiestUs).toFixed(2)),
  wallSpeedup: Number(median(manys.map((m, k) => ones[k].wallS / ones[k].steps / (m.wallS / m.steps))).toFixed(2)),
  node: process.version,
};
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(`VecEnv, ${worlds} worlds: one thread against ${threads} threads, ${rounds} alternating rounds`);
  console.log(`load average (1 min) ${result.loadAverage.min}–${result.loadAverage.max}`);
  console.table({ 'one thread': result.oneThread });
  console.table({ [`${threads} threads`]: result.threadsSide });
  console.log(
    `speed-up on idle cores (busiest thread's CPU time per step, estimate): ${result.estimatedSpeedupOnIdleCores}×; ` +
      `wall-clock speed-up here: ${result.wallSpeedup}×`,
  );
}
