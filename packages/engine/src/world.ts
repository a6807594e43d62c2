/**
 * The world: its state (world-state.ts) with the systems run in order on it — generation, players
 * joining and leaving, the step (players, then creatures, then balancing), snapshots.
 */
import {
  EPISODE_LENGTH,
  Item,
  Material,
  type MaterialName,
  START_X,
  START_Y,
  UPDATE_RADIUS,
  WORLD_SIZE,
} from './constants.ts';
import { Player } from './entity.ts';
import { balance } from './balance.ts';
import { updateObject } from './creatures.ts';
import { updatePlayer } from './player-update.ts';
import { CREATURE_WALKABLE, daylightAt } from './rules.ts';
import { hashWorld, restoreWorldState, serializeWorld } from './snapshot.ts';
import { safeSpawnTile } from './spawn.ts';
import { generationPhases, type TerrainNoise } from './worldgen.ts';
import {
  assertAction,
  describeValue,
  type JointAction,
  PROTECTION_HELD,
  type WorldOptions,
  WorldState,
} from './world-state.ts';

export {
  assertAction,
  assertSeed,
  type JointAction,
  PROTECTION_HELD,
  SPAWN_PROTECTION_MAX,
  type WorldMode,
  type WorldOptions,
  worldSeedWords,
} from './world-state.ts';

// Module-local copies for the step loop: under loaders that compile modules to CommonJS (tsx,
// vite-node) every read of an imported binding is a getter call, imported functions included.
const RADIUS = UPDATE_RADIUS;
const STEP_LIMIT = EPISODE_LENGTH;
const daylightOf = daylightAt;
const playerUpdate = updatePlayer;
const objectUpdate = updateObject;
const balanceChunks = balance;
/**
 * The `newAchievements` of every step that unlocked nothing: one shared frozen array instead of
 * an allocation per step (typed mutable like the fresh arrays of other steps; writing throws).
 */
const NO_ACHIEVEMENTS = Object.freeze([]) as unknown as number[];
/** The living players' tiles during a step's object pass (steps never overlap: one array for every world). */
let livingTiles = new Int32Array(2);

const N = WORLD_SIZE;

/**
 * The multi-player Crafter world: a 64×64 map, its objects, its players and one game PRNG.
 * Deterministic: the same seed and the same joint actions give the same state in any
 * JavaScript engine. No clock and no Math.random anywhere.
 */
export class World extends WorldState {
  private readonly stepActions: number[] = [];

  /** A world whose every tile is `fill`, with no objects: for tests and tools. */
  static blank(options: WorldOptions & { fill?: MaterialName }): World {
    const world = new World(options);
    world.material.fill(Material[options.fill ?? 'grass']);
    world.registerChunk(START_X, START_Y);
    return world;
  }

  /**
   * Generates the world of §13 from the seed. Players join with `addPlayer`. `terrain` picks the
   * noise (default: the current one); replays of recorded sessions pass
   * `terrainOfEngineVersion(recorded engine version)`.
   */
  static generate(options: WorldOptions & { terrain?: TerrainNoise }): World {
    const { world, phases } = World.generateInPhases(options);
    for (const _ of phases);
    return world;
  }

  /**
   * `generate` in phases (see `generationPhases`): `world` is the world `generate` gives once
   * `phases` is exhausted, and must not be used before.
   */
  static generateInPhases(options: WorldOptions & { terrain?: TerrainNoise }): {
    world: World;
    phases: Generator<void>;
  } {
    const world = new World(options);
    // The first player's start chunk is registered first, as in Crafter (§12.1).
    world.registerChunk(START_X, START_Y);
    return { world, phases: generationPhases(world, options.terrain) };
  }

  /**
   * Adds a player between ticks. The first player of a world stands at the start tile
   * (32, 32); later ones on the nearest free walkable tile to the other living players.
   */
  addPlayer(options: { slot?: number } = {}): Player {
    const slot = options.slot ?? this.freeSlot();
    if (!Number.isSafeInteger(slot) || slot < 0)
      throw new RangeError(`player slot must be a non-negative integer, got ${describeValue(slot)}`);
    if (this.findPlayer(slot)) throw new RangeError(`player slot ${slot} is already taken`);
    const living = this.livingPlayers();
    const [x, y] = this.spawnTile(living.length > 0 ? living[0].x : START_X, living.length > 0 ? living[0].y : START_Y);
    const player = new Player(this.nextId++, slot, x, y);
    this.placePlayer(player);
    return player;
  }

  /** Takes a player's body off the map and out of the world (leaving between ticks). */
  removePlayer(slot: number): void {
    const player = this.player(slot);
    this.removeEntity(player);
    this.players = this.players.filter((p) => p !== player);
  }

