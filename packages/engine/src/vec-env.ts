import { episodeWorld } from './env.ts';
import { assertAction, assertSeed, World } from './world.ts';
import { FAIR_VIEW_SIZE, writeFairView } from './fair-view.ts';
import { AgentViewRenderer } from './render/agent-view.ts';
import type { Textures } from './render/textures.ts';
import { episodeSeed } from './rng.ts';

export interface VecEnvOptions {
  /**
   * One base seed per world; world i plays the episodes a lone `CrafterEnv({ seed: seeds[i] })`
   * plays (episode k on the world of `episodeSeed(seeds[i], k)`).
   */
  seeds: readonly number[];
  /** With textures, every step also renders each world's size × size × 3 image into `pixels`. */
  textures?: Textures;
  /** Image size in pixels (default 64). */
  size?: number;
}

/** The arrays a VecEnv writes; a worker-thread VecEnv passes views of shared memory. */
export interface VecEnvBuffers {
  observations: Float32Array;
  finalObservations: Float32Array;
  pixels: Uint8Array | null;
  finalPixels: Uint8Array | null;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  episodeSeeds: Float64Array;
}

/** The validated seeds of VecEnv options (one world per seed, at least one). */
export function vecEnvSeeds(options: VecEnvOptions): number[] {
  const seeds = [...options.seeds];
  if (seeds.length < 1) throw new RangeError('a VecEnv needs at least one seed');
  for (const seed of seeds) assertSeed(seed);
  return seeds;
}

/** The image size of VecEnv options: null without textures (no pixels). */
export function vecEnvImageSize(options: VecEnvOptions): number | null {
  return options.textures ? (options.size ?? 64) : null;
}

/** Checks a step's actions (one valid action per world, after reset) before anything steps. */
export function checkVecEnvStep(started: boolean, num: number, actions: ArrayLike<number>): void {
  if (!started) throw new Error('call reset() before step()');
  if (actions.length !== num) throw new RangeError(`expected ${num} actions, got ${actions.length}`);
  for (let i = 0; i < num; i++) assertAction(actions[i]);
}

/** The sizes of VecEnvBuffers for `num` worlds (pixel arrays only when `size` is given). */
export function vecEnvBufferLengths(num: number, size: number | null): Record<keyof VecEnvBuffers, number> {
  const image = size === null ? 0 : num * size * size * 3;
  return {
    observations: num * FAIR_VIEW_SIZE,
    finalObservations: num * FAIR_VIEW_SIZE,
    pixels: image,
    finalPixels: image,
    rewards: num,
    terminated: num,
    truncated: num,
    episodeSeeds: num,
  };
}

export function allocateVecEnvBuffers(num: number, size: number | null): VecEnvBuffers {
  const n = vecEnvBufferLengths(num, size);
  return {
    observations: new Float32Array(n.observations),
    finalObservations: new Float32Array(n.finalObservations),
    pixels: size === null ? null : new Uint8Array(n.pixels),
    finalPixels: size === null ? null : new Uint8Array(n.finalPixels),
    rewards: new Float32Array(n.rewards),
    terminated: new Uint8Array(n.terminated),
    truncated: new Uint8Array(n.truncated),
    episodeSeeds: new Float64Array(n.episodeSeeds),
  };
}

/**
 * N single-player Crafter worlds stepped together, for training. Every array is allocated once
 * and rewritten in place by `reset()` and `step()`:
 *
 *   observations       N × FAIR_VIEW_SIZE   the fair view of each world (layout in fair-view.ts)
 *   pixels             N × size × size × 3  the agent-view images (only with `textures`)
 *   rewards            N                    reward of the last step
 *   terminated         N                    1: the player died in the last step
 *   truncated          N                    1: the episode reached 10,000 steps alive
 *   episodeSeeds       N                    the world seed of each world's current episode
 *   finalObservations  N × FAIR_VIEW_SIZE   for worlds that ended in the last step: the episode's
 *   finalPixels                             last observation (observations / pixels already hold
 *                                           the next episode's first one: automatic reset)
 *
 * World i behaves exactly like a lone CrafterEnv with seed seeds[i] that is reset whenever its
 * episode ends. Runs in Node and the browser; `VecEnvWorkers` (`@aikon/engine/node`) spreads the
 * same API over worker threads.
 */
export class VecEnv {
  readonly num: number;
  readonly size: number | null;
  readonly observations: Float32Array;
  readonly finalObservations: Float32Array;
  readonly pixels: Uint8Array | null;
  readonly finalPixels: Uint8Array | null;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly episodeSeeds: Float64Array;
  private readonly seeds: number[];
  private readonly episodes: Int32Array;
  private readonly worlds: World[];
  private readonly renderer: AgentViewRenderer | null;
  /** Each world's slice of pixels and finalPixels. */
  private readonly pixelViews: Uint8Array[];
  private readonly finalPixelViews: Uint8Array[];
  private readonly action = [0];
  private started = false;
  /** Each world's next episode's world, when generated ahead (`prepare`); else null. */
  private readonly successors: (World | null)[];
  /** The successor being generated ahead, phase by phase. */
  private preparing: { i: number; world: World; phases: Generator<void> } | null = null;

