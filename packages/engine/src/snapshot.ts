import { MATERIALS, NUM_ACHIEVEMENTS, NUM_ITEMS, OBJECT_KINDS, ObjectKind, WORLD_SIZE } from './constants.ts';
import { Entity, Player } from './entity.ts';
import { daylightAt } from './rules.ts';
import type { WorldOptions, WorldState } from './world-state.ts';

/**
 * Compact binary snapshot of a whole world, little-endian: header, map, chunk registry,
 * players, objects, and a trailing 32-bit checksum. `restore` validates everything and throws
 * a SnapshotError on any corruption.
 *
 * Version 2 adds spawn protection: the header's spare byte holds the world's spawnProtection
 * and each player ends with u16 protection and u32 protectedSteps. A world without spawn
 * protection is written as version 1, byte for byte as before, so its hashes (recorded in
 * older session logs) do not change. Both versions are read.
 *
 * Version 3 has version 2's layout and says the world runs the 'keep-away' protection rule
 * (engine 0.3.0 on); version 2 now means the 'target' rule of engine 0.2.x. A world restored from a
 * 0.2.x snapshot keeps the rule it was recorded with, as does its session (the log's header names
 * the engine version), so lobbies restored from old checkpoints still replay to their hashes.
 */
export const SNAPSHOT_VERSION = 3;
const SNAPSHOT_VERSION_TARGET = 2;
const SNAPSHOT_VERSION_PLAIN = 1;
const MAGIC = 0x53574b41; // "AKWS"
const N = WORLD_SIZE;

export class SnapshotError extends Error {
  constructor(message: string) {
    super(`invalid world snapshot: ${message}`);
    this.name = 'SnapshotError';
  }
}

