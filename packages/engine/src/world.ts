import {
  ACTIONS,
  CHUNK_SIZE,
  CHUNKS_PER_SIDE,
  chunkOf,
  EPISODE_LENGTH,
  Item,
  Material,
  MATERIALS,
  type MaterialName,
  NUM_ACTIONS,
  ObjectKind,
  type ObjectKindName,
  START_X,
  START_Y,
  UPDATE_RADIUS,
  WORLD_SIZE,
} from './constants.ts';
import { Entity, Player } from './entity.ts';
import { balance } from './balance.ts';
import { updateObject } from './creatures.ts';
import { updatePlayer } from './player-update.ts';
import { CREATURE_HEALTH, CREATURE_WALKABLE, daylightAt } from './rules.ts';
import { mixSeed, Rng } from './rng.ts';
import { hashWorld, restoreWorld, serializeWorld } from './snapshot.ts';
import { safeSpawnTile } from './spawn.ts';
import { generateWorld, type TerrainNoise } from './worldgen.ts';

/**
 * 'episode': Crafter's rules — the world ends at t = 10000 or when no player is alive.
 * 'persistent': a lobby's world — it never ends; each player's episode is truncated after
 * 10000 of its own steps and a dead player may respawn (§18).
 */
export type WorldMode = 'episode' | 'persistent';

export interface WorldOptions {
  /** Any safe integer. */
  seed: number;
  mode?: WorldMode;
  /**
   * Ticks of spawn protection for every new life (0..SPAWN_PROTECTION_MAX; default 0 = Crafter's
   * rules). When above 0, a player who joins or respawns stands on a safe spawn tile
   * (spawn.ts) and takes no damage for that many of its steps. Lobbies and the game's solo
   * play turn it on; CrafterEnv and the benchmarks keep it off.
   */
  spawnProtection?: number;
}

/** The largest spawnProtection option (it is stored in one snapshot byte). */
export const SPAWN_PROTECTION_MAX = 255;
/** A player's protection value that does not count down (until `protect` sets another). */
export const PROTECTION_HELD = 0xffff;

/** One action per player slot: a Map, or an array indexed by slot (holes mean noop). */
export type JointAction = ReadonlyMap<number, number> | readonly (number | undefined)[];

const N = WORLD_SIZE;
// Module-local copies for the step loop: under loaders that compile modules to CommonJS (tsx,
// vite-node) every read of an imported binding is a getter call.
const RADIUS = UPDATE_RADIUS;
const MATERIAL_COUNT = MATERIALS.length;
const CHUNK = CHUNK_SIZE;
const CHUNKS = CHUNKS_PER_SIDE;
const chunkAt = chunkOf;
/**
 * The `newAchievements` of every step that unlocked nothing: one shared frozen array instead of
 * an allocation per step (typed mutable like the fresh arrays of other steps; writing throws).
 */
const NO_ACHIEVEMENTS = Object.freeze([]) as unknown as number[];

export function assertSeed(seed: unknown): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new TypeError(`seed must be a safe integer, got ${describe(seed)}`);
  }
}

