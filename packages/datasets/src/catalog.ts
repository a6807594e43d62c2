import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ACHIEVEMENTS } from '@aikon/engine';
import {
  decodeLog,
  decodeRecords,
  type EpisodeSummary,
  LOG_MAGIC,
  LogFormatError,
  type LogRecord,
  replayRecords,
} from '@aikon/protocol';
import { type EpisodeRow, type IndexedSession, indexPath, logHolder, readIndexedSession } from '@aikon/protocol/node';
import { z } from 'zod';
import { DatasetError, datasetsDir, isSafeSessionId, LOG_SUFFIX, recordingsDir } from './layout.ts';

/** One session log as the catalog knows it (from a replay without rendering). */
export interface SessionEntry {
  sessionId: string;
  file: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  startedAt: string;
  endedAt: string | null;
  seed: number;
  engineVersion: string;
  tickRate: number;
  /** Where it was played: a lobby on the relay, or a solo game recorded in a browser and uploaded. */
  kind: 'lobby' | 'solo';
  ticks: number;
  complete: boolean;
  torn: boolean;
  /** Every recorded hash matched and the log replayed without a structural error. */
  verified: boolean;
  /** Why it is not verified (mismatch or replay error), or why it could not be read. */
  problem: string | null;
  /**
   * Still being recorded (a live process holds the log's lease): listed with the episodes the
   * recorder's index holds so far; not replayed, verified or exported until it ends.
   */
  recording?: boolean;
  episodes: CatalogEpisode[];
}

export interface CatalogEpisode {
  /** `<sessionId>:<slot>:<startT>`: unique within the data directory. */
  id: string;
  sessionId: string;
  slot: number;
  pid: string;
  kind: 'human' | 'ai';
  startT: number;
  endT: number;
  length: number;
  return: number;
  achievements: string[];
  endReason: string;
  consent: boolean;
  /** When its session started (filters by date select sessions). */
  startedAt: string;
  /**
   * When the episode itself began (ISO): the session's start plus its start tick at the tick
   * rates the log records. An estimate: time paused or waiting for players adds no ticks.
   */
  beganAt: string;
  /** From a session still being recorded: browsable, not exportable yet. */
  live?: boolean;
}

export function episodeId(sessionId: string, slot: number, startT: number): string {
  return `${sessionId}:${slot}:${startT}`;
}

// 2: episodes carry their own start time (beganAt). 3: sessions carry their kind (lobby, solo).
const CATALOG_VERSION = 3;

interface CatalogFile {
  version: number;
  sessions: SessionEntry[];
}

/** A catalog entry for a log file before (or without) replaying it. */
function unscannedEntry(
  sessionId: string,
  size: number,
  mtimeMs: number,
  sha256: string,
  problem: string | null,
): SessionEntry {
  return {
    sessionId,
    file: `${sessionId}${LOG_SUFFIX}`,
    size,
    mtimeMs,
    sha256,
    startedAt: '',
    endedAt: null,
    seed: 0,
    engineVersion: 'unknown',
    tickRate: 0,
    kind: 'lobby',
    ticks: 0,
    complete: false,
    torn: false,
    verified: false,
    problem,
    episodes: [],
  };
}

