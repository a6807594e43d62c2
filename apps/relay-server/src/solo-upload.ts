import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { dirname } from 'node:path';
import {
  decodeLog,
  encodeLog,
  LogFormatError,
  type LogRecord,
  replayRecords,
  type SessionRecord,
} from '@aikon/protocol';
import { type EpisodeIndex, logPath } from '@aikon/protocol/node';

/**
 * Solo games recorded in a player's browser (opt-in) and uploaded here, stored as sessions of the
 * datasets like a lobby's: `POST /api/solo-logs` with the log's bytes (the recording format of
 * @aikon/protocol, `application/octet-stream`).
 *
 * A log is accepted only whole: it decodes without a torn tail (every record's CRC and zod schema),
 * has the shape of a solo game (one human player in slot 0, an episode-mode world, an end record),
 * and replays with the engine to every recorded hash. The stored session's id is the server's
 * (`solo-` and the upload's SHA-256, so the same upload sent twice is stored once); the header is
 * rewritten with it, and the file appears under its final name only once it is written and synced.
 */

/** The largest log accepted: a solo game ends at 10,000 steps, about 0.5 MB of records. */
export const SOLO_LOG_MAX_BYTES = 2 * 1024 * 1024;

/** Record kinds a solo game writes after its header and its player's join. */
const SOLO_RECORD_KINDS: ReadonlySet<LogRecord['k']> = new Set(['tick', 'hash', 'config', 'end']);

export class SoloUploadError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SoloUploadError';
  }
}

export interface StoredSoloLog {
  session: string;
  ticks: number;
  episodes: number;
  /** The same upload was stored before (a retry after a lost answer): nothing was written now. */
  duplicate: boolean;
}

/** Reads a request body of at most `limit` bytes (413 beyond, without reading the rest). */
export function readSoloLogBody(req: IncomingMessage, limit = SOLO_LOG_MAX_BYTES): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/octet-stream\b/i.test(type)) {
      req.resume();
      reject(new SoloUploadError(415, 'bad_type', 'send the session log as application/octet-stream'));
      return;
    }
    const tooLarge = () =>
      new SoloUploadError(413, 'too_large', `a solo log may have at most ${limit} bytes; this one has more`);
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(new Uint8Array(Buffer.concat(chunks)));
    });
    req.on('error', (err) => {
      if (!failed) reject(new SoloUploadError(400, 'bad_request', `request body: ${err.message}`));
      failed = true;
    });
  });
}

/** Why these records are not one solo game's, or null when they are. */
function soloShapeProblem(records: readonly LogRecord[]): string | null {
  const header = records[0];
  if (header?.k !== 'session') return 'the first record is not a session header';
  if (header.kind !== 'solo') return 'the header does not say kind "solo"';
  if (header.mode !== 'episode') return 'a solo game runs in episode mode';
  if (header.config.seats !== 1) return 'a solo game has one seat';
  if ((header.spawnProtection ?? 0) !== 0) return 'a solo game has no spawn protection';
  const started = Date.parse(header.startedAt);
  if (!Number.isFinite(started) || started > Date.now() + 86_400_000) return 'the header has no valid start time';
  const join = records[1];
  if (join?.k !== 'join' || join.t !== 0 || join.slot !== 0)
    return 'the second record must be the player joining at t = 0 in slot 0';
  if (join.kind !== 'human') return 'the player of a solo game is human';
  if (!join.consent) return 'the player did not consent to the recording';
  for (let i = 2; i < records.length; i++) {
    const r = records[i];
    if (!SOLO_RECORD_KINDS.has(r.k)) return `record ${i} (${r.k}) has no place in a solo game`;
    if (r.k === 'tick' && (r.a.some((v, j) => j % 2 === 0 && v !== 0) || r.b?.some((v, j) => j % 2 === 0 && v !== 0)))
      return `record ${i} acts for a slot other than the player's`;
  }
  if (records[records.length - 1]?.k !== 'end') return 'the log does not end with an end record (the game is not over)';
  return null;
}

/**
 * Checks an uploaded solo log and stores it as a session of the data directory (and its index).
 * Throws SoloUploadError (4xx) for a log that is refused; nothing is left behind then.
 */
export async function storeSoloLog(dataDir: string, store: EpisodeIndex, bytes: Uint8Array): Promise<StoredSoloLog> {
  let decoded: ReturnType<typeof decodeLog>;
  try {
    decoded = decodeLog(bytes);
  } catch (err) {
    if (err instanceof LogFormatError) throw new SoloUploadError(400, 'not_a_log', err.message);
    throw err;
  }
  if (decoded.torn)
    throw new SoloUploadError(
      400,
      'damaged',
      `the log is damaged after byte ${decoded.validBytes}: ${decoded.tornReason ?? 'unreadable record'}`,
    );
  const shape = soloShapeProblem(decoded.records);
  if (shape) throw new SoloUploadError(422, 'not_solo', `not a solo game's log: ${shape}`);
  const report = replayRecords(decoded.records, { stopOnMismatch: true });
  if (!report.ok || !report.complete) {
    const m = report.mismatches[0];
    const why = m
      ? `${m.what} at t = ${m.t}: the log says ${m.expected}, the engine gives ${m.actual}`
      : (report.error ?? 'it does not reach its end record');
    throw new SoloUploadError(422, 'mismatch', `the log does not replay: ${why}`);
  }
  if (report.ticks === 0) throw new SoloUploadError(422, 'empty', 'the game has no steps');

  const session = `solo-${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}`;
  const path = logPath(dataDir, session);
  const result = { session, ticks: report.ticks, episodes: report.episodes.filter((e) => e.length > 0).length };
  if (existsSync(path)) return { ...result, duplicate: true };

  const old = decoded.records[0] as SessionRecord;
  const header: SessionRecord = { ...old, sessionId: session, lobbyId: 'solo' };
  const stored = encodeLog([header, ...decoded.records.slice(1)]);
  writeWhole(path, stored);
  const end = report.end!;
  try {
    await store.insertSession({
      id: session,
      lobby_id: 'solo',
      path,
      seed: header.seed,
      engine_version: header.engineVersion,
      config: JSON.stringify({ ...header.config, kind: 'solo' }),
      started_at: header.startedAt,
    });
    await store.finishSession(session, {
      status: 'complete',
      endedAt: end.endedAt,
      ticks: report.ticks,
      verified: true,
    });
    await store.replaceEpisodes(session, report.episodes);
  } catch {
    // The log is the source of truth (the datasets read it); an index that refuses is rebuilt by recovery.
  }
  return { ...result, duplicate: false };
}

/** Writes a file under a temporary name, syncs it, then renames it into place: never half-written. */
function writeWhole(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.upload`;
  try {
    const fd = openSync(tmp, 'wx');
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const dir = openSync(dirname(path), 'r');
    fsyncSync(dir);
    closeSync(dir);
  } catch {
    // some file systems refuse to sync a directory
  }
}
