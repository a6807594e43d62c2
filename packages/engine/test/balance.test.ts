import { describe, expect, it } from 'vitest';
import { BALANCE_RULES, CHUNK_SIZE, chunkOf, daylightAt, type Entity, ObjectKind, type World } from '../src/index.ts';
import { Action, Item, Material, mat, manhattan, setup, step } from './helpers.ts';

/** One balancing run: set the counter so that the next step lands on `t` (a multiple of 10). */
function runAt(world: World, t: number): Entity[] {
  const p = world.players[0];
  p.inventory[Item.health] = 9;
  p.inventory[Item.food] = 9;
  p.inventory[Item.drink] = 9;
  p.inventory[Item.energy] = 9;
  const before = new Set(world.objects.map((o) => o.id));
  world.t = t - 1;
  step(world, Action.noop);
  return world.objects.filter((o) => !o.removed && !before.has(o.id));
}

/** Fills the chunk whose top-left tile is (cx, cy) (12×12, cut at the edge) with `name`. */
function fillChunk(world: World, cx: number, cy: number, name: 'grass' | 'path' | 'sand'): void {
  for (let x = cx; x < Math.min(cx + CHUNK_SIZE, 64); x++)
    for (let y = cy; y < Math.min(cy + CHUNK_SIZE, 64); y++) mat(world, x, y, name);
}

const NIGHT = 200; // daylight ≈ 0.03: zombie cap 3
const DAY = 60; // daylight 1: zombie cap 0