/** Replays one log (no rendering) into a catalog entry. Never throws for bad logs: it records the problem. */
export function scanLog(path: string, sessionId: string): SessionEntry {
  const st = statSync(path);
  const bytes = readFileSync(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const base = unscannedEntry(sessionId, st.size, st.mtimeMs, sha256, null);
  try {
    const decoded = decodeLog(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const report = replayRecords(decoded.records);
    const h = report.header;
    const clock = sessionClock(h.startedAt, decoded.records);
    base.startedAt = h.startedAt;
    base.endedAt = report.end?.endedAt ?? null;
    base.seed = h.seed;
    base.engineVersion = h.engineVersion;
    base.tickRate = h.config.tickRate;
    base.kind = h.kind ?? 'lobby';
    base.ticks = report.ticks;
    base.complete = report.complete;
    base.torn = decoded.torn;
    base.verified = report.ok;
    if (!report.ok) base.problem = describeReplayProblem(report.mismatches, report.error);
    base.episodes = report.episodes
      .filter((e) => e.length > 0)
      .map((e) => toCatalogEpisode(sessionId, h.startedAt, clock(e.startT), e));
  } catch (err) {
    base.problem = err instanceof LogFormatError ? err.message : `cannot replay session log: ${(err as Error).message}`;
  }
  return base;
}

export function describeReplayProblem(
  mismatches: readonly { t: number; what: string; expected: string; actual: string }[],
  error?: string,
): string {
  const parts: string[] = [];
  if (mismatches.length > 0) {
    const m = mismatches[0];
    parts.push(
      `replay does not match the recording: ${m.what} at t = ${m.t} expected ${m.expected}, replay gave ${m.actual}` +
        (mismatches.length > 1 ? ` (and ${mismatches.length - 1} more mismatches)` : ''),
    );
  }
  if (error) parts.push(`replay stopped: ${error}`);
  return parts.join('; ');
}

/**
 * World tick → wall-clock time (ISO) for one session: its start plus the ticks run at each
 * tick rate the log records (the header's, then every `config` record's from its tick on).
 */
export function sessionClock(startedAt: string, records: readonly LogRecord[]): (t: number) => string {
  const start = Date.parse(startedAt);
  // [fromT, msAtFromT, msPerTick] segments, in tick order.
  const segments: [number, number, number][] = [];
  for (const r of records) {
    const rate = r.k === 'session' ? r.config.tickRate : r.k === 'config' ? r.tickRate : null;
    if (rate === null) continue;
    const last = segments[segments.length - 1];
    const at = last ? last[1] + (r.t - last[0]) * last[2] : 0;
    segments.push([r.t, at, 1000 / rate]);
  }
  return (t) => {
    if (!Number.isFinite(start)) return '';
    let seg = segments[0] ?? [0, 0, 0];
    for (const s of segments) if (s[0] <= t) seg = s;
    return new Date(start + seg[1] + (t - seg[0]) * seg[2]).toISOString();
  };
}

function toCatalogEpisode(sessionId: string, startedAt: string, beganAt: string, e: EpisodeSummary): CatalogEpisode {
  return {
    id: episodeId(sessionId, e.slot, e.startT),
    sessionId,
    slot: e.slot,
    pid: e.pid,
    kind: e.kind,
    startT: e.startT,
    endT: e.endT,
    length: e.length,
    return: e.return,
    achievements: e.achievements,
    endReason: e.endReason,
    consent: e.consent,
    startedAt,
    beganAt,
  };
}

/**
 * A session being recorded, from the recorder's episode index: its header facts and the
 * episodes finished so far (the log itself is not replayed while it grows). Without an index
 * entry (a recorder that keeps none) it is listed with no episodes.
 */
function liveEntry(base: SessionEntry, indexed: IndexedSession | null, path: string): SessionEntry {
  const entry: SessionEntry = { ...base, problem: 'still being recorded', recording: true, ticks: liveTicks(path) };
  if (!indexed) return entry;
  const { session, episodes } = indexed;
  let tickRate = 0;
  try {
    tickRate = Number((JSON.parse(session.config) as { tickRate?: unknown }).tickRate) || 0;
  } catch {
    // a config that is not JSON: no rate, no per-episode times
  }
  const header = { k: 'config', t: 0, tickRate } as LogRecord;
  const clock = sessionClock(session.started_at, tickRate > 0 ? [header] : []);
  entry.startedAt = session.started_at;
  entry.seed = session.seed;
  entry.engineVersion = session.engine_version;
  entry.tickRate = tickRate;
  entry.episodes = episodes
    .filter((row) => row.length > 0)
    .map((row) => ({
      ...toCatalogEpisode(base.sessionId, session.started_at, clock(row.start_t), fromRow(row)),
      live: true,
    }));
  return entry;
}

/** Per live log: how far it has been read (a record boundary) and the tick records before that. */
const liveReads = new Map<string, { offset: number; ticks: number }>();

/**
 * The tick records of a log still being written, read on from where the last call stopped (each
 * record is decoded once per process, not the whole growing log per request). A partial record
 * at the end is read again next time, once complete; a log that shrank (replaced) is read anew.
 */
function liveTicks(path: string): number {
  let read = liveReads.get(path) ?? { offset: 0, ticks: 0 };
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return read.ticks;
  }
  try {
    const size = statSync(path).size;
    if (size < read.offset) read = { offset: 0, ticks: 0 };
    const bytes = new Uint8Array(size - read.offset);
    readSync(fd, bytes, 0, bytes.length, read.offset);
    let from = 0;
    if (read.offset === 0) {
      if (bytes.length < LOG_MAGIC.length || LOG_MAGIC.some((b, i) => bytes[i] !== b)) return 0;
      from = LOG_MAGIC.length;
    }
    const { records, validBytes } = decodeRecords(bytes, from);
    read = {
      offset: read.offset + validBytes,
      ticks: read.ticks + records.filter((r) => r.k === 'tick').length,
    };
    liveReads.set(path, read);
    return read.ticks;
  } finally {
    closeSync(fd);
  }
}

function fromRow(row: EpisodeRow): EpisodeSummary {
  let achievements: string[] = [];
  try {
    achievements = JSON.parse(row.achievements) as string[];
  } catch {
    // left empty
  }
  return {
    slot: row.slot,
    pid: row.player,
    kind: row.kind,
    episode: row.episode,
    startT: row.start_t,
    endT: row.end_t,
    length: row.length,
    return: row.return,
    achievements,
    endReason: row.end_reason as EpisodeSummary['endReason'],
    consent: row.consent === 1,
    protectedSteps: row.protected_steps,
  };
}

/** Parsed catalog.json per path, reused while the file is unchanged (API requests list often). */
const parsedCache = new Map<string, { mtimeMs: number; size: number; sessions: Map<string, SessionEntry> }>();

/**
 * Every session log of the data directory, replayed once and cached in
 * `datasets/catalog.json` (keyed by file name, size and mtime, so a growing log is rescanned).
 */
export function loadCatalog(
  dataDir: string,
  options: {
    onScan?: (sessionId: string) => void;
    /**
     * The index's rows of the sessions being recorded (read ahead from the relay's index, e.g.
     * PostgreSQL: `indexedRecordings`); by default `<dataDir>/index.sqlite` is read.
     */
    indexed?: ReadonlyMap<string, IndexedSession>;
  } = {},
): SessionEntry[] {
  const indexed = (sessionId: string): IndexedSession | null =>
    options.indexed ? (options.indexed.get(sessionId) ?? null) : readIndexedSession(indexPath(dataDir), sessionId);
  const dir = recordingsDir(dataDir);
  let files: string[] = [];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith(LOG_SUFFIX))
      .sort();
  } catch {
    files = [];
  }
  const cachePath = join(datasetsDir(dataDir), 'catalog.json');
  let cached = new Map<string, SessionEntry>();
  try {
    const st = statSync(cachePath);
    const hit = parsedCache.get(cachePath);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) cached = hit.sessions;
    else {
      const parsed = JSON.parse(readFileSync(cachePath, 'utf8')) as CatalogFile;
      if (parsed.version === CATALOG_VERSION) for (const s of parsed.sessions) cached.set(s.file, s);
      parsedCache.set(cachePath, { mtimeMs: st.mtimeMs, size: st.size, sessions: cached });
    }
  } catch {
    // no cache yet, or unreadable: rebuilt
  }
  const out: SessionEntry[] = [];
  let changed = cached.size !== files.length;
  for (const file of files) {
    const sessionId = file.slice(0, -LOG_SUFFIX.length);
    if (!isSafeSessionId(sessionId)) continue;
    const path = join(dir, file);
    let st: Stats;
    try {
      st = statSync(path);
    } catch {
      continue;
    }
    if (!st.isFile()) continue;
    if (logHolder(path)) {
      // A live process (relay, dataset generator) records it: list it, scan it once it ends.
      // Replaying a growing log on every request would stall the relay.
      out.push(liveEntry(unscannedEntry(sessionId, st.size, st.mtimeMs, '', null), indexed(sessionId), path));
      continue;
    }
    liveReads.delete(path);
    const hit = cached.get(file);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) {
      out.push(hit);
      continue;
    }
    options.onScan?.(sessionId);
    out.push(scanLog(path, sessionId));
    changed = true;
  }
  if (changed) {
    try {
      mkdirSync(datasetsDir(dataDir), { recursive: true });
      const tmp = `${cachePath}.${process.pid}.${Date.now()}.tmp`;
      writeFileSync(
        tmp,
        JSON.stringify({ version: CATALOG_VERSION, sessions: out.filter((e) => !e.recording) } satisfies CatalogFile),
      );
      renameSync(tmp, cachePath);
    } catch {
      // A cache that cannot be written (full or read-only disk) only costs a rescan next time.
    }
  }
  return out;
}

