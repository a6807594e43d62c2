import {
  daylightAt,
  type Entity,
  ObjectKind,
  OBJECT_KINDS,
  type ObjectKindName,
  type Player,
  PLANT_RIPE_AFTER,
  World,
  WORLD_SIZE,
} from '@aikon/engine';
import { ENTITY_STRIDE } from './constants.ts';
import type { DeltaMessage, SelfState, SnapshotMessage } from './events.ts';

/** Growth stages of a plant in the `dir` field: 0..9 growing, 10 ripe. */
export const PLANT_STAGES = 10;
const STAGE_LENGTH = PLANT_RIPE_AFTER / PLANT_STAGES;

export function plantStage(grown: number): number {
  return grown > PLANT_RIPE_AFTER ? PLANT_STAGES : Math.min(PLANT_STAGES - 1, Math.floor(grown / STAGE_LENGTH));
}

/** Bits of the `flags` entity field. */
export const EntityFlag = { sleeping: 1, dead: 2, ripe: 4 } as const;

/**
 * Writes one entity as ENTITY_STRIDE numbers at out[offset..]:
 * [id, kind, x, y, health, dir, flags, slot].
 * health: a player's inventory health, else the creature/plant health; dir: a player's facing
 * or an arrow's direction (indices into the engine's DIRECTIONS), a plant's growth stage
 * (PLANT_STAGES: 0..9 growing in steps of 30 updates, 10 ripe), else 0; flags: EntityFlag bits;
 * slot: a player's slot, else 0. (A plant's exact counter changes every tick; the stage only
 * every 30, which keeps deltas small.)
 */
export function packEntity(e: Entity, out: number[], offset: number): void {
  const isPlayer = e.kind === ObjectKind.player;
  const p = isPlayer ? (e as Player) : null;
  out[offset] = e.id;
  out[offset + 1] = e.kind;
  out[offset + 2] = e.x;
  out[offset + 3] = e.y;
  out[offset + 4] = p ? p.inventory[0] : e.health;
  out[offset + 5] = p
    ? p.facing
    : e.kind === ObjectKind.arrow
      ? e.dir
      : e.kind === ObjectKind.plant
        ? plantStage(e.grown)
        : 0;
  let flags = 0;
  if (p) {
    if (p.sleeping) flags |= EntityFlag.sleeping;
    if (p.dead) flags |= EntityFlag.dead;
  } else if (e.kind === ObjectKind.plant && e.grown > PLANT_RIPE_AFTER) {
    flags |= EntityFlag.ripe;
  }
  out[offset + 6] = flags;
  out[offset + 7] = p ? p.slot : 0;
}

/** The client-side view of one entity. */
export interface EntityView {
  id: number;
  kind: number;
  kindName: ObjectKindName;
  x: number;
  y: number;
  health: number;
  dir: number;
  sleeping: boolean;
  dead: boolean;
  ripe: boolean;
  /**
   * Plants: growth counter rounded down to its stage (ripe plants report PLANT_RIPE_AFTER + 1),
   * comparable with the engine's `grown`; 0 for other kinds.
   */
  grown: number;
  /** Player slot (players only; 0 for other kinds). */
  slot: number;
}

function viewFromPacked(a: ArrayLike<number>, o: number, into?: EntityView): EntityView {
  const v = into ?? ({} as EntityView);
  v.id = a[o];
  v.kind = a[o + 1];
  v.kindName = OBJECT_KINDS[a[o + 1]] ?? 'cow';
  v.x = a[o + 2];
  v.y = a[o + 3];
  v.health = a[o + 4];
  v.dir = a[o + 5];
  const flags = a[o + 6];
  v.sleeping = (flags & EntityFlag.sleeping) !== 0;
  v.dead = (flags & EntityFlag.dead) !== 0;
  v.ripe = (flags & EntityFlag.ripe) !== 0;
  v.grown = v.kind === ObjectKind.plant ? (v.ripe ? PLANT_RIPE_AFTER + 1 : v.dir * STAGE_LENGTH) : 0;
  v.slot = a[o + 7];
  return v;
}

/** Every entity of a world that is on the map: players (not removed) then objects. */
function* mapEntities(world: World): Generator<Entity> {
  for (const p of world.players) if (!p.removed) yield p;
  for (const o of world.objects) if (!o.removed) yield o;
}

/**
 * Server side: computes the shared part of each tick's delta by diffing the entities against
 * the previous tick (tiles come from `world.changedTiles`). Call `next(world)` once after
 * every `world.step`; call `reset(world)` after restoring or rebuilding a world.
 */
