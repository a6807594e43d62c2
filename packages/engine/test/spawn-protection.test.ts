import { describe, expect, it } from 'vitest';
import {
  CHASE_DISTANCE,
  ObjectKind,
  PROTECTION_HELD,
  type ProtectionRule,
  protectionRuleOfEngineVersion,
  SAFE_SPAWN_RADIUS,
  safeSpawnTile,
  World,
} from '../src/index.ts';
import { box, countKind, feed, Item, manhattan, mat, place } from './helpers.ts';

/**
 * Spawn protection and safe spawns (a World option for lobbies and the game; not Crafter's
 * rules, so CrafterEnv and the benchmarks keep it off).
 */

/**
 * A grass world (t = 180 by default: night, balancing neither despawns a zombie nor spawns) with one
 * player at (32, 32).
 */
function world(spawnProtection: number, t = 180, protectionRule?: ProtectionRule) {
  const w = World.blank({ seed: 3, fill: 'grass', mode: 'persistent', spawnProtection, protectionRule });
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

/**
 * A protected player at (32, 32) with a zombie 3 tiles right and a skeleton 4 tiles down, both free
 * to walk: the closest each came and its distance after the 40 protected steps, and the arrows shot.
 */
function besideHostiles(rule: ProtectionRule, seed: number) {
  const w = World.blank({ seed, fill: 'grass', mode: 'persistent', spawnProtection: 40, protectionRule: rule });
  w.t = 180;
  const p = w.addPlayer();
  const creatures = [w.spawn('zombie', 35, 32), w.spawn('skeleton', 32, 36)];
  const closest = creatures.map((c) => manhattan(c.x, c.y, p.x, p.y));
  let arrows = 0;
  for (let i = 0; i < 40; i++) {
    feed(p);
    w.step([0]);
    arrows += countKind(w, ObjectKind.arrow);
    creatures.forEach((c, k) => {
      closest[k] = Math.min(closest[k], manhattan(c.x, c.y, p.x, p.y));
    });
  }
  expect(p.protection).toBe(0);
  return { closest, after: creatures.map((c) => manhattan(c.x, c.y, p.x, p.y)), arrows };
}

describe("the keep-away rule (engine 0.3.0; 0.2.x's 'target' rule stays selectable)", () => {
  it('a zombie and a skeleton beside a protected player do not close in, shoot nothing, and end out of reach', () => {
    for (const seed of [1, 2, 3]) {
      const { closest, after, arrows } = besideHostiles('keep-away', seed);
      expect(arrows).toBe(0);
      // A wandering step may bring one a tile nearer once; none comes within reach of its attack.
      expect(closest[0]).toBeGreaterThanOrEqual(2);
      expect(closest[1]).toBeGreaterThanOrEqual(3);
      for (const d of after) expect(d).toBeGreaterThan(CHASE_DISTANCE);
    }
  });

  it("the 'target' rule of engine 0.2.x: they close in and shoot during the protection (only damage is undone)", () => {
    for (const seed of [1, 2, 3]) {
      const { closest, arrows } = besideHostiles('target', seed);
      expect(closest[0]).toBe(1);
      expect(arrows).toBeGreaterThan(0);
    }
  });

  it('creatures whose nearest player is unprotected follow Crafter rules, with a protected player elsewhere', () => {
    // A stays protected; B, unprotected, is nearest to a zombie and a skeleton: they attack it step
    // for step as in a world of the 'target' rule.
    const run = (rule: ProtectionRule) => {
      const w = World.blank({ seed: 4, fill: 'grass', mode: 'persistent', spawnProtection: 40, protectionRule: rule });
      w.t = 180;
      const a = w.addPlayer();
      const b = w.addPlayer();
      w.protect(a.slot, PROTECTION_HELD);
      place(w, b, 54, 32);
      w.protect(b.slot, 0);
      const zombie = w.spawn('zombie', 56, 32);
      const skeleton = w.spawn('skeleton', 54, 28);
      const trace: number[][] = [];
      for (let i = 0; i < 60; i++) {
        feed(a);
        feed(b);
        w.step([0, 0]);
        trace.push([zombie.x, zombie.y, skeleton.x, skeleton.y, b.inventory[Item.health], a.inventory[Item.health]]);
      }
      return trace;
    };
    const keepAway = run('keep-away');
    expect(keepAway).toEqual(run('target'));
    expect(Math.min(...keepAway.map((row) => row[4]))).toBeLessThan(9);
  });

  it('the rule survives snapshots (format 3; a 0.2.x world is written as format 2 and keeps its rule)', () => {
    for (const rule of ['keep-away', 'target'] as const) {
      const { w } = world(40, 180, rule);
      const bytes = w.snapshot();
      expect(new DataView(bytes.buffer, bytes.byteOffset).getUint16(4, true)).toBe(rule === 'keep-away' ? 3 : 2);
      const back = World.restore(bytes);
      expect([back.protectionRule, back.keepAway]).toEqual([rule, rule === 'keep-away']);
      expect(back.hash()).toBe(w.hash());
    }
    expect(world(0, 180, 'keep-away').w.keepAway).toBe(false);
  });

  it('replays pick the rule of the recorded engine version', () => {
    expect(protectionRuleOfEngineVersion('0.2.0')).toBe('target');
    expect(protectionRuleOfEngineVersion('0.2.9')).toBe('target');
    expect(protectionRuleOfEngineVersion('0.3.0')).toBe('keep-away');
    expect(protectionRuleOfEngineVersion('1.0.0')).toBe('keep-away');
    expect(() => World.blank({ seed: 1, protectionRule: 'flee' as ProtectionRule })).toThrow(/protection rule/);
  });
});
