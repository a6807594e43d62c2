import { describe, expect, it } from 'vitest';
import { SnapshotError, World } from '../src/index.ts';
import { Action, Item, testRng } from './helpers.ts';

function busyWorld(): World {
  const world = World.generate({ seed: 77 });
  world.addPlayer();
  world.addPlayer();
  const rand = testRng(3);
  for (let i = 0; i < 40; i++) {
    world.step(new Map(world.players.map((p) => [p.slot, Math.floor(rand() * 17)])));
  }
  return world;
}

/** Asserts that `fn` throws an error matching `pattern` and the world's state did not change. */
function throwsCleanly(world: World, fn: () => unknown, pattern: RegExp): void {
  const hash = world.hash();
  const t = world.t;
  const bytes = world.snapshot();
  expect(fn).toThrow(pattern);
  expect(world.hash()).toBe(hash);
  expect(world.t).toBe(t);
  expect(world.snapshot()).toEqual(bytes);
}

describe('bad input', () => {
  const badActions: unknown[] = [17, -1, 1.5, 'x', NaN, Infinity, null, '5', 2 ** 40, {}];

  it.each(badActions.map((a) => [String(a), a]))(
    'step with unknown action %s throws and changes nothing',
    (_name, action) => {
      const world = busyWorld();
      throwsCleanly(world, () => world.step([action as number]), /unknown action/);
      throwsCleanly(world, () => world.step(new Map([[0, action as number]])), /unknown action/);
      // The bad entry is in the second slot: the first slot's valid action must not run either.
      throwsCleanly(
        world,
        () =>
          world.step(
            new Map([
              [0, Action.move_left],
              [1, action as number],
            ]),
          ),
        /unknown action/,
      );
      throwsCleanly(world, () => world.step([Action.do, action as number]), /unknown action/);
      // The world still works afterwards.
      world.step([Action.noop, Action.noop]);
    },
  );

  it('step for a slot not in the world throws and changes nothing', () => {
    const world = busyWorld();
    throwsCleanly(world, () => world.step(new Map([[2, Action.noop]])), /no player with slot 2/);
    throwsCleanly(world, () => world.step([Action.noop, Action.noop, Action.noop]), /no player with slot 2/);
    throwsCleanly(world, () => world.step(new Map([[-1, Action.noop]])), /no player with slot/);
    throwsCleanly(world, () => world.step(new Map([[0.5, Action.noop]])), /no player with slot/);
    throwsCleanly(world, () => world.step(new Map([['0' as unknown as number, Action.noop]])), /no player with slot/);
    throwsCleanly(
      world,
      () =>
        world.step(
          new Map([
            [0, Action.noop],
            [9, Action.do],
          ]),
        ),
      /no player with slot 9/,
    );
  });

  it('step with something that is not a joint action throws', () => {
    const world = busyWorld();
    throwsCleanly(world, () => world.step(5 as unknown as number[]), /actions must be/);
    throwsCleanly(world, () => world.step('do' as unknown as number[]), /actions must be/);
    throwsCleanly(world, () => world.step({ 0: 1 } as unknown as number[]), /actions must be/);
  });

  it('stepping a finished episode throws and changes nothing', () => {
    const world = World.blank({ seed: 1, fill: 'sand' });
    world.addPlayer();
    world.t = 9999;
    world.step([Action.noop]);
    expect(world.over).toBe(true);
    throwsCleanly(world, () => world.step([Action.noop]), /over/);
  });

  it('a non-integer or unsafe seed throws a clear error', () => {
    for (const seed of [1.5, NaN, Infinity, -Infinity, 2 ** 53, '1', null, undefined, 1n]) {
      expect(() => World.blank({ seed: seed as number })).toThrow(/seed must be a safe integer/);
      expect(() => World.generate({ seed: seed as number })).toThrow(/seed must be a safe integer/);
    }
    expect(() => World.generate({ seed: 1, mode: 'forever' as 'episode' })).toThrow(/mode/);
  });

  it('bad slots for addPlayer / removePlayer / respawn / player throw and change nothing', () => {
    const world = busyWorld();
    throwsCleanly(world, () => world.addPlayer({ slot: -1 }), /slot/);
    throwsCleanly(world, () => world.addPlayer({ slot: 1.5 }), /slot/);
    throwsCleanly(world, () => world.addPlayer({ slot: 0 }), /taken/);
    throwsCleanly(world, () => world.removePlayer(7), /no player with slot 7/);
    throwsCleanly(world, () => world.respawn(7), /no player with slot 7/);
    throwsCleanly(world, () => world.respawn(0), /alive/);
    throwsCleanly(world, () => world.player(3), /no player with slot 3/);
  });

  it('spawning outside the world or on an occupied tile throws and changes nothing', () => {
    const world = busyWorld();
    const p = world.players[0];
    throwsCleanly(world, () => world.spawn('cow', -1, 0), /outside/);
    throwsCleanly(world, () => world.spawn('cow', 0, 64), /outside/);
    throwsCleanly(world, () => world.spawn('zombie', p.x, p.y), /occupied/);
  });
});

