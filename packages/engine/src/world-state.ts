/**
 * The world's state and its queries: the map, the objects and players on it, the game PRNG, and
 * the operations every system uses to read and change them (tiles, entities, chunks, nearest
 * players). It imports none of the systems: creatures, the player update, balancing, generation,
 * spawn points and snapshots each work on a WorldState, and world.ts puts them together into the
 * step (the way Crafter keeps its engine, objects and env apart).
 */
import {
  ACTIONS,
  CHUNKS_PER_SIDE,
  CHUNK_OF_TILE,
  EPISODE_LENGTH,
  MATERIALS,
  NUM_ACTIONS,
  ObjectKind,
  type ObjectKindName,
  WORLD_SIZE,
} from './constants.ts';
import { Entity, type Player } from './entity.ts';
import { CREATURE_HEALTH, daylightAt } from './rules.ts';
import { mixSeed, Rng } from './rng.ts';

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
  /**
   * How zombies and skeletons treat a protected player (only with spawnProtection above 0;
   * default: CURRENT_PROTECTION_RULE). Replays of recorded sessions pass
   * `protectionRuleOfEngineVersion(recorded engine version)`.
   */
  protectionRule?: ProtectionRule;
}

/**
 * - 'keep-away' (engine 0.3.0 on): they never target a protected player, and one whose nearest
 *   living player is protected and within KEEP_AWAY_DISTANCE moves away from it (creatures.ts).
 * - 'target' (engine 0.2.x): they target protected players like any other; only the damage is undone.
 */
export type ProtectionRule = 'keep-away' | 'target';
export const PROTECTION_RULES: readonly ProtectionRule[] = ['keep-away', 'target'];
/** The rule new worlds use. */
export const CURRENT_PROTECTION_RULE: ProtectionRule = 'keep-away';

/** The protection rule of the engine version a session was recorded with (unknown versions: the current one). */
export function protectionRuleOfEngineVersion(engineVersion: string): ProtectionRule {
  return /^0\.[0-2]\.\d+$/.test(engineVersion) ? 'target' : CURRENT_PROTECTION_RULE;
}

/** The largest spawnProtection option (it is stored in one snapshot byte). */
export const SPAWN_PROTECTION_MAX = 255;
/** A player's protection value that does not count down (until `protect` sets another). */
export const PROTECTION_HELD = 0xffff;

/** One action per player slot: a Map, or an array indexed by slot (holes mean noop). */
export type JointAction = ReadonlyMap<number, number> | readonly (number | undefined)[];

const N = WORLD_SIZE;
// Module-local copies for hot paths: under loaders that compile modules to CommonJS (tsx,
// vite-node) every read of an imported binding is a getter call.
const MATERIAL_COUNT = MATERIALS.length;
const CHUNKS = CHUNKS_PER_SIDE;
const CHUNK_OF = CHUNK_OF_TILE;
const STEP_LIMIT = EPISODE_LENGTH;

export function assertSeed(seed: unknown): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new TypeError(`seed must be a safe integer, got ${describeValue(seed)}`);
  }
}

export function assertAction(action: unknown): asserts action is number {
  if (typeof action !== 'number' || !Number.isInteger(action) || action < 0 || action >= NUM_ACTIONS) {
    throw new RangeError(
      `unknown action ${describeValue(action)}: expected an integer 0..${NUM_ACTIONS - 1} (${ACTIONS.join(', ')})`,
    );
  }
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/** The 32-bit generator seed of a world seed (all 53 bits take part). */
export function worldSeedWords(seed: number): number {
  return mixSeed(seed % 4294967296, Math.floor(seed / 4294967296));
}

/**
 * The state of the multi-player Crafter world: a 64×64 map, its objects, its players and one
 * game PRNG. `World` (world.ts) adds generation, joining, the step and snapshots.
 */
export class WorldState {
  readonly size = N;
  readonly seed: number;
  readonly mode: WorldMode;
  /** Ticks of protection each new life gets (0: off, Crafter's rules). */
  readonly spawnProtection: number;
  readonly protectionRule: ProtectionRule;
  /** Hostile creatures keep away from protected players (spawn protection with the 'keep-away' rule). */
  readonly keepAway: boolean;
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

  /** Use World.generate or World.blank; the constructor makes an empty shell for restore. */
  constructor(options: WorldOptions) {
    assertSeed(options.seed);
    const mode = options.mode ?? 'episode';
    if (mode !== 'episode' && mode !== 'persistent') throw new TypeError(`unknown world mode ${describeValue(mode)}`);
    const protection = options.spawnProtection ?? 0;
    if (!Number.isInteger(protection) || protection < 0 || protection > SPAWN_PROTECTION_MAX) {
      throw new RangeError(
        `spawnProtection must be an integer 0..${SPAWN_PROTECTION_MAX}, got ${describeValue(protection)}`,
      );
    }
    const rule = options.protectionRule ?? CURRENT_PROTECTION_RULE;
    if (!PROTECTION_RULES.includes(rule)) throw new TypeError(`unknown protection rule ${describeValue(rule)}`);
    this.seed = options.seed;
    this.mode = mode;
    this.spawnProtection = protection;
    this.protectionRule = rule;
    this.keepAway = protection > 0 && rule === 'keep-away';
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
      const base = CHUNK_OF[i] * MATERIAL_COUNT;
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
      for (let i = 0; i < N * N; i++) counts[CHUNK_OF[i] * MATERIAL_COUNT + tiles[i]]++;
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
    if (kindId === undefined) throw new TypeError(`unknown object kind ${describeValue(kind)}`);
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
    const chunk = CHUNK_OF[x * N + y];
    if (this.chunkRegistered[chunk] === 0) {
      this.chunkRegistered[chunk] = 1;
      this.chunkOrder.push(chunk);
    }
  }

  // ---- players ------------------------------------------------------------------------

  player(slot: number): Player {
    const player = this.findPlayer(slot);
    if (!player) throw new RangeError(`no player with slot ${describeValue(slot)} in this world`);
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

  /**
   * The living player nearest to (x, y) by Manhattan distance; ties go to the lowest slot.
   * With `unprotected`, players under spawn protection are passed over.
   */
  nearestPlayer(x: number, y: number, unprotected = false): Player | null {
    let best: Player | null = null;
    let bestDist = Infinity;
    for (const p of this.players) {
      if (p.removed || p.dead || (unprotected && p.protection > 0)) continue;
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

  /** True once an 'episode' world has ended (step limit, or nobody alive). */
  get over(): boolean {
    if (this.mode === 'persistent') return false;
    if (this.t >= STEP_LIMIT) return true;
    const players = this.players;
    for (let i = 0; i < players.length; i++) if (!players[i].dead) return false;
    return players.length > 0;
  }

  /** Drops the objects removed since the last call from the object list (end of a step). */
  compactObjects(): void {
    if (!this.anyRemoved) return;
    const objects = this.objects;
    let j = 0;
    for (let i = 0; i < objects.length; i++) {
      const o = objects[i];
      if (!o.removed) objects[j++] = o;
    }
    objects.length = j;
    this.anyRemoved = false;
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