describe('§12 balancing', () => {
  it('§12 rule table matches the book', () => {
    const rows = BALANCE_RULES.map((r) => [
      r.kind,
      r.material,
      r.minSpace,
      r.spawnProbability,
      r.spawnDistance,
      r.despawnProbability,
      r.despawnDistance,
    ]);
    expect(rows).toEqual([
      ['zombie', 'grass', 50, 0.3, 6, 0.4, 0],
      ['skeleton', 'path', 6, 0.1, 7, 0.1, 7],
      ['cow', 'grass', 30, 0.01, 5, 0.1, 5],
    ]);
    const [z, s, c] = BALANCE_RULES;
    for (const d of [0, 0.2, 0.5, 0.9, 1]) {
      expect(z.lo(d)).toBeCloseTo(3.5 - 3 * d, 12);
      expect(z.hi(d)).toBeCloseTo(3.5 - 3 * d, 12);
      expect([s.lo(d), s.hi(d), c.lo(d)]).toEqual([1, 2, 1]);
      expect(c.hi(d)).toBeCloseTo(1.5 + d, 12);
    }
    // Zombie cap k = ⌊3.5 − 3·daylight⌋ over the cycle.
    const cap = (t: number) => Math.floor(3.5 - 3 * daylightAt(t));
    for (let t = 5; t <= 115; t++) expect(cap(t)).toBe(0);
    for (const t of [0, 4, 116, 147, 273, 299]) expect(cap(t)).toBe(1);
    for (const t of [148, 177, 243, 272]) expect(cap(t)).toBe(2);
    for (const t of [178, 210, 242]) expect(cap(t)).toBe(3);
  });

  it('§12.1 chunks are 12×12 aligned at multiples of 12, the last ones narrower', () => {
    expect(chunkOf(0, 0)).toBe(chunkOf(11, 11));
    expect(chunkOf(12, 0)).not.toBe(chunkOf(11, 0));
    expect(chunkOf(0, 12)).not.toBe(chunkOf(0, 11));
    expect(chunkOf(60, 60)).toBe(chunkOf(63, 63));
    expect(chunkOf(59, 60)).not.toBe(chunkOf(60, 60));
    const ids = new Set<number>();
    for (let x = 0; x < 64; x++) for (let y = 0; y < 64; y++) ids.add(chunkOf(x, y));
    expect(ids.size).toBe(36);
  });

  it('#89 balancing runs only when t is a multiple of 10', () => {
    // Two frozen zombies far away (distance ≥ 18) in a registered chunk, at day: only balancing
    // draws random numbers, so the generator state changes exactly on the balancing steps.
    const { world } = setup({ fill: 'sand' });
    world.spawn('zombie', 2, 2);
    world.spawn('zombie', 5, 5);
    world.t = DAY - 30;
    for (let i = 1; i <= 40; i++) {
      const before = world.rng.getState().join();
      step(world, Action.noop);
      const changed = world.rng.getState().join() !== before;
      expect(changed).toBe(world.t % 10 === 0);
    }
  });

  it('#89 statistical: despawns happen only on balancing steps', () => {
    let despawned = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const { world } = setup({ fill: 'sand', seed, t: DAY - 10 });
      world.spawn('zombie', 2, 2);
      world.spawn('zombie', 5, 5);
      for (let i = 1; i <= 19; i++) {
        step(world, Action.noop);
        const zombies = world.objects.filter((o) => o.kind === ObjectKind.zombie).length;
        if (world.t === DAY) despawned += 2 - zombies;
        else if (world.t < DAY) expect(zombies).toBe(2);
      }
    }
    expect(despawned).toBeGreaterThan(40);
  });

  it('#90 no creature spawns in a chunk that never contained any object', () => {
    const { world } = setup({ fill: 'sand' });
    fillChunk(world, 0, 0, 'grass'); // 144 grass: zombies and cows would spawn if registered
    fillChunk(world, 48, 0, 'path');
    const unregistered = [chunkOf(0, 0), chunkOf(48, 0)];
    for (const c of unregistered) expect(world.chunkRegistered[c]).toBe(0);
    for (let i = 0; i < 300; i++) {
      const fresh = runAt(world, NIGHT + 10 * (i % 4));
      expect(fresh).toEqual([]);
    }
    // Registering it (an object created there) makes it take part.
    const arrow = world.spawn('arrow', 6, 6);
    world.removeEntity(arrow);
    expect(world.chunkRegistered[chunkOf(0, 0)]).toBe(1);
    let spawned = 0;
    for (let i = 0; i < 100; i++) {
      for (const o of runAt(world, NIGHT)) {
        expect(chunkOf(o.x, o.y)).toBe(chunkOf(0, 0));
        spawned++;
        world.removeEntity(o);
      }
    }
    expect(spawned).toBeGreaterThan(10);
    // Every object created by balancing lies in a registered chunk.
    for (const o of world.objects) expect(world.chunkRegistered[chunkOf(o.x, o.y)]).toBe(1);
  });

  it('#90 a chunk is registered by an object moving into it (and stays registered)', () => {
    const { world } = setup({ fill: 'sand' });
    const a = world.spawn('arrow', 36, 30); // chunk of x 36–47
    a.dir = 0; // left, into the player's chunk column? it is already in chunk (3, 2)
    expect(world.chunkRegistered[chunkOf(36, 30)]).toBe(1);
    const b = world.spawn('arrow', 30, 24);
    b.dir = 2; // up: from the chunk of y 24–35 into y 12–23
    expect(world.chunkRegistered[chunkOf(30, 23)]).toBe(0);
    step(world, Action.noop);
    expect([b.x, b.y]).toEqual([30, 23]);
    expect(world.chunkRegistered[chunkOf(30, 23)]).toBe(1);
    expect(world.chunkOrder.indexOf(chunkOf(32, 32))).toBe(0);
  });

  it('#91 with daylight > 5/6 no zombie spawns by balancing', () => {
    const { world } = setup({ fill: 'grass' });
    for (let x = 0; x < 64; x += 12) for (let y = 0; y < 64; y += 12) world.registerChunk(x, y);
    for (let i = 0; i < 400; i++) {
      const t = 10 * (1 + (i % 11)); // 10 … 110: daylight > 5/6
      expect(daylightAt(t)).toBeGreaterThan(5 / 6);
      for (const o of runAt(world, t)) {
        expect(o.kind).not.toBe(ObjectKind.zombie);
        world.removeEntity(o);
      }
    }
    // Control: at night zombies do spawn in the same world.
    let zombies = 0;
    for (let i = 0; i < 20; i++) {
      for (const o of runAt(world, NIGHT)) {
        if (o.kind === ObjectKind.zombie) zombies++;
        world.removeEntity(o);
      }
    }
    expect(zombies).toBeGreaterThan(20);
  });

  it('#91 a chunk with 2 zombies loses one with probability 0.4 per balancing run (at any distance)', () => {
    let lost = 0;
    const n = 1500;
    for (let seed = 1; seed <= n; seed++) {
      const { world } = setup({ fill: 'sand', seed });
      // One far (frozen), one right next to the player: despawn distance is 0.
      world.spawn('zombie', 30, 30);
      const near = world.spawn('zombie', 33, 32);
      near.cooldown = 3;
      mat(world, 34, 32, 'stone');
      mat(world, 33, 31, 'stone');
      mat(world, 33, 33, 'stone');
      mat(world, 31, 30, 'stone');
      mat(world, 29, 30, 'stone');
      mat(world, 30, 29, 'stone');
      mat(world, 30, 31, 'stone');
      runAt(world, DAY);
      const left = world.objects.filter((o) => o.kind === ObjectKind.zombie).length;
      expect(left === 1 || left === 2).toBe(true);
      if (left === 1) lost++;
    }
    // sd ≈ 0.0126; ±0.06 is over 4.5 sd (and the stream is seeded).
    expect(Math.abs(lost / n - 0.4)).toBeLessThan(0.06);
  });

  it('#92 a balancing zombie spawn never lands within Manhattan distance 5 of the player', () => {
    const { world, p } = setup({ fill: 'sand' });
    fillChunk(world, 24, 24, 'grass'); // the player's chunk
    let spawned = 0;
    for (let i = 0; i < 600; i++) {
      for (const o of runAt(world, NIGHT)) {
        if (o.kind === ObjectKind.zombie) {
          spawned++;
          expect(manhattan(o.x, o.y, p.x, p.y)).toBeGreaterThanOrEqual(6);
          expect(world.getMaterial(o.x, o.y)).toBe(Material.grass);
        }
        world.removeEntity(o);
      }
    }
    expect(spawned).toBeGreaterThan(50);
  });

  it('#92 a balancing zombie spawn never lands on an occupied tile', () => {
    const { world, p } = setup({ fill: 'sand' });
    fillChunk(world, 24, 24, 'grass');
    // Every grass tile of the chunk at distance ≥ 6 holds a plant: no legal spawn tile is left.
    for (let x = 24; x < 36; x++)
      for (let y = 24; y < 36; y++) if (manhattan(x, y, p.x, p.y) >= 6) world.spawn('plant', x, y);
    for (let i = 0; i < 300; i++) {
      for (const o of runAt(world, NIGHT)) expect(o.kind).not.toBe(ObjectKind.zombie);
    }
    expect(world.objects.every((o) => o.kind === ObjectKind.plant)).toBe(true);
  });

  it('#93 no zombie spawns in a chunk with fewer than 50 grass tiles (49 never, 50 does)', () => {
    for (const grass of [49, 50]) {
      const { world } = setup({ fill: 'sand' });
      world.registerChunk(0, 0);
      let placed = 0;
      for (let x = 0; x < 12 && placed < grass; x++)
        for (let y = 0; y < 12 && placed < grass; y++, placed++) mat(world, x, y, 'grass');
      let zombies = 0;
      for (let i = 0; i < 200; i++) {
        for (const o of runAt(world, NIGHT)) {
          if (o.kind === ObjectKind.zombie) zombies++;
          world.removeEntity(o);
        }
      }
      if (grass === 49) expect(zombies).toBe(0);
      else expect(zombies).toBeGreaterThan(20);
    }
  });

  it('§12.2 the narrow edge chunk (4 × 12 = 48 tiles) never gets zombies, but cows (≥ 30 grass) do', () => {
    const { world } = setup({ fill: 'sand' });
    fillChunk(world, 60, 0, 'grass');
    world.registerChunk(60, 0);
    const kinds = new Map<number, number>();
    for (let i = 0; i < 800; i++) {
      for (const o of runAt(world, NIGHT)) {
        kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
        world.removeEntity(o);
      }
    }
    expect(kinds.get(ObjectKind.zombie) ?? 0).toBe(0);
    expect(kinds.get(ObjectKind.cow) ?? 0).toBeGreaterThan(0);
  });

  it('§12.2 cows spawn only in chunks with ≥ 30 grass, at distance ≥ 5, only when the chunk has none', () => {
    for (const grass of [29, 30]) {
      const { world, p } = setup({ fill: 'sand' });
      world.registerChunk(0, 0);
      let placed = 0;
      for (let x = 0; x < 12 && placed < grass; x++)
        for (let y = 0; y < 12 && placed < grass; y++, placed++) mat(world, x, y, 'grass');
      let cows = 0;
      for (let i = 0; i < 2000; i++) {
        for (const o of runAt(world, DAY)) {
          expect(o.kind).toBe(ObjectKind.cow);
          expect(manhattan(o.x, o.y, p.x, p.y)).toBeGreaterThanOrEqual(5);
          cows++;
          world.removeEntity(o);
        }
      }
      if (grass === 29) expect(cows).toBe(0);
      else expect(cows).toBeGreaterThan(5); // p = 0.01 per run: about 20 expected
    }
    // With one cow present the chunk gets no second one.
    const { world } = setup({ fill: 'sand' });
    fillChunk(world, 0, 0, 'grass');
    const cow = world.spawn('cow', 3, 3);
    for (let i = 0; i < 2000; i++) expect(runAt(world, DAY).filter((o) => o.kind === ObjectKind.cow)).toEqual([]);
    expect(cow.removed).toBe(false);
  });

  it('§12.2 cow despawn: only above ⌊1.5 + daylight⌋ and at distance ≥ 5', () => {
    let night = 0;
    let day = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const { world } = setup({ fill: 'sand', seed });
      // Two frozen cows far away (chunk 0,0).
      world.spawn('cow', 1, 1);
      world.spawn('cow', 4, 4);
      runAt(world, NIGHT); // cap 1: 2 > 1 → despawn with p 0.1
      night += 2 - world.objects.filter((o) => o.kind === ObjectKind.cow).length;
      const s2 = setup({ fill: 'sand', seed });
      s2.world.spawn('cow', 1, 1);
      s2.world.spawn('cow', 4, 4);
      runAt(s2.world, DAY); // cap 2: nothing
      day += 2 - s2.world.objects.filter((o) => o.kind === ObjectKind.cow).length;
    }
    expect(day).toBe(0);
    expect(Math.abs(night / 400 - 0.1)).toBeLessThan(0.05);
    // Near cows (distance < 5) never despawn.
    const { world } = setup({ fill: 'sand' });
    const a = world.spawn('cow', 31, 32);
    const b = world.spawn('cow', 33, 32);
    for (const c of [a, b]) {
      mat(world, c.x, c.y - 1, 'stone');
      mat(world, c.x, c.y + 1, 'stone');
      mat(world, c.x + (c.x < 32 ? -1 : 1), c.y, 'stone');
    }
    for (let i = 0; i < 300; i++) runAt(world, NIGHT);
    expect(a.removed || b.removed).toBe(false);
  });

  it('#94 skeletons spawn only on path tiles, in chunks with ≥ 6 path tiles, at distance ≥ 7', () => {
    for (const paths of [5, 6]) {
      const { world, p } = setup({ fill: 'sand' });
      // Path tiles in the player's chunk, some of them closer than 7.
      const tiles: [number, number][] = [
        [30, 32],
        [32, 29],
        [25, 25],
        [26, 34],
        [35, 24],
        [24, 30],
      ].slice(0, paths) as [number, number][];
      for (const [x, y] of tiles) mat(world, x, y, 'path');
      let skeletons = 0;
      for (let i = 0; i < 1500; i++) {
        for (const o of runAt(world, DAY + 10 * (i % 3))) {
          if (o.kind === ObjectKind.skeleton) {
            skeletons++;
            expect(world.getMaterial(o.x, o.y)).toBe(Material.path);
            expect(manhattan(o.x, o.y, p.x, p.y)).toBeGreaterThanOrEqual(7);
          }
          world.removeEntity(o);
        }
      }
      if (paths === 5) expect(skeletons).toBe(0);
      else expect(skeletons).toBeGreaterThan(20); // 0.1 · 4/6 per run
    }
  });

  it('§12.2 skeleton despawn: only above 2 skeletons and at distance ≥ 7', () => {
    let lost = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { world } = setup({ fill: 'sand', seed });
      for (const [x, y] of [
        [1, 1],
        [4, 4],
        [7, 7],
      ])
        world.spawn('skeleton', x, y);
      runAt(world, DAY);
      lost += 3 - world.objects.filter((o) => o.kind === ObjectKind.skeleton).length;
      const s2 = setup({ fill: 'sand', seed });
      for (const [x, y] of [
        [1, 1],
        [4, 4],
      ])
        s2.world.spawn('skeleton', x, y);
      runAt(s2.world, DAY);
      expect(s2.world.objects.length).toBe(2);
    }
    expect(lost).toBeGreaterThan(10);
    expect(lost).toBeLessThan(60);
  });
});
