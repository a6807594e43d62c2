import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Material, NUM_ACTIONS, ObjectKind, type Player, World } from '../src/index.ts';

const PLAYER_WALKABLE = new Set([Material.grass, Material.sand, Material.path, Material.lava]);
const CREATURE_WALKABLE = new Set([Material.grass, Material.sand, Material.path]);
const ARROW_FREE = new Set([Material.grass, Material.sand, Material.path, Material.water, Material.lava]);

/** Every invariant of the state between steps; `before` holds each player's counters from the last step. */
function checkInvariants(world: World, before: Map<Player, { episode: number; achievements: number[] }>): void {
  const live = new Map<number, { x: number; y: number }>();
  for (const p of world.players) {
    for (let i = 0; i < 16; i++) {
      expect(p.inventory[i]).toBeGreaterThanOrEqual(0);
      expect(p.inventory[i]).toBeLessThanOrEqual(9);
    }
    expect(p.hunger).toBeGreaterThanOrEqual(0);
    expect(p.hunger).toBeLessThanOrEqual(25);
    expect(p.thirst).toBeGreaterThanOrEqual(0);
    expect(p.thirst).toBeLessThanOrEqual(20);
    expect(p.fatigue).toBeGreaterThanOrEqual(-10);
    expect(p.fatigue).toBeLessThanOrEqual(30);
    expect(p.recover).toBeGreaterThanOrEqual(-15);
    expect(p.recover).toBeLessThanOrEqual(25);
    expect(p.facing >= 0 && p.facing < 4).toBe(true);
    // Dead ⇔ health 0 (health 0 ends the episode at the end of the step).
    expect(p.dead).toBe(p.inventory[0] === 0);
    // Unlocked ⊆ counters ≥ 1.
    for (let i = 0; i < 22; i++) if (p.unlocked[i]) expect(p.achievements[i]).toBeGreaterThan(0);
    // Achievements are never lost within an episode.
    const prev = before.get(p);
    if (prev && prev.episode === p.episode) {
      for (let i = 0; i < 22; i++) expect(p.achievements[i]).toBeGreaterThanOrEqual(prev.achievements[i]);
    }
    before.set(p, { episode: p.episode, achievements: [...p.achievements] });
    if (p.removed) continue;
    expect(world.inside(p.x, p.y)).toBe(true);
    expect(PLAYER_WALKABLE.has(world.getMaterial(p.x, p.y))).toBe(true);
    expect(world.objectAt(p.x, p.y)).toBe(p);
    live.set(p.id, p);
  }
  for (const o of world.objects) {
    expect(o.removed).toBe(false); // removed objects are dropped at the end of the step
    expect(world.inside(o.x, o.y)).toBe(true);
    expect(world.objectAt(o.x, o.y)).toBe(o);
    const m = world.getMaterial(o.x, o.y);
    if (o.kind === ObjectKind.arrow) expect(ARROW_FREE.has(m)).toBe(true);
    else if (o.kind === ObjectKind.plant) expect(m).toBe(Material.grass);
    else expect(CREATURE_WALKABLE.has(m)).toBe(true);
    if (o.kind !== ObjectKind.arrow) expect(o.health).toBeGreaterThanOrEqual(0);
    expect(live.has(o.id)).toBe(false);
    live.set(o.id, o);
  }
  // The grid holds exactly the live entities, each at its own position: one entity per tile.
  let occupied = 0;
  for (let x = 0; x < 64; x++) {
    for (let y = 0; y < 64; y++) {
      const e = world.objectAt(x, y);
      if (!e) continue;
      occupied++;
      expect([e.x, e.y]).toEqual([x, y]);
      expect(live.get(e.id)).toBe(e);
    }
  }
  expect(occupied).toBe(live.size);
  // Every entity stands in a registered chunk.
  for (const e of live.values()) expect(world.chunkRegistered[Math.floor(e.x / 12) * 6 + Math.floor(e.y / 12)]).toBe(1);
}

/** Actions biased toward interesting ones (moves, do, place, make), all 17 reachable. */
const action = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 5 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: NUM_ACTIONS - 1 }) },
);
const inventory = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 12 });

describe('properties over random action sequences', () => {
  it(
    'single player: inventory and stats in bounds, walkable tiles, one entity per tile, achievements kept, ' +
      'grid consistent',
    () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          fc.array(action, { minLength: 1, maxLength: 300 }),
          inventory,
          fc.boolean(),
          (seed, actions, items, stocked) => {
            const world = World.generate({ seed });
            const p = world.addPlayer();
            if (stocked) for (let i = 0; i < 12; i++) p.inventory[4 + i] = items[i];
            const before = new Map<Player, { episode: number; achievements: number[] }>();
            checkInvariants(world, before);
            for (const a of actions) {
              if (world.over) break;
              world.step([a]);
              checkInvariants(world, before);
            }
          },
        ),
        { numRuns: 50, seed: 20261125 },
      );
    },
  );

  it('several players (joins and leaves between ticks, persistent respawns): the same invariants', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 2, max: 4 }),
        fc.array(fc.tuple(fc.array(action, { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 99 })), {
          minLength: 1,
          maxLength: 200,
        }),
        inventory,
        (seed, count, ticks, items) => {
          const world = World.generate({ seed, mode: 'persistent' });
          for (let i = 0; i < count; i++) {
            const p = world.addPlayer();
            for (let k = 0; k < 12; k++) p.inventory[4 + k] = items[(k + i) % 12];
          }
          const before = new Map<Player, { episode: number; achievements: number[] }>();
          checkInvariants(world, before);
          for (const [acts, event] of ticks) {
            // Between ticks: sometimes a player leaves, joins or respawns.
            if (event < 3 && world.players.length > 1)
              world.removePlayer(world.players[event % world.players.length].slot);
            else if (event < 6 && world.players.length < 4) world.addPlayer();
            for (const p of [...world.players]) if (p.dead && event % 2 === 0) world.respawn(p.slot);
            const joint = new Map<number, number>();
            for (const [i, p] of world.players.entries()) joint.set(p.slot, acts[i % 4]);
            world.step(joint);
            checkInvariants(world, before);
          }
        },
      ),
      { numRuns: 30, seed: 4242 },
    );
  });

  it('snapshot round-trip at any point gives the same hash and the same future', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.array(action, { minLength: 1, maxLength: 150 }),
        fc.array(action, { minLength: 1, maxLength: 50 }),
        (seed, prefix, suffix) => {
          const world = World.generate({ seed });
          world.addPlayer();
          for (const a of prefix) if (!world.over) world.step([a]);
          const copy = World.restore(world.snapshot());
          expect(copy.hash()).toBe(world.hash());
          for (const a of suffix) {
            if (world.over) break;
            world.step([a]);
            copy.step([a]);
            expect(copy.hash()).toBe(world.hash());
          }
        },
      ),
      { numRuns: 30, seed: 77 },
    );
  });
});
