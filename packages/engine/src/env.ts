import {
  ACHIEVEMENTS,
  type AchievementName,
  DIRECTIONS,
  INVENTORY,
  type ItemName,
  NUM_ACTIONS,
  WORLD_SIZE,
} from './constants.ts';
import { AgentViewRenderer } from './render/agent-view.ts';
import type { Textures } from './render/textures.ts';
import { episodeSeed } from './rng.ts';
import { assertAction, assertSeed, World } from './world.ts';

/** Spaces described as data, in the shape Gymnasium prints them. */
export interface BoxSpace {
  readonly type: 'Box';
  readonly shape: readonly number[];
  readonly dtype: 'uint8';
  readonly low: number;
  readonly high: number;
}
export interface DiscreteSpace {
  readonly type: 'Discrete';
  readonly n: number;
}

export function observationSpace(size = 64): BoxSpace {
  return { type: 'Box', shape: [size, size, 3], dtype: 'uint8', low: 0, high: 255 };
}
export const ACTION_SPACE: DiscreteSpace = { type: 'Discrete', n: NUM_ACTIONS };

export interface StepInfo {
  /** Step counter of the world after this step. */
  readonly t: number;
  /** Achievements unlocked for the first time this episode in this step. */
  readonly unlocked: AchievementName[];
  /** Achievement counters of the episode (Crafter's `info["achievements"]`). */
  readonly achievements: Record<AchievementName, number>;
  /** The 16 inventory entries, vitals included (Crafter's `info["inventory"]`). */
  readonly inventory: Record<ItemName, number>;
  readonly playerPos: readonly [number, number];
  readonly facing: readonly [number, number];
  readonly sleeping: boolean;
  readonly daylight: number;
  /** 0 if the player died, else 1. */
  readonly discount: number;
  /** The reward as computed, even when the env returns 0 (reward disabled). */
  readonly reward: number;
  /** 64×64 semantic map indexed x * 64 + y (material or object ids, §15.7). */
  readonly semantic: Uint8Array;
}

export interface StepResult {
  readonly observation: Uint8Array;
  readonly reward: number;
  /** The player died. */
  readonly terminated: boolean;
  /** The 10,000-step limit was reached alive. */
  readonly truncated: boolean;
  readonly info: StepInfo;
}

export interface EnvOptions {
  /** Base seed (any safe integer); default 0. */
  seed?: number;
  /** The decoded texture atlas (`loadTextures()` in Node, `decodeAtlas` in the browser). */
  textures: Textures;
  /** Observation size in pixels (64 for agents). */
  size?: number;
  /** false: the returned reward is always 0 (CrafterNoReward); info.reward still holds it. */
  reward?: boolean;
  /**
   * true: every reset() and step() returns the same `observation` and `info.semantic` arrays,
   * overwritten by the next call, instead of fresh ones (for loops that read or copy them before
   * stepping again: no 16 KB of allocation per step). The values are the same either way.
   */
  reuseArrays?: boolean;
}

/** The world of one single-player episode: generated from its seed, one player at the start. */
export function episodeWorld(seed: number): World {
  const world = World.generate({ seed });
  world.addPlayer();
  return world;
}

/**
 * Single-player Crafter with a Gymnasium-style API: `reset({ seed })` and `step(action)`.
 * A thin wrapper over the multi-player World with exactly one player.
 */
export class CrafterEnv {
  readonly observationSpace: BoxSpace;
  readonly actionSpace = ACTION_SPACE;
  private readonly renderer: AgentViewRenderer;
  private readonly rewardEnabled: boolean;
  /** With `reuseArrays`: the observation and semantic map every call writes; else null. */
  private readonly observation: Uint8Array | null;
  private readonly semantic: Uint8Array | null;
  private readonly action = [0];
  private baseSeed: number;
  private episode = -1;
  private current: World | null = null;

  constructor(options: EnvOptions) {
    const seed = options.seed ?? 0;
    assertSeed(seed);
    this.baseSeed = seed;
    this.renderer = new AgentViewRenderer(options.textures, options.size ?? 64);
    this.observationSpace = observationSpace(options.size ?? 64);
    this.rewardEnabled = options.reward ?? true;
    const size = options.size ?? 64;
    this.observation = options.reuseArrays ? new Uint8Array(size * size * 3) : null;
    this.semantic = options.reuseArrays ? new Uint8Array(TILES) : null;
  }

  /** The current world (after the first reset). */
  get world(): World {
    if (!this.current) throw new Error('call reset() before using the environment');
    return this.current;
  }

  /** Starts a new episode; with a seed, the episode sequence restarts from that seed. */
  reset(options: { seed?: number } = {}): { observation: Uint8Array; info: { seed: number } } {
    if (options.seed !== undefined) {
      assertSeed(options.seed);
      this.baseSeed = options.seed;
      this.episode = -1;
    }
    this.episode++;
    const seed = episodeSeed(this.baseSeed, this.episode);
    const world = episodeWorld(seed);
    this.current = world;
    return { observation: this.render(world), info: { seed } };
  }

  step(action: number): StepResult {
    assertAction(action);
    const world = this.world;
    const player = world.players[0];
    if (player.done) throw new Error('the episode is over: call reset() before stepping again');
    this.action[0] = action;
    world.step(this.action);
    const observation = this.render(world);
    return {
      observation,
      reward: this.rewardEnabled ? player.reward : 0,
      terminated: player.dead,
      truncated: player.truncated,
      info: makeInfo(world, this.semantic ?? new Uint8Array(TILES)),
    };
  }

  private render(world: World): Uint8Array {
    return this.observation ? this.renderer.render(world, 0, this.observation) : this.renderer.render(world, 0);
  }
}

// Module-local copies: under loaders that compile modules to CommonJS (tsx, vite-node) every
// read of an imported binding is a getter call, and makeInfo reads these ~40 times a step.
const ITEM_NAMES = INVENTORY;
const ACHIEVEMENT_NAMES = ACHIEVEMENTS;
const FACINGS = DIRECTIONS;
const TILES = WORLD_SIZE * WORLD_SIZE;

function makeInfo(world: World, semantic: Uint8Array): StepInfo {
  const p = world.players[0];
  const inventory = {} as Record<ItemName, number>;
  for (let i = 0; i < ITEM_NAMES.length; i++) inventory[ITEM_NAMES[i]] = p.inventory[i];
  const achievements = {} as Record<AchievementName, number>;
  for (let i = 0; i < ACHIEVEMENT_NAMES.length; i++) achievements[ACHIEVEMENT_NAMES[i]] = p.achievements[i];
  return {
    t: world.t,
    unlocked: p.newAchievements.map((i) => ACHIEVEMENT_NAMES[i]),
    achievements,
    inventory,
    playerPos: [p.x, p.y],
    facing: FACINGS[p.facing] as readonly [number, number],
    sleeping: p.sleeping,
    daylight: world.daylight,
    discount: p.dead ? 0 : 1,
    reward: p.reward,
    semantic: world.semanticMap(semantic),
  };
}