class Writer {
  private buf = new Uint8Array(8192);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }
  i8(v: number): void {
    this.reserve(1);
    this.view.setInt8(this.length, v);
    this.length += 1;
  }
  u16(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

class Reader {
  private readonly view: DataView;
  offset = 0;
  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  private need(n: number): void {
    if (this.offset + n > this.data.length) throw new SnapshotError(`truncated at byte ${this.offset}`);
  }
  u8(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }
  i8(): number {
    this.need(1);
    return this.view.getInt8(this.offset++);
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return v;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }
}

/** 32-bit Murmur3-style hash of bytes, with a seed; the same in every JS engine. */
export function hashBytes(bytes: Uint8Array, seed = 0): number {
  let h = seed >>> 0;
  const n = bytes.length;
  const words = n >>> 2;
  for (let w = 0; w < words; w++) {
    const o = w << 2;
    let k = bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let o = words << 2, s = 0; o < n; o++, s += 8) k |= bytes[o] << s;
  if (n & 3) {
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The world's state as bytes (without checksum). */
function encodeState(world: WorldState): Writer {
  const w = new Writer();
  const protection = world.spawnProtection > 0;
  w.u32(MAGIC);
  w.u16(
    !protection
      ? SNAPSHOT_VERSION_PLAIN
      : world.protectionRule === 'keep-away'
        ? SNAPSHOT_VERSION
        : SNAPSHOT_VERSION_TARGET,
  );
  w.u8(world.mode === 'persistent' ? 1 : 0);
  w.u8(world.spawnProtection);
  w.f64(world.seed);
  w.u32(world.t);
  w.u32(world.nextId);
  for (const s of world.rng.getState()) w.u32(s);
  w.bytes(world.material);
  w.u8(world.chunkOrder.length);
  for (const c of world.chunkOrder) w.u8(c);

  w.u16(world.players.length);
  for (const p of world.players) {
    w.u32(p.id);
    w.u32(p.slot);
    w.u8(p.x);
    w.u8(p.y);
    w.u8(p.facing);
    w.u8((p.sleeping ? 1 : 0) | (p.dead ? 2 : 0) | (p.removed ? 4 : 0) | (p.truncated ? 8 : 0));
    for (let i = 0; i < NUM_ITEMS; i++) w.u8(p.inventory[i]);
    for (let i = 0; i < NUM_ACHIEVEMENTS; i++) w.u32(p.achievements[i]);
    let unlocked = 0;
    for (let i = 0; i < NUM_ACHIEVEMENTS; i++) if (p.unlocked[i]) unlocked |= 1 << i;
    w.u32(unlocked >>> 0);
    w.f64(p.hunger);
    w.f64(p.thirst);
    w.f64(p.fatigue);
    w.f64(p.recover);
    w.u8(p.prevHealth);
    w.u8(p.lastHealth);
    w.u8(p.action);
    w.f64(p.reward);
    w.u8(p.newAchievements.length);
    for (const a of p.newAchievements) w.u8(a);
    w.u32(p.episodeSteps);
    w.f64(p.episodeReturn);
    w.u32(p.episode);
    if (protection) {
      w.u16(p.protection);
      w.u32(p.protectedSteps);
    }
  }

  let live = 0;
  for (const o of world.objects) if (!o.removed) live++;
  w.u32(live);
  for (const o of world.objects) {
    if (o.removed) continue;
    w.u32(o.id);
    w.u8(o.kind);
    w.u8(o.x);
    w.u8(o.y);
    w.i8(o.health);
    w.u8(o.cooldown);
    w.u8(o.reload);
    w.u8(o.dir);
    w.u32(o.grown);
  }
  return w;
}

/** Serializes the world between steps into a compact, checksummed byte array. */
export function serializeWorld(world: WorldState): Uint8Array {
  const w = encodeState(world);
  const body = w.finish();
  w.u32(hashBytes(body));
  return w.finish();
}

/** A fast 64-bit state hash (16 hex digits) over the serialized state. */
export function hashWorld(world: WorldState): string {
  const body = encodeState(world).finish();
  return hex32(hashBytes(body, 0x9747b28c)) + hex32(hashBytes(body, 0x2545f491));
}

function hex32(v: number): string {
  return v.toString(16).padStart(8, '0');
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new SnapshotError(message);
}

/**
 * Rebuilds a world from `serializeWorld` bytes into the empty world `create` makes (World.restore
 * passes World's constructor); throws SnapshotError if anything is off.
 */
export function restoreWorldState<W extends WorldState>(bytes: Uint8Array, create: (options: WorldOptions) => W): W {
  if (!(bytes instanceof Uint8Array)) throw new SnapshotError('expected a Uint8Array');
  check(bytes.length >= 24 + N * N + 4, `too short (${bytes.length} bytes)`);
  const body = bytes.subarray(0, bytes.length - 4);
  const stored = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true);
  const r = new Reader(body);
  check(r.u32() === MAGIC, 'not a world snapshot (bad magic)');
  const version = r.u16();
  check(
    version >= SNAPSHOT_VERSION_PLAIN && version <= SNAPSHOT_VERSION,
    `unsupported version ${version} (this engine reads ${SNAPSHOT_VERSION_PLAIN} to ${SNAPSHOT_VERSION})`,
  );
  check(hashBytes(body) === stored, 'checksum mismatch (corrupted bytes)');
  const modeByte = r.u8();
  check(modeByte <= 1, `bad mode ${modeByte}`);
  const spawnProtection = r.u8();
  const protection = version !== SNAPSHOT_VERSION_PLAIN;
  check(protection === spawnProtection > 0, `version ${version} with spawn protection ${spawnProtection}`);
  const seed = r.f64();
  check(Number.isSafeInteger(seed), 'bad seed');
  const world = create({
    seed,
    mode: modeByte === 1 ? 'persistent' : 'episode',
    spawnProtection,
    protectionRule: version === SNAPSHOT_VERSION_TARGET ? 'target' : 'keep-away',
  });
  world.t = r.u32();
  world.daylight = daylightAt(world.t);
  world.nextId = r.u32();
  world.rng.setState([r.u32(), r.u32(), r.u32(), r.u32()]);
  const material = r.bytes(N * N);
  const materialCount = MATERIALS.length;
  for (let i = 0; i < material.length; i++)
    if (material[i] >= materialCount) check(false, `bad material id ${material[i]}`);
  world.material.set(material);
  const chunks = r.u8();
  for (let i = 0; i < chunks; i++) {
    const c = r.u8();
    check(c < world.chunkRegistered.length && world.chunkRegistered[c] === 0, `bad chunk ${c}`);
    world.chunkRegistered[c] = 1;
    world.chunkOrder.push(c);
  }

  const ids = new Set<number>();
  const place = (e: Entity): void => {
    check(e.x < N && e.y < N, `entity ${e.id} off the map`);
    check(!ids.has(e.id) && e.id < world.nextId, `bad entity id ${e.id}`);
    ids.add(e.id);
    if (e.removed) return;
    check(world.grid[e.x * N + e.y] === null, `two entities on tile (${e.x}, ${e.y})`);
    world.grid[e.x * N + e.y] = e;
  };

  const playerCount = r.u16();
  let lastSlot = -1;
  for (let k = 0; k < playerCount; k++) {
    const id = r.u32();
    const slot = r.u32();
    check(slot > lastSlot, 'player slots out of order');
    lastSlot = slot;
    const p = new Player(id, slot, r.u8(), r.u8());
    p.facing = r.u8();
    check(p.facing < 4, 'bad facing');
    const flags = r.u8();
    p.sleeping = (flags & 1) !== 0;
    p.dead = (flags & 2) !== 0;
    p.removed = (flags & 4) !== 0;
    p.truncated = (flags & 8) !== 0;
    for (let i = 0; i < NUM_ITEMS; i++) {
      p.inventory[i] = r.u8();
      check(p.inventory[i] <= 9, 'inventory out of range');
    }
    for (let i = 0; i < NUM_ACHIEVEMENTS; i++) p.achievements[i] = r.u32();
    const unlocked = r.u32();
    for (let i = 0; i < NUM_ACHIEVEMENTS; i++) p.unlocked[i] = (unlocked >>> i) & 1;
    p.hunger = r.f64();
    p.thirst = r.f64();
    p.fatigue = r.f64();
    p.recover = r.f64();
    p.prevHealth = r.u8();
    p.lastHealth = r.u8();
    p.action = r.u8();
    p.reward = r.f64();
    const fresh = r.u8();
    for (let i = 0; i < fresh; i++) p.newAchievements.push(r.u8());
    p.episodeSteps = r.u32();
    p.episodeReturn = r.f64();
    p.episode = r.u32();
    if (protection) {
      p.protection = r.u16();
      p.protectedSteps = r.u32();
    }
    place(p);
    world.players.push(p);
  }

  const objectCount = r.u32();
  check(objectCount <= N * N, 'too many objects');
  for (let k = 0; k < objectCount; k++) {
    const id = r.u32();
    const kind = r.u8();
    check(kind > ObjectKind.player && kind < OBJECT_KINDS.length, `bad object kind ${kind}`);
    const e = new Entity(id, kind, r.u8(), r.u8(), r.i8());
    e.cooldown = r.u8();
    e.reload = r.u8();
    e.dir = r.u8();
    check(e.dir < 4, 'bad arrow direction');
    e.grown = r.u32();
    place(e);
    world.objects.push(e);
  }
  check(r.offset === body.length, `${body.length - r.offset} unexpected trailing bytes`);
  return world;
}