// ---- filters ------------------------------------------------------------------------------

const isoDate = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date or date-time');

/** Episode filters (strict: an unknown key is an error, never silently ignored). */
export const EpisodeFilter = z.strictObject({
  kind: z.enum(['human', 'ai']).optional(),
  /** Sessions started at or after this instant (ISO 8601). */
  from: isoDate.optional(),
  /** Sessions started before this instant (a bare date means the end of that day). */
  to: isoDate.optional(),
  minLength: z.int().min(0).optional(),
  /** Minimum episode return (the Crafter score of the episode). */
  minReturn: z.number().finite().optional(),
  /** Episodes that unlocked every one of these achievements. */
  achievements: z.array(z.enum(ACHIEVEMENTS)).max(ACHIEVEMENTS.length).optional(),
  /** Only these sessions. */
  sessions: z
    .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'invalid session id'))
    .max(10_000)
    .optional(),
  /** At most this many episodes (the earliest first). */
  limit: z.int().min(1).max(1_000_000).optional(),
});
export type EpisodeFilter = z.infer<typeof EpisodeFilter>;

/** Parses a filter object, turning zod's issues into one clear DatasetError. */
export function parseFilter(input: unknown): EpisodeFilter {
  const r = EpisodeFilter.safeParse(input ?? {});
  if (!r.success) {
    const msg = r.error.issues
      .map((i) => {
        if (i.code === 'unrecognized_keys')
          return (
            `unknown filter ${i.keys.map((k) => JSON.stringify(k)).join(', ')} ` +
            `(known: ${Object.keys(EpisodeFilter.shape).join(', ')})`
          );
        return `${i.path.join('.') || 'filter'}: ${i.message}`;
      })
      .join('; ');
    throw new DatasetError('bad_request', `invalid filter: ${msg}`);
  }
  return r.data;
}

