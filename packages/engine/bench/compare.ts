/**
 * The engine against an earlier version of itself: the engine's sources at a git revision are
 * exported under dist/, each engine runs in its own process, and the two take turns (never at the
 * same time) at the same loads with the same seeds. On a shared, loaded machine absolute rates
 * swing by 2–3× from minute to minute; the ratio of two engines measured in alternating rounds is
 * the figure that holds. (Both engines in one process is not fair: call sites shared by two copies
 * of the engine made identical code measure 0.6× against itself.) Work is timed in CPU time of
 * the process (see `cpuMs`).
 *   npx tsx packages/engine/bench/compare.ts [--baseline main] [--rounds 9] [--round-ms 300] [--json]
 *     [--only <text>]  (only the loads whose name contains the text, e.g. --only World.step)
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ATLAS = fileURLToPath(new URL('../../../public/textures/atlas.png', import.meta.url));

type EngineModule = typeof import('../src/index.ts');
type NodeModule = typeof import('../src/node.ts');

/**
 * CPU time of this process so far (user + system, ms). Loads are timed in CPU time, not wall
 * time: on a machine shared by many jobs a process gets a varying share of a core, which wall
 * time counts and CPU time does not.
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Units of work per CPU second of one timed load, run for about `ms` of CPU time from `seed` on. */
type Load = (engine: EngineModule, node: NodeModule, ms: number, seed: number) => number;

const stepsWithoutObservations: Load = (engine, _node, ms, seed) => {
  const agent = new engine.Rng(seed);
  const actions = [0];
  let steps = 0;
  let spent = 0;
  while (spent < ms) {
    const world = engine.World.generate({ seed: seed++ });
    const player = world.addPlayer();
    const t0 = cpuMs();
    while (!player.done) {
      actions[0] = agent.int(engine.NUM_ACTIONS);
      world.step(actions);
      steps++;
    }
    spent += cpuMs() - t0;
  }
  return steps / (spent / 1000);
};

const envs = new Map<boolean, InstanceType<EngineModule['CrafterEnv']>>();
/**
 * CrafterEnv steps; with `reuseArrays` (an engine older than the option ignores it and allocates,
 * so against such a baseline this load measures the option's gain).
 */
const stepsWithObservations =
  (reuseArrays: boolean): Load =>
  (engine, node, ms, seed) => {
    // The atlas lives outside the engine's sources (public/): both engines read the repository's.
    const env =
      envs.get(reuseArrays) ?? new engine.CrafterEnv({ textures: node.loadTextures(ATLAS), seed: 0, reuseArrays });
    envs.set(reuseArrays, env);
    const agent = new engine.Rng(seed);
    let steps = 0;
    let spent = 0;
    while (spent < ms) {
      env.reset({ seed: seed++ });
      const t0 = cpuMs();
      for (let done = false; !done; steps++) {
        const r = env.step(agent.int(engine.NUM_ACTIONS));
        done = r.terminated || r.truncated;
      }
      spent += cpuMs() - t0;
    }
    return steps / (spent / 1000);
  };

const RENDERS_PER_STATE = 16;
let renderer: InstanceType<EngineModule['AgentViewRenderer']> | null = null;
/** Renders of the states of random-agent episodes: all of them, or only day or night frames (§15.4). */
const renders =
  (which: 'all' | 'day' | 'night'): Load =>
  (engine, node, ms, seed) => {
    renderer ??= new engine.AgentViewRenderer(node.loadTextures(ATLAS), 64);
    const out = new Uint8Array(64 * 64 * 3);
    const agent = new engine.Rng(seed);
    const actions = [0];
    let frames = 0;
    let spent = 0;
    while (spent < ms) {
      const world = engine.World.generate({ seed: seed++ });
      const player = world.addPlayer();
      while (!player.done) {
        actions[0] = agent.int(engine.NUM_ACTIONS);
        world.step(actions);
        if (which !== 'all' && world.daylight < 0.5 !== (which === 'night')) continue;
        // Each state RENDERS_PER_STATE times in a row: one render is too short for the CPU clock.
        const t0 = cpuMs();
        for (let k = 0; k < RENDERS_PER_STATE; k++) renderer.render(world, 0, out);
        spent += cpuMs() - t0;
        frames += RENDERS_PER_STATE;
      }
    }
    return frames / (spent / 1000);
  };

