import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EpisodeSummary } from '../episodes.ts';

export type SessionStatus = 'recording' | 'complete' | 'incomplete';

export interface SessionRow {
  id: string;
  lobby_id: string;
  path: string;
  seed: number;
  engine_version: string;
  config: string;
  started_at: string;
  ended_at: string | null;
  status: SessionStatus;
  ticks: number;
  /** 1 = replay matched every hash, 0 = mismatch, null = not verified. */
  verified: number | null;
  note: string | null;
}

export interface EpisodeRow {
  id: number;
  session_id: string;
  slot: number;
  player: string;
  kind: 'human' | 'ai';
  episode: number;
  start_t: number;
  end_t: number;
  length: number;
  return: number;
  achievements: string;
  end_reason: string;
  consent: number;
  /** Steps taken under spawn protection (no damage). */
  protected_steps: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  lobby_id TEXT NOT NULL,
  path TEXT NOT NULL,
  seed INTEGER NOT NULL,
  engine_version TEXT NOT NULL,
  config TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('recording', 'complete', 'incomplete')),
  ticks INTEGER NOT NULL DEFAULT 0,
  verified INTEGER,
  note TEXT
);
CREATE TABLE IF NOT EXISTS episodes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  slot INTEGER NOT NULL,
  player TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('human', 'ai')),
  episode INTEGER NOT NULL,
  start_t INTEGER NOT NULL,
  end_t INTEGER NOT NULL,
  length INTEGER NOT NULL,
  return REAL NOT NULL,
  achievements TEXT NOT NULL,
  end_reason TEXT NOT NULL,
  consent INTEGER NOT NULL,
  protected_steps INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS episodes_session ON episodes(session_id);
