import { describe, expect, it } from 'vitest';
import { cycleSlot, focusSlot, useSpectate, watchable } from '../src/game/spectate.ts';
import { useGame } from '../src/game/store.ts';
import type { GameFrame, PlayerView } from '../src/game/protocol.ts';

function player(slot: number, dead = false): PlayerView {
  return {
    slot,
    id: 100 + slot,
    x: slot,
    y: slot,
    facing: 3,
    sleeping: false,
    dead,
    inventory: new Array(16).fill(0),
    achievements: new Array(22).fill(0),
    newAchievements: [],
    episodeSteps: 0,
    episodeReturn: 0,
    action: 0,
  };
}

function frame(me: number, players: PlayerView[]): GameFrame {
  return {
    seed: 1,
    t: 1,
    daylight: 1,
    over: false,
    material: new Uint8Array(64 * 64),
    objects: new Int32Array(0),
    players,
    me,
    craft: [],
    tps: 8,
    paused: false,
    tickRate: 8,
  };
}

describe('spectate', () => {
  it('lists the living others, in slot order', () => {
    const f = frame(1, [player(3), player(1), player(0), player(2, true)]);
    expect(watchable(f).map((p) => p.slot)).toEqual([0, 3]);
    expect(watchable(null)).toEqual([]);
  });

  it('centres on the followed player while it lives, else on oneself; a vanished one holds the camera', () => {
    const f = frame(0, [player(0, true), player(2), player(3, true)]);
    expect(focusSlot(f, null)).toBe(0);
    expect(focusSlot(f, 0)).toBe(0);
    expect(focusSlot(f, 2)).toBe(2);
    expect(focusSlot(f, 3)).toBeNull();
    expect(focusSlot(f, 7)).toBeNull();
  });

  it('cycles through the watchable players both ways, wrapping', () => {
    const list = [player(1), player(4), player(6)];
    expect(cycleSlot(list, null, 1)).toBe(1);
    expect(cycleSlot(list, null, -1)).toBe(6);
    expect(cycleSlot(list, 1, 1)).toBe(4);
    expect(cycleSlot(list, 6, 1)).toBe(1);
    expect(cycleSlot(list, 1, -1)).toBe(6);
    expect(cycleSlot(list, 5, 1)).toBe(1);
    expect(cycleSlot([], 1, 1)).toBeNull();
  });

  it('returns the camera to the player on its new life', () => {
    useGame.setState({ frame: frame(0, [player(0, true), player(2)]) });
    useSpectate.getState().cycle(1);
    expect(useSpectate.getState().slot).toBe(2);
    useGame.setState({ frame: frame(0, [player(0, true), player(2)]) });
    expect(useSpectate.getState().slot).toBe(2);
    useGame.setState({ frame: frame(0, [player(0), player(2)]) });
    expect(useSpectate.getState().slot).toBeNull();
  });
});