const generations: Load = (engine, _node, ms, seed) => {
  let worlds = 0;
  const t0 = cpuMs();
  while (cpuMs() - t0 < ms) {
    engine.World.generate({ seed: seed++ }).addPlayer();
    worlds++;
  }
  return worlds / ((cpuMs() - t0) / 1000);
};

const LOADS: [string, Load][] = [
  ['World.step per CPU-s (random agent, no observation)', stepsWithoutObservations],
  ['CrafterEnv.step per CPU-s (64×64 observation + info)', stepsWithObservations(false)],
  ['CrafterEnv.step per CPU-s, reuseArrays', stepsWithObservations(true)],
  ['World.generate per CPU-s', generations],
  ['AgentViewRenderer.render per CPU-s (64×64, alone)', renders('all')],
  ['  of which day frames (daylight ≥ 0.5)', renders('day')],
  ['  of which night frames (daylight < 0.5: noise)', renders('night')],
];

interface Request {
  load: number;
  ms: number;
  seed: number;
}

/** A child: loads the engine at process.argv[3] and runs the loads it is asked for. */
async function serve(src: string): Promise<void> {
  const engine = (await import(pathToFileURL(join(src, 'index.ts')).href)) as EngineModule;
  const node = (await import(pathToFileURL(join(src, 'node.ts')).href)) as NodeModule;
  process.on('message', (m: Request) => process.send!(LOADS[m.load][1](engine, node, m.ms, m.seed)));
  process.send!('ready');
}

function ask(child: ChildProcess, request: Request): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (rate: number) => resolve(rate));
    child.send(request);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function compare(): Promise<void> {
  const { values } = parseArgs({
    options: {
      baseline: { type: 'string', default: 'main' },
      rounds: { type: 'string', default: '9' },
      'round-ms': { type: 'string', default: '300' },
      json: { type: 'boolean', default: false },
      only: { type: 'string', default: '' },
    },
    strict: true,
  });
  const rounds = Number(values.rounds);
  const ms = Number(values['round-ms']);
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: packageDir, encoding: 'utf8' }).trim();
  const commit = git('rev-parse', '--short', values.baseline);
  const prefix = git('rev-parse', '--show-prefix'); // packages/engine/
  // Under dist/: ignored by git, and inside the package, so the export resolves the workspace's
  // dependencies. (Not under node_modules: tsx runs TypeScript found there markedly slower.)
  const exportDir = join(packageDir, 'dist', 'bench-baseline', commit);
  mkdirSync(exportDir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${commit} ${prefix}src | tar -x -C '${exportDir}'`], {
    cwd: join(packageDir, '../..'),
  });

  const script = fileURLToPath(import.meta.url);
  const children = [join(exportDir, prefix, 'src'), join(packageDir, 'src')].map((src) =>
    fork(script, ['--serve', src], { execArgv: ['--import', 'tsx'] }),
  );
  await Promise.all(children.map((c) => new Promise((resolve) => c.once('message', resolve))));

  const results: Record<string, { baseline: number; current: number; ratio: number }> = {};
  for (let load = 0; load < LOADS.length; load++) {
    if (!LOADS[load][0].includes(values.only)) continue;
    const rates = children.map(() => [] as number[]);
    // The same seeds for both engines in each round, in alternating order; round 0 warms up.
    for (let round = 0; round <= rounds; round++) {
      for (const k of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const rate = await ask(children[k], { load, ms, seed: round * 1000 });
        if (round > 0) rates[k].push(rate);
      }
    }
    const [baseline, current] = rates.map(median);
    results[LOADS[load][0]] = {
      baseline: Math.round(baseline),
      current: Math.round(current),
      ratio: Number((current / baseline).toFixed(2)),
    };
  }
  for (const c of children) c.kill();

  if (values.json) console.log(JSON.stringify({ baseline: commit, rounds, roundMs: ms, results }));
  else {
    console.log(
      `Engine: baseline ${commit} against the working tree, one process each, median of ${rounds} alternating rounds`,
    );
    console.table(results);
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3]);
else await compare();