  constructor(options: VecEnvOptions, buffers?: VecEnvBuffers) {
    const seeds = vecEnvSeeds(options);
    this.num = seeds.length;
    this.seeds = seeds;
    this.size = vecEnvImageSize(options);
    this.renderer = options.textures ? new AgentViewRenderer(options.textures, this.size!) : null;
    const b = buffers ?? allocateVecEnvBuffers(this.num, this.size);
    const want = vecEnvBufferLengths(this.num, this.size);
    for (const key of Object.keys(want) as (keyof VecEnvBuffers)[]) {
      if ((b[key]?.length ?? 0) !== want[key])
        throw new RangeError(`VecEnv buffer ${key} must hold ${want[key]} values`);
    }
    this.observations = b.observations;
    this.finalObservations = b.finalObservations;
    this.pixels = b.pixels;
    this.finalPixels = b.finalPixels;
    this.rewards = b.rewards;
    this.terminated = b.terminated;
    this.truncated = b.truncated;
    this.episodeSeeds = b.episodeSeeds;
    const image = this.size === null ? 0 : this.size * this.size * 3;
    const slices = (a: Uint8Array | null) => (a ? seeds.map((_, i) => a.subarray(i * image, (i + 1) * image)) : []);
    this.pixelViews = slices(this.pixels);
    this.finalPixelViews = slices(this.finalPixels);
    this.episodes = new Int32Array(this.num);
    this.worlds = seeds.map((seed) => World.blank({ seed }));
    this.successors = seeds.map(() => null);
  }

  /** World i's current world (read it, never change it). */
  world(i: number): World {
    return this.worlds[i];
  }

  /** Starts every world's episode sequence from its seed and writes the first observations. */
  reset(): void {
    this.preparing?.phases.return(undefined);
    this.preparing = null;
    this.successors.fill(null);
    for (let i = 0; i < this.num; i++) {
      this.episodes[i] = -1;
      this.startEpisode(i);
    }
    this.rewards.fill(0);
    this.terminated.fill(0);
    this.truncated.fill(0);
    this.started = true;
  }

  /** One step of every world with actions[i]; ended episodes restart at once (see the class doc). */
  step(actions: ArrayLike<number>): void {
    checkVecEnvStep(this.started, this.num, actions);
    const action = this.action;
    for (let i = 0; i < this.num; i++) {
      const world = this.worlds[i];
      const player = world.players[0];
      action[0] = actions[i];
      world.step(action);
      this.rewards[i] = player.reward;
      this.terminated[i] = player.dead ? 1 : 0;
      this.truncated[i] = player.truncated ? 1 : 0;
      if (player.done) {
        this.observe(i, this.finalObservations, this.finalPixelViews);
        this.startEpisode(i);
      } else {
        this.observe(i, this.observations, this.pixelViews);
      }
    }
  }

  /**
   * One phase (≈ 0.1 ms) of generating ahead the world of some world's next episode, so that its
   * automatic reset costs no generation; false when every world's next one is ready (or before
   * reset()). For time that would otherwise be spent waiting (VecEnvWorkers calls it while other
   * threads finish a step); the worlds and results are the same whether it is called or not.
   */
  prepare(): boolean {
    if (!this.started) return false;
    if (this.preparing === null) {
      // The world furthest into its episode first: the likeliest to end soon.
      let next = -1;
      for (let i = 0; i < this.num; i++) {
        if (this.successors[i] === null && (next < 0 || this.worlds[i].t > this.worlds[next].t)) next = i;
      }
      if (next < 0) return false;
      const { world, phases } = World.generateInPhases({
        seed: episodeSeed(this.seeds[next], this.episodes[next] + 1),
      });
      this.preparing = { i: next, world, phases };
    }
    if (this.preparing.phases.next().done) this.prepared();
    return true;
  }

  /** The successor being generated is complete: it gets its player and waits for its episode. */
  private prepared(): void {
    const { i, world } = this.preparing!;
    world.addPlayer();
    this.successors[i] = world;
    this.preparing = null;
  }

  private startEpisode(i: number): void {
    const seed = episodeSeed(this.seeds[i], ++this.episodes[i]);
    if (this.preparing?.i === i) {
      for (const _ of this.preparing.phases);
      this.prepared();
    }
    const world = this.successors[i] ?? episodeWorld(seed);
    this.successors[i] = null;
    this.worlds[i] = world;
    this.episodeSeeds[i] = seed;
    this.observe(i, this.observations, this.pixelViews);
  }

  private observe(i: number, observations: Float32Array, pixels: Uint8Array[]): void {
    const world = this.worlds[i];
    writeFairView(world, 0, observations, i * FAIR_VIEW_SIZE);
    if (this.renderer) this.renderer.render(world, 0, pixels[i]);
  }
}
