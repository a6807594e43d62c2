import { describe, expect, it } from 'vitest';
import {
  ACHIEVEMENTS,
  Achievement,
  COLLECT_RULES,
  INITIAL_INVENTORY,
  Item,
  type ItemName,
  MAKE_RULES,
  type MaterialName,
  PLACE_RULES,
} from '@aikon/engine';
import type { Goal } from '../src/goals.ts';
import { type Plan, type PlanState, Planner, topologicalOrder } from '../src/planner.ts';
import { ITEMS, TOOLS } from '../src/techtree.ts';

/**
 * Runs a plan on an abstract inventory, in topological order, checking every task's
 * preconditions with the engine's rule tables. Returns the final inventory, stations and
 * achievement counters.
 */
function simulate(plan: Plan, state: PlanState) {
  const inv = Array.from(state.inventory);
  const stations = new Set<MaterialName>(state.stations ?? []);
  const ach = new Array<number>(ACHIEVEMENTS.length).fill(0);
  let plants = 0;
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  for (const id of topologicalOrder(plan)) {
    const spec = byId.get(id)!.spec;
    switch (spec.kind) {
      case 'collect': {
        const rule = COLLECT_RULES.find((r) => r.material === spec.material)!;
        expect(rule.receive).toBe(spec.item);
        for (const [tool, n] of Object.entries(rule.require))
          expect(inv[Item[tool as ItemName]], `${tool} for ${spec.material}`).toBeGreaterThanOrEqual(n as number);
        inv[Item[spec.item]] = Math.min(9, inv[Item[spec.item]] + spec.amount);
        ach[Achievement[rule.achievement]] += spec.amount;
        break;
      }
      case 'place': {
        const rule = PLACE_RULES.find((r) => r.name === spec.what)!;
        for (const [item, n] of Object.entries(rule.cost)) {
          expect(inv[Item[item as ItemName]], `${item} for ${spec.what}`).toBeGreaterThanOrEqual(n as number);
          inv[Item[item as ItemName]] -= n as number;
        }
        if (spec.what === 'plant') plants++;
        else stations.add(spec.what);
        ach[Achievement[rule.achievement]]++;
        break;
      }
      case 'make': {
        const rule = MAKE_RULES.find((r) => r.item === spec.item)!;
        for (const s of rule.nearby) expect(stations.has(s), `${s} for ${spec.item}`).toBe(true);
        for (const [item, n] of Object.entries(rule.cost)) {
          expect(inv[Item[item as ItemName]], `${item} for ${spec.item}`).toBeGreaterThanOrEqual(n as number);
          inv[Item[item as ItemName]] -= n as number;
        }
        inv[Item[spec.item]] = Math.min(9, inv[Item[spec.item]] + 1);
        ach[Achievement[rule.achievement]]++;
        break;
      }
      case 'eat':
        if (spec.food === 'plant') expect(plants + (state.plants ?? 0)).toBeGreaterThan(0);
        ach[Achievement[`eat_${spec.food}`]]++;
        break;
      case 'defeat':
        ach[Achievement[`defeat_${spec.creature}`]]++;
        break;
      case 'sleep':
        ach[Achievement.wake_up]++;
        break;
      case 'survive':
        break;
    }
  }
  return { inv, stations, ach };
}

const fresh: PlanState = { inventory: INITIAL_INVENTORY };

function planOf(goal: Goal, state: PlanState = fresh): Plan {
  const r = new Planner().plan(goal, state);
  if (!r.ok) throw new Error(r.reason);
  return r.plan;
}