  /** A dead player's fresh body for a new episode (persistent worlds), near the others. */
  respawn(slot: number): Player {
    const old = this.player(slot);
    if (!old.dead) throw new RangeError(`player slot ${slot} is alive and cannot respawn`);
    this.removeEntity(old);
    this.players = this.players.filter((p) => p !== old);
    // With spawn protection the new life starts at the safe tile nearest to where the old one
    // ended; otherwise next to the other players as before.
    const living = this.livingPlayers();
    const [x, y] =
      this.spawnProtection > 0
        ? this.spawnTile(old.x, old.y)
        : this.spawnTile(living.length > 0 ? living[0].x : START_X, living.length > 0 ? living[0].y : START_Y);
    const player = new Player(this.nextId++, slot, x, y);
    player.episode = old.episode + 1;
    this.placePlayer(player);
    return player;
  }

  /**
   * Sets a player's protection: the number of its coming steps in which nothing damages it, or
   * PROTECTION_HELD (protected until the next call; a lobby holds a member who has not drawn
   * its first frame yet). Between ticks, recorded like a join, only in worlds with spawn protection.
   */
  protect(slot: number, ticks: number): void {
    if (this.spawnProtection === 0) throw new RangeError('this world has no spawn protection');
    if (!Number.isInteger(ticks) || ticks < 0 || ticks > PROTECTION_HELD) {
      throw new RangeError(`protection must be an integer 0..${PROTECTION_HELD}, got ${describeValue(ticks)}`);
    }
    this.player(slot).protection = ticks;
  }

  private placePlayer(player: Player): void {
    player.protection = this.spawnProtection;
    this.grid[player.x * N + player.y] = player;
    this.registerChunk(player.x, player.y);
    let i = 0;
    while (i < this.players.length && this.players[i].slot < player.slot) i++;
    this.players.splice(i, 0, player);
  }

  private freeSlot(): number {
    let slot = 0;
    while (this.findPlayer(slot)) slot++;
    return slot;
  }

  /**
   * With spawn protection, the safe tile nearest to the anchor (spawn.ts); otherwise, and when
   * the map has no safe tile, the nearest free creature-walkable tile (grass, sand, path).
   */
  private spawnTile(anchorX: number, anchorY: number): [number, number] {
    if (this.spawnProtection > 0) {
      const safe = safeSpawnTile(this, anchorX, anchorY);
      if (safe) return safe;
    }
    for (let r = 0; r < 2 * N; r++) {
      // Visit the diamond of Manhattan radius r in a fixed order.
      for (let dx = -r; dx <= r; dx++) {
        const rest = r - Math.abs(dx);
        for (const dy of rest === 0 ? [0] : [-rest, rest]) {
          const x = anchorX + dx;
          const y = anchorY + dy;
          if (this.isFree(x, y, CREATURE_WALKABLE)) return [x, y];
        }
      }
    }
    throw new Error('no free tile to place a player on');
  }

  /**
   * Advances the world one tick (§7.2, §18). Every living player takes the action given for
   * its slot (noop when none). Bad input throws before anything changes.
   */
  step(actions: JointAction = []): void {
    if (this.over) throw new Error(`the episode is over (t = ${this.t}); start a new world`);
    const acts = this.resolveActions(actions);
    if (this.changedTiles.length > 0) this.changedTiles.length = 0;
    this.beginStep();
    this.t++;
    this.daylight = daylightOf(this.t);

    // Object pass: living players by slot, then every other object in creation order. The
    // object list is snapshotted before the players act: objects created during the pass
    // (plants placed by players, arrows) first update next step (§7.2 step 4).
    const objects = this.objects;
    const count = objects.length;
    const players = this.players;
    const guarded = this.spawnProtection > 0 ? this.guardHealth() : null;
    for (let i = 0; i < players.length; i++) {
      const p = players[i];
      if (p.removed) continue;
      p.action = acts[i];
      playerUpdate(this, p, acts[i]);
    }
    // Objects update within RADIUS of a living player. No object moves, removes or kills a player
    // (death is set in endStep), so the living players' tiles are read once for the whole pass.
    const nearCount = this.readLivingTiles();
    const near = livingTiles;
    for (let i = 0; i < count; i++) {
      const o = objects[i];
      if (o.removed) continue;
      const x = o.x;
      const y = o.y;
      for (let k = 0; k < nearCount; k += 2) {
        if (Math.abs(near[k] - x) + Math.abs(near[k + 1] - y) < RADIUS) {
          objectUpdate(this, o);
          break;
        }
      }
    }
    if (guarded) this.restoreGuardedHealth(guarded);
    if (this.t % 10 === 0) balanceChunks(this);
    this.compactObjects();
    this.endStep();
  }

