import { describe, expect, it } from 'vitest';
import { Action, ACHIEVEMENTS, Item, Material, World } from '@aikon/engine';
import { SoloCore } from '../src/game/solo-core.ts';
import { craftOptions } from '../src/game/craft.ts';
import { OBJECT_STRIDE } from '../src/game/protocol.ts';

describe('SoloCore', () => {
  it('the last key pressed during a tick is its action; a held key repeats', () => {
    const core = new SoloCore(1);
    core.press(Action.move_left);
    core.press(Action.move_right);
    expect(core.nextAction()).toBe(Action.move_right);
    expect(core.nextAction()).toBe(Action.noop);
    core.hold(Action.move_up);
    expect(core.nextAction()).toBe(Action.move_up);
    core.press(Action.do);
    expect(core.nextAction()).toBe(Action.do);
    expect(core.nextAction()).toBe(Action.move_up);
    core.hold(null);
    expect(core.nextAction()).toBe(Action.noop);
  });

  it("notes whether the autopilot or the player's keys chose each tick's action (a recorded game keeps it)", () => {
    const core = new SoloCore(1);
    core.press(Action.move_left, true);
    expect(core.tick()).toBe(true);
    expect([core.lastAction, core.lastLearned]).toEqual([Action.move_left, true]);
    // The player's key pressed after the autopilot's choice wins the tick: it is theirs.
    core.press(Action.move_up, true);
    core.press(Action.move_down);
    core.tick();
    expect([core.lastAction, core.lastLearned]).toEqual([Action.move_down, false]);
    core.hold(Action.move_right);
    core.tick();
    expect([core.lastAction, core.lastLearned]).toEqual([Action.move_right, false]);
  });

  it('ignores presses while paused and does not tick', () => {
    const core = new SoloCore(1);
    core.setPaused(true);
    core.press(Action.move_left);
    expect(core.tick()).toBe(false);
    expect(core.world.t).toBe(0);
    core.setPaused(false);
    expect(core.nextAction()).toBe(Action.noop);
  });

  it('does not tick while the world waits for the scene to draw it', () => {
    const core = new SoloCore(1);
    core.waitingForScene = true;
    expect(core.tick()).toBe(false);
    expect(core.world.t).toBe(0);
    core.waitingForScene = false;
    expect(core.tick()).toBe(true);
    expect(core.world.t).toBe(1);
  });

  it('rejects bad actions and clamps the tick rate', () => {
    const core = new SoloCore(1);
    expect(() => core.press(99)).toThrow(RangeError);
    core.setTickRate(100);
    expect(core.tickRate).toBe(15);
    core.setTickRate(1);
    expect(core.tickRate).toBe(5);
    core.setTickRate(Number.NaN);
    expect(core.tickRate).toBe(8);
  });

  it('a scripted run hashes like the engine stepped directly', () => {
    const actions = Array.from({ length: 300 }, (_, i) => (i * 7 + 3) % 17);
    const core = new SoloCore(5);
    const result = core.runScript(123, actions);
    const world = World.generate({ seed: 123 });
    world.addPlayer();
    for (const a of actions) {
      if (world.over) break;
      world.step([a]);
    }
    expect(result).toEqual({ hash: world.hash(), t: world.t });
  });

  it('frames carry the state the client draws', () => {
    const core = new SoloCore(3);
    core.tick(0);
    const frame = core.frame();
    expect(frame.t).toBe(1);
    expect(frame.material.length).toBe(64 * 64);
    expect(frame.objects.length % OBJECT_STRIDE).toBe(0);
    expect(frame.players[0].inventory.length).toBe(16);
    expect(frame.players[0].achievements.length).toBe(ACHIEVEMENTS.length);
    expect(frame.craft.length).toBe(10);
  });
});

describe('craftOptions', () => {
  it('says what is missing, then what is possible', () => {
    const world = World.blank({ seed: 1, fill: 'grass' });
    const p = world.addPlayer();
    let options = craftOptions(world, p);
    const table = options.find((o) => o.name === 'table')!;
    expect(table.ok).toBe(false);
    expect(table.missing).toContain('2 wood');
    const pickaxe = options.find((o) => o.name === 'wood_pickaxe')!;
    expect(pickaxe.missing).toEqual(['1 wood', 'near a table']);

    p.inventory[Item.wood] = 5;
    world.setMaterial(p.x + 1, p.y, Material.table);
    options = craftOptions(world, p);
    expect(options.find((o) => o.name === 'table')!.ok).toBe(true);
    expect(options.find((o) => o.name === 'wood_pickaxe')!.ok).toBe(true);
    expect(options.find((o) => o.name === 'iron_pickaxe')!.missing).toEqual(['1 coal', '1 iron', 'near a furnace']);
  });
});
