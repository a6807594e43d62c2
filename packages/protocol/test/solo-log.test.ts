import { describe, expect, it } from 'vitest';
import { World } from '@aikon/engine';
import { decodeLog, replayLog, SOLO_HASH_EVERY, SoloLogWriter, type TickRecord } from '../src/index.ts';

const PATTERN = [3, 3, 5, 1, 4, 2, 0, 5];

function freshWorld(seed: number): World {
  const world = World.generate({ seed });
  world.addPlayer({ slot: 0 });
  return world;
}

/** The first seed from 1 on whose world a player following PATTERN lives `steps` steps. */
function survivingSeed(steps: number): number {
  for (let seed = 1; ; seed++) {
    const world = freshWorld(seed);
    for (let i = 0; i < steps && !world.over; i++) world.step([PATTERN[i % 8]]);
    if (!world.over) return seed;
  }
}

describe('SoloLogWriter', () => {
  it('writes a solo game that replays to its hashes, also when it was saved and continued half-way', () => {
    const world = freshWorld(survivingSeed(260));
    let log = SoloLogWriter.begin(world, { id: 'g1', pid: 'p1', tickRate: 8 });
    for (let i = 0; i < 150; i++) {
      world.step([PATTERN[i % 8]]);
      log.tick(world, PATTERN[i % 8], i % 5 === 0);
    }
    log.tickRate(world, 12);
    // Saved here (snapshot and log bytes), then continued from what was saved.
    const saved = { snapshot: world.snapshot(), log: log.bytes(), t: world.t };
    const restored = World.restore(saved.snapshot);
    log = SoloLogWriter.resume(saved.log, saved.t);
    for (let i = 150; i < 260; i++) {
      restored.step([PATTERN[i % 8]]);
      log.tick(restored, PATTERN[i % 8]);
    }
    log.end(restored, 'abandoned');

    const bytes = log.bytes();
    const report = replayLog(bytes);
    expect(report.ok).toBe(true);
    expect(report.complete).toBe(true);
    expect(report.ticks).toBe(260);
    expect(report.hashesChecked).toBe(Math.floor(260 / SOLO_HASH_EVERY) + 1);
    expect(report.finalHash).toBe(restored.hash());
    expect(report.header).toMatchObject({ kind: 'solo', mode: 'episode', config: { seats: 1, tickRate: 8 } });
    expect(report.episodes).toEqual([expect.objectContaining({ slot: 0, kind: 'human', length: 260, consent: true })]);
    const ticks = decodeLog(bytes).records.filter((r): r is TickRecord => r.k === 'tick');
    // The autopilot's steps carry its brain; the player's own keys none.
    expect(ticks.filter((r) => r.b !== undefined).map((r) => r.t)).toEqual(
      Array.from({ length: 30 }, (_, k) => k * 5 + 1),
    );
    expect(ticks[1]).toEqual({ k: 'tick', t: 2, a: [0, 3] });
    expect(ticks[6]).toEqual({ k: 'tick', t: 7, a: [] });
  });

  it('refuses to continue a log that does not stop at the saved step, has ended, or is damaged', () => {
    const world = freshWorld(4);
    const log = SoloLogWriter.begin(world, { id: 'g2', pid: 'p2', tickRate: 8 });
    world.step([3]);
    log.tick(world, 3);
    const bytes = log.bytes();
    expect(() => SoloLogWriter.resume(bytes, 2)).toThrow(/stops at step 1, the saved game at 2/);
    expect(() => SoloLogWriter.resume(bytes.subarray(0, bytes.length - 3), 1)).toThrow(/damaged/);
    log.end(world, 'died');
    expect(() => SoloLogWriter.resume(log.bytes(), 1)).toThrow(/has ended/);
    expect(() => log.tick(world, 0)).toThrow(/has ended/);
  });
});
