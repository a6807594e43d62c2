/**
 * The engine against an earlier version of itself, in one process: the engine's sources at a git
 * revision are exported next to node_modules and both engines run the same loads in alternating
 * rounds. On a shared, loaded machine absolute rates swing by 2–3× from minute to minute; the
 * ratio of two engines measured side by side is the figure that holds.
 *   npx tsx packages/engine/bench/compare.ts [--baseline main] [--rounds 5] [--round-ms 400] [--json]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    baseline: { type: 'string', default: 'main' },
    rounds: { type: 'string', default: '5' },
    'round-ms': { type: 'string', default: '400' },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});
const rounds = Number(values.rounds);
const roundMs = Number(values['round-ms']);

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const git = (...args: string[]): string => execFileSync('git', args, { cwd: packageDir, encoding: 'utf8' }).trim();
const commit = git('rev-parse', '--short', values.baseline);
const prefix = git('rev-parse', '--show-prefix'); // packages/engine/
// Under node_modules: ignored by git, and the export resolves the workspace's dependencies.
const exportDir = join(packageDir, 'node_modules', '.engine-baseline', commit);
mkdirSync(exportDir, { recursive: true });
execFileSync('sh', ['-c', `git archive ${commit} ${prefix}src | tar -x -C '${exportDir}'`], { cwd: join(packageDir, '../..') });

type EngineModule = typeof import('../src/index.ts');
type NodeModule = typeof import('../src/node.ts');
interface Engine {
  engine: EngineModule;
  node: NodeModule;
}
const load = async (src: string): Promise<Engine> => ({
  engine: (await import(pathToFileURL(join(src, 'index.ts')).href)) as EngineModule,
  node: (await import(pathToFileURL(join(src, 'node.ts')).href)) as NodeModule,
});
const engines = [await load(join(exportDir, prefix, 'src')), await load(join(packageDir, 'src'))];

/** One timed load: runs for about `ms` and returns units done per second (only the timed part). */
type Load = (e: Engine, ms: number, state: { seed: number }) => number;

const stepsWithoutObservations: Load = ({ engine }, ms, state) => {
  const agent = new engine.Rng(state.seed);
  const actions = [0];
  let steps = 0;
  let spent = 0;
  while (spent < ms) {
    const world = engine.World.generate({ seed: state.seed++ });
    const player = world.addPlayer();
    const t0 = performance.now();
    while (!player.done) {
      actions[0] = agent.int(engine.NUM_ACTIONS);
      world.step(actions);
      steps++;
    }
    spent += performance.now() - t0;
  }
  return steps / (spent / 1000);
};

// The atlas lives outside the engine's sources (public/): both engines read the current one.
const textures = engines[1].node.loadTextures();
const envs = new Map<Engine, InstanceType<EngineModule['CrafterEnv']>>();
const stepsWithObservations: Load = (e, ms, state) => {
  let env = envs.get(e);
  if (!env) envs.set(e, (env = new e.engine.CrafterEnv({ textures, seed: 0 })));
  const agent = new e.engine.Rng(state.seed);
  let steps = 0;
  let spent = 0;
  while (spent < ms) {
    env.reset({ seed: state.seed++ });
    const t0 = performance.now();
    for (let done = false; !done; steps++) {
      const r = env.step(agent.int(e.engine.NUM_ACTIONS));
      done = r.terminated || r.truncated;
    }
    spent += performance.now() - t0;
  }
  return steps / (spent / 1000);
};

const generations: Load = ({ engine }, ms, state) => {
  let worlds = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    engine.World.generate({ seed: state.seed++ }).addPlayer();
    worlds++;
  }
  return worlds / ((performance.now() - t0) / 1000);
};

const loads: [string, Load][] = [
  ['World.step/s (random agent, no observation)', stepsWithoutObservations],
  ['CrafterEnv.step/s (64×64 observation + info)', stepsWithObservations],
  ['World.generate/s', generations],
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const results: Record<string, { baseline: number; current: number; ratio: number }> = {};
for (const [label, run] of loads) {
  // The same seeds for both engines in each round; the first round of each is a warm-up.
  const rates = engines.map(() => [] as number[]);
  for (let round = 0; round <= rounds; round++) {
    engines.forEach((e, k) => {
      const rate = run(e, roundMs, { seed: round * 1000 });
      if (round > 0) rates[k].push(rate);
    });
  }
  const [baseline, current] = rates.map(median);
  results[label] = { baseline: Math.round(baseline), current: Math.round(current), ratio: Number((current / baseline).toFixed(2)) };
}

if (values.json) console.log(JSON.stringify({ baseline: commit, results }));
else {
  console.log(`Engine: baseline ${commit} against the working tree, one process, median of ${rounds} alternating rounds`);
  console.table(results);
}