export class DeltaBuilder {
  private prev = new Map<number, number[]>();
  private seen = new Set<number>();
  private scratch: number[] = new Array(ENTITY_STRIDE).fill(0);

  constructor(world?: World) {
    if (world) this.reset(world);
  }

  reset(world: World): void {
    this.prev.clear();
    for (const e of mapEntities(world)) {
      const packed = new Array<number>(ENTITY_STRIDE);
      packEntity(e, packed, 0);
      this.prev.set(e.id, packed);
    }
  }

  next(world: World): Omit<DeltaMessage, 'you'> {
    const tiles: number[] = [];
    const changed = world.changedTiles;
    if (changed.length > 0) {
      const unique = changed.length === 1 ? changed : [...new Set(changed)];
      for (const i of unique) tiles.push(i, world.material[i]);
    }
    const ents: number[] = [];
    const seen = this.seen;
    seen.clear();
    const s = this.scratch;
    for (const e of mapEntities(world)) {
      seen.add(e.id);
      packEntity(e, s, 0);
      const old = this.prev.get(e.id);
      let same = old !== undefined;
      if (old) {
        for (let k = 0; k < ENTITY_STRIDE; k++) {
          if (old[k] !== s[k]) {
            same = false;
            break;
          }
        }
      }
      if (same) continue;
      if (old) for (let k = 0; k < ENTITY_STRIDE; k++) old[k] = s[k];
      else this.prev.set(e.id, s.slice());
      for (let k = 0; k < ENTITY_STRIDE; k++) ents.push(s[k]);
    }
    const gone: number[] = [];
    if (seen.size !== this.prev.size) {
      for (const id of this.prev.keys()) {
        if (!seen.has(id)) {
          gone.push(id);
          this.prev.delete(id);
        }
      }
    }
    return { t: world.t, tiles, ents, gone };
  }
}

/** The per-player part of a delta: the player's own stats and inventory. */
export function selfState(p: Player, ack: number): SelfState {
  return {
    slot: p.slot,
    id: p.id,
    inv: Array.from(p.inventory),
    ach: Array.from(p.achievements),
    fresh: p.newAchievements.slice(),
    reward: p.reward,
    ret: p.episodeReturn,
    steps: p.episodeSteps,
    episode: p.episode,
    dead: p.dead,
    sleeping: p.sleeping,
    ack,
    ...(p.protection > 0 ? { prot: p.protection } : {}),
  };
}

/** What a member was last sent of its own player (see `deltaSelfState`); `id` -1: nothing yet. */
export class SentSelf {
  id = -1;
  inv: Int32Array = new Int32Array(0);
  ach: Int32Array = new Int32Array(0);
}

function same(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The receiver's own fields of a delta: `selfState` without the inventory and the achievements
 * when they equal what `sent` says this member last got for this body (a new body sends them
 * again), and without `fresh` when nothing was unlocked; `sent` is brought up to date. Built
 * field by field rather than by deleting fields of a full `selfState` (the relay's per-member,
 * per-tick path: no strings, no objects in dictionary mode for the encoder).
 */
export function deltaSelfState(p: Player, ack: number, sent: SentSelf): NonNullable<DeltaMessage['you']> {
  const you: NonNullable<DeltaMessage['you']> = {
    slot: p.slot,
    id: p.id,
    reward: p.reward,
    ret: p.episodeReturn,
    steps: p.episodeSteps,
    episode: p.episode,
    dead: p.dead,
    sleeping: p.sleeping,
    ack,
  };
  const newBody = sent.id !== p.id;
  sent.id = p.id;
  if (newBody || !same(sent.inv, p.inventory)) {
    sent.inv = p.inventory.slice();
    you.inv = Array.from(p.inventory);
  }
  if (newBody || !same(sent.ach, p.achievements)) {
    sent.ach = p.achievements.slice();
    you.ach = Array.from(p.achievements);
  }
  if (p.newAchievements.length > 0) you.fresh = p.newAchievements.slice();
  if (p.protection > 0) you.prot = p.protection;
  return you;
}

/**
 * Binary from the wire as a Uint8Array: Node gives Buffers, browsers ArrayBuffers; a typed
 * array that a sender encoded as msgpack `ext` type 0 arrives in browsers as [0, ArrayBuffer].
 */
export function toBytes(data: Uint8Array | ArrayBuffer | readonly unknown[]): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.length === 2 && data[1] instanceof ArrayBuffer) return new Uint8Array(data[1]);
  throw new TypeError('snapshot bytes expected');
}

