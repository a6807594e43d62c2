/**
 * Workforce benchmark (one thread):
 *   npm run bench -w @aikon/agents [-- --episodes 4 --json]
 * - planner: milliseconds per plan ('all achievements' and 'make iron_pickaxe' from scratch);
 * - executor: milliseconds per decision (senses + reflexes + A*), p50 / p99 / max, for both senses;
 * - worker actions per second on one core (decisions only, and with the world step);
 * - how many workers one core could drive at 8 ticks/s, from the mean per-action cost.
 */
import { parseArgs } from 'node:util';
import { episodeSeed, INITIAL_INVENTORY, World } from '@aikon/engine';
import { Commander } from '../src/commander.ts';
import { Executor } from '../src/executor.ts';
import { Pathfinder, type SearchOptions, type SearchResult, type Terrain } from '../src/pathfind.ts';
import { Planner } from '../src/planner.ts';
import type { Sense } from '../src/senses.ts';

const { values } = parseArgs({
  options: { episodes: { type: 'string', default: '4' }, json: { type: 'boolean', default: false } },
  strict: true,
});
const episodes = Number(values.episodes);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function benchPlanner(): Record<string, number> {
  const planner = new Planner();
  const out: Record<string, number> = {};
  for (const [name, goal] of [
    ['all achievements', { kind: 'all' }],
    ['make iron_pickaxe', { kind: 'make', item: 'iron_pickaxe' }],
  ] as const) {
    for (let i = 0; i < 200; i++) planner.plan(goal, { inventory: INITIAL_INVENTORY }); // warm up
    const n = 2000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) planner.plan(goal, { inventory: INITIAL_INVENTORY });
    out[name] = (performance.now() - t0) / n;
  }
  return out;
}

/** A* with a stopwatch around every search. */
class TimedPathfinder extends Pathfinder {
  readonly ms: number[] = [];
  override search(terrain: Terrain, sx: number, sy: number, sf: number, options: SearchOptions): SearchResult {
    const t0 = performance.now();
    const res = super.search(terrain, sx, sy, sf, options);
    this.ms.push(performance.now() - t0);
    return res;
  }
}

function benchExecutor(sense: Sense) {
  const decisions: number[] = [];
  let stepMs = 0;
  let tickMs = 0;
  let steps = 0;
  let searches = 0;
  const astar: number[] = [];
  for (let k = 0; k < episodes; k++) {
    const world = World.generate({ seed: episodeSeed(1000, k) });
    const p = world.addPlayer();
    const c = new Commander(world, { sense });
    const pf = new TimedPathfinder();
    const ex = c.addWorker(p.slot, new Executor(p.slot, { sense, pathfinder: pf }));
    ex.profile = true;
    c.setGoal({ kind: 'all' });
    while (!p.done) {
      const t0 = performance.now();
      const actions = c.tick();
      const t1 = performance.now();
      world.step(actions);
      const t2 = performance.now();
      tickMs += t1 - t0;
      stepMs += t2 - t1;
      steps++;
    }
    decisions.push(...ex.decisionMs);
    searches += ex.pf.searches;
    astar.push(...pf.ms);
  }
  decisions.sort((a, b) => a - b);
  astar.sort((a, b) => a - b);
  const mean = decisions.reduce((a, b) => a + b, 0) / decisions.length;
  const perAction = tickMs / steps; // commander + executor per worker action
  return {
    sense,
    steps,
    decisionP50Ms: pct(decisions, 50),
    decisionP99Ms: pct(decisions, 99),
    decisionMaxMs: decisions[decisions.length - 1],
    decisionMeanMs: mean,
    astarP50Ms: pct(astar, 50),
    astarP99Ms: pct(astar, 99),
    astarMeanMs: astar.reduce((a, b) => a + b, 0) / astar.length,
    searchesPerDecision: searches / decisions.length,
    actionsPerSecond: 1000 / perAction,
    actionsPerSecondWithStep: (1000 * steps) / (tickMs + stepMs),
    workersAt8TicksPerSecond: Math.floor(1000 / perAction / 8),
    workersAt8TicksPerSecondP99: Math.floor(1000 / pct(decisions, 99) / 8),
  };
}

const planner = benchPlanner();
const rows = (['privileged', 'fair'] as const).map(benchExecutor);
if (values.json) {
  console.log(JSON.stringify({ plannerMsPerPlan: planner, executor: rows }));
} else {
  console.log('Workforce benchmark (one thread)');
  for (const [name, ms] of Object.entries(planner))
    console.log(`  planner, ${name.padEnd(18)} ${(ms * 1000).toFixed(0)} µs per plan`);
  for (const r of rows) {
    console.log(`  ${r.sense} sense (${r.steps} steps over ${episodes} episodes):`);
    console.log(
      `    A* search: p50 ${(r.astarP50Ms * 1000).toFixed(0)} µs, p99 ` +
        `${(r.astarP99Ms * 1000).toFixed(0)} µs, mean ${(r.astarMeanMs * 1000).toFixed(0)} µs`,
    );
    console.log(
      `    decision (senses + reflexes + A*): p50 ${(r.decisionP50Ms * 1000).toFixed(0)} µs, ` +
        `p99 ${(r.decisionP99Ms * 1000).toFixed(0)} µs, max ${r.decisionMaxMs.toFixed(1)} ms; ` +
        `${r.searchesPerDecision.toFixed(2)} A* searches per decision`,
    );
    console.log(
      `    worker actions per second: ${Math.round(r.actionsPerSecond)} ` +
        `(decisions), ${Math.round(r.actionsPerSecondWithStep)} (with world.step)`,
    );
    console.log(
      `    workers one core drives at 8 ticks/s: ${r.workersAt8TicksPerSecond} ` +
        `(mean cost), ${r.workersAt8TicksPerSecondP99} (every decision at p99)`,
    );
  }
}
