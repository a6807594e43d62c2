import { World, assertAction, assertSeed } from '@aikon/engine';
import { craftOptions } from './craft.ts';
import { clampTickRate, DEFAULT_TICK_RATE, OBJECT_STRIDE, type GameFrame, type PlayerView } from './protocol.ts';

/** Renders the agent view of one player (the engine's AgentViewRenderer, when loaded). */
export type AgentViewFn = (world: World, slot: number) => Uint8Array;

/**
 * The solo game without timers: one world, one player, and the action rule of the client:
 * the last key pressed during a tick is that tick's action; a held key repeats.
 * The Web Worker drives it with a clock; tests drive it directly.
 */
export class SoloCore {
  world: World;
  readonly slot = 0;
  tickRate = DEFAULT_TICK_RATE;
  paused = false;
  /** The world waits until the player's screen has drawn it (nobody dies before seeing the world). */
  waitingForScene = false;
  agentViewEnabled = false;
  agentView: AgentViewFn | null = null;
  /**
   * The action of the last tick, and whether the autopilot (a learned policy) chose it rather than the player's keys.
   */
  lastAction = 0;
  lastLearned = false;
  private pressed: number | null = null;
  private pressedLearned = false;
  private held: number | null = null;
  private tickTimes: number[] = [];

  constructor(seed: number) {
    this.world = SoloCore.newWorld(seed);
  }

  static newWorld(seed: number): World {
    assertSeed(seed);
    const world = World.generate({ seed });
    world.addPlayer({ slot: 0 });
    return world;
  }

  start(seed: number): void {
    this.resume(SoloCore.newWorld(seed));
  }

  /** Plays on from `world` (a saved game restored from its snapshot). */
  resume(world: World): void {
    this.world = world;
    this.pressed = null;
    this.tickTimes = [];
  }

  /**
   * A key went down (or, `learned`, the autopilot chose): it becomes this tick's action (the last one pressed wins).
   */
  press(action: number, learned = false): void {
    assertAction(action);
    if (this.paused) return;
    this.pressed = action;
    this.pressedLearned = learned;
  }

  /** The action of the key held down now (null when none): repeated every tick. */
  hold(action: number | null): void {
    if (action !== null) assertAction(action);
    this.held = action;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.pressed = null;
  }

  setTickRate(rate: number): void {
    this.tickRate = clampTickRate(rate);
  }

  /** The action the next tick takes, consuming the pressed key. */
  nextAction(): number {
    const action = this.pressed ?? this.held ?? 0;
    this.lastLearned = this.pressed !== null && this.pressedLearned;
    this.pressed = null;
    return action;
  }

  /** Runs one tick (unless paused or over); returns whether the world advanced. */
  tick(now = 0): boolean {
    if (this.paused || this.waitingForScene || this.world.over) return false;
    this.lastAction = this.nextAction();
    this.world.step([this.lastAction]);
    this.tickTimes.push(now);
    while (this.tickTimes.length > 0 && this.tickTimes[0] <= now - 1000) this.tickTimes.shift();
    return true;
  }

  /** A fresh world on `seed` stepped with exactly `actions`; returns its hash. */
  runScript(seed: number, actions: readonly number[]): { hash: string; t: number } {
    this.start(seed);
    this.paused = true;
    for (const a of actions) {
      if (this.world.over) break;
      this.world.step([a]);
    }
    return { hash: this.world.hash(), t: this.world.t };
  }

  frame(): GameFrame {
    const world = this.world;
    const objects = new Int32Array(world.objects.length * OBJECT_STRIDE);
    let k = 0;
    for (const o of world.objects) {
      if (o.removed) continue;
      objects[k++] = o.id;
      objects[k++] = o.kind;
      objects[k++] = o.x;
      objects[k++] = o.y;
      objects[k++] = o.health;
      objects[k++] = o.dir;
      objects[k++] = o.grown;
    }
    const players: PlayerView[] = world.players.map((p) => ({
      slot: p.slot,
      id: p.id,
      x: p.x,
      y: p.y,
      facing: p.facing,
      sleeping: p.sleeping,
      dead: p.dead,
      inventory: Array.from(p.inventory),
      achievements: Array.from(p.achievements),
      newAchievements: [...p.newAchievements],
      episodeSteps: p.episodeSteps,
      episodeReturn: p.episodeReturn,
      action: p.action,
      ...(p.protection > 0 ? { protection: p.protection } : {}),
    }));
    const me = world.findPlayer(this.slot);
    const frame: GameFrame = {
      seed: world.seed,
      t: world.t,
      daylight: world.daylight,
      over: world.over,
      material: world.material.slice(),
      objects: objects.slice(0, k),
      players,
      me: this.slot,
      craft: me ? craftOptions(world, me) : [],
      tps: this.tickTimes.length,
      paused: this.paused,
      tickRate: this.tickRate,
    };
    if (this.agentViewEnabled && this.agentView && me && !me.removed) {
      try {
        frame.agentView = this.agentView(world, this.slot);
      } catch {
        // The view is a nicety; the game goes on without it.
      }
    }
    return frame;
  }
}
