import { describe, expect, it } from 'vitest';
import { Achievement, MAKE_RULES } from '../src/index.ts';
import { Action, Direction, Item, mat, place, setup, step, sumAchievements } from './helpers.ts';

describe('§8.8 crafting', () => {
  it('#35 make_wood_pickaxe with 1 wood and a table diagonally adjacent succeeds', () => {
    const { world, p } = setup();
    mat(world, 33, 33, 'table');
    p.inventory[Item.wood] = 1;
    step(world, Action.make_wood_pickaxe);
    expect(p.inventory[Item.wood_pickaxe]).toBe(1);
    expect(p.inventory[Item.wood]).toBe(0);
    expect(p.achievements[Achievement.make_wood_pickaxe]).toBe(1);
    expect(p.reward).toBe(1);
  });

  it('§8.8.1 every tile of the 3×3 block counts as nearby (all 8 neighbours)', () => {
    for (const [dx, dy] of [
      [-1, -1],
      [0, -1],
      [1, -1],
      [-1, 0],
      [1, 0],
      [-1, 1],
      [0, 1],
      [1, 1],
    ]) {
      const { world, p } = setup();
      mat(world, 32 + dx, 32 + dy, 'table');
      p.inventory[Item.wood] = 1;
      step(world, Action.make_wood_sword);
      expect(p.inventory[Item.wood_sword]).toBe(1);
    }
  });

  it('#36 make_wood_pickaxe with a table at distance 2 (straight line) fails', () => {
    for (const [dx, dy] of [
      [2, 0],
      [0, 2],
      [-2, 0],
      [0, -2],
      [2, 2],
    ]) {
      const { world, p } = setup();
      mat(world, 32 + dx, 32 + dy, 'table');
      p.inventory[Item.wood] = 1;
      step(world, Action.make_wood_pickaxe);
      expect(p.inventory[Item.wood_pickaxe]).toBe(0);
      expect(p.inventory[Item.wood]).toBe(1);
      expect(sumAchievements(p)).toBe(0);
    }
  });

  it('#37 make_wood_pickaxe with no wood next to a table fails', () => {
    const { world, p } = setup();
    mat(world, 31, 32, 'table');
    step(world, Action.make_wood_pickaxe);
    expect(p.inventory[Item.wood_pickaxe]).toBe(0);
    expect(sumAchievements(p)).toBe(0);
  });

  it('#38 make_stone_pickaxe consumes 1 wood and 1 stone', () => {
    const { world, p } = setup();
    mat(world, 31, 32, 'table');
    p.inventory[Item.wood] = 3;
    p.inventory[Item.stone] = 3;
    step(world, Action.make_stone_pickaxe);
    expect(p.inventory[Item.stone_pickaxe]).toBe(1);
    expect(p.inventory[Item.wood]).toBe(2);
    expect(p.inventory[Item.stone]).toBe(2);
    expect(p.achievements[Achievement.make_stone_pickaxe]).toBe(1);
    // Missing stone: fails.
    const s = setup();
    mat(s.world, 31, 32, 'table');
    s.p.inventory[Item.wood] = 3;
    step(s.world, Action.make_stone_pickaxe);
    expect(s.p.inventory[Item.stone_pickaxe]).toBe(0);
    expect(s.p.inventory[Item.wood]).toBe(3);
  });

  it('#39 make_iron_pickaxe fails with a table but no furnace, even with all materials', () => {
    const { world, p } = setup();
    mat(world, 31, 32, 'table');
    mat(world, 34, 32, 'furnace'); // distance 2: outside the 3×3 block
    p.inventory[Item.wood] = 1;
    p.inventory[Item.coal] = 1;
    p.inventory[Item.iron] = 1;
    step(world, Action.make_iron_pickaxe);
    expect(p.inventory[Item.iron_pickaxe]).toBe(0);
    expect([p.inventory[Item.wood], p.inventory[Item.coal], p.inventory[Item.iron]]).toEqual([1, 1, 1]);
    // Furnace without table fails as well.
    const s = setup();
    mat(s.world, 33, 32, 'furnace');
    s.p.inventory[Item.wood] = 1;
    s.p.inventory[Item.coal] = 1;
    s.p.inventory[Item.iron] = 1;
    step(s.world, Action.make_iron_pickaxe);
    expect(s.p.inventory[Item.iron_pickaxe]).toBe(0);
    // Both: succeeds.
    mat(s.world, 31, 31, 'table');
    step(s.world, Action.make_iron_pickaxe);
    expect(s.p.inventory[Item.iron_pickaxe]).toBe(1);
    expect([s.p.inventory[Item.wood], s.p.inventory[Item.coal], s.p.inventory[Item.iron]]).toEqual([0, 0, 0]);
    expect(s.p.achievements[Achievement.make_iron_pickaxe]).toBe(1);
  });

  it('#40 make_iron_sword with table and furnace adjacent consumes 1 wood, 1 coal, 1 iron, gives 1 iron sword', () => {
    const { world, p } = setup();
    mat(world, 31, 32, 'table');
    mat(world, 33, 32, 'furnace');
    p.inventory[Item.wood] = 2;
    p.inventory[Item.coal] = 2;
    p.inventory[Item.iron] = 2;
    step(world, Action.make_iron_sword);
    expect(p.inventory[Item.iron_sword]).toBe(1);
    expect([p.inventory[Item.wood], p.inventory[Item.coal], p.inventory[Item.iron]]).toEqual([1, 1, 1]);
    expect(p.achievements[Achievement.make_iron_sword]).toBe(1);
    // Missing iron: fails.
    p.inventory[Item.iron] = 0;
    step(world, Action.make_iron_sword);
    expect(p.inventory[Item.iron_sword]).toBe(1);
    expect([p.inventory[Item.wood], p.inventory[Item.coal]]).toEqual([1, 1]);
  });

  it('#41 any make_* fails at x = 0 or y = 0 even with a table (and furnace) adjacent', () => {
    for (const [x, y] of [
      [0, 10],
      [10, 0],
      [0, 0],
    ]) {
      const { world, p } = setup();
      place(world, p, x, y, Direction.down);
      for (const [dx, dy] of [
        [1, 0],
        [0, 1],
        [1, 1],
      ])
        mat(world, x + dx, y + dy, dx && dy ? 'furnace' : 'table');
      p.inventory.set([9, 9, 9, 9, 0, 9, 9, 9, 9]);
      for (let a = Action.make_wood_pickaxe; a <= Action.make_iron_sword; a++) step(world, a);
      for (const tool of [
        'wood_pickaxe',
        'stone_pickaxe',
        'iron_pickaxe',
        'wood_sword',
        'stone_sword',
        'iron_sword',
      ] as const) {
        expect(p.inventory[Item[tool]]).toBe(0);
      }
      expect(p.inventory[Item.wood]).toBe(9);
      expect(sumAchievements(p)).toBe(0);
    }
  });

  it('§8.8 quirk: at x = 63 / y = 63 the block is cut off and crafting still works', () => {
    for (const [x, y] of [
      [63, 10],
      [10, 63],
      [63, 63],
    ]) {
      const { world, p } = setup();
      place(world, p, x, y, Direction.up);
      mat(world, x - 1, y - 1, 'table');
      p.inventory[Item.wood] = 1;
      step(world, Action.make_wood_pickaxe);
      expect(p.inventory[Item.wood_pickaxe]).toBe(1);
    }
    // x = 1 / y = 1 works (only exactly 0 is the quirk).
    const { world, p } = setup();
    place(world, p, 1, 1, Direction.up);
    mat(world, 0, 0, 'table');
    p.inventory[Item.wood] = 1;
    step(world, Action.make_wood_sword);
    expect(p.inventory[Item.wood_sword]).toBe(1);
  });

  it('#42 making a tool with 9 already spends the materials, keeps 9, increments the achievement', () => {
    const { world, p } = setup();
    mat(world, 31, 32, 'table');
    p.inventory[Item.wood] = 5;
    p.inventory[Item.wood_pickaxe] = 9;
    p.achievements[Achievement.make_wood_pickaxe] = 1;
    p.unlocked[Achievement.make_wood_pickaxe] = 1;
    step(world, Action.make_wood_pickaxe);
    expect(p.inventory[Item.wood_pickaxe]).toBe(9);
    expect(p.inventory[Item.wood]).toBe(4);
    expect(p.achievements[Achievement.make_wood_pickaxe]).toBe(2);
    expect(p.reward).toBe(0); // already unlocked: no bonus (#87)
  });

  it('§8.8 every recipe: costs, stations and result', () => {
    const expected: Record<string, [Record<string, number>, string[]]> = {
      make_wood_pickaxe: [{ wood: 1 }, ['table']],
      make_stone_pickaxe: [{ wood: 1, stone: 1 }, ['table']],
      make_iron_pickaxe: [{ wood: 1, coal: 1, iron: 1 }, ['table', 'furnace']],
      make_wood_sword: [{ wood: 1 }, ['table']],
      make_stone_sword: [{ wood: 1, stone: 1 }, ['table']],
      make_iron_sword: [{ wood: 1, coal: 1, iron: 1 }, ['table', 'furnace']],
    };
    expect(MAKE_RULES.map((r) => r.action)).toEqual(Object.keys(expected));
    for (const [action, [cost, stations]] of Object.entries(expected)) {
      const tool = action.slice(5) as 'wood_pickaxe';
      // Exactly the cost: succeeds and leaves 0 of each.
      const { world, p } = setup();
      mat(world, 31, 32, 'table');
      mat(world, 33, 32, 'furnace');
      for (const [item, n] of Object.entries(cost)) p.inventory[Item[item as 'wood']] = n;
      step(world, Action[action as 'make_wood_pickaxe']);
      expect(p.inventory[Item[tool]]).toBe(1);
      for (const item of Object.keys(cost)) expect(p.inventory[Item[item as 'wood']]).toBe(0);
      expect(p.achievements[Achievement[action as 'make_wood_pickaxe']]).toBe(1);
      expect(sumAchievements(p)).toBe(1);
      // One short of any cost: fails.
      for (const short of Object.keys(cost)) {
        const s = setup();
        mat(s.world, 31, 32, 'table');
        mat(s.world, 33, 32, 'furnace');
        for (const [item, n] of Object.entries(cost)) s.p.inventory[Item[item as 'wood']] = item === short ? n - 1 : n;
        step(s.world, Action[action as 'make_wood_pickaxe']);
        expect(s.p.inventory[Item[tool]]).toBe(0);
      }
      // Without the furnace only the table recipes work.
      const s = setup();
      mat(s.world, 31, 32, 'table');
      for (const [item, n] of Object.entries(cost)) s.p.inventory[Item[item as 'wood']] = n;
      step(s.world, Action[action as 'make_wood_pickaxe']);
      expect(s.p.inventory[Item[tool]]).toBe(stations.includes('furnace') ? 0 : 1);
    }
  });
});