/**
 * Client side: a plain-data view of the server's world, built from a snapshot and kept
 * current with deltas. Framework-free; the game's stores can read it after each update.
 */
export class WorldMirror {
  /** Material id per tile, indexed x * 64 + y. */
  readonly material = new Uint8Array(WORLD_SIZE * WORLD_SIZE);
  readonly entities = new Map<number, EntityView>();
  t = -1;
  seed = 0;
  /** This client's slot (null: spectator or not yet joined). */
  slot: number | null = null;
  /** This client's own stats, from the last delta (null until the first delta after a snapshot). */
  self: SelfState | null = null;
  /** Tile indices changed by the last applied delta (all tiles after a snapshot). */
  lastChangedTiles: number[] = [];

  get size(): number {
    return WORLD_SIZE;
  }
  get daylight(): number {
    return daylightAt(Math.max(0, this.t));
  }
  get ready(): boolean {
    return this.t >= 0;
  }

  /** Replaces everything with the snapshot's world. Throws SnapshotError on corrupt bytes. */
  applySnapshot(msg: SnapshotMessage | { t: number; snapshot: Uint8Array | ArrayBuffer; slot: number | null }): World {
    const world = World.restore(toBytes(msg.snapshot));
    this.slot = msg.slot;
    this.loadWorld(world);
    return world;
  }

  /** Loads the state of a local World (also used by tests and the replay viewer). */
  loadWorld(world: World): void {
    this.material.set(world.material);
    this.entities.clear();
    const packed: number[] = new Array(ENTITY_STRIDE);
    for (const e of mapEntities(world)) {
      packEntity(e, packed, 0);
      this.entities.set(e.id, viewFromPacked(packed, 0));
    }
    this.t = world.t;
    this.seed = world.seed;
    this.self = null;
    const p = this.slot !== null ? world.findPlayer(this.slot) : undefined;
    if (p) this.self = selfState(p, -1);
    this.lastChangedTiles = [];
  }

  /**
   * Applies the delta of tick t. Returns false (and changes nothing) when the delta does not
   * follow the mirror's tick: the caller should then ask for a resync (`game:resync`).
   * Deltas for ticks the mirror already has are ignored (true).
   */
  applyDelta(delta: DeltaMessage): boolean {
    if (this.t < 0) return false;
    if (delta.t <= this.t) return true;
    if (delta.t !== this.t + 1) return false;
    const n = WORLD_SIZE * WORLD_SIZE;
    const changed: number[] = [];
    for (let i = 0; i + 1 < delta.tiles.length; i += 2) {
      const idx = delta.tiles[i];
      if (idx >= 0 && idx < n) {
        this.material[idx] = delta.tiles[i + 1];
        changed.push(idx);
      }
    }
    for (const id of delta.gone) this.entities.delete(id);
    const ents = delta.ents;
    for (let o = 0; o + ENTITY_STRIDE <= ents.length; o += ENTITY_STRIDE) {
      const id = ents[o];
      const existing = this.entities.get(id);
      if (existing) viewFromPacked(ents, o, existing);
      else this.entities.set(id, viewFromPacked(ents, o));
    }
    this.t = delta.t;
    this.lastChangedTiles = changed;
    if (delta.you) {
      const prev = this.self;
      const you = delta.you;
      this.self = {
        ...you,
        inv: you.inv ?? (prev && prev.id === you.id ? prev.inv : []),
        ach: you.ach ?? (prev && prev.id === you.id ? prev.ach : []),
        fresh: you.fresh ?? [],
      };
      this.slot = you.slot;
    }
    return true;
  }

  materialAt(x: number, y: number): number {
    return x >= 0 && y >= 0 && x < WORLD_SIZE && y < WORLD_SIZE ? this.material[x * WORLD_SIZE + y] : 0;
  }

  /** Players on the map, by slot. */
  players(): EntityView[] {
    const out: EntityView[] = [];
    for (const e of this.entities.values()) if (e.kind === ObjectKind.player) out.push(e);
    return out.sort((a, b) => a.slot - b.slot);
  }

  player(slot: number): EntityView | undefined {
    for (const e of this.entities.values()) if (e.kind === ObjectKind.player && e.slot === slot) return e;
    return undefined;
  }

  /** This client's body, if on the map. */
  me(): EntityView | undefined {
    return this.slot === null ? undefined : this.player(this.slot);
  }
}
