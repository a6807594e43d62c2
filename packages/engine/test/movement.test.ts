import { describe, expect, it } from 'vitest';
import type { MaterialName } from '../src/index.ts';
import { Action, Direction, Item, mat, place, setup, step } from './helpers.ts';

describe('§8.3 movement', () => {
  it('#8 move_left onto grass changes x by −1 and facing to (−1, 0)', () => {
    const { world, p } = setup();
    step(world, Action.move_left);
    expect([p.x, p.y]).toEqual([31, 32]);
    expect(p.facing).toBe(Direction.left);
    expect(world.objectAt(31, 32)).toBe(p);
    expect(world.objectAt(32, 32)).toBeNull();
  });

  it('#9 move_up decreases y by 1; move_right and move_down too', () => {
    const { world, p } = setup();
    step(world, Action.move_up);
    expect([p.x, p.y, p.facing]).toEqual([32, 31, Direction.up]);
    step(world, Action.move_right);
    expect([p.x, p.y, p.facing]).toEqual([33, 31, Direction.right]);
    step(world, Action.move_down);
    expect([p.x, p.y, p.facing]).toEqual([33, 32, Direction.down]);
  });

  it('#10 a move toward stone leaves the position unchanged but sets facing', () => {
    const { world, p } = setup();
    mat(world, 32, 31, 'stone');
    step(world, Action.move_up);
    expect([p.x, p.y]).toEqual([32, 32]);
    expect(p.facing).toBe(Direction.up);
  });

  it.each<MaterialName>(['water', 'tree', 'table', 'furnace', 'coal', 'iron', 'diamond', 'stone'])(
    '#11 a move toward %s is blocked (facing still changes)',
    (name) => {
      const { world, p } = setup();
      mat(world, 33, 32, name);
      step(world, Action.move_right);
      expect([p.x, p.y]).toEqual([32, 32]);
      expect(p.facing).toBe(Direction.right);
      expect(world.getMaterial(33, 32)).not.toBe(0);
    },
  );

  it('#12 a move toward a tile holding a cow is blocked', () => {
    const { world, p } = setup({ fill: 'sand' });
    const cow = world.spawn('cow', 31, 32);
    // Box the cow so it cannot walk away first (the player moves before creatures anyway).
    mat(world, 30, 32, 'stone');
    mat(world, 31, 31, 'stone');
    mat(world, 31, 33, 'stone');
    step(world, Action.move_left);
    expect([p.x, p.y]).toEqual([32, 32]);
    expect(p.facing).toBe(Direction.left);
    expect([cow.x, cow.y]).toEqual([31, 32]);
  });

  it.each<MaterialName>(['sand', 'path', 'grass'])('#13 a move toward %s succeeds', (name) => {
    const { world, p } = setup({ fill: 'sand' });
    mat(world, 32, 32, 'grass');
    mat(world, 32, 33, name);
    mat(world, 31, 32, 'stone');
    step(world, Action.move_down);
    expect([p.x, p.y]).toEqual([32, 33]);
  });

  it('#14 a move off the world edge is blocked and still updates facing', () => {
    const { world, p } = setup();
    place(world, p, 0, 0, Direction.down);
    step(world, Action.move_left);
    expect([p.x, p.y, p.facing]).toEqual([0, 0, Direction.left]);
    step(world, Action.move_up);
    expect([p.x, p.y, p.facing]).toEqual([0, 0, Direction.up]);
    place(world, p, 63, 63, Direction.up);
    step(world, Action.move_right);
    expect([p.x, p.y, p.facing]).toEqual([63, 63, Direction.right]);
    step(world, Action.move_down);
    expect([p.x, p.y, p.facing]).toEqual([63, 63, Direction.down]);
    expect(p.inventory[Item.health]).toBe(9);
  });

  it('#15 moving onto lava sets health to 0 and ends the episode with discount 0', () => {
    const { world, p } = setup({ fill: 'sand' });
    mat(world, 31, 32, 'lava');
    step(world, Action.move_left);
    expect([p.x, p.y]).toEqual([31, 32]);
    expect(p.inventory[Item.health]).toBe(0);
    expect(p.dead).toBe(true);
    expect(p.done).toBe(true);
    expect(p.truncated).toBe(false);
    expect(world.over).toBe(true);
    expect(p.reward).toBeCloseTo(-0.9, 12);
    expect(() => step(world)).toThrow(/over/);
  });

  it('§8.3 quirk: the recover counter firing in the lava step leaves the player alive with health 1', () => {
    const { world, p } = setup({ fill: 'sand' });
    mat(world, 31, 32, 'lava');
    p.recover = 25; // +1 this update → 26 > 25 → health += 1 after the lava check
    step(world, Action.move_left);
    expect([p.x, p.y]).toEqual([31, 32]);
    expect(p.inventory[Item.health]).toBe(1);
    expect(p.dead).toBe(false);
    // Standing still on lava does no further harm: lava is checked only after a move attempt.
    step(world, Action.noop);
    step(world, Action.do);
    expect(p.inventory[Item.health]).toBe(1);
    // A blocked move attempt while on lava does re-check it.
    mat(world, 30, 32, 'stone');
    step(world, Action.move_left);
    expect(p.inventory[Item.health]).toBe(0);
    expect(p.dead).toBe(true);
  });

  it('§5 the player may not enter a tile another player stands on (players block like objects)', () => {
    const { world, p } = setup();
    const q = world.addPlayer({ slot: 1 });
    expect(q.x + q.y).not.toBe(64); // placed somewhere else
    world.moveEntity(q, 31, 32);
    step(world, Action.move_left);
    expect([p.x, p.y]).toEqual([32, 32]);
  });

  it('§17.1 do/place use the facing from the start of the step: a blocked move then do acts on the new facing', () => {
    const { world, p } = setup();
    mat(world, 31, 32, 'tree');
    mat(world, 32, 33, 'tree');
    step(world, Action.move_left); // blocked, faces the left tree
    step(world, Action.do);
    expect(p.inventory[Item.wood]).toBe(1);
    expect(world.getMaterial(31, 32)).toBe(2);
    expect(world.getMaterial(32, 33)).toBe(6);
  });
});
