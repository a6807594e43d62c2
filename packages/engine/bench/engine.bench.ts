/**
 * Engine benchmark: random-agent steps per second on one thread, without observations
 * (World.step) and with 64×64 observations (CrafterEnv.step), world generation time, and
 * memory per world.
 *   npm run bench -w @aikon/engine [-- --json] [--seconds 5]
 */
import { parseArgs } from 'node:util';
import { CrafterEnv } from '../src/env.ts';
import { loadTextures, VecEnvWorkers } from '../src/node.ts';
import { NUM_ACTIONS, Rng, VecEnv, World } from '../src/index.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '4' },
    worlds: { type: 'string', default: '64' },
    threads: { type: 'string', default: '2' },
  },
  strict: true,
});
const worlds = Number(values.worlds);
const threads = Number(values.threads);
const seconds = Number(values.seconds);
if (!(seconds > 0)) throw new Error(`--seconds must be positive, got ${values.seconds}`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Steps per second of World.step with a random agent, excluding world generation. */
function stepsWithoutObservations(): { stepsPerSecond: number; generateMs: number; generateP99Ms: number } {
  const agent = new Rng(1);
  const actions = [0];
  const genTimes: number[] = [];
  let stepMs = 0;
  let steps = 0;
  let seed = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const g0 = performance.now();
    const world = World.generate({ seed: seed++ });
    const player = world.addPlayer();
    const g1 = performance.now();
    genTimes.push(g1 - g0);
    // Time a batch of steps at once so the timer's cost does not dominate.
    while (!player.done) {
      actions[0] = agent.int(NUM_ACTIONS);
      world.step(actions);
      steps++;
    }
    stepMs += performance.now() - g1;
  }
  genTimes.sort((a, b) => a - b);
  return {
    stepsPerSecond: steps / (stepMs / 1000),
    generateMs: genTimes.reduce((a, b) => a + b, 0) / genTimes.length,
    generateP99Ms: percentile(genTimes, 99),
  };
}

/** Steps per second of CrafterEnv.step (world step + 64×64 observation + info), with fresh or reused arrays. */
function stepsWithObservations(reuseArrays: boolean): number {
  const env = new CrafterEnv({ textures: loadTextures(), seed: 0, reuseArrays });
  const agent = new Rng(2);
  let steps = 0;
  let ms = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    env.reset();
    const t0 = performance.now();
    let done = false;
    while (!done) {
      const r = env.step(agent.int(NUM_ACTIONS));
      done = r.terminated || r.truncated;
      steps++;
    }
    ms += performance.now() - t0;
  }
  return steps / (ms / 1000);
}

/** Heap bytes per generated world with one player (needs --expose-gc for a clean reading). */
function bytesPerWorld(): { bytesPerWorld: number; snapshotBytes: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  const count = 200;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const worlds: World[] = [];
  for (let i = 0; i < count; i++) {
    const w = World.generate({ seed: i });
    w.addPlayer();
    worlds.push(w);
  }
  gc?.();
  const after = process.memoryUsage().heapUsed;
  return { bytesPerWorld: (after - before) / count, snapshotBytes: worlds[0].snapshot().length };
}

/** World-steps per second of a VecEnv-shaped environment with random actions (resets included). */
function vecStepsPerSecond(
  env: { reset(): void; step(actions: Int32Array): void },
  num: number,
  duration = seconds,
): number {
  const agent = new Rng(3);
  const actions = new Int32Array(num);
  env.reset();
  let steps = 0;
  const t0 = performance.now();
  const end = t0 + duration * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < num; i++) actions[i] = agent.int(NUM_ACTIONS);
    env.step(actions);
    steps += num;
  }
  return steps / ((performance.now() - t0) / 1000);
}

const seeds = Array.from({ length: worlds }, (_, i) => i);
// Both sides warm up for 1 s first (each thread compiles the step path and builds its noise
// tables, ≈ 0.1 s of CPU per thread), then each is timed on a fresh reset.
const one = new VecEnv({ seeds });
vecStepsPerSecond(one, worlds, 1);
const vecOne = vecStepsPerSecond(one, worlds);
const parallel = await VecEnvWorkers.create({ seeds, threads });
vecStepsPerSecond(parallel, worlds, 1);
const vecWorkers = vecStepsPerSecond(parallel, worlds);
await parallel.close();

const noObs = stepsWithoutObservations();
const withObs = stepsWithObservations(false);
const withObsReused = stepsWithObservations(true);
const memory = bytesPerWorld();
const result = {
  stepsPerSecond: Math.round(noObs.stepsPerSecond),
  stepsPerSecondWithObs: Math.round(withObs),
  stepsPerSecondWithObsReusedArrays: Math.round(withObsReused),
  bytesPerWorld: Math.round(memory.bytesPerWorld),
  snapshotBytes: memory.snapshotBytes,
  generateMsMean: Number(noObs.generateMs.toFixed(3)),
  generateMsP99: Number(noObs.generateP99Ms.toFixed(3)),
  observationCostRatio: Number((noObs.stepsPerSecond / withObs).toFixed(2)),
  vecEnvWorlds: worlds,
  vecEnvStepsPerSecond: Math.round(vecOne),
  vecEnvWorkersThreads: threads,
  vecEnvWorkersStepsPerSecond: Math.round(vecWorkers),
  vecEnvWorkersSpeedup: Number((vecWorkers / vecOne).toFixed(2)),
  node: process.version,
};

if (values.json) {
  console.log(JSON.stringify(result));
} else {
  console.log('Engine benchmark (one thread, random agent)');
  console.table({
    'steps/s without observations': result.stepsPerSecond,
    'steps/s with 64×64 observations': result.stepsPerSecondWithObs,
    'steps/s with 64×64 observations, reuseArrays': result.stepsPerSecondWithObsReusedArrays,
    'slowdown from observations (×)': result.observationCostRatio,
    'world generation, mean ms': result.generateMsMean,
    'world generation, p99 ms': result.generateMsP99,
    'heap bytes per world': result.bytesPerWorld,
    'snapshot bytes per world': result.snapshotBytes,
    [`VecEnv (${worlds} worlds, fair view) steps/s, one thread`]: result.vecEnvStepsPerSecond,
    [`VecEnvWorkers steps/s, ${threads} threads`]: result.vecEnvWorkersStepsPerSecond,
    'VecEnvWorkers speed-up (×, wall clock; idle-core estimate: npm run bench:vec-workers)':
      result.vecEnvWorkersSpeedup,
  });
}