CREATE INDEX IF NOT EXISTS episodes_player ON episodes(player);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '1');
`;

/**
 * The embedded index of sessions and per-player episodes (SQLite, WAL), synchronous. The relay
 * uses it through `SqliteEpisodeIndex` (the `EpisodeIndex` it shares with PostgreSQL); offline
 * tools (`dataset generate`) write it directly.
 */
export class RecordingStore {
  readonly db: Database.Database;
  private readonly stmts;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
    // Indexes created before spawn protection existed gain the column (their episodes had none).
    const columns = this.db.prepare(`PRAGMA table_info(episodes)`).all() as { name: string }[];
    if (!columns.some((c) => c.name === 'protected_steps')) {
      this.db.exec(`ALTER TABLE episodes ADD COLUMN protected_steps INTEGER NOT NULL DEFAULT 0`);
    }
    this.stmts = {
      insertSession: this.db.prepare(
        `INSERT INTO sessions (id, lobby_id, path, seed, engine_version, config, started_at, status)
         VALUES (@id, @lobby_id, @path, @seed, @engine_version, @config, @started_at, 'recording')`,
      ),
      finishSession: this.db.prepare(
        'UPDATE sessions SET status = @status, ended_at = @ended_at, ' +
          'ticks = @ticks, verified = @verified, note = @note WHERE id = @id',
      ),
      insertEpisode: this.db.prepare(
        `INSERT INTO episodes (session_id, slot, player, kind, episode, start_t, end_t, length, return, achievements,
           end_reason, consent, protected_steps)
         VALUES (@session_id, @slot, @player, @kind, @episode, @start_t, @end_t, @length, @return, @achievements,
           @end_reason, @consent, @protected_steps)`,
      ),
      deleteEpisodes: this.db.prepare(`DELETE FROM episodes WHERE session_id = ?`),
      session: this.db.prepare(`SELECT * FROM sessions WHERE id = ?`),
      sessionsByStatus: this.db.prepare(`SELECT * FROM sessions WHERE status = ? ORDER BY started_at, id`),
      sessions: this.db.prepare(`SELECT * FROM sessions ORDER BY started_at, id`),
      episodes: this.db.prepare(`SELECT * FROM episodes WHERE session_id = ? ORDER BY id`),
    };
  }

  insertSession(
    row: Pick<SessionRow, 'id' | 'lobby_id' | 'path' | 'seed' | 'engine_version' | 'config' | 'started_at'>,
  ): void {
    this.stmts.insertSession.run(row);
  }

  finishSession(
    id: string,
    fields: {
      status: SessionStatus;
      endedAt: string | null;
      ticks: number;
      verified?: boolean | null;
      note?: string | null;
    },
  ): void {
    this.stmts.finishSession.run({
      id,
      status: fields.status,
      ended_at: fields.endedAt,
      ticks: fields.ticks,
      verified: fields.verified === undefined || fields.verified === null ? null : fields.verified ? 1 : 0,
      note: fields.note ?? null,
    });
  }

  insertEpisode(sessionId: string, ep: EpisodeSummary): void {
    this.stmts.insertEpisode.run(episodeParams(sessionId, ep));
  }

  /** Adds the episodes the index does not hold yet (same slot and start tick), in one transaction. */
  addMissingEpisodes(sessionId: string, episodes: readonly EpisodeSummary[]): void {
    this.db.transaction(() => {
      const known = new Set(this.episodes(sessionId).map((e) => episodeKey(e.slot, e.start_t)));
      for (const ep of episodes)
        if (!known.has(episodeKey(ep.slot, ep.startT))) this.stmts.insertEpisode.run(episodeParams(sessionId, ep));
    })();
  }

  /** Replaces a session's episodes (after a replay rebuilt them). */
  replaceEpisodes(sessionId: string, episodes: readonly EpisodeSummary[]): void {
    this.db.transaction(() => {
      this.stmts.deleteEpisodes.run(sessionId);
      for (const ep of episodes) this.stmts.insertEpisode.run(episodeParams(sessionId, ep));
    })();
  }

  session(id: string): SessionRow | undefined {
    return this.stmts.session.get(id) as SessionRow | undefined;
  }
  sessions(status?: SessionStatus): SessionRow[] {
    return (status ? this.stmts.sessionsByStatus.all(status) : this.stmts.sessions.all()) as SessionRow[];
  }
  episodes(sessionId: string): EpisodeRow[] {
    return this.stmts.episodes.all(sessionId) as EpisodeRow[];
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** A session's row and its episodes so far, as the catalog lists a session still being recorded. */
export interface IndexedSession {
  session: SessionRow;
  episodes: EpisodeRow[];
}

/**
 * One session's row and its episodes so far, read from an index without writing to it (the
 * dataset API lists a session still being recorded from here: its log is not replayed while
 * it grows). Null when the index or the session is not there.
 */
export function readIndexedSession(indexFile: string, sessionId: string): IndexedSession | null {
  let db: Database.Database;
  try {
    db = new Database(indexFile, { readonly: true, fileMustExist: true });
  } catch {
    return null;
  }
  try {
    const session = db.prepare(`SELECT * FROM sessions WHERE id = ?`).get(sessionId) as SessionRow | undefined;
    if (!session) return null;
    const episodes = db.prepare(`SELECT * FROM episodes WHERE session_id = ? ORDER BY id`).all(sessionId);
    return { session, episodes: episodes as EpisodeRow[] };
  } catch {
    // An index from before the schema (or one being created this instant): nothing to read.
    return null;
  } finally {
    db.close();
  }
}

/** What identifies an episode within its session (a member's life starts once per tick). */
export function episodeKey(slot: number, startT: number): string {
  return `${slot}:${startT}`;
}

/** The row an episode summary becomes (both index implementations store the same columns). */
export function episodeParams(sessionId: string, ep: EpisodeSummary) {
  return {
    session_id: sessionId,
    slot: ep.slot,
    player: ep.pid,
    kind: ep.kind,
    episode: ep.episode,
    start_t: ep.startT,
    end_t: ep.endT,
    length: ep.length,
    return: ep.return,
    achievements: JSON.stringify(ep.achievements),
    end_reason: ep.endReason,
    consent: ep.consent ? 1 : 0,
    protected_steps: ep.protectedSteps,
  };
}
