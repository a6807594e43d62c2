import { describe, expect, it } from 'vitest';
import { Item, NUM_ACTIONS, World } from '../src/index.ts';
import { Action, mat, testRng } from './helpers.ts';

/** Random joint actions from a seeded test generator (slot → action), noop for the dead. */
function randomJoint(world: World, rand: () => number): Map<number, number> {
  const acts = new Map<number, number>();
  for (const p of world.players) if (!p.dead) acts.set(p.slot, Math.floor(rand() * NUM_ACTIONS));
  return acts;
}

/** Steps until `n` steps or the end, returning the hash after each step. */
function run(world: World, n: number, actionSeed: number): string[] {
  const rand = testRng(actionSeed);
  const hashes: string[] = [];
  for (let i = 0; i < n && !world.over; i++) {
    world.step(randomJoint(world, rand));
    hashes.push(world.hash());
  }
  return hashes;
}

function generated(seed: number, players: number, mode: 'episode' | 'persistent' = 'episode'): World {
  const world = World.generate({ seed, mode });
  for (let i = 0; i < players; i++) world.addPlayer();
  return world;
}

describe('determinism', () => {
  it('world generation is a function of the seed', () => {
    for (const seed of [0, 1, 99, 2 ** 40 + 3, -17]) {
      expect(World.generate({ seed }).hash()).toBe(World.generate({ seed }).hash());
    }
    expect(World.generate({ seed: 1 }).hash()).not.toBe(World.generate({ seed: 2 }).hash());
    // All 53 bits of the seed take part.
    expect(World.generate({ seed: 5 }).hash()).not.toBe(World.generate({ seed: 5 + 2 ** 32 }).hash());
  });

  it('same seed + same actions → same hash after every step (single player)', () => {
    for (const seed of [11, 12]) {
      const a = run(generated(seed, 1), 400, seed * 7);
      const b = run(generated(seed, 1), 400, seed * 7);
      expect(a.length).toBeGreaterThan(50);
      expect(a).toEqual(b);
      // Different actions diverge.
      const c = run(generated(seed, 1), 400, seed * 7 + 1);
      expect(c.at(-1)).not.toBe(a.at(-1));
    }
  });

  it('same seed + same joint actions → same hash after every step (three players)', () => {
    const a = run(generated(21, 3), 400, 5);
    const b = run(generated(21, 3), 400, 5);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(a.length); // the state changes every step
  });

  it('the hash covers the whole state', () => {
    const world = generated(3, 2);
    world.step(
      new Map([
        [0, Action.noop],
        [1, Action.noop],
      ]),
    );
    const h = world.hash();
    const p = world.players[1];
    p.inventory[Item.wood] += 1;
    expect(world.hash()).not.toBe(h);
    p.inventory[Item.wood] -= 1;
    expect(world.hash()).toBe(h);
    p.hunger += 0.5;
    expect(world.hash()).not.toBe(h);
    p.hunger -= 0.5;
    world.rng.uniform();
    expect(world.hash()).not.toBe(h);
  });
});

describe('snapshots', () => {
  it('round-trip: restore gives identical bytes and hash', () => {
    for (const [seed, players] of [
      [31, 1],
      [32, 3],
    ] as const) {
      const world = generated(seed, players);
      run(world, 150, seed);
      const bytes = world.snapshot();
      const copy = World.restore(bytes);
      expect(copy.hash()).toBe(world.hash());
      expect(copy.snapshot()).toEqual(bytes);
      expect(copy.t).toBe(world.t);
      expect(copy.daylight).toBe(world.daylight);
      expect(copy.semanticMap()).toEqual(world.semanticMap());
    }
  });

  it('restoring then stepping equals stepping the original (identical future)', () => {
    for (const [seed, players] of [
      [41, 1],
      [42, 2],
      [43, 4],
    ] as const) {
      const world = generated(seed, players);
      run(world, 120, seed + 1);
      if (world.over) continue;
      const copy = World.restore(world.snapshot());
      const ra = testRng(seed * 13);
      const rb = testRng(seed * 13);
      for (let i = 0; i < 300 && !world.over; i++) {
        world.step(randomJoint(world, ra));
        copy.step(randomJoint(copy, rb));
        expect(copy.hash()).toBe(world.hash());
      }
      expect(copy.over).toBe(world.over);
    }
  });

  it('round-trip keeps sleeping players, arrows, plants, cooldowns, dead bodies and the chunk registry', () => {
    const world = World.blank({ seed: 8, fill: 'grass', mode: 'persistent' });
    const a = world.addPlayer();
    const b = world.addPlayer();
    a.inventory[Item.energy] = 3;
    mat(world, b.x, b.y + 1, 'lava');
    const arrow = world.spawn('arrow', 20, 20);
    arrow.dir = 1;
    const plant = world.spawn('plant', 40, 40);
    plant.grown = 123;
    const z = world.spawn('zombie', 25, 40);
    z.cooldown = 3;
    const sk = world.spawn('skeleton', 5, 5);
    sk.reload = 2;
    world.step(
      new Map([
        [0, Action.sleep],
        [1, Action.move_down],
      ]),
    );
    expect(a.sleeping).toBe(true);
    expect(b.dead).toBe(true);
    const copy = World.restore(world.snapshot());
    expect(copy.hash()).toBe(world.hash());
    const ca = copy.player(0);
    expect(ca.sleeping).toBe(true);
    expect(copy.player(1).dead).toBe(true);
    expect([...copy.chunkOrder]).toEqual([...world.chunkOrder]);
    expect(copy.objects.map((o) => [o.id, o.kind, o.x, o.y, o.health, o.cooldown, o.reload, o.dir, o.grown])).toEqual(
      world.objects.map((o) => [o.id, o.kind, o.x, o.y, o.health, o.cooldown, o.reload, o.dir, o.grown]),
    );
    // Same future, including the respawn.
    for (const w of [world, copy]) {
      w.respawn(1);
      for (let i = 0; i < 30; i++)
        w.step(
          new Map([
            [0, Action.sleep],
            [1, Action.move_left],
          ]),
        );
    }
    expect(copy.hash()).toBe(world.hash());
  });

  it('a snapshot is a copy: changing the restored world leaves the original alone', () => {
    const world = generated(5, 1);
    const h = world.hash();
    const copy = World.restore(world.snapshot());
    copy.step([Action.move_left]);
    expect(world.hash()).toBe(h);
    expect(world.t).toBe(0);
  });
});