/** Query-string filters (`kind=ai&minLength=10&achievements=collect_wood,eat_cow`) → filter. */
export function filterFromQuery(params: URLSearchParams, ignore: readonly string[] = []): EpisodeFilter {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of params) {
    if (ignore.includes(key)) continue;
    if (key in raw) throw new DatasetError('bad_request', `invalid filter: ${JSON.stringify(key)} given twice`);
    switch (key) {
      case 'minLength':
      case 'limit':
        raw[key] = /^-?\d+$/.test(value) ? Number(value) : value;
        break;
      case 'minReturn':
        raw[key] = value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
        break;
      case 'achievements':
      case 'sessions':
        raw[key] = value.split(',').filter((s) => s !== '');
        break;
      default:
        raw[key] = value;
    }
  }
  return parseFilter(raw);
}

function endOf(to: string): number {
  // A bare date (YYYY-MM-DD) includes that whole day.
  return /^\d{4}-\d{2}-\d{2}$/.test(to) ? Date.parse(to) + 86_400_000 : Date.parse(to);
}

/**
 * Episodes that may be exported and match the filter: consented, non-empty, from verified
 * sessions. Sessions named explicitly in the filter must exist and be verified. `live` (for
 * browsing, never for exports) adds the episodes so far of sessions still being recorded.
 */