  /** The living players' tiles into `livingTiles` as x, y pairs; returns how many numbers it wrote. */
  private readLivingTiles(): number {
    const players = this.players;
    if (livingTiles.length < 2 * players.length) livingTiles = new Int32Array(2 * players.length);
    let n = 0;
    for (let i = 0; i < players.length; i++) {
      const p = players[i];
      if (p.removed || p.dead) continue;
      livingTiles[n++] = p.x;
      livingTiles[n++] = p.y;
    }
    return n;
  }

  /** Health of each protected living player before the step (-1 where unprotected). */
  private guardHealth(): number[] {
    return this.players.map((p) => (!p.removed && !p.dead && p.protection > 0 ? p.inventory[Item.health] : -1));
  }

  /**
   * Protected players lose no health in this step, whatever hit them (creatures, arrows, lava,
   * hunger); their protection counts down, and the episode counts the protected step.
   */
  private restoreGuardedHealth(guarded: readonly number[]): void {
    for (let i = 0; i < this.players.length; i++) {
      const before = guarded[i];
      if (before < 0) continue;
      const p = this.players[i];
      if (p.inventory[Item.health] < before) p.inventory[Item.health] = before;
      if (p.protection !== PROTECTION_HELD) p.protection--;
      p.protectedSteps++;
    }
  }

  private resolveActions(actions: JointAction): number[] {
    const acts = this.stepActions;
    const n = this.players.length;
    if (acts.length !== n) acts.length = n;
    for (let i = 0; i < n; i++) acts[i] = 0;
    if (Array.isArray(actions)) {
      for (let slot = 0; slot < actions.length; slot++) this.assignAction(acts, slot, actions[slot]);
    } else if (actions instanceof Map) {
      for (const [slot, action] of actions) this.assignAction(acts, slot, action);
    } else {
      throw new TypeError('actions must be a Map from player slot to action or an array indexed by slot');
    }
    return acts;
  }

  private assignAction(acts: number[], slot: number, action: number | undefined): void {
    if (action === undefined) return;
    const players = this.players;
    // Slots usually equal indices (players are kept in slot order); search otherwise.
    let index = players[slot]?.slot === slot ? slot : -1;
    if (index < 0) for (let i = 0; i < players.length; i++) if (players[i].slot === slot) index = i;
    if (index < 0) throw new RangeError(`no player with slot ${describeValue(slot)} in this world`);
    assertAction(action);
    acts[index] = action;
  }

  /** Bodies of players who died last step leave the map; truncated persistent episodes restart. */
  private beginStep(): void {
    for (const p of this.players) {
      if (p.dead && !p.removed) this.removeEntity(p);
      if (p.truncated && this.mode === 'persistent') {
        // A new episode for the same body: inventory and position carry over.
        p.achievements.fill(0);
        p.unlocked.fill(0);
        p.truncated = false;
        p.episodeSteps = 0;
        p.episodeReturn = 0;
        p.protectedSteps = 0;
        p.episode++;
      }
    }
  }

  /** §7.3 per player: reward, new unlocks, death and truncation. */
  private endStep(): void {
    for (const p of this.players) {
      if (p.removed || p.dead) continue;
      const health = p.inventory[0];
      let reward = (health - p.lastHealth) / 10;
      p.lastHealth = health;
      let fresh: number[] | null = null;
      const ach = p.achievements;
      for (let i = 0; i < ach.length; i++) {
        if (ach[i] > 0 && p.unlocked[i] === 0) {
          p.unlocked[i] = 1;
          fresh ??= [];
          fresh.push(i);
        }
      }
      if (fresh) reward += 1;
      p.reward = reward;
      p.newAchievements = fresh ?? NO_ACHIEVEMENTS;
      p.episodeSteps++;
      p.episodeReturn += reward;
      if (health <= 0) {
        p.dead = true;
        // §18: in a shared world the body leaves the map at the end of the step in which it
        // died. A lone player's body stays (§9: never removed in single-player Crafter).
        if (this.players.length > 1) this.removeEntity(p);
      } else if (this.mode === 'episode' ? this.t >= STEP_LIMIT : p.episodeSteps >= STEP_LIMIT) {
        p.truncated = true;
      }
    }
  }

  // ---- snapshots ----------------------------------------------------------------------

  /** Compact, checksummed bytes of the whole state (between steps). */
  snapshot(): Uint8Array {
    return serializeWorld(this);
  }

  /** Rebuilds a world from `snapshot()` bytes; throws SnapshotError on corrupt input. */
  static restore(bytes: Uint8Array): World {
    return restoreWorldState(bytes, (options) => new World(options));
  }

  /** 64-bit hash of the whole state as 16 hex digits. */
  hash(): string {
    return hashWorld(this);
  }
}
