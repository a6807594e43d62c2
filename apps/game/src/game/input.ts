import { Action } from '@aikon/engine';

/** Keyboard codes (layout-independent) to engine actions. */
export const KEY_ACTIONS: Readonly<Record<string, number>> = {
  KeyW: Action.move_up,
  KeyA: Action.move_left,
  KeyS: Action.move_down,
  KeyD: Action.move_right,
  ArrowUp: Action.move_up,
  ArrowLeft: Action.move_left,
  ArrowDown: Action.move_down,
  ArrowRight: Action.move_right,
  Space: Action.do,
  Tab: Action.sleep,
  KeyR: Action.place_stone,
  KeyT: Action.place_table,
  KeyF: Action.place_furnace,
  KeyP: Action.place_plant,
  Digit1: Action.make_wood_pickaxe,
  Digit2: Action.make_stone_pickaxe,
  Digit3: Action.make_iron_pickaxe,
  Digit4: Action.make_wood_sword,
  Digit5: Action.make_stone_sword,
  Digit6: Action.make_iron_sword,
};

/** The controls as the help overlay and the on-screen buttons list them. */
export const CONTROLS: readonly { keys: string; action: number; label: string }[] = [
  { keys: 'W', action: Action.move_up, label: 'move up' },
  { keys: 'A', action: Action.move_left, label: 'move left' },
  { keys: 'S', action: Action.move_down, label: 'move down' },
  { keys: 'D', action: Action.move_right, label: 'move right' },
  { keys: 'Space', action: Action.do, label: 'interact: collect, attack, eat, drink' },
  { keys: 'Tab', action: Action.sleep, label: 'sleep' },
  { keys: 'R', action: Action.place_stone, label: 'place stone' },
  { keys: 'T', action: Action.place_table, label: 'place table' },
  { keys: 'F', action: Action.place_furnace, label: 'place furnace' },
  { keys: 'P', action: Action.place_plant, label: 'place sapling' },
  { keys: '1', action: Action.make_wood_pickaxe, label: 'make wood pickaxe' },
  { keys: '2', action: Action.make_stone_pickaxe, label: 'make stone pickaxe' },
  { keys: '3', action: Action.make_iron_pickaxe, label: 'make iron pickaxe' },
  { keys: '4', action: Action.make_wood_sword, label: 'make wood sword' },
  { keys: '5', action: Action.make_stone_sword, label: 'make stone sword' },
  { keys: '6', action: Action.make_iron_sword, label: 'make iron sword' },
];

export interface KeyChange {
  /** A fresh press: this tick's action. */
  press: number | null;
  /** The held action after this event, when it changed. */
  hold?: number | null;
}

/**
 * Which action keys are down, in the order they went down. The held action is the most
 * recently pressed key still down; releasing it falls back to the one before.
 */
export class KeyTracker {
  private down: string[] = [];

  get held(): number | null {
    const code = this.down[this.down.length - 1];
    return code === undefined ? null : KEY_ACTIONS[code];
  }

  get count(): number {
    return this.down.length;
  }

  keyDown(code: string, repeat = false): KeyChange | null {
    const action = KEY_ACTIONS[code];
    if (action === undefined) return null;
    const before = this.held;
    if (this.down.includes(code)) {
      if (repeat) return { press: null };
      this.down = this.down.filter((c) => c !== code);
    }
    this.down.push(code);
    const after = this.held;
    return after === before ? { press: action } : { press: action, hold: after };
  }

  keyUp(code: string): KeyChange | null {
    if (!this.down.includes(code)) return null;
    const before = this.held;
    this.down = this.down.filter((c) => c !== code);
    const after = this.held;
    return after === before ? { press: null } : { press: null, hold: after };
  }

  /** Focus lost: nothing is held any more. */
  releaseAll(): KeyChange | null {
    if (this.down.length === 0) return null;
    this.down = [];
    return { press: null, hold: null };
  }
}

/** Parses what a person typed as a seed; a friendly message when it is not one. */
export function parseSeed(text: string): { seed: number } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: 'Type a seed (a whole number), or leave it to chance with "New seed".' };
  if (!/^-?\d+$/.test(trimmed))
    return { error: `"${trimmed.slice(0, 24)}" is not a seed: use a whole number such as 42.` };
  const seed = Number(trimmed);
  if (!Number.isSafeInteger(seed)) return { error: 'That seed is too large: use at most 15 digits.' };
  return { seed };
}

export function randomSeed(): number {
  return Math.floor(Math.random() * 1_000_000_000);
}

const MOVES = [Action.move_left, Action.move_right, Action.move_up, Action.move_down];
/** Screen vectors of the move actions with the camera looking north (x right, y down). */
const SCREEN: Record<number, [number, number]> = {
  [Action.move_left]: [-1, 0],
  [Action.move_right]: [1, 0],
  [Action.move_up]: [0, -1],
  [Action.move_down]: [0, 1],
};

/**
 * Turns a move key into the move the player means when the camera is orbited by
 * `quadrant` quarter turns: W always walks away from the camera. Other actions pass through.
 */
export function cameraRelative(action: number, quadrant: number): number {
  const screen = SCREEN[action];
  const q = ((Math.round(quadrant) % 4) + 4) % 4;
  if (!screen || q === 0) return action;
  const theta = (q * Math.PI) / 2;
  const [sx, sy] = screen;
  // right = (cos θ, −sin θ), forward = (−sin θ, −cos θ); world = sx·right − sy·forward.
  const wx = Math.round(sx * Math.cos(theta) + sy * Math.sin(theta));
  const wy = Math.round(-sx * Math.sin(theta) + sy * Math.cos(theta));
  if (wx < 0) return MOVES[0];
  if (wx > 0) return MOVES[1];
  return wy < 0 ? MOVES[2] : MOVES[3];
}
