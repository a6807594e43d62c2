import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { NUM_ACTIONS, Rng, SNAPSHOT_VERSION, World } from '@aikon/engine';
import { encodeRecord, LOG_MAGIC, type LogRecord, PROTOCOL_VERSION, RECORDING_VERSION, type SessionRecord } from '@aikon/protocol';
import { DatasetError, engineVersion, logPathFor, recordingsDir } from './layout.ts';

/**
 * Minimal session-log writer, compatible with the relay's recorder
 * (apps/relay-server/src/recorder.ts `SessionRecorder`): same file (`recordings/<id>.aklog`,
 * created exclusively), same magic and framing (`encodeRecord`), fsync on close. Kept here
 * because packages may not import from apps; the relay indexes these logs in its SQLite
 * index when it next starts (recoverSessions picks up every log it does not know).
 */
export class LogWriter {
  readonly path: string;
  private fd: number;
  private chunks: Uint8Array[] = [];
  private pending = 0;
  bytes = 0;

  constructor(dataDir: string, header: SessionRecord) {
    mkdirSync(recordingsDir(dataDir), { recursive: true });
    this.path = logPathFor(dataDir, header.sessionId);
    this.fd = openSync(this.path, 'wx');
    this.push(LOG_MAGIC);
    this.append(header);
  }

  append(record: LogRecord): void {
    this.push(encodeRecord(record));
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.pending += bytes.length;
    if (this.pending >= 1 << 16) this.flush();
  }

  flush(): void {
    if (this.pending === 0) return;
    const all = new Uint8Array(this.pending);
    let o = 0;
    for (const c of this.chunks) {
      all.set(c, o);
      o += c.length;
    }
    let off = 0;
    while (off < all.length) off += writeSync(this.fd, all, off, all.length - off);
    this.bytes += all.length;
    this.chunks = [];
    this.pending = 0;
  }

  close(): void {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
  }
}

export interface GenerateOptions {
  dataDir: string;
  /** Episodes to record in total (at least; the last session closes the open ones). */
  episodes: number;
  policy?: 'random';
  seed?: number;
  /** Sessions to spread the episodes over (default 1). */
  sessions?: number;
  /** Players per session (default 2). */
  players?: number;
  /** A player leaves after this many steps of an episode and a new member takes the seat (default: none; the engine truncates at 10,000). */
  maxSteps?: number;
  tickRate?: number;
  hashEvery?: number;
  /** Slots whose members opt out of dataset export (tests). */
  optOutSlots?: readonly number[];
  /** Slots recorded as 'human' (tests only: generated play is AI play). */
  humanSlots?: readonly number[];
  onProgress?: (episodesDone: number, total: number) => void;
}

export interface GeneratedSession {
  sessionId: string;
  path: string;
  ticks: number;
  episodes: number;
  bytes: number;
}

function token(rng: Rng): string {
  const b = Buffer.alloc(9);
  for (let i = 0; i < 9; i++) b[i] = rng.int(256);
  return b.toString('base64url').replace(/^[-_]/, 'g');
}

/**
 * Plays headless sessions with AI players (uniformly random policy) and records them exactly
 * as the relay does: join, tick (non-noop actions), hash every `hashEvery` ticks, respawn
 * after death, leave, and an `end` record with the final hash.
 */