describe('plan DAGs over the tech tree (derived from the rule tables)', () => {
  it.each(ITEMS.filter((i) => TOOLS.has(i) || MAKE_RULES.some((r) => r.item === i)))('make %s from nothing', (item) => {
    const plan = planOf({ kind: 'make', item });
    const { inv } = simulate(plan, fresh);
    expect(inv[Item[item]]).toBeGreaterThanOrEqual(1);
  });

  it.each(ITEMS.filter((i) => COLLECT_RULES.some((r) => r.receive === i)))('collect %s ×3 from nothing', (item) => {
    const plan = planOf({ kind: 'collect', item, amount: 3 });
    const { inv } = simulate(plan, fresh);
    expect(inv[Item[item]]).toBeGreaterThanOrEqual(3);
  });

  it.each(PLACE_RULES.map((r) => r.name))('place %s from nothing', (what) => {
    const plan = planOf({ kind: 'place', what });
    const { ach } = simulate(plan, fresh);
    expect(ach[Achievement[`place_${what}`]]).toBe(1);
  });

  it.each([...ACHIEVEMENTS])('unlock %s from nothing', (name) => {
    const plan = planOf({ kind: 'unlock', achievement: name });
    expect(plan.tasks.length).toBeGreaterThan(0);
    const { ach } = simulate(plan, fresh);
    expect(ach[Achievement[name]]).toBeGreaterThanOrEqual(1);
  });

  it('all achievements: one DAG reaching all 22, sharing tools and stations', () => {
    const plan = planOf({ kind: 'all' });
    const { ach } = simulate(plan, fresh);
    for (const name of ACHIEVEMENTS) expect(ach[Achievement[name]], name).toBeGreaterThanOrEqual(1);
    const count = (pred: (t: Plan['tasks'][number]) => boolean) => plan.tasks.filter(pred).length;
    expect(count((t) => t.spec.kind === 'make' && t.spec.item === 'wood_pickaxe')).toBe(1);
    expect(count((t) => t.spec.kind === 'make' && t.spec.item === 'iron_pickaxe')).toBe(1);
    expect(count((t) => t.spec.kind === 'place' && t.spec.what === 'table')).toBe(1);
    expect(count((t) => t.spec.kind === 'place' && t.spec.what === 'furnace')).toBe(1);
    // Wood never exceeds what an inventory can hold when gathered up front.
    const wood = plan.tasks
      .filter((t) => t.spec.kind === 'collect' && t.spec.item === 'wood')
      .reduce((s, t) => s + (t.spec.kind === 'collect' ? t.spec.amount : 0), 0);
    expect(wood).toBeLessThanOrEqual(9);
  });

  it('uses what the inventory already holds and the stations already standing', () => {
    const inventory = Array.from(INITIAL_INVENTORY);
    inventory[Item.wood] = 5;
    inventory[Item.wood_pickaxe] = 1;
    const plan = planOf({ kind: 'make', item: 'stone_pickaxe' }, { inventory, stations: new Set(['table']) });
    expect(plan.tasks.map((t) => t.label).sort()).toEqual(['collect stone ×1 (from stone)', 'make stone_pickaxe']);
    const done = planOf({ kind: 'collect', item: 'wood', amount: 4 }, { inventory });
    expect(done.tasks).toEqual([]);
  });

  it('puts everything that feeds one inventory in one lane; stations may be shared', () => {
    const plan = planOf({ kind: 'make', item: 'iron_pickaxe' });
    const make = plan.tasks.find((t) => t.spec.kind === 'make' && t.spec.item === 'iron_pickaxe')!;
    const byId = new Map(plan.tasks.map((t) => [t.id, t]));
    const stack = [make.id];
    const seen = new Set<number>();
    while (stack.length > 0) {
      const t = byId.get(stack.pop()!)!;
      if (seen.has(t.id)) continue;
      seen.add(t.id);
      expect(t.lane, t.label).toBe(make.lane);
      for (const d of t.deps) if (byId.get(d)!.spec.kind !== 'place') stack.push(d);
    }
    expect(seen.size).toBeGreaterThan(5);
    const table = plan.tasks.find((t) => t.spec.kind === 'place' && t.spec.what === 'table')!;
    expect(make.deps).toContain(table.id);
    // The table's wood may be gathered by another worker: its own lane.
    expect(table.lane).not.toBe(make.lane);
  });

  it('refuses goals the world cannot satisfy, with a reason', () => {
    const noDiamonds: PlanState = { inventory: INITIAL_INVENTORY, available: (m) => m !== 'diamond' };
    const r = new Planner().plan({ kind: 'collect', item: 'diamond', amount: 1 }, noDiamonds);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/no reachable diamond/);
    // 'all' leaves the impossible achievement out instead of refusing everything.
    const all = new Planner().plan({ kind: 'all' }, noDiamonds);
    expect(all.ok).toBe(true);
    if (all.ok) expect(all.plan.skipped?.map((s) => s.achievement)).toEqual(['collect_diamond']);
  });

  it('re-plans from the current state: a done achievement drops out, a lost table comes back', () => {
    const achievements = new Array<number>(ACHIEVEMENTS.length).fill(0);
    achievements[Achievement.collect_wood] = 1;
    const inventory = Array.from(INITIAL_INVENTORY);
    inventory[Item.wood] = 3;
    const planner = new Planner();
    const before = planner.plan({ kind: 'make', item: 'wood_pickaxe' }, { inventory, stations: new Set(['table']) });
    const after = planner.replan({ kind: 'make', item: 'wood_pickaxe' }, { inventory, stations: new Set() });
    expect(before.ok && before.plan.tasks.map((t) => t.label)).toEqual(['make wood_pickaxe']);
    expect(after.ok && after.plan.tasks.map((t) => t.label)).toEqual(['place table', 'make wood_pickaxe']);
    const unlock = planner.plan({ kind: 'unlock', achievement: 'collect_wood' }, { inventory, achievements });
    expect(unlock.ok && unlock.plan.tasks).toEqual([]);
  });

  it('survive: arms first and carries stone for walls, then survives', () => {
    const plan = planOf({ kind: 'survive', days: 2 });
    const survive = plan.tasks.find((t) => t.spec.kind === 'survive')!;
    expect(survive.spec).toEqual({ kind: 'survive', steps: 600 });
    const { inv } = simulate(plan, fresh);
    expect(inv[Item.stone_sword]).toBe(1);
    expect(inv[Item.stone]).toBeGreaterThanOrEqual(6);
    expect(topologicalOrder(plan).at(-1)).toBe(survive.id);
  });

  it('allocates lanes to workers, balancing the work', () => {
    const plan = planOf({ kind: 'all' });
    const workers = [0, 1, 2].map((slot) => ({ slot, inventory: INITIAL_INVENTORY }));
    const binding = new Planner().allocate(plan, workers);
    expect(binding.size).toBe(plan.lanes);
    expect(new Set(binding.values()).size).toBe(3);
  });

  it('orders ready tasks: wood before the table before tools', () => {
    const plan = planOf({ kind: 'make', item: 'wood_pickaxe' });
    const prio = (label: RegExp) => plan.tasks.find((t) => label.test(t.label))!.priority;
    expect(prio(/collect wood/)).toBeGreaterThan(prio(/place table/));
    expect(plan.tasks.every((t) => t.deps.every((d) => d < t.id))).toBe(true);
  });
});
