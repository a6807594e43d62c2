import { describe, expect, it } from 'vitest';
import { ObjectKind, PROTECTION_HELD, SAFE_SPAWN_RADIUS, safeSpawnTile, World } from '../src/index.ts';
import { box, feed, Item, mat } from './helpers.ts';

/**
 * Spawn protection and safe spawns (a World option for lobbies and the game; not Crafter's
 * rules, so CrafterEnv and the benchmarks keep it off).
 */

/**
 * A grass world (t = 180 by default: night, balancing neither despawns a zombie nor spawns) with one
 * player at (32, 32).
 */
function world(spawnProtection: number, t = 180) {
  const w = World.blank({ seed: 3, fill: 'grass', mode: 'persistent', spawnProtection });
  w.t = t;
  const p = w.addPlayer();
  return { w, p };
}

/** A zombie boxed in stone right of the player at (32, 32): it attacks but cannot move. */
function besideZombie(w: World) {
  w.spawn('zombie', 33, 32);
  box(w, 33, 32, 'stone');
}

/** Noop steps with food, drink and energy kept full; returns the health after each. */
function idle(w: World, n: number): number[] {
  const health: number[] = [];
  for (let i = 0; i < n; i++) {
    for (const p of w.players) feed(p);
    w.step(new Map());
    health.push(w.players[0].inventory[Item.health]);
  }
  return health;
}

describe('spawn protection', () => {
  it('is off by default: Crafter worlds are unchanged (snapshot format 1, no protection)', () => {
    const crafter = World.generate({ seed: 5 });
    expect(crafter.spawnProtection).toBe(0);
    expect(crafter.addPlayer().protection).toBe(0);
    const bytes = World.generate({ seed: 5 }).snapshot();
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint16(4, true)).toBe(1);
    expect(() => World.generate({ seed: 5 }).protect(0, 10)).toThrow(/no spawn protection/);
  });

  it('nothing damages a new life for spawnProtection steps; then a zombie hurts as usual', () => {
    const off = world(0);
    besideZombie(off.w);
    expect(Math.min(...idle(off.w, 40))).toBeLessThan(9);

    const on = world(40);
    expect(on.p.x).toBe(32);
    besideZombie(on.w);
    expect(on.p.protection).toBe(40);
    expect(idle(on.w, 40).every((h) => h === 9)).toBe(true);
    expect(on.p.protection).toBe(0);
    expect(on.p.protectedSteps).toBe(40);
    expect(Math.min(...idle(on.w, 40))).toBeLessThan(9);
    expect(on.p.protectedSteps).toBe(40);
  });

  it('a held protection does not count down until protect() sets another', () => {
    const { w, p } = world(20);
    besideZombie(w);
    w.protect(p.slot, PROTECTION_HELD);
    expect(idle(w, 120).every((h) => h === 9)).toBe(true);
    expect(p.protection).toBe(PROTECTION_HELD);
    w.protect(p.slot, 0);
    expect(Math.min(...idle(w, 40))).toBeLessThan(9);
  });

  it('protects from lava too; once protection ends, lava kills as usual', () => {
    const { w, p } = world(2);
    mat(w, 31, 32, 'lava');
    w.step(new Map([[p.slot, 1]])); // move_left onto lava
    expect([p.x, p.dead, p.inventory[Item.health]]).toEqual([31, false, 9]);
    w.step(new Map([[p.slot, 2]])); // move_right, off the lava: the second protected step
    expect(p.protection).toBe(0);
    w.step(new Map([[p.slot, 1]]));
    expect([p.x, p.dead]).toEqual([31, true]);
  });

  it('a respawn beside two skeletons lands on a safe tile and the player is alive after the protection ends', () => {
    // Daytime: an idle player on open grass at night is killed by the zombies that spawn there.
    const { w, p } = world(40, 0);
    // Two skeletons, boxed in stone (they shoot but cannot walk), 4 tiles either side.
    for (const x of [28, 36]) {
      w.spawn('skeleton', x, 32);
      box(w, x, 32, 'stone');
    }
    p.inventory[Item.health] = 0;
    w.protect(p.slot, 0);
    idle(w, 1);
    expect(p.dead).toBe(true);
    const next = w.respawn(p.slot);
    const skeletons = w.objects.filter((o) => o.kind === ObjectKind.skeleton);
    for (const s of skeletons)
      expect(Math.max(Math.abs(s.x - next.x), Math.abs(s.y - next.y))).toBeGreaterThan(SAFE_SPAWN_RADIUS);
    expect(next.protection).toBe(40);
    idle(w, 40 + 80);
    expect(next.dead).toBe(false);
    expect(next.protectedSteps).toBe(40);
  });

  it('safe tiles: free grass, no zombie, skeleton or lava within the radius, room to move', () => {
    const w = World.blank({ seed: 1, fill: 'grass', mode: 'persistent', spawnProtection: 10 });
    expect(safeSpawnTile(w, 32, 32)).toEqual([32, 32]);
    w.spawn('zombie', 34, 32);
    const [zx, zy] = safeSpawnTile(w, 32, 32)!;
    expect(Math.max(Math.abs(zx - 34), Math.abs(zy - 32))).toBe(SAFE_SPAWN_RADIUS + 1);
    // A grass pocket walled in by water: too little room even though nothing dangerous is near.
    const v = World.blank({ seed: 1, fill: 'water', mode: 'persistent', spawnProtection: 10 });
    for (let x = 30; x <= 32; x++) for (let y = 30; y <= 32; y++) mat(v, x, y, 'grass');
    for (let x = 50; x <= 56; x++) for (let y = 50; y <= 56; y++) mat(v, x, y, 'grass');
    const [vx, vy] = safeSpawnTile(v, 31, 31)!;
    expect(vx >= 50 && vy >= 50).toBe(true);
    mat(v, 53, 53, 'lava');
    expect(safeSpawnTile(v, 31, 31)).toBeNull();
    // No safe tile anywhere: addPlayer falls back to the nearest free walkable tile.
    const fallback = v.addPlayer();
    expect([fallback.x, fallback.y]).toEqual([32, 32]);
  });

  it('is deterministic and survives snapshots: restore + the same steps give the same hashes', () => {
    const a = World.generate({ seed: 77, mode: 'persistent', spawnProtection: 30 });
    a.addPlayer();
    a.addPlayer();
    for (let i = 0; i < 20; i++)
      a.step(
        new Map([
          [0, (i % 5) + 1],
          [1, 5],
        ]),
      );
    a.protect(1, PROTECTION_HELD);
    const b = World.restore(a.snapshot());
    expect(b.spawnProtection).toBe(30);
    expect(b.hash()).toBe(a.hash());
    for (let i = 0; i < 60; i++) {
      const acts = new Map([
        [0, (i * 7) % 17],
        [1, (i * 3) % 17],
      ]);
      a.step(acts);
      b.step(acts);
    }
    expect(b.hash()).toBe(a.hash());
    expect(b.players.map((p) => [p.protection, p.protectedSteps])).toEqual(
      a.players.map((p) => [p.protection, p.protectedSteps]),
    );
    const again = World.generate({ seed: 77, mode: 'persistent', spawnProtection: 30 });
    expect(again.addPlayer().x).toBe(
      World.generate({ seed: 77, mode: 'persistent', spawnProtection: 30 }).addPlayer().x,
    );
  });
});
