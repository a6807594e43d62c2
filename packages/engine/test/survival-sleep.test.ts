import { describe, expect, it } from 'vitest';
import { Achievement } from '../src/index.ts';
import { Action, box, Direction, Item, mat, place, setup, step, sumAchievements } from './helpers.ts';

/** Steps `n` times and records the value of `read()` after each step (index 0 = after step 1). */
function trace(world: Parameters<typeof step>[0], action: number, n: number, read: () => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    step(world, action);
    out.push(read());
  }
  return out;
}

/** Steps (1-based) at which the traced value changed, with the change. */
function changes(values: number[], start: number): [number, number][] {
  const out: [number, number][] = [];
  let last = start;
  values.forEach((v, i) => {
    if (v !== last) out.push([i + 1, v - last]);
    last = v;
  });
  return out;
}

describe('§8.9 survival counters', () => {
  it('#57 awake with full needs, food drops by 1 exactly at steps 26, 52, 78', () => {
    const { world, p } = setup({ fill: 'sand' });
    const food = trace(world, Action.noop, 80, () => p.inventory[Item.food]);
    expect(changes(food, 9)).toEqual([
      [26, -1],
      [52, -1],
      [78, -1],
    ]);
  });

  it('#58 awake, drink drops at steps 21, 42, … and energy at steps 31, 62, …', () => {
    const { world, p } = setup({ fill: 'sand' });
    const drink: number[] = [];
    const energy: number[] = [];
    for (let i = 0; i < 95; i++) {
      step(world, Action.noop);
      drink.push(p.inventory[Item.drink]);
      energy.push(p.inventory[Item.energy]);
    }
    expect(changes(drink, 9)).toEqual([
      [21, -1],
      [42, -1],
      [63, -1],
      [84, -1],
    ]);
    expect(changes(energy, 9)).toEqual([
      [31, -1],
      [62, -1],
      [93, -1],
    ]);
  });

  it('#59 asleep from step 1, drink drops at step 41 and food at step 51', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.energy] = 3; // stays below 9 for 55 sleeping steps
    const drink: number[] = [];
    const food: number[] = [];
    for (let i = 0; i < 55; i++) {
      step(world, Action.sleep);
      expect(p.sleeping).toBe(true);
      drink.push(p.inventory[Item.drink]);
      food.push(p.inventory[Item.food]);
    }
    expect(changes(drink, 9)).toEqual([[41, -1]]);
    expect(changes(food, 9)).toEqual([[51, -1]]);
  });

  it('#60 asleep from step 1 with fatigue 0, energy rises by 1 every 11 steps', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.energy] = 3;
    const energy = trace(world, Action.sleep, 50, () => p.inventory[Item.energy]);
    expect(changes(energy, 3)).toEqual([
      [11, 1],
      [22, 1],
      [33, 1],
      [44, 1],
    ]);
  });

  it('#61 starting to sleep with fatigue 20 sets fatigue to 0 on that step (first energy after 12 steps)', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.energy] = 5;
    p.fatigue = 20;
    step(world, Action.sleep);
    expect(p.sleeping).toBe(true);
    expect(p.fatigue).toBe(0);
    const energy = trace(world, Action.sleep, 11, () => p.inventory[Item.energy]);
    expect(changes(energy, 5)).toEqual([[11, 1]]); // step 12 overall
  });

  it('§8.9 a player woken early keeps its negative fatigue and counts up from there', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.energy] = 5;
    for (let i = 0; i < 5; i++) step(world, Action.sleep);
    expect(p.fatigue).toBe(-5);
    p.sleeping = false; // as if woken by damage
    p.prevHealth = 9;
    step(world, Action.noop);
    expect(p.fatigue).toBe(-4);
  });

  it('#62 sleep with energy 9 leaves the player awake', () => {
    const { world, p } = setup({ fill: 'sand' });
    step(world, Action.sleep);
    expect(p.sleeping).toBe(false);
    expect(p.fatigue).toBe(1);
    expect(p.hunger).toBe(1);
  });

  it('#63 sleep with energy < 9 makes the player asleep in the same step (sleeping rates already apply)', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.energy] = 8;
    step(world, Action.sleep);
    expect(p.sleeping).toBe(true);
    expect(p.hunger).toBe(0.5);
    expect(p.thirst).toBe(0.5);
    expect(p.fatigue).toBe(-1);
    expect(p.recover).toBe(2);
  });

  it('#64 while asleep with energy < 9, chosen actions are ignored (move_left does not move)', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.energy] = 5;
    p.inventory[Item.wood] = 9;
    mat(world, 32, 33, 'tree');
    step(world, Action.sleep);
    step(world, Action.move_left);
    expect([p.x, p.y]).toEqual([32, 32]);
    expect(p.facing).toBe(Direction.down);
    step(world, Action.do);
    step(world, Action.place_table);
    expect(world.getMaterial(32, 33)).toBe(6);
    expect(p.inventory[Item.wood]).toBe(9);
    expect(p.sleeping).toBe(true);
    expect(sumAchievements(p)).toBe(0);
  });

  it('#65 energy reaches 9 during step k: asleep after k; at k + 1 it wakes, wake_up += 1, and the action runs', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.energy] = 8;
    let k = 0;
    for (let i = 1; i <= 30 && k === 0; i++) {
      step(world, Action.sleep);
      if (p.inventory[Item.energy] === 9) k = i;
    }
    expect(k).toBe(11);
    expect(p.sleeping).toBe(true);
    expect(p.achievements[Achievement.wake_up]).toBe(0);
    step(world, Action.move_left);
    expect(p.sleeping).toBe(false);
    expect(p.achievements[Achievement.wake_up]).toBe(1);
    expect([p.x, p.y]).toEqual([31, 32]);
    expect(p.reward).toBe(1);
  });

  it('#66 waking and collecting wood in the same step yields reward exactly 1 (both new)', () => {
    const { world, p } = setup({ fill: 'sand' });
    place(world, p, 32, 32, Direction.left);
    mat(world, 31, 32, 'tree');
    p.inventory[Item.energy] = 8;
    for (let i = 0; i < 11; i++) step(world, Action.sleep);
    expect(p.inventory[Item.energy]).toBe(9);
    step(world, Action.do);
    expect(p.achievements[Achievement.wake_up]).toBe(1);
    expect(p.achievements[Achievement.collect_wood]).toBe(1);
    expect(p.newAchievements.sort()).toEqual([Achievement.collect_wood, Achievement.wake_up].sort());
    expect(p.reward).toBe(1);
  });

  it(
    '#68 after a zombie hit while asleep the next action is ignored (forced sleep), ' +
      'the player is awake at its end, no wake_up',
    () => {
      const { world, p } = setup({ fill: 'sand', t: 180 });
      const z = world.spawn('zombie', 33, 32);
      box(world, 33, 32, 'stone');
      p.inventory[Item.energy] = 5;
      step(world, Action.sleep);
      expect(p.inventory[Item.health]).toBe(2); // 7 damage while asleep (#67)
      expect(p.sleeping).toBe(true); // it notices one update later
      step(world, Action.move_left);
      expect([p.x, p.y]).toEqual([32, 32]);
      expect(p.sleeping).toBe(false);
      expect(p.achievements[Achievement.wake_up]).toBe(0);
      expect(z.cooldown).toBe(4);
      // Awake now: the next action runs.
      step(world, Action.move_left);
      expect([p.x, p.y]).toEqual([31, 32]);
    },
  );

  it('§8.6 the sleep override uses the sleep counter rates on the forced step', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.energy] = 5;
    step(world, Action.sleep);
    step(world, Action.noop);
    expect(p.hunger).toBe(1);
    expect(p.fatigue).toBe(-2);
  });
});

