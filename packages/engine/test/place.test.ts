import { describe, expect, it } from 'vitest';
import { Achievement, type MaterialName, ObjectKind, PLACE_RULES } from '../src/index.ts';
import { Action, Direction, Item, Material, mat, place, setup, step, sumAchievements } from './helpers.ts';

/** Player at (32, 32) on sand facing right at (33, 32), which holds `name`. */
function facing(name: MaterialName) {
  const s = setup({ fill: 'sand' });
  place(s.world, s.p, 32, 32, Direction.right);
  mat(s.world, 33, 32, name);
  return s;
}

describe('§8.7 placing', () => {
  it('#26 place_table with 1 wood fails; with 2 wood it succeeds and leaves 0 wood', () => {
    const { world, p } = facing('grass');
    p.inventory[Item.wood] = 1;
    step(world, Action.place_table);
    expect(world.getMaterial(33, 32)).toBe(Material.grass);
    expect(p.inventory[Item.wood]).toBe(1);
    expect(p.achievements[Achievement.place_table]).toBe(0);
    p.inventory[Item.wood] = 2;
    step(world, Action.place_table);
    expect(world.getMaterial(33, 32)).toBe(Material.table);
    expect(p.inventory[Item.wood]).toBe(0);
    expect(p.achievements[Achievement.place_table]).toBe(1);
    expect(p.reward).toBe(1);
  });

  it.each<MaterialName>(['water', 'stone', 'tree', 'lava', 'table', 'furnace', 'coal'])(
    '#27 place_table facing %s fails',
    (name) => {
      const { world, p } = facing(name);
      p.inventory[Item.wood] = 5;
      step(world, Action.place_table);
      expect(world.getMaterial(33, 32)).toBe(Material[name]);
      expect(p.inventory[Item.wood]).toBe(5);
      expect(sumAchievements(p)).toBe(0);
    },
  );

  it.each<MaterialName>(['grass', 'sand', 'path'])('§8.7 place_table and place_furnace succeed on %s', (name) => {
    const { world, p } = facing(name);
    p.inventory[Item.wood] = 2;
    step(world, Action.place_table);
    expect(world.getMaterial(33, 32)).toBe(Material.table);
    const s2 = facing(name);
    s2.p.inventory[Item.stone] = 4;
    step(s2.world, Action.place_furnace);
    expect(s2.world.getMaterial(33, 32)).toBe(Material.furnace);
    expect(s2.p.inventory[Item.stone]).toBe(0);
    expect(s2.p.achievements[Achievement.place_furnace]).toBe(1);
  });

  it('#28 place_table facing a tile with a cow fails and costs nothing', () => {
    const { world, p } = facing('grass');
    world.spawn('cow', 33, 32);
    p.inventory[Item.wood] = 2;
    step(world, Action.place_table);
    expect(world.getMaterial(33, 32)).toBe(Material.grass);
    expect(p.inventory[Item.wood]).toBe(2);
    expect(sumAchievements(p)).toBe(0);
  });

  it('§8.7.1 every place_* fails on a tile holding an object (plant, arrow)', () => {
    const { world, p } = facing('grass');
    world.spawn('plant', 33, 32);
    p.inventory[Item.stone] = 9;
    p.inventory[Item.wood] = 9;
    p.inventory[Item.sapling] = 9;
    for (const a of [Action.place_stone, Action.place_table, Action.place_furnace, Action.place_plant]) step(world, a);
    expect(world.getMaterial(33, 32)).toBe(Material.grass);
    expect([p.inventory[Item.stone], p.inventory[Item.wood], p.inventory[Item.sapling]]).toEqual([9, 9, 9]);
    expect(sumAchievements(p)).toBe(0);
  });

  it('#29 place_furnace with 4 stone succeeds with no table anywhere nearby; with 3 it fails', () => {
    const { world, p } = facing('grass');
    p.inventory[Item.stone] = 3;
    step(world, Action.place_furnace);
    expect(world.getMaterial(33, 32)).toBe(Material.grass);
    expect(p.inventory[Item.stone]).toBe(3);
    p.inventory[Item.stone] = 4;
    step(world, Action.place_furnace);
    expect(world.getMaterial(33, 32)).toBe(Material.furnace);
    expect(p.inventory[Item.stone]).toBe(0);
    expect(p.achievements[Achievement.place_furnace]).toBe(1);
    let tables = 0;
    for (const m of world.material) if (m === Material.table) tables++;
    expect(tables).toBe(0);
  });

  it('#30 place_stone facing water turns it into stone and costs 1 stone', () => {
    const { world, p } = facing('water');
    p.inventory[Item.stone] = 2;
    step(world, Action.place_stone);
    expect(world.getMaterial(33, 32)).toBe(Material.stone);
    expect(p.inventory[Item.stone]).toBe(1);
    expect(p.achievements[Achievement.place_stone]).toBe(1);
  });

  it('#31 place_stone facing lava turns it into stone', () => {
    const { world, p } = facing('lava');
    p.inventory[Item.stone] = 1;
    step(world, Action.place_stone);
    expect(world.getMaterial(33, 32)).toBe(Material.stone);
    expect(p.inventory[Item.stone]).toBe(0);
  });

  it.each<MaterialName>(['grass', 'sand', 'path'])('§8.7 place_stone on %s succeeds', (name) => {
    const { world, p } = facing(name);
    p.inventory[Item.stone] = 1;
    step(world, Action.place_stone);
    expect(world.getMaterial(33, 32)).toBe(Material.stone);
  });

  it.each<MaterialName>(['tree', 'stone', 'table', 'iron'])('#32 place_stone facing %s fails', (name) => {
    const { world, p } = facing(name);
    p.inventory[Item.stone] = 1;
    step(world, Action.place_stone);
    expect(world.getMaterial(33, 32)).toBe(Material[name]);
    expect(p.inventory[Item.stone]).toBe(1);
    expect(sumAchievements(p)).toBe(0);
  });

  it('§8.7 place_stone without stone fails', () => {
    const { world, p } = facing('water');
    step(world, Action.place_stone);
    expect(world.getMaterial(33, 32)).toBe(Material.water);
    expect(sumAchievements(p)).toBe(0);
  });

  it('#33 place_plant facing grass with 1 sapling creates a plant, costs the sapling, unlocks place_plant', () => {
    const { world, p } = facing('grass');
    p.inventory[Item.sapling] = 1;
    step(world, Action.place_plant);
    const plant = world.objectAt(33, 32);
    expect(plant?.kind).toBe(ObjectKind.plant);
    expect(plant?.health).toBe(1);
    expect(world.getMaterial(33, 32)).toBe(Material.grass);
    expect(p.inventory[Item.sapling]).toBe(0);
    expect(p.achievements[Achievement.place_plant]).toBe(1);
    expect(p.reward).toBe(1);
  });

  it('§8.7 place_plant with no sapling fails', () => {
    const { world, p } = facing('grass');
    step(world, Action.place_plant);
    expect(world.objectAt(33, 32)).toBeNull();
    expect(sumAchievements(p)).toBe(0);
  });

  it.each<MaterialName>(['sand', 'path', 'water', 'stone'])('#34 place_plant facing %s fails', (name) => {
    const { world, p } = facing(name);
    p.inventory[Item.sapling] = 1;
    step(world, Action.place_plant);
    expect(world.objectAt(33, 32)).toBeNull();
    expect(p.inventory[Item.sapling]).toBe(1);
    expect(sumAchievements(p)).toBe(0);
  });

  it('§1 placing outside the world does nothing', () => {
    const { world, p } = setup({ fill: 'sand' });
    place(world, p, 63, 10, Direction.right);
    p.inventory[Item.stone] = 9;
    p.inventory[Item.wood] = 9;
    p.inventory[Item.sapling] = 9;
    for (const a of [Action.place_stone, Action.place_table, Action.place_furnace, Action.place_plant]) step(world, a);
    expect([p.inventory[Item.stone], p.inventory[Item.wood], p.inventory[Item.sapling]]).toEqual([9, 9, 9]);
    expect(sumAchievements(p)).toBe(0);
  });

  it('§8.7 table of place rules matches the book', () => {
    const rows = PLACE_RULES.map((r) => [r.action, r.cost, [...r.targets].sort(), r.achievement]);
    expect(rows).toEqual([
      ['place_stone', { stone: 1 }, ['grass', 'lava', 'path', 'sand', 'water'], 'place_stone'],
      ['place_table', { wood: 2 }, ['grass', 'path', 'sand'], 'place_table'],
      ['place_furnace', { stone: 4 }, ['grass', 'path', 'sand'], 'place_furnace'],
      ['place_plant', { sapling: 1 }, ['grass'], 'place_plant'],
    ]);
  });
});