export function assertAction(action: unknown): asserts action is number {
  if (typeof action !== 'number' || !Number.isInteger(action) || action < 0 || action >= NUM_ACTIONS) {
    throw new RangeError(
      `unknown action ${describe(action)}: expected an integer 0..${NUM_ACTIONS - 1} (${ACTIONS.join(', ')})`,
    );
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/** The 32-bit generator seed of a world seed (all 53 bits take part). */
export function worldSeedWords(seed: number): number {
  return mixSeed(seed % 4294967296, Math.floor(seed / 4294967296));
}

/**
 * The multi-player Crafter world: a 64×64 map, its objects, its players and one game PRNG.
 * Deterministic: the same seed and the same joint actions give the same state in any
 * JavaScript engine. No clock and no Math.random anywhere.
 */
export class World {
  readonly size = N;
  readonly seed: number;
  readonly mode: WorldMode;
  /** Ticks of protection each new life gets (0: off, Crafter's rules). */
  readonly spawnProtection: number;
  readonly rng: Rng;
  /** Step counter (0 after generation). */
  t = 0;
  daylight: number;
  /**
   * Material id per tile, indexed x * 64 + y. Change tiles with `setMaterial` once the world
   * steps: it keeps the per-chunk material counts of balancing current.
   */
  readonly material = new Uint8Array(N * N);
  /** The entity standing on each tile, indexed x * 64 + y. */
  readonly grid: (Entity | null)[] = new Array<Entity | null>(N * N).fill(null);
  /** Non-player objects in creation order. */
  objects: Entity[] = [];
  /** Players in ascending slot order (including a body that died in the last step). */
  players: Player[] = [];
  nextId = 1;
  /** Chunks that ever held an object, in registration order (§12.1). */
  readonly chunkOrder: number[] = [];
  readonly chunkRegistered = new Uint8Array(CHUNKS_PER_SIDE * CHUNKS_PER_SIDE);
  /** Tile indices whose material changed during the last step (or since, by edits). */
  readonly changedTiles: number[] = [];
  private anyRemoved = false;
  /** Tiles of each material per balancing chunk (chunk * MATERIALS.length + id); counted on first use. */
  private chunkMaterials: Uint16Array | null = null;
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
    const world = new World(options);
    // The first player's start chunk is registered first, as in Crafter (§12.1).
    world.registerChunk(START_X, START_Y);
    generateWorld(world, options.terrain);
    return world;
  }

  /** Use World.generate or World.blank; the constructor makes an empty shell for restore. */
  constructor(options: WorldOptions) {
    assertSeed(options.seed);
    const mode = options.mode ?? 'episode';
    if (mode !== 'episode' && mode !== 'persistent') throw new TypeError(`unknown world mode ${describe(mode)}`);
    const protection = options.spawnProtection ?? 0;
    if (!Number.isInteger(protection) || protection < 0 || protection > SPAWN_PROTECTION_MAX) {
      throw new RangeError(`spawnProtection must be an integer 0..${SPAWN_PROTECTION_MAX}, got ${describe(protection)}`);
    }
    this.seed = options.seed;
    this.mode = mode;
    this.spawnProtection = protection;
    this.rng = new Rng(worldSeedWords(options.seed));
    this.daylight = daylightAt(0);
  }

  // ---- tiles and entities -------------------------------------------------------------

  inside(x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x < N && y < N;
  }

  /** Material id at (x, y); 0 ("none") outside the world. */
  getMaterial(x: number, y: number): number {
    return x >= 0 && y >= 0 && x < N && y < N ? this.material[x * N + y] : 0;
  }

  setMaterial(x: number, y: number, material: number): void {
    const i = x * N + y;
    const counts = this.chunkMaterials;
    if (counts !== null) {
      const base = chunkAt(x, y) * MATERIAL_COUNT;
      counts[base + this.material[i]]--;
      counts[base + material]++;
    }
    this.material[i] = material;
    this.changedTiles.push(i);
  }

  /** Number of tiles of a material in a balancing chunk (§12). */
  materialInChunk(chunk: number, material: number): number {
    let counts = this.chunkMaterials;
    if (counts === null) {
      counts = this.chunkMaterials = new Uint16Array(CHUNKS * CHUNKS * MATERIAL_COUNT);
      const tiles = this.material;
      for (let x = 0; x < N; x++) {
        const row = Math.floor(x / CHUNK) * CHUNKS;
        for (let y = 0; y < N; y++) counts[(row + Math.floor(y / CHUNK)) * MATERIAL_COUNT + tiles[x * N + y]]++;
      }
    }
    return counts[chunk * MATERIAL_COUNT + material];
  }

  objectAt(x: number, y: number): Entity | null {
    return x >= 0 && y >= 0 && x < N && y < N ? this.grid[x * N + y] : null;
  }

  /** Inside the world, no object, and a material the mover may enter. */
  isFree(x: number, y: number, walkable: Uint8Array): boolean {
    if (x < 0 || y < 0 || x >= N || y >= N) return false;
    const i = x * N + y;
    return this.grid[i] === null && walkable[this.material[i]] === 1;
  }

  /** Creates a non-player object; it is appended to the object list (first update next step). */
  spawn(kind: Exclude<ObjectKindName, 'player'>, x: number, y: number): Entity {
    if (!this.inside(x, y)) throw new RangeError(`cannot spawn ${kind} at (${x}, ${y}): outside the world`);
    if (this.grid[x * N + y] !== null) throw new RangeError(`cannot spawn ${kind} at (${x}, ${y}): tile occupied`);
    const kindId = ObjectKind[kind];
    if (kindId === undefined) throw new TypeError(`unknown object kind ${describe(kind)}`);
    const health = kind === 'arrow' ? 0 : CREATURE_HEALTH[kind];
    const entity = new Entity(this.nextId++, kindId, x, y, health);
    this.objects.push(entity);
    this.grid[x * N + y] = entity;
    this.registerChunk(x, y);
    return entity;
  }

  /** Moves an entity if it is still on the map; registers the chunk it enters. */
  moveEntity(entity: Entity, x: number, y: number): void {
    if (entity.removed) return;
    this.grid[entity.x * N + entity.y] = null;
    this.grid[x * N + y] = entity;
    entity.x = x;
    entity.y = y;
    this.registerChunk(x, y);
  }

  removeEntity(entity: Entity): void {
    if (entity.removed) return;
    entity.removed = true;
    const i = entity.x * N + entity.y;
    if (this.grid[i] === entity) this.grid[i] = null;
    this.anyRemoved = true;
  }

  registerChunk(x: number, y: number): void {
    const chunk = chunkAt(x, y);
    if (this.chunkRegistered[chunk] === 0) {
      this.chunkRegistered[chunk] = 1;
      this.chunkOrder.push(chunk);
    }
  }

  // ---- players ------------------------------------------------------------------------

  player(slot: number): Player {
    const player = this.findPlayer(slot);
    if (!player) throw new RangeError(`no player with slot ${describe(slot)} in this world`);
    return player;
  }

  findPlayer(slot: number): Player | undefined {
    for (const p of this.players) if (p.slot === slot) return p;
    return undefined;
  }

  /** Players that are on the map and have not died. */
  livingPlayers(): Player[] {
    return this.players.filter((p) => !p.removed && !p.dead);
  }

  /** The living player nearest to (x, y) by Manhattan distance; ties go to the lowest slot. */
  nearestPlayer(x: number, y: number): Player | null {
    let best: Player | null = null;
    let bestDist = Infinity;
    for (const p of this.players) {
      if (p.removed || p.dead) continue;
      const d = Math.abs(p.x - x) + Math.abs(p.y - y);
      if (d < bestDist) {
        bestDist = d;
        best = p;
      }
    }
    return best;
  }

  /** Manhattan distance from (x, y) to the nearest living player (Infinity if none). */
  nearestPlayerDistance(x: number, y: number): number {
    let bestDist = Infinity;
    for (const p of this.players) {
      if (p.removed || p.dead) continue;
      const d = Math.abs(p.x - x) + Math.abs(p.y - y);
      if (d < bestDist) bestDist = d;
    }
    return bestDist;
  }

  /**
   * Adds a player between ticks. The first player of a world stands at the start tile
   * (32, 32); later ones on the nearest free walkable tile to the other living players.
   */
  addPlayer(options: { slot?: number } = {}): Player {
    const slot = options.slot ?? this.freeSlot();
    if (!Number.isSafeInteger(slot) || slot < 0) throw new RangeError(`player slot must be a non-negative integer, got ${describe(slot)}`);
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
      throw new RangeError(`protection must be an integer 0..${PROTECTION_HELD}, got ${describe(ticks)}`);
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

  // ---- stepping -----------------------------------------------------------------------

  /** True once an 'episode' world has ended (step limit, or nobody alive). */
  get over(): boolean {
    if (this.mode === 'persistent') return false;
    if (this.t >= EPISODE_LENGTH) return true;
    const players = this.players;
    for (let i = 0; i < players.length; i++) if (!players[i].dead) return false;
    return players.length > 0;
  }

  /**
   * Advances the world one tick (§7.2, §18). Every living player takes the action given for
   * its slot (noop when none). Bad input throws before anything changes.
   */
  step(actions: JointAction = []): void {
    if (this.over) throw new Error(`the episode is over (t = ${this.t}); start a new world`);
    const acts = this.resolveActions(actions);
    this.changedTiles.length = 0;
    this.beginStep();
    this.t++;
    this.daylight = daylightAt(this.t);

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
      updatePlayer(this, p, acts[i]);
    }
    for (let i = 0; i < count; i++) {
      const o = objects[i];
      if (o.removed) continue;
      if (this.nearestPlayerDistance(o.x, o.y) < RADIUS) updateObject(this, o);
    }
    if (guarded) this.restoreGuardedHealth(guarded);
    if (this.t % 10 === 0) balance(this);
    if (this.anyRemoved) this.compactObjects();
    this.endStep();
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
    acts.length = this.players.length;
    acts.fill(0);
    if (actions instanceof Map) {
      for (const [slot, action] of actions) this.assignAction(acts, slot, action);
    } else if (Array.isArray(actions)) {
      for (let slot = 0; slot < actions.length; slot++) this.assignAction(acts, slot, actions[slot]);
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
    if (index < 0) throw new RangeError(`no player with slot ${describe(slot)} in this world`);
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
      } else if (this.mode === 'episode' ? this.t >= EPISODE_LENGTH : p.episodeSteps >= EPISODE_LENGTH) {
        p.truncated = true;
      }
    }
  }

  private compactObjects(): void {
    const objects = this.objects;
    let j = 0;
    for (let i = 0; i < objects.length; i++) {
      const o = objects[i];
      if (!o.removed) objects[j++] = o;
    }
    objects.length = j;
    this.anyRemoved = false;
  }

  // ---- snapshots ----------------------------------------------------------------------

  /** Compact, checksummed bytes of the whole state (between steps). */
  snapshot(): Uint8Array {
    return serializeWorld(this);
  }

  /** Rebuilds a world from `snapshot()` bytes; throws SnapshotError on corrupt input. */
  static restore(bytes: Uint8Array): World {
    return restoreWorld(bytes);
  }

  /** 64-bit hash of the whole state as 16 hex digits. */
  hash(): string {
    return hashWorld(this);
  }

  // ---- views --------------------------------------------------------------------------

  /** Semantic id of a tile: the object's id where one stands, else the material id (§15.7). */
  semanticAt(x: number, y: number): number {
    const o = this.objectAt(x, y);
    return o ? MATERIAL_COUNT + o.kind : this.getMaterial(x, y);
  }

  /** The 64×64 semantic map, indexed x * 64 + y (§15.7). */
  semanticMap(out: Uint8Array = new Uint8Array(N * N)): Uint8Array {
    out.set(this.material);
    for (const p of this.players) if (!p.removed) out[p.x * N + p.y] = MATERIAL_COUNT;
    for (const o of this.objects) if (!o.removed) out[o.x * N + o.y] = MATERIAL_COUNT + o.kind;
    return out;
  }

}
