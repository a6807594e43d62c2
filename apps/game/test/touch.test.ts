import { describe, expect, it } from 'vitest';
import { Action } from '@aikon/engine';
import { stickAction } from '../src/game/touch.ts';

describe('virtual stick', () => {
  it('means no move inside the dead zone, else the dominant axis (screen up is move_up)', () => {
    expect(stickAction(0, 0, 10)).toBeNull();
    expect(stickAction(6, -7, 10)).toBeNull();
    expect(stickAction(30, 5, 10)).toBe(Action.move_right);
    expect(stickAction(-30, 29, 10)).toBe(Action.move_left);
    expect(stickAction(3, -20, 10)).toBe(Action.move_up);
    expect(stickAction(-12, 25, 10)).toBe(Action.move_down);
  });
});