export function generateSessions(options: GenerateOptions): GeneratedSession[] {
  const total = options.episodes;
  if (!Number.isInteger(total) || total < 1 || total > 100_000) throw new DatasetError('bad_request', `--episodes must be an integer in 1..100000, got ${total}`);
  const sessionsN = options.sessions ?? 1;
  if (!Number.isInteger(sessionsN) || sessionsN < 1 || sessionsN > total) throw new DatasetError('bad_request', `--sessions must be an integer in 1..${total}`);
  const players = options.players ?? 2;
  if (!Number.isInteger(players) || players < 1 || players > 32) throw new DatasetError('bad_request', `--players must be an integer in 1..32`);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new DatasetError('bad_request', `--seed must be a non-negative integer`);
  if ((options.policy ?? 'random') !== 'random') throw new DatasetError('bad_request', `unknown policy ${options.policy} (known: random)`);
  const maxSteps = options.maxSteps;
  if (maxSteps !== undefined && (!Number.isInteger(maxSteps) || maxSteps < 1)) throw new DatasetError('bad_request', '--max-steps must be a positive integer');
  const tickRate = options.tickRate ?? 8;
  const hashEvery = options.hashEvery ?? 100;
  const out: GeneratedSession[] = [];
  const rng = new Rng(seed);
  let done = 0;
  for (let s = 0; s < sessionsN; s++) {
    const quota = Math.floor(total / sessionsN) + (s < total % sessionsN ? 1 : 0);
    const worldSeed = rng.nextUint32() * 65536 + rng.int(65536);
    const startedAt = new Date().toISOString();
    const sessionId = `${startedAt.replace(/[-:]/g, '').replace(/\..*/, '')}-${token(rng)}${randomBytes(2).toString('hex')}`;
    const header: SessionRecord = {
      k: 'session',
      v: RECORDING_VERSION,
      sessionId,
      lobbyId: token(rng),
      engineVersion: engineVersion(),
      snapshotVersion: SNAPSHOT_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      seed: worldSeed,
      mode: 'persistent',
      config: { seats: Math.max(players, 1), tickRate, hashEvery },
      startedAt,
      t: 0,
    };
    const log = new LogWriter(options.dataDir, header);
    const world = World.generate({ seed: worldSeed, mode: 'persistent' });
    const policy = new Rng(seed ^ (0x5eed + s));
    let finished = 0;
    const join = (slot: number): void => {
      const p = world.addPlayer({ slot });
      log.append({
        k: 'join',
        t: world.t,
        slot,
        pid: token(rng),
        kind: options.humanSlots?.includes(slot) ? 'human' : 'ai',
        consent: !options.optOutSlots?.includes(slot),
        id: p.id,
        x: p.x,
        y: p.y,
      });
    };
    try {
      for (let slot = 0; slot < players; slot++) join(slot);
      const actions = new Map<number, number>();
      while (finished < quota) {
        actions.clear();
        const flat: number[] = [];
        for (const p of world.players) {
          if (p.dead || p.removed) continue;
          const a = policy.int(NUM_ACTIONS);
          actions.set(p.slot, a);
          if (a !== 0) flat.push(p.slot, a);
        }
        world.step(actions);
        log.append({ k: 'tick', t: world.t, a: flat });
        if (world.t % hashEvery === 0) log.append({ k: 'hash', t: world.t, h: world.hash() });
        for (const p of [...world.players]) {
          if (p.dead) {
            finished++;
            if (finished >= quota) break;
            const q = world.respawn(p.slot);
            log.append({ k: 'respawn', t: world.t, slot: q.slot, id: q.id, x: q.x, y: q.y });
          } else if (p.truncated) {
            finished++;
          } else if (maxSteps !== undefined && p.episodeSteps >= maxSteps) {
            finished++;
            log.append({ k: 'leave', t: world.t, slot: p.slot, reason: 'leave' });
            world.removePlayer(p.slot);
            if (finished < quota) join(p.slot);
          }
          if (finished >= quota) break;
        }
        options.onProgress?.(done + Math.min(finished, quota), total);
      }
      for (const p of [...world.players]) {
        log.append({ k: 'leave', t: world.t, slot: p.slot, reason: 'close' });
        world.removePlayer(p.slot);
      }
      log.append({ k: 'end', t: world.t, reason: 'generated', h: world.hash(), endedAt: new Date().toISOString() });
    } finally {
      log.close();
    }
    done += quota;
    out.push({ sessionId, path: log.path, ticks: world.t, episodes: quota, bytes: log.bytes });
  }
  return out;
}
