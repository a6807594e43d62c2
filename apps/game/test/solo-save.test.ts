import { describe, expect, it } from 'vitest';
import { checkSoloSave, makeSoloSave, SOLO_SAVE_VERSION } from '../src/game/solo-save.ts';
import { SoloCore } from '../src/game/solo-core.ts';

/** A solo world played for `steps` steps with a fixed mix of actions. */
function played(seed: number, steps: number) {
  const world = SoloCore.newWorld(seed);
  for (let i = 0; i < steps && !world.over; i++) world.step([(i * 5 + 1) % 17]);
  return world;
}

describe('solo save records', () => {
  it('a save restores the same world, which then plays on exactly like the original', () => {
    const world = played(31, 60);
    const checked = checkSoloSave(structuredClone(makeSoloSave(world)));
    if (!checked.ok) throw new Error(checked.error);
    expect(checked.save).toMatchObject({ version: SOLO_SAVE_VERSION, seed: 31, t: world.t });
    expect(checked.world.hash()).toBe(world.hash());
    for (let i = 0; i < 80 && !world.over; i++) {
      world.step([(i * 3) % 17]);
      checked.world.step([(i * 3) % 17]);
    }
    expect(checked.world.hash()).toBe(world.hash());
  });

  it('refuses another format version, a missing field, damaged bytes and a record not matching its world', () => {
    const save = makeSoloSave(played(8, 40));
    const refused = (raw: unknown): string => {
      const checked = checkSoloSave(raw);
      if (checked.ok) throw new Error('accepted');
      return checked.error;
    };
    expect(refused({ ...save, version: 0 })).toMatch(/another version of AI-KON \(save format 0, this one reads 1\)/);
    expect(refused('a string')).toMatch(/not a save this game can read/);
    expect(refused(null)).toMatch(/not a save this game can read/);
    expect(refused({ ...save, seed: 'x' })).toMatch(/damaged \(seed:/);
    expect(refused({ ...save, snapshot: [1, 2, 3] })).toMatch(/damaged \(snapshot: expected the snapshot bytes/);
    const flipped = save.snapshot.slice();
    flipped[200] ^= 0xff;
    expect(refused({ ...save, snapshot: flipped })).toMatch(/damaged \(invalid world snapshot: checksum mismatch/);
    expect(refused({ ...save, snapshot: save.snapshot.slice(0, 100) })).toMatch(
      /damaged \(invalid world snapshot: too short/,
    );
    expect(refused({ ...save, t: save.t + 1 })).toMatch(/does not match its record/);
  });
});
