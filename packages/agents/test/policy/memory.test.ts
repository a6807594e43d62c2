import { Action, Material, mixSeed, Rng, World } from '@aikon/engine';
import { encodeObservation, tokenize } from '@aikon/world-model';
import { describe, expect, it } from 'vitest';
import { MEMORY_BINS, MEMORY_KINDS, MEMORY_NONE, MemoryMap, offsetBin } from '../../src/policy/memory.ts';

const { grass, water, tree, stone, sand } = Material;

/** A hand-made terrain: grass, with a few landmarks at known (x, y). */
function terrain(): (x: number, y: number) => number {
  const marks = new Map<string, number>([
    ['10,10', water],
    ['20,12', tree],
    ['13,8', stone],
    ['17,13', stone],
    ['16,14', sand],
  ]);
  return (x, y) => marks.get(`${x},${y}`) ?? grass;
}

/** The fair-view frame of a player at (px, py) on that terrain (the player's own cell shows the player). */
function frameAt(at: (x: number, y: number) => number, px: number, py: number, sleeping = false): Int32Array {
  const view = new Uint8Array(63);
  for (let j = 0; j < 7; j++) for (let i = 0; i < 9; i++) view[j * 9 + i] = at(px + i - 4, py + j - 3);
  view[3 * 9 + 4] = 13; // the player
  return encodeObservation({
    view,
    facing: 0,
    sleeping,
    inventory: new Uint8Array(16).fill(5),
    daylightBucket: 7,
  });
}

describe('memory map', () => {
  it('buckets offsets per axis as documented', () => {
    expect([-20, -9, -8, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 8, 9, 30].map(offsetBin)).toEqual([
      0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 8, 9, 9, 10, 10,
    ]);
  });

  it('remembers what a hand-made sequence of views showed at the dead-reckoned positions', () => {
    const at = terrain();
    const map = new MemoryMap();
    const slot = (id: number) => MEMORY_KINDS.indexOf(id);
    const out = new Int32Array(MEMORY_KINDS.length);
    // Start at (14, 11): the water at (10, 10) is at (−4, −1), in view.
    let px = 14;
    let py = 11;
    map.observe(frameAt(at, px, py));
    map.features(out);
    expect(out[slot(water)]).toBe(offsetBin(-4) * MEMORY_BINS + offsetBin(-1));
    expect(out[slot(Material.coal)]).toBe(MEMORY_NONE);
    // Three steps right on grass (each move happens) take the water out of view.
    for (let k = 0; k < 3; k++) {
      px++;
      map.observe(frameAt(at, px, py), Action.move_right);
    }
    expect([px, py]).toEqual([17, 11]);
    expect(map.remembered(-7, -1)).toBe(water);
    map.features(out);
    expect(out[slot(water)]).toBe(offsetBin(-7) * MEMORY_BINS + offsetBin(-1));
    // The tree at (20, 12) came into view; the nearest stone is (17, 13), not (13, 8).
    expect(out[slot(tree)]).toBe(offsetBin(3) * MEMORY_BINS + offsetBin(1));
    expect(out[slot(stone)]).toBe(offsetBin(0) * MEMORY_BINS + offsetBin(2));
    // One step down; the next is blocked by the stone at (17, 13): the view does not change.
    py++;
    map.observe(frameAt(at, px, py), Action.move_down);
    map.observe(frameAt(at, px, py), Action.move_down);
    expect(map.remembered(0, 1)).toBe(stone);
    px--;
    map.observe(frameAt(at, px, py), Action.move_left);
    expect(map.remembered(10 - px, 10 - py)).toBe(water);
    expect(map.remembered(13 - px, 8 - py)).toBe(stone);
    expect(map.remembered(16 - px, 14 - py)).toBe(sand);
    // Asleep, a move action does nothing (even towards open grass).
    map.observe(frameAt(at, px, py, true), Action.noop);
    map.observe(frameAt(at, px, py, true), Action.move_right);
    expect(map.remembered(20 - px, 12 - py)).toBe(tree);
    expect(map.remembered(10 - px, 10 - py)).toBe(water);
    // Never seen: null; a reset forgets everything.
    expect(map.remembered(40, 40)).toBeNull();
    map.reset();
    expect(map.remembered(10 - px, 10 - py)).toBeNull();
    expect(Array.from(map.features(out))).toEqual(MEMORY_KINDS.map(() => MEMORY_NONE));
  });

  it("dead reckoning from the views follows the engine's own position through real episodes", () => {
    let steps = 0;
    let moved = 0;
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const world = World.generate({ seed });
      world.addPlayer();
      const rng = new Rng(mixSeed(seed, 77));
      const map = new MemoryMap();
      map.observe(tokenize(world, 0));
      const p0 = world.player(0);
      const dx0 = map.x - p0.x;
      const dy0 = map.y - p0.y;
      // Mostly moves, runs in one direction (so it meets water, trees and stone), some other actions.
      let dir = 0;
      for (let t = 0; t < 400 && !world.player(0).done; t++) {
        if (rng.uniform() < 0.15) dir = rng.int(4);
        const a = rng.uniform() < 0.8 ? Action.move_left + dir : rng.int(17);
        const before = [world.player(0).x, world.player(0).y];
        world.step([a]);
        const p = world.player(0);
        map.observe(tokenize(world, 0), a);
        if (p.x !== before[0] || p.y !== before[1]) moved++;
        expect([map.x - p.x, map.y - p.y]).toEqual([dx0, dy0]);
        steps++;
      }
    }
    expect(steps).toBeGreaterThan(600);
    expect(moved).toBeGreaterThan(200);
  });

  it('each remembered cell is what the engine had there when it was last in view', () => {
    const world = World.generate({ seed: 11 });
    world.addPlayer();
    const map = new MemoryMap();
    map.observe(tokenize(world, 0));
    const rng = new Rng(5);
    for (let t = 0; t < 120; t++) {
      const a = Action.move_left + (Math.floor(t / 30) % 4);
      world.step([rng.uniform() < 0.9 ? a : Action.noop]);
      map.observe(tokenize(world, 0), a);
    }
    // Materials do not move: every remembered material cell within reach matches the world now.
    const p = world.player(0);
    let checked = 0;
    for (let dy = -12; dy <= 12; dy++)
      for (let dx = -12; dx <= 12; dx++) {
        const id = map.remembered(dx, dy);
        if (id === null || id >= 13) continue;
        expect(id).toBe(world.semanticAt(p.x + dx, p.y + dy));
        checked++;
      }
    expect(checked).toBeGreaterThan(100);
  });
});
