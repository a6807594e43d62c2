import { describe, expect, it } from 'vitest';
import { Action } from '@aikon/engine';
import { KeyTracker, parseSeed, KEY_ACTIONS, cameraRelative } from '../src/game/input.ts';

describe('KeyTracker', () => {
  it('a fresh press is the action and becomes the held action', () => {
    const k = new KeyTracker();
    expect(k.keyDown('KeyW')).toEqual({ press: Action.move_up, hold: Action.move_up });
    expect(k.held).toBe(Action.move_up);
  });

  it('auto-repeat does not count as a new press', () => {
    const k = new KeyTracker();
    k.keyDown('KeyD');
    expect(k.keyDown('KeyD', true)).toEqual({ press: null });
  });

  it('releasing the newest key falls back to the one still held', () => {
    const k = new KeyTracker();
    k.keyDown('KeyW');
    k.keyDown('KeyA');
    expect(k.held).toBe(Action.move_left);
    expect(k.keyUp('KeyA')).toEqual({ press: null, hold: Action.move_up });
    expect(k.keyUp('KeyW')).toEqual({ press: null, hold: null });
    expect(k.count).toBe(0);
  });

  it('losing focus releases every key', () => {
    const k = new KeyTracker();
    k.keyDown('KeyW');
    k.keyDown('Space');
    expect(k.releaseAll()).toEqual({ press: null, hold: null });
    expect(k.held).toBeNull();
    expect(k.releaseAll()).toBeNull();
  });

  it('ignores keys that are not controls', () => {
    const k = new KeyTracker();
    expect(k.keyDown('KeyQ')).toBeNull();
    expect(k.keyUp('KeyQ')).toBeNull();
  });

  it('maps the documented controls', () => {
    expect(KEY_ACTIONS.Space).toBe(Action.do);
    expect(KEY_ACTIONS.Tab).toBe(Action.sleep);
    expect(KEY_ACTIONS.KeyT).toBe(Action.place_table);
    expect(KEY_ACTIONS.Digit1).toBe(Action.make_wood_pickaxe);
    expect(KEY_ACTIONS.Digit6).toBe(Action.make_iron_sword);
  });
});

describe('parseSeed', () => {
  it('accepts whole numbers', () => {
    expect(parseSeed(' 42 ')).toEqual({ seed: 42 });
    expect(parseSeed('-7')).toEqual({ seed: -7 });
  });
  it('explains garbage', () => {
    for (const text of ['', 'abc', '1.5', '12abc', '1e5', '99999999999999999999']) {
      const parsed = parseSeed(text);
      expect('error' in parsed && parsed.error.length > 0).toBe(true);
    }
  });
});

describe('cameraRelative', () => {
  it('is the identity with the camera looking north', () => {
    for (const a of [Action.move_left, Action.move_right, Action.move_up, Action.move_down, Action.do]) {
      expect(cameraRelative(a, 0)).toBe(a);
    }
  });
  it('W walks away from the camera however it is orbited', () => {
    // Camera east of the player (a quarter turn): W walks west, D walks north.
    expect(cameraRelative(Action.move_up, 1)).toBe(Action.move_left);
    expect(cameraRelative(Action.move_right, 1)).toBe(Action.move_up);
    // Camera north of the player (half turn): everything flips.
    expect(cameraRelative(Action.move_up, 2)).toBe(Action.move_down);
    expect(cameraRelative(Action.move_left, 2)).toBe(Action.move_right);
    // Camera west (three quarters): W walks east.
    expect(cameraRelative(Action.move_up, 3)).toBe(Action.move_right);
    expect(cameraRelative(Action.move_down, -1)).toBe(Action.move_left);
    expect(cameraRelative(Action.sleep, 2)).toBe(Action.sleep);
  });
});
