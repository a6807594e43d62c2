/**
 * What a game source (the solo Web Worker, a relay connection, a dream) sends the client
 * each tick, and what the client sends back. Plain data only: it crosses postMessage.
 */
import type { SoloSave } from './solo-save.ts';

/** Fields per object in `GameFrame.objects`, packed as Int32 values. */
export const OBJECT_STRIDE = 7;
/** Offsets inside one packed object. */
export const O_ID = 0;
export const O_KIND = 1;
export const O_X = 2;
export const O_Y = 3;
export const O_HEALTH = 4;
export const O_DIR = 5;
export const O_GROWN = 6;

export interface PlayerView {
  slot: number;
  id: number;
  x: number;
  y: number;
  /** Index into DIRECTIONS: left, right, up, down. */
  facing: number;
  sleeping: boolean;
  dead: boolean;
  /** 16 counts in INVENTORY order. */
  inventory: number[];
  /** 22 counters in ACHIEVEMENTS order. */
  achievements: number[];
  /** Achievement ids unlocked in the last tick. */
  newAchievements: number[];
  episodeSteps: number;
  episodeReturn: number;
  /** The action this player took in the last tick. */
  action: number;
  /** Ticks of spawn protection left (PROTECTION_HELD while the world loads); absent when none or unknown. */
  protection?: number;
}

/** One placement or recipe, as the HUD shows it: possible now, or what is missing. */
export interface CraftOption {
  action: number;
  kind: 'place' | 'make';
  /** What it places or makes: 'table', 'wood_pickaxe', ... */
  name: string;
  ok: boolean;
  /** Human-readable reasons it is not possible now ("1 wood", "a table nearby", ...). */
  missing: string[];
}

export interface GameFrame {
  seed: number;
  t: number;
  daylight: number;
  /** The episode ended (everyone dead or the step limit). */
  over: boolean;
  /** Material ids, indexed x * 64 + y. */
  material: Uint8Array;
  /** Non-player objects, OBJECT_STRIDE Int32 values each. */
  objects: Int32Array;
  players: PlayerView[];
  /** The slot this client plays. */
  me: number;
  craft: CraftOption[];
  /** 64×64×3 RGB observation of `me`, when the agent view is on and a renderer exists. */
  agentView?: Uint8Array;
  /** Ticks per second actually run over the last second. */
  tps: number;
  paused: boolean;
  tickRate: number;
  /** Multiplayer: display names by player slot (name tags over other players' avatars). */
  names?: Record<number, string>;
}

export type ToSource =
  /**
   * `waitForScene`: the world does not tick until `drawn` (the player has seen it). `record`: the
   * player chose to record this game for the datasets (solo-save.ts keeps its log, solo-upload.ts sends it).
   */
  | { type: 'start'; seed: number; tickRate: number; paused?: boolean; waitForScene?: boolean; record?: boolean }
  /** Plays on from a saved game (solo-save.ts; checked again in the worker), paused until the player resumes. */
  | { type: 'resume'; save: SoloSave; tickRate: number }
  | { type: 'drawn' }
  /** `learned`: the autopilot chose the action, not the player (a recorded game notes which). */
  | { type: 'press'; action: number; learned?: boolean }
  | { type: 'hold'; action: number | null }
  | { type: 'rate'; tickRate: number }
  | { type: 'pause'; paused: boolean }
  /** `atlasUrl`: where the pixel-art atlas PNG is served (the worker cannot resolve the page's base). */
  | { type: 'agentView'; enabled: boolean; atlasUrl: string }
  /** Test hook: a fresh world on `seed`, stepped with `actions`, not ticking afterwards. */
  | { type: 'script'; id: number; seed: number; actions: number[] }
  | { type: 'hash'; id: number };

export type FromSource =
  | { type: 'frame'; frame: GameFrame }
  | { type: 'reply'; id: number; hash: string; t: number }
  | { type: 'error'; message: string }
  /**
   * The game was saved at step `t` (solo-save.ts); `t: null`: the game ended and its save was
   * removed; `error`: saving failed.
   */
  | { type: 'saved'; t: number | null; error?: string }
  /** A recorded game is over and its log waits in the upload queue. */
  | { type: 'queued' };

export const MIN_TICK_RATE = 5;
export const MAX_TICK_RATE = 15;
export const DEFAULT_TICK_RATE = 8;

export function clampTickRate(value: number): number {
  if (!Number.isFinite(value)) return DEFAULT_TICK_RATE;
  return Math.min(MAX_TICK_RATE, Math.max(MIN_TICK_RATE, Math.round(value)));
}
