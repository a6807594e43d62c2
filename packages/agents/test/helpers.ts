/** Small hand-built worlds for the workforce tests. */
import { Item, Material, type MaterialName, type Player, World } from '@aikon/engine';
import { Executor, type TaskStatus } from '../src/executor.ts';
import type { Sense } from '../src/senses.ts';
import type { TaskSpec } from '../src/tasks.ts';

export function blank(
  options: { fill?: MaterialName; t?: number; sense?: Sense; build?: (world: World) => void } = {},
): { world: World; p: Player; ex: Executor } {
  const world = World.blank({ seed: 7, fill: options.fill ?? 'grass' });
  if (options.t !== undefined) world.t = options.t;
  options.build?.(world);
  const p = world.addPlayer();
  const ex = new Executor(p.slot, { sense: options.sense ?? 'privileged' });
  return { world, p, ex };
}

export function mat(world: World, x: number, y: number, name: MaterialName): void {
  world.setMaterial(x, y, Material[name]);
}

export function give(p: Player, items: Partial<Record<keyof typeof Item, number>>): void {
  for (const [k, v] of Object.entries(items)) p.inventory[Item[k as keyof typeof Item]] = v as number;
}

/** Runs one task on one executor until it ends (or `max` steps); returns the status and steps. */
export function runTask(world: World, ex: Executor, spec: TaskSpec, max = 300): { status: TaskStatus; steps: number } {
  ex.assign({ id: 1, spec }, world);
  let steps = 0;
  while (steps < max) {
    const status = ex.selfEvaluate(world);
    if (status !== 'running') return { status, steps };
    world.step([ex.decide(world)]);
    steps++;
  }
  return { status: ex.selfEvaluate(world), steps };
}
