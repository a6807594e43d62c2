import { describe, expect, it } from 'vitest';
import { Achievement, EPISODE_LENGTH, World } from '../src/index.ts';
import { Action, box, Direction, feed, Item, mat, place, setup, step } from './helpers.ts';

describe('§7.3 reward', () => {
  it('#86 reward = (health change)/10 + 1 if a new achievement unlocked', () => {
    const { world, p } = setup({ fill: 'sand' });
    place(world, p, 32, 32, Direction.left);
    mat(world, 31, 32, 'tree');
    mat(world, 32, 31, 'tree');
    step(world, Action.noop);
    expect(p.reward).toBe(0);
    // Regeneration step: +0.1.
    p.inventory[Item.health] = 5;
    p.prevHealth = p.lastHealth = 5;
    p.recover = 25;
    step(world, Action.noop);
    expect(p.inventory[Item.health]).toBe(6);
    expect(p.reward).toBeCloseTo(0.1, 12);
    // Regeneration and a new achievement in the same step: +1.1.
    p.recover = 25;
    step(world, Action.do);
    expect(p.achievements[Achievement.collect_wood]).toBe(1);
    expect(p.reward).toBeCloseTo(1.1, 12);
    // Health lost by starvation: −0.1.
    p.inventory[Item.food] = 0;
    p.recover = -15;
    step(world, Action.noop);
    expect(p.reward).toBeCloseTo(-0.1, 12);
    // Health changes made between steps count at the next step (last_health is per step).
    p.inventory[Item.health] = 2;
    p.inventory[Item.food] = 9;
    p.recover = 0;
    const last = p.lastHealth;
    step(world, Action.noop);
    expect(p.reward).toBeCloseTo((2 - last) / 10, 12);
  });

  it('#87 a repeated achievement in a later step gives no bonus', () => {
    const { world, p } = setup({ fill: 'sand' });
    place(world, p, 32, 32, Direction.left);
    mat(world, 31, 32, 'tree');
    mat(world, 32, 31, 'tree');
    step(world, Action.do);
    expect(p.reward).toBe(1);
    step(world, Action.move_up); // blocked by the tree, faces it
    step(world, Action.do);
    expect(p.achievements[Achievement.collect_wood]).toBe(2);
    expect(p.inventory[Item.wood]).toBe(2);
    expect(p.reward).toBe(0);
    expect(p.newAchievements).toEqual([]);
    expect(p.episodeReturn).toBe(1);
  });

  it('§7.3 the +1 is paid once per step even when two achievements unlock together', () => {
    const { world, p } = setup({ fill: 'sand', t: 180 });
    // Kill a cow with an iron sword and, in the same step, be woken: use wake-up + eat_cow.
    place(world, p, 32, 32, Direction.left);
    const cow = world.spawn('cow', 31, 32);
    box(world, 31, 32, 'stone');
    p.inventory[Item.iron_sword] = 1;
    p.inventory[Item.energy] = 8;
    for (let i = 0; i < 11; i++) step(world, Action.sleep);
    expect(p.sleeping).toBe(true);
    step(world, Action.do);
    expect(cow.removed).toBe(true);
    expect(p.newAchievements.length).toBe(2);
    expect(p.reward).toBe(1);
  });

  it('§7.3 episode return and episode steps accumulate', () => {
    const { world, p } = setup({ fill: 'sand' });
    place(world, p, 32, 32, Direction.left);
    mat(world, 31, 32, 'tree');
    step(world, Action.do);
    step(world, Action.noop);
    step(world, Action.noop);
    expect(p.episodeSteps).toBe(3);
    expect(p.episodeReturn).toBe(1);
  });
});

describe('§7.3 termination', () => {
  it('#88 the episode ends with done = true and discount 1 (not dead) at step 10000 when alive', () => {
    const { world, p } = setup({ fill: 'sand' });
    world.t = EPISODE_LENGTH - 5;
    for (let i = 0; i < 4; i++) {
      feed(p);
      step(world, Action.noop);
      expect(p.done).toBe(false);
      expect(world.over).toBe(false);
    }
    expect(world.t).toBe(9999);
    step(world, Action.noop);
    expect(world.t).toBe(10000);
    expect(p.truncated).toBe(true);
    expect(p.dead).toBe(false); // discount 1
    expect(p.done).toBe(true);
    expect(world.over).toBe(true);
    const hash = world.hash();
    expect(() => step(world, Action.noop)).toThrow(/over/);
    expect(world.hash()).toBe(hash);
  });

  it('#88 a full 10000-step episode on a quiet world ends exactly at t = 10000', () => {
    const { world, p } = setup({ fill: 'sand' });
    let steps = 0;
    while (!world.over) {
      if (steps % 20 === 0) feed(p);
      step(world, steps % 7 === 0 ? Action.move_left + (steps % 4) : Action.noop);
      steps++;
    }
    expect(steps).toBe(10000);
    expect(p.truncated).toBe(true);
    expect(p.dead).toBe(false);
  });

  it('§7.3 death: done with discount 0 (dead) when health reaches 0; the body stays in single-player', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.health] = 1;
    p.prevHealth = p.lastHealth = 1;
    p.inventory[Item.food] = 0;
    p.recover = -15;
    step(world, Action.noop);
    expect(p.inventory[Item.health]).toBe(0);
    expect(p.dead).toBe(true);
    expect(p.truncated).toBe(false);
    expect(p.done).toBe(true);
    expect(world.over).toBe(true);
    expect(p.reward).toBeCloseTo(-0.1, 12);
    // §9: the player object itself is never removed in single-player.
    expect(world.objectAt(32, 32)).toBe(p);
    expect(world.semanticMap()[32 * 64 + 32]).toBe(13);
  });

  it('§7.3 the step counter and daylight: noop is not a pause (§17.13)', () => {
    const world = World.blank({ seed: 1, fill: 'sand' });
    const p = world.addPlayer();
    step(world, Action.noop);
    expect(world.t).toBe(1);
    expect(p.hunger).toBe(1);
    expect(p.thirst).toBe(1);
    expect(p.fatigue).toBe(1);
  });
});
