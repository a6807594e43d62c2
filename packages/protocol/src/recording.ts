import { z } from 'zod';
import { PROTECTION_HELD, SPAWN_PROTECTION_MAX } from '@aikon/engine';
import { PlayerKind, Seats, Seed, TickRate } from './events.ts';

/**
 * Session recording format (version 1): an append-only log.
 *
 *   file   := MAGIC (8 bytes: "AKREC" 0 0 1) record*
 *   record := u32le payloadLength | u32le crc32(payload) | payload (UTF-8 JSON of a LogRecord)
 *
 * A record is valid only when its whole payload is present and its CRC-32 matches; a reader
 * stops at the first invalid record (a torn tail after a crash) and reports where the valid
 * prefix ends so a writer can cut the file there.
 *
 * Record order is the order of events on the server. `t` is always `world.t` at the moment
 * the record was written: joins, leaves, respawns and consent changes happen between ticks
 * (after the tick record with the same t), and a `tick` record's t is the tick it produced.
 */
export const RECORDING_VERSION = 1;
export const LOG_MAGIC = new Uint8Array([0x41, 0x4b, 0x52, 0x45, 0x43, 0, 0, RECORDING_VERSION]);
export const RECORD_HEADER_BYTES = 8;
/** Upper bound on one record's payload; anything larger is treated as corruption. */
export const MAX_RECORD_BYTES = 1 << 24;

const T = z.int().min(0);
const Slot = z.int().min(0).max(1023);

export const SessionRecord = z.object({
  k: z.literal('session'),
  v: z.literal(RECORDING_VERSION),
  sessionId: z.string(),
  lobbyId: z.string(),
  /** Engine package version and snapshot format version the session ran on. */
  engineVersion: z.string(),
  snapshotVersion: z.int(),
  protocolVersion: z.int(),
  seed: Seed,
  /**
   * The world's mode: 'persistent' for a lobby (players respawn), 'episode' for a solo game
   * (Crafter's own rules: the game ends when the player dies).
   */
  mode: z.enum(['persistent', 'episode']),
  /** Where the session was played (absent in logs from before solo games were recorded: a lobby). */
  kind: z.enum(['lobby', 'solo']).optional(),
  /** The world's spawnProtection option (absent in logs from before it existed: 0, off). */
  spawnProtection: z.int().min(0).max(SPAWN_PROTECTION_MAX).optional(),
  config: z.object({ seats: Seats, tickRate: TickRate, hashEvery: z.int().min(1) }),
  startedAt: z.string(),
  t: T,
});
export const JoinRecord = z.object({
  k: z.literal('join'),
  t: T,
  slot: Slot,
  /** Pseudonym of the member: random per membership, never the display name. */
  pid: z.string(),
  kind: PlayerKind,
  consent: z.boolean(),
  /** Expected result of world.addPlayer (checked on replay). */
  id: z.int(),
  x: z.int(),
  y: z.int(),
});
export const LeaveRecord = z.object({
  k: z.literal('leave'),
  t: T,
  slot: Slot,
  reason: z.enum(['leave', 'kick', 'timeout', 'close']),
});
export const RespawnRecord = z.object({
  k: z.literal('respawn'),
  t: T,
  slot: Slot,
  id: z.int(),
  x: z.int(),
  y: z.int(),
});
export const ConsentRecord = z.object({ k: z.literal('consent'), t: T, slot: Slot, consent: z.boolean() });
export const ConfigRecord = z.object({ k: z.literal('config'), t: T, tickRate: TickRate });
/** The host paused (true) or resumed (false) the world: no tick record falls between the two. */
export const PauseRecord = z.object({ k: z.literal('pause'), t: T, paused: z.boolean() });
/** world.protect(slot, ticks): PROTECTION_HELD holds a member who has not drawn its first frame. */
export const ProtectRecord = z.object({
  k: z.literal('protect'),
  t: T,
  slot: Slot,
  ticks: z.int().min(0).max(PROTECTION_HELD),
});
/**
 * One tick: `a` is flat [slot, action, ...] of the non-noop actions applied (others did noop);
 * `b` (optional, additive) is flat [slot, brain, ...] for every AI worker that acted, and every
 * member whose action their client's autopilot chose: which brain chose the action, an index
 * into ACTING_BRAINS (0 scripted, 1 learned). A member's slot absent from `b` acted by hand.
 */
export const TickRecord = z.object({
  k: z.literal('tick'),
  t: T,
  a: z.array(z.int().min(0)),
  b: z.array(z.int().min(0)).optional(),
});
export const HashRecord = z.object({ k: z.literal('hash'), t: T, h: z.string().regex(/^[0-9a-f]{16}$/) });
export const EndRecord = z.object({
  k: z.literal('end'),
  t: T,
  reason: z.string(),
  h: z.string().regex(/^[0-9a-f]{16}$/),
  endedAt: z.string(),
});

