import { describe, expect, it } from 'vitest';
import { Action, Item, Material, type World } from '@aikon/engine';
import { Commander } from '../src/commander.ts';
import { Executor, type TaskStatus } from '../src/executor.ts';
import { blank, give, mat } from './helpers.ts';

/** An executor whose reports are scripted: it claims results without acting. */
class ScriptedExecutor extends Executor {
  readonly scripted: TaskStatus[];
  readonly reported: string[] = [];
  constructor(slot: number, scripted: TaskStatus[]) {
    super(slot);
    this.scripted = scripted;
  }
  override selfEvaluate(world: World): TaskStatus {
    void world;
    if (this.status !== 'running' || !this.task) return this.status;
    const next = this.scripted.shift() ?? 'running';
    if (next === 'failed') this.failReason = 'scripted failure';
    this.status = next;
    this.reported.push(`${this.task.spec.kind}:${next}`);
    return next;
  }
  override decide(): number {
    return Action.noop;
  }
}

function run(world: World, c: Commander, steps: number): void {
  for (let i = 0; i < steps && !world.over; i++) world.step(c.tick());
}

describe('commander', () => {
  it('assigns a task to the nearest idle worker', () => {
    const { world } = blank();
    const far = world.player(0);
    const near = world.addPlayer();
    world.moveEntity(near, 40, 32);
    mat(world, 43, 32, 'tree');
    const c = new Commander(world);
    c.addWorker(far.slot);
    c.addWorker(near.slot);
    expect(c.setGoal('collect wood 1').ok).toBe(true);
    c.tick();
    const q = c.queue.find((t) => t.status === 'assigned')!;
    expect(q.worker).toBe(near.slot);
  });

  it('gives independent lanes to different workers (fewest open tasks)', () => {
    const { world } = blank();
    const second = world.addPlayer();
    for (const [x, y] of [
      [36, 30],
      [37, 30],
      [38, 30],
      [28, 36],
    ])
      mat(world, x, y, 'tree');
    const c = new Commander(world);
    c.addWorker(0);
    c.addWorker(second.slot);
    expect(c.setGoal('make wood_pickaxe').ok).toBe(true);
    c.tick();
    const busy = new Set(c.queue.filter((q) => q.status === 'assigned').map((q) => q.worker));
    expect(busy.size).toBe(2);
    run(world, c, 120);
    expect(c.finished).toBe(true);
    expect(world.player(0).inventory[Item.wood_pickaxe] + second.inventory[Item.wood_pickaxe]).toBe(1);
  });

  it('validates results against the world: a false report is rejected, retried, then re-planned', () => {
    const { world } = blank();
    const liar = new ScriptedExecutor(0, ['done', 'done', 'done', 'done']);
    const c = new Commander(world, { maxAttempts: 2 });
    c.addWorker(0, liar);
    give(world.player(0), { wood: 2 });
    expect(c.setGoal('place table').ok).toBe(true);
    run(world, c, 6);
    const rejected = c.audit.filter((e) => /rejected place table/.test(e.what));
    expect(rejected.length).toBeGreaterThanOrEqual(2);
    expect(rejected[0].what).toMatch(/counter did not grow/);
    expect(c.audit.some((e) => /retry place table/.test(e.what))).toBe(true);
    expect(c.replans).toBeGreaterThanOrEqual(1);
    expect(world.material.includes(Material.table)).toBe(false);
  });

  it('reassigns a failed task to another worker', () => {
    const { world } = blank();
    const other = world.addPlayer();
    world.moveEntity(other, 20, 20);
    mat(world, 34, 32, 'tree');
    const flaky = new ScriptedExecutor(0, ['failed']);
    const c = new Commander(world);
    c.addWorker(0, flaky);
    c.addWorker(other.slot);
    expect(c.setGoal('collect wood 1').ok).toBe(true);
    run(world, c, 60);
    expect(flaky.reported).toEqual(['collect:failed']);
    expect(c.audit.some((e) => /retry collect wood/.test(e.what))).toBe(true);
    expect(other.inventory[Item.wood]).toBe(1);
    expect(c.finished).toBe(true);
  });

  it('re-plans when a worker dies, and the survivor finishes the goal', () => {
    const { world } = blank();
    const other = world.addPlayer();
    world.moveEntity(other, 28, 28);
    for (const [x, y] of [
      [36, 32],
      [37, 32],
      [28, 24],
    ])
      mat(world, x, y, 'tree');
    const c = new Commander(world);
    c.addWorker(0);
    c.addWorker(other.slot);
    expect(c.setGoal('collect wood 2').ok).toBe(true);
    run(world, c, 2);
    const victim = c.queue.find((q) => q.status === 'assigned')!.worker!;
    world.player(victim).inventory[Item.health] = 0; // struck down
    world.step(c.tick());
    run(world, c, 80);
    expect(c.audit.some((e) => /died during/.test(e.what))).toBe(true);
    expect(c.audit.some((e) => /re-plan/.test(e.what))).toBe(true);
    const survivor = world.players.find((p) => !p.dead)!;
    expect(survivor.inventory[Item.wood]).toBe(2);
  });

  it('refuses bad goals with a reason and keeps the old one', () => {
    const { world } = blank();
    const c = new Commander(world);
    c.addWorker(0);
    expect(c.setGoal('collect wood 3').ok).toBe(false); // a blank world has no tree
    mat(world, 40, 40, 'tree');
    expect(c.setGoal('collect wood 3').ok).toBe(true);
    const r = c.setGoal('make diamond');
    expect(r.ok).toBe(false);
    expect(c.goal).toEqual({ kind: 'collect', item: 'wood', amount: 3 });
    expect(c.audit.at(-1)!.what).toMatch(/refused/);
  });

  it('reservations: one worker per target', () => {
    const { world } = blank();
    const c = new Commander(world);
    expect(c.reserve(100, 0)).toBe(true);
    expect(c.reserve(100, 1)).toBe(false);
    expect(c.reservedByOther(100, 1)).toBe(true);
    expect(c.reservedByOther(100, 0)).toBe(false);
    expect(c.reserve(101, 0)).toBe(true); // a worker holds one claim at a time
    expect(c.reservedByOther(100, 1)).toBe(false);
  });

  it('kill switch: every worker stops at once', () => {
    const { world } = blank();
    mat(world, 36, 32, 'tree');
    const c = new Commander(world);
    c.addWorker(0);
    c.setGoal('collect wood 1');
    c.stop();
    const actions = c.tick();
    expect([...actions.values()]).toEqual([Action.noop]);
    expect(c.audit.at(-1)!.what).toMatch(/kill switch/);
  });

  it('a fair team shares what each worker has seen', () => {
    const { world } = blank();
    const b = world.addPlayer();
    world.moveEntity(b, 10, 10);
    mat(world, 34, 33, 'table'); // in worker 0's view only
    const c = new Commander(world, { sense: 'fair' });
    const ea = c.addWorker(0);
    const eb = c.addWorker(b.slot);
    c.tick();
    expect(ea.senses.material(34, 33)).toBe(Material.table);
    expect(eb.senses.material(34, 33)).toBe(Material.table);
    expect(eb.senses.material(10, 10)).toBe(Material.grass);
    expect(ea.senses.material(10, 10)).toBe(Material.grass);
  });

  it('keeps lanes that count on held items with the worker that holds them', () => {
    const { world } = blank();
    const other = world.addPlayer();
    mat(world, 40, 40, 'stone');
    mat(world, 33, 33, 'table');
    give(world.player(0), { wood: 2, wood_pickaxe: 1 });
    world.moveEntity(other, 39, 40); // nearer the stone, but holds nothing
    const c = new Commander(world);
    c.addWorker(0);
    c.addWorker(other.slot);
    const r = c.setGoal('make stone_pickaxe');
    expect(r.ok).toBe(true);
    expect(r.ok && r.plan.pinnedLanes!.length).toBeGreaterThan(0);
    run(world, c, 80);
    expect(world.player(0).inventory[Item.stone_pickaxe]).toBe(1);
    expect(c.finished).toBe(true);
  });
});
