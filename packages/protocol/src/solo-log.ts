import { ENGINE_VERSION, SNAPSHOT_VERSION, type World } from '@aikon/engine';
import { PROTOCOL_VERSION } from './constants.ts';
import { decodeLog, encodeRecord, LOG_MAGIC, type LogRecord, RECORDING_VERSION } from './recording.ts';

/** A solo log notes the world's hash this often (as a lobby does), so that a replay checks it as it goes. */
export const SOLO_HASH_EVERY = 100;

/** Which brain chose a solo tick's action: absent for the player's own keys (recording.ts TickRecord.b). */
export const SOLO_BRAIN_LEARNED = 1;

/**
 * The log of one solo game in the recording format (recording.ts), kept in memory: the same records
 * a relay lobby writes for one human player in slot 0 of an episode-mode world (header `kind:
 * 'solo'`), so every reader, replay check and exporter reads it. The browser keeps its bytes
 * beside the saved game and uploads them when the game is over; the relay replays them before it
 * stores them.
 */
export class SoloLogWriter {
  private readonly chunks: Uint8Array[];
  /** world.t after the last record. */
  t: number;
  ended = false;

  private constructor(chunks: Uint8Array[], t: number) {
    this.chunks = chunks;
    this.t = t;
  }

  /**
   * Starts the log of a fresh world (t = 0, its player in slot 0 already added). `id` names the
   * game on this device (the relay stores it under an id of its own); `pid` is the player's
   * pseudonym for this game.
   */
  static begin(
    world: World,
    options: { id: string; pid: string; tickRate: number; startedAt?: string },
  ): SoloLogWriter {
    if (world.t !== 0) throw new RangeError('a solo log starts with a fresh world (t = 0)');
    const player = world.player(0);
    const log = new SoloLogWriter([LOG_MAGIC], 0);
    log.append({
      k: 'session',
      v: RECORDING_VERSION,
      sessionId: options.id,
      lobbyId: 'solo',
      engineVersion: ENGINE_VERSION,
      snapshotVersion: SNAPSHOT_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      seed: world.seed,
      mode: 'episode',
      kind: 'solo',
      config: { seats: 1, tickRate: options.tickRate, hashEvery: SOLO_HASH_EVERY },
      startedAt: options.startedAt ?? new Date().toISOString(),
      t: 0,
    });
    log.append({
      k: 'join',
      t: 0,
      slot: 0,
      pid: options.pid,
      kind: 'human',
      consent: true,
      id: player.id,
      x: player.x,
      y: player.y,
    });
    return log;
  }

  /**
   * Continues a kept log (a saved game played on): its bytes must decode whole, not be ended, and
   * stop at `t`, the step of the world it goes on with. Throws otherwise.
   */
  static resume(bytes: Uint8Array, t: number): SoloLogWriter {
    const decoded = decodeLog(bytes);
    if (decoded.torn) throw new RangeError(`the kept solo log is damaged (${decoded.tornReason})`);
    const last = decoded.records[decoded.records.length - 1];
    if (decoded.records[0]?.k !== 'session' || !last) throw new RangeError('the kept solo log has no header');
    if (last.k === 'end') throw new RangeError('the kept solo log has ended');
    if (last.t !== t) throw new RangeError(`the kept solo log stops at step ${last.t}, the saved game at ${t}`);
    return new SoloLogWriter([bytes.slice()], t);
  }

  private append(record: LogRecord): void {
    if (this.ended) throw new RangeError('the solo log has ended');
    this.chunks.push(encodeRecord(record));
    this.t = record.t;
  }

  /** After world.step([action]): the tick (and every SOLO_HASH_EVERY steps the world's hash). */
  tick(world: World, action: number, learned = false): void {
    this.append({
      k: 'tick',
      t: world.t,
      a: action === 0 ? [] : [0, action],
      ...(learned ? { b: [0, SOLO_BRAIN_LEARNED] } : {}),
    });
    if (world.t % SOLO_HASH_EVERY === 0) this.append({ k: 'hash', t: world.t, h: world.hash() });
  }

  tickRate(world: World, tickRate: number): void {
    this.append({ k: 'config', t: world.t, tickRate });
  }

  /** The game is over (the player died, or the game was given up): the end record with the final hash. */
  end(world: World, reason: string, endedAt = new Date().toISOString()): void {
    this.append({ k: 'end', t: world.t, reason, h: world.hash(), endedAt });
    this.ended = true;
  }

  /** The whole log so far (one copy; the writer keeps its records). */
  bytes(): Uint8Array {
    if (this.chunks.length > 1) {
      const all = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
      let offset = 0;
      for (const c of this.chunks) {
        all.set(c, offset);
        offset += c.length;
      }
      this.chunks.splice(0, this.chunks.length, all);
    }
    return this.chunks[0].slice();
  }
}