export function selectEpisodes(
  sessions: readonly SessionEntry[],
  filter: EpisodeFilter,
  options: { live?: boolean } = {},
): CatalogEpisode[] {
  const live = options.live === true;
  if (filter.sessions) {
    const known = new Map(sessions.map((s) => [s.sessionId, s]));
    for (const id of filter.sessions) {
      const s = known.get(id);
      if (!s) throw new DatasetError('not_found', `no session ${JSON.stringify(id)} in the recordings`);
      if (s.recording && !live)
        throw new DatasetError('conflict', `session ${id} is still being recorded; export it when it has ended`);
      if (!s.verified && !s.recording)
        throw new DatasetError('mismatch', `session ${id} cannot be exported: ${s.problem ?? 'not verified'}`);
    }
  }
  const wanted = filter.sessions ? new Set(filter.sessions) : null;
  const from = filter.from !== undefined ? Date.parse(filter.from) : -Infinity;
  const to = filter.to !== undefined ? endOf(filter.to) : Infinity;
  const out: CatalogEpisode[] = [];
  const ordered = [...sessions].sort((a, b) =>
    a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.sessionId < b.sessionId ? -1 : 1,
  );
  for (const s of ordered) {
    if (!s.verified && !(live && s.recording)) continue;
    if (wanted && !wanted.has(s.sessionId)) continue;
    const started = Date.parse(s.startedAt);
    if (!(started >= from && started < to)) continue;
    const eps = [...s.episodes].sort((a, b) => a.startT - b.startT || a.slot - b.slot);
    for (const e of eps) {
      if (!e.consent || e.length <= 0) continue;
      if (filter.kind && e.kind !== filter.kind) continue;
      if (filter.minLength !== undefined && e.length < filter.minLength) continue;
      if (filter.minReturn !== undefined && e.return < filter.minReturn) continue;
      if (filter.achievements && !filter.achievements.every((a) => e.achievements.includes(a))) continue;
      out.push(e);
      if (filter.limit !== undefined && out.length >= filter.limit) return out;
    }
  }
  return out;
}

export interface EpisodeStats {
  episodes: number;
  steps: number;
  human: number;
  ai: number;
  sessions: number;
  meanLength: number;
  meanReturn: number;
  maxReturn: number;
  /** Share of episodes that unlocked each achievement (0..1). */
  achievementRates: Record<string, number>;
  /** Crafter score: geometric mean of (1 + success %) minus 1, in percent. */
  score: number;
}

export function episodeStats(episodes: readonly CatalogEpisode[]): EpisodeStats {
  const n = episodes.length;
  const counts = new Map<string, number>(ACHIEVEMENTS.map((a) => [a, 0]));
  let steps = 0;
  let ret = 0;
  let maxReturn = n > 0 ? -Infinity : 0;
  let human = 0;
  const sessions = new Set<string>();
  for (const e of episodes) {
    steps += e.length;
    ret += e.return;
    maxReturn = Math.max(maxReturn, e.return);
    if (e.kind === 'human') human++;
    sessions.add(e.sessionId);
    for (const a of e.achievements) counts.set(a, (counts.get(a) ?? 0) + 1);
  }
  const achievementRates: Record<string, number> = {};
  let logSum = 0;
  for (const a of ACHIEVEMENTS) {
    const rate = n > 0 ? (counts.get(a) ?? 0) / n : 0;
    achievementRates[a] = rate;
    logSum += Math.log(1 + 100 * rate);
  }
  return {
    episodes: n,
    steps,
    human,
    ai: n - human,
    sessions: sessions.size,
    meanLength: n > 0 ? steps / n : 0,
    meanReturn: n > 0 ? ret / n : 0,
    maxReturn,
    achievementRates,
    score: n > 0 ? Math.exp(logSum / ACHIEVEMENTS.length) - 1 : 0,
  };
}

/** Public view of a catalog episode (the pid is replaced; consent is implied). */
export function publicEpisode(e: CatalogEpisode) {
  return {
    id: e.id,
    session: e.sessionId,
    slot: e.slot,
    kind: e.kind,
    startedAt: e.startedAt,
    beganAt: e.beganAt,
    live: e.live === true,
    startT: e.startT,
    endT: e.endT,
    length: e.length,
    return: e.return,
    achievements: e.achievements,
    endReason: e.endReason,
  };
}