export const LogRecord = z.discriminatedUnion('k', [
  SessionRecord,
  JoinRecord,
  LeaveRecord,
  RespawnRecord,
  ConsentRecord,
  ConfigRecord,
  PauseRecord,
  ProtectRecord,
  TickRecord,
  HashRecord,
  EndRecord,
]);
export type LogRecord = z.infer<typeof LogRecord>;
export type SessionRecord = z.infer<typeof SessionRecord>;
export type JoinRecord = z.infer<typeof JoinRecord>;
export type LeaveRecord = z.infer<typeof LeaveRecord>;
export type TickRecord = z.infer<typeof TickRecord>;
export type EndRecord = z.infer<typeof EndRecord>;

// ---- CRC-32 (IEEE) -------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---- encoding -------------------------------------------------------------------------

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** One framed record (header + payload), ready to append. */
export function encodeRecord(record: LogRecord): Uint8Array {
  const payload = encoder.encode(JSON.stringify(record));
  const out = new Uint8Array(RECORD_HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length, true);
  view.setUint32(4, crc32(payload), true);
  out.set(payload, RECORD_HEADER_BYTES);
  return out;
}

/** A whole log (magic + records) in memory: what a solo game keeps and uploads. */
export function encodeLog(records: readonly LogRecord[]): Uint8Array {
  const parts = records.map(encodeRecord);
  const out = new Uint8Array(LOG_MAGIC.length + parts.reduce((n, p) => n + p.length, 0));
  out.set(LOG_MAGIC, 0);
  let offset = LOG_MAGIC.length;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export interface DecodedLog {
  records: LogRecord[];
  /** Byte offset just after each record (`ends[i]` for `records[i]`). */
  ends: number[];
  /** Byte length of the valid prefix (magic + complete, checksummed, well-formed records). */
  validBytes: number;
  /** True when bytes follow the valid prefix (a torn or corrupt tail). */
  torn: boolean;
  /** Why decoding stopped early, if it did. */
  tornReason?: string;
}

export class LogFormatError extends Error {
  constructor(message: string) {
    super(`invalid session log: ${message}`);
    this.name = 'LogFormatError';
  }
}

/**
 * Decodes a whole log. Throws LogFormatError only if the magic is wrong; a damaged tail is
 * reported (torn, validBytes) and the records before it are returned.
 */
export function decodeLog(bytes: Uint8Array): DecodedLog {
  if (bytes.length < LOG_MAGIC.length) {
    // A crash right after creating the file can leave a short magic.
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== LOG_MAGIC[i]) throw new LogFormatError('bad magic');
    }
    return { records: [], ends: [], validBytes: 0, torn: bytes.length > 0, tornReason: 'short magic' };
  }
  for (let i = 0; i < LOG_MAGIC.length; i++) {
    if (bytes[i] !== LOG_MAGIC[i]) throw new LogFormatError(i === 7 ? `unsupported version ${bytes[7]}` : 'bad magic');
  }
  return decodeRecords(bytes, LOG_MAGIC.length);
}

/**
 * Decodes the records from `from` (a record boundary) to the first invalid or partial one:
 * `decodeLog` after the magic, and a reader following a log as it grows (from where it stopped).
 */
export function decodeRecords(bytes: Uint8Array, from: number): DecodedLog {
  let offset = from;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: LogRecord[] = [];
  const ends: number[] = [];
  let tornReason: string | undefined;
  while (offset < bytes.length) {
    if (offset + RECORD_HEADER_BYTES > bytes.length) {
      tornReason = 'partial record header';
      break;
    }
    const length = view.getUint32(offset, true);
    const sum = view.getUint32(offset + 4, true);
    if (length > MAX_RECORD_BYTES) {
      tornReason = `record length ${length} too large`;
      break;
    }
    const start = offset + RECORD_HEADER_BYTES;
    const end = start + length;
    if (end > bytes.length) {
      tornReason = 'partial record payload';
      break;
    }
    if (crc32(bytes, start, end) !== sum) {
      tornReason = 'checksum mismatch';
      break;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(decoder.decode(bytes.subarray(start, end)));
    } catch {
      tornReason = 'record is not JSON';
      break;
    }
    const result = LogRecord.safeParse(parsed);
    if (!result.success) {
      tornReason = `record does not match the schema: ${result.error.issues[0]?.message ?? ''}`;
      break;
    }
    records.push(result.data);
    ends.push(end);
    offset = end;
  }
  return { records, ends, validBytes: offset, torn: offset < bytes.length, tornReason };
}
