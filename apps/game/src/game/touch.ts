import { Action } from '@aikon/engine';

/**
 * Touch input: whether the device's main pointer is a finger (phones, tablets), and the move
 * a virtual stick's offset means. Crafter moves in four directions: the stick's dominant axis
 * wins; inside the dead zone it means "no move".
 */
export function isTouchDevice(): boolean {
  if (typeof window === 'undefined') return false;
  return window.matchMedia?.('(pointer: coarse)').matches === true || navigator.maxTouchPoints > 0;
}

/** Screen offset (x right, y down, in pixels) → a move action, or null inside `deadZone`. */
export function stickAction(dx: number, dy: number, deadZone: number): number | null {
  if (Math.hypot(dx, dy) < deadZone) return null;
  if (Math.abs(dx) >= Math.abs(dy)) return dx < 0 ? Action.move_left : Action.move_right;
  return dy < 0 ? Action.move_up : Action.move_down;
}