describe('corrupted snapshots', () => {
  const world = busyWorld();
  const good = world.snapshot();

  it('every single flipped byte is rejected with a SnapshotError', () => {
    const hash = world.hash();
    for (let i = 0; i < good.length; i++) {
      const bad = good.slice();
      bad[i] ^= 1 << (i % 8);
      expect(() => World.restore(bad), `byte ${i}`).toThrow(SnapshotError);
    }
    expect(world.hash()).toBe(hash);
  });

  it('every truncation (and trailing junk) is rejected', () => {
    for (let n = 0; n < good.length; n++) {
      expect(() => World.restore(good.subarray(0, n)), `length ${n}`).toThrow(SnapshotError);
    }
    const longer = new Uint8Array(good.length + 3);
    longer.set(good);
    expect(() => World.restore(longer)).toThrow(SnapshotError);
  });

  it('wrong magic, wrong version and non-bytes give clear messages', () => {
    const magic = good.slice();
    magic.set([0x50, 0x4e, 0x47, 0x21], 0);
    expect(() => World.restore(magic)).toThrow(/bad magic/);
    const version = good.slice();
    version[4] = 99;
    expect(() => World.restore(version)).toThrow(/unsupported version 99/);
    expect(() => World.restore(new Uint8Array(0))).toThrow(/too short/);
    expect(() => World.restore([...good] as unknown as Uint8Array)).toThrow(SnapshotError);
    expect(() => World.restore('snapshot' as unknown as Uint8Array)).toThrow(SnapshotError);
    // The good bytes still restore.
    expect(World.restore(good).hash()).toBe(world.hash());
  });

  it('a well-formed snapshot with an invalid field (checksum recomputed) is rejected', async () => {
    const { hashBytes } = await import('../src/index.ts');
    const reseal = (body: Uint8Array): Uint8Array => {
      const out = new Uint8Array(body.length + 4);
      out.set(body);
      new DataView(out.buffer).setUint32(body.length, hashBytes(body), true);
      return out;
    };
    const body = good.subarray(0, good.length - 4);
    expect(World.restore(reseal(body)).hash()).toBe(world.hash());
    // A material id past the table.
    const headerBytes = 4 + 2 + 1 + 1 + 8 + 4 + 4 + 16;
    const badMaterial = body.slice();
    badMaterial[headerBytes + 10] = 200;
    expect(() => World.restore(reseal(badMaterial))).toThrow(/bad material/);
    // Mode byte out of range.
    const badMode = body.slice();
    badMode[6] = 7;
    expect(() => World.restore(reseal(badMode))).toThrow(/bad mode/);
    // A non-integer seed.
    const badSeed = body.slice();
    new DataView(badSeed.buffer).setFloat64(8, 1.5, true);
    expect(() => World.restore(reseal(badSeed))).toThrow(/bad seed/);
  });

  it('inventory read back from a snapshot stays within 0..9', () => {
    const copy = World.restore(good);
    for (const p of copy.players) for (let i = 0; i < 16; i++) expect(p.inventory[i]).toBeLessThanOrEqual(9);
    expect(copy.players[0].inventory[Item.health]).toBe(world.players[0].inventory[Item.health]);
  });
});
