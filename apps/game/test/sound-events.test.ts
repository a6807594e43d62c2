import { describe, expect, it } from 'vitest';
import { Action, Item, Material, World } from '@aikon/engine';
import { SoloCore } from '../src/game/solo-core.ts';
import { soundsBetween } from '../src/game/sound-events.ts';

describe('soundsBetween', () => {
  it('chops a tree with a collect sound and an achievement chime', () => {
    const core = new SoloCore(1);
    const world = World.blank({ seed: 1, fill: 'grass' });
    const p = world.addPlayer();
    world.setMaterial(p.x, p.y + 1, Material.tree);
    core.world = world;
    const before = core.frame();
    core.press(Action.do);
    core.tick(0);
    const after = core.frame();
    expect(after.players[0].inventory[Item.wood]).toBe(1);
    expect(soundsBetween(before, after)).toEqual(['achievement', 'collect']);
  });

  it('is silent across restarts and jumps', () => {
    const core = new SoloCore(1);
    const a = core.frame();
    core.runScript(1, [0, 0, 0]);
    expect(soundsBetween(a, core.frame())).toEqual([]);
  });
});