describe('§8.10 health regeneration and loss', () => {
  it('#81 health +1 after 26 awake steps with needs met (from recover 0, health < 9)', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.health] = 5;
    p.prevHealth = p.lastHealth = 5;
    const health = trace(world, Action.noop, 53, () => p.inventory[Item.health]);
    expect(changes(health, 5)).toEqual([
      [26, 1],
      [52, 1],
    ]);
    expect(p.reward).toBe(0);
  });

  it('#82 health +1 after 13 sleeping steps with needs met', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.health] = 5;
    p.prevHealth = p.lastHealth = 5;
    p.inventory[Item.energy] = 3;
    const health = trace(world, Action.sleep, 27, () => p.inventory[Item.health]);
    expect(changes(health, 5)).toEqual([
      [13, 1],
      [26, 1],
    ]);
  });

  it('#83 with food 0, health −1 every 16 awake steps', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.food] = 0;
    const health = trace(world, Action.noop, 50, () => p.inventory[Item.health]);
    expect(changes(health, 9)).toEqual([
      [16, -1],
      [32, -1],
      [48, -1],
    ]);
  });

  it('§8.10 with drink 0 (or energy 0 while awake) health −1 every 16 steps; asleep and not ok every 31', () => {
    for (const item of [Item.drink, Item.energy]) {
      const { world, p } = setup({ fill: 'sand' });
      p.inventory[item] = 0;
      const health = trace(world, Action.noop, 33, () => p.inventory[Item.health]);
      expect(changes(health, 9)).toEqual([
        [16, -1],
        [32, -1],
      ]);
    }
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.food] = 0;
    p.inventory[Item.energy] = 3;
    const health = trace(world, Action.sleep, 33, () => p.inventory[Item.health]);
    expect(changes(health, 9)).toEqual([[31, -1]]);
  });

  it('§8.2.7 starvation damage while asleep wakes the player at the end of that same update (no wake_up)', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.food] = 0;
    p.inventory[Item.energy] = 3;
    for (let i = 1; i <= 30; i++) {
      step(world, Action.sleep);
      expect(p.sleeping).toBe(true);
    }
    step(world, Action.sleep); // recover < −15 at the 31st sleeping step
    expect(p.inventory[Item.health]).toBe(8);
    expect(p.sleeping).toBe(false);
    expect(p.achievements[Achievement.wake_up]).toBe(0);
  });

  it('#84 with energy 0 and asleep, health does not decrease (needs count as met)', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.energy] = 0;
    p.inventory[Item.health] = 6;
    p.prevHealth = p.lastHealth = 6;
    const health = trace(world, Action.sleep, 40, () => p.inventory[Item.health]);
    for (let i = 1; i < health.length; i++) expect(health[i]).toBeGreaterThanOrEqual(health[i - 1]);
    expect(changes(health, 6)).toEqual([
      [13, 1],
      [26, 1],
      [39, 1],
    ]);
    expect(p.sleeping).toBe(true);
  });

  it('§8.10 a vital that just dropped from 0 to −1 counts as 0 and is clamped to 0', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.food] = 0;
    p.hunger = 25;
    step(world, Action.noop);
    expect(p.inventory[Item.food]).toBe(0);
    expect(p.recover).toBe(-1);
  });

  it('§8.10 recover keeps running at full health (the +1 is removed by the clamp)', () => {
    const { world, p } = setup({ fill: 'sand' });
    const health = trace(world, Action.noop, 30, () => p.inventory[Item.health]);
    expect(health.every((h) => h === 9)).toBe(true);
    expect(p.recover).toBe(4); // fired (reset to 0) at step 26
  });

  it('#85 health never exceeds 9 nor goes below 0; every entry stays in [0, 9]', () => {
    const { world, p } = setup({ fill: 'sand' });
    place(world, p, 32, 32, Direction.left);
    mat(world, 31, 32, 'tree');
    p.inventory[Item.wood] = 9;
    p.recover = 25;
    step(world, Action.do);
    expect(p.inventory[Item.wood]).toBe(9);
    expect(p.inventory[Item.health]).toBe(9);
    // Health floored at 0 by a big zombie hit.
    const s = setup({ fill: 'sand', t: 180 });
    s.world.spawn('zombie', 33, 32);
    box(s.world, 33, 32, 'stone');
    s.p.inventory[Item.health] = 3;
    s.p.prevHealth = s.p.lastHealth = 3;
    s.p.inventory[Item.energy] = 2;
    step(s.world, Action.sleep);
    expect(s.p.inventory[Item.health]).toBe(0);
    expect(s.p.dead).toBe(true);
    expect(s.p.reward).toBeCloseTo(-0.3, 12);
    for (const v of s.p.inventory) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(9);
    }
  });
});
