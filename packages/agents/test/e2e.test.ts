import { describe, expect, it } from 'vitest';
import { Item, World } from '@aikon/engine';
import { Commander } from '../src/commander.ts';

describe('end to end: a worker obtains a stone pickaxe on a fixed seed', () => {
  it.each(['privileged', 'fair'] as const)('%s sense, seed 1', (sense) => {
    const run = () => {
      const world = World.generate({ seed: 1 });
      const p = world.addPlayer();
      const c = new Commander(world, { sense });
      c.addWorker(p.slot);
      expect(c.setGoal('get me a stone pickaxe').ok).toBe(true);
      while (!p.done && world.t < 600 && !c.finished) world.step(c.tick());
      return { t: world.t, pickaxe: p.inventory[Item.stone_pickaxe], hash: world.hash(), done: c.finished };
    };
    const a = run();
    expect(a.pickaxe).toBe(1);
    expect(a.done).toBe(true);
    expect(a.t).toBeLessThan(600);
    // Deterministic: the same seed gives the same run, bit for bit.
    expect(run()).toEqual(a);
  });
});
