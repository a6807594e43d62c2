import pg from 'pg';
import type { EpisodeSummary } from '../episodes.ts';
import type { EpisodeIndex, FinishedSession, NewSession } from './episode-index.ts';
import { type EpisodeRow, episodeKey, episodeParams, type SessionRow, type SessionStatus } from './store.ts';
import { redactedUrl } from './redacted-url.ts';

// The SQLite index's tables with PostgreSQL types; rows read back with the same shapes (BIGINT
// as a JS number: seeds stay below 2^53; text ordered bytewise, as SQLite does). "return" is a
// reserved word here.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  lobby_id TEXT NOT NULL,
  path TEXT NOT NULL,
  seed BIGINT NOT NULL,
  engine_version TEXT NOT NULL,
  config TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('recording', 'complete', 'incomplete')),
  ticks BIGINT NOT NULL DEFAULT 0,
  verified INTEGER,
  note TEXT
);
CREATE TABLE IF NOT EXISTS episodes (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  slot INTEGER NOT NULL,
  player TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('human', 'ai')),
  episode INTEGER NOT NULL,
  start_t BIGINT NOT NULL,
  end_t BIGINT NOT NULL,
  length BIGINT NOT NULL,
  "return" DOUBLE PRECISION NOT NULL,
  achievements TEXT NOT NULL,
  end_reason TEXT NOT NULL,
  consent INTEGER NOT NULL,
  protected_steps BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS episodes_session ON episodes(session_id);
CREATE INDEX IF NOT EXISTS episodes_player ON episodes(player);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta (key, value) VALUES ('schema_version', '1') ON CONFLICT (key) DO NOTHING;
`;

/** Serialises schema creation between relay processes starting at once (CREATE … IF NOT EXISTS races). */
const SCHEMA_LOCK = 0x61696b6f; // 'aiko'

const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

const INSERT_EPISODE = `INSERT INTO episodes (session_id, slot, player, kind, episode, start_t, end_t, length, "return",
    achievements, end_reason, consent, protected_steps)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`;

function episodeValues(sessionId: string, ep: EpisodeSummary): unknown[] {
  const p = episodeParams(sessionId, ep);
  return [
    p.session_id,
    p.slot,
    p.player,
    p.kind,
    p.episode,
    p.start_t,
    p.end_t,
    p.length,
    p.return,
    p.achievements,
    p.end_reason,
    p.consent,
    p.protected_steps,
  ];
}

/**
 * The episode index in PostgreSQL (`DATABASE_URL`). One connection, and every call queued behind
 * the previous one, so writes the relay issues without awaiting land in order (a session's row
 * before its episodes) and a read sees them. A dropped connection is replaced on the next call.
 */
export class PgEpisodeIndex implements EpisodeIndex {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    readonly where: string,
  ) {}

  static async open(url: string): Promise<PgEpisodeIndex> {
    const where = redactedUrl(url);
    const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 10_000, types });
    // An idle connection that drops (server restart) is discarded by the pool; the next call reconnects.
    pool.on('error', () => {});
    const index = new PgEpisodeIndex(pool, where);
    try {
      await index.transaction(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
        await c.query(SCHEMA);
      });
    } catch (err) {
      await pool.end().catch(() => {});
      throw new Error(`cannot open the episode index in PostgreSQL at ${where}: ${(err as Error).message}`);
    }
    return index;
  }

  /** Runs `op` after every call made before it, whether that one succeeded or not. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`the episode index at ${this.where} is closed`));
    const run = this.tail.then(op, op);
    this.tail = run.catch(() => {});
    return run;
  }

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    return (await this.serial(() => this.pool.query<R>(text, values))).rows;
  }

  private transaction(body: (c: pg.PoolClient) => Promise<void>): Promise<void> {
    return this.serial(async () => {
      const c = await this.pool.connect();
      try {
        await c.query('BEGIN');
        await body(c);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        c.release();
      }
    });
  }

  async insertSession(row: NewSession): Promise<void> {
    await this.query(
      `INSERT INTO sessions (id, lobby_id, path, seed, engine_version, config, started_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'recording')`,
      [row.id, row.lobby_id, row.path, row.seed, row.engine_version, row.config, row.started_at],
    );
  }

  async finishSession(id: string, fields: FinishedSession): Promise<void> {
    const verified = fields.verified === undefined || fields.verified === null ? null : fields.verified ? 1 : 0;
    await this.query(
      `UPDATE sessions SET status = $2, ended_at = $3, ticks = $4, verified = $5, note = $6 WHERE id = $1`,
      [id, fields.status, fields.endedAt, fields.ticks, verified, fields.note ?? null],
    );
  }

  async insertEpisode(sessionId: string, ep: EpisodeSummary): Promise<void> {
    await this.query(INSERT_EPISODE, episodeValues(sessionId, ep));
  }

  addMissingEpisodes(sessionId: string, episodes: readonly EpisodeSummary[]): Promise<void> {
    return this.transaction(async (c) => {
      const rows = (await c.query<EpisodeRow>('SELECT slot, start_t FROM episodes WHERE session_id = $1', [sessionId]))
        .rows;
      const known = new Set(rows.map((e) => episodeKey(e.slot, e.start_t)));
      for (const ep of episodes)
        if (!known.has(episodeKey(ep.slot, ep.startT))) await c.query(INSERT_EPISODE, episodeValues(sessionId, ep));
    });
  }

  replaceEpisodes(sessionId: string, episodes: readonly EpisodeSummary[]): Promise<void> {
    return this.transaction(async (c) => {
      await c.query('DELETE FROM episodes WHERE session_id = $1', [sessionId]);
      for (const ep of episodes) await c.query(INSERT_EPISODE, episodeValues(sessionId, ep));
    });
  }

  async session(id: string): Promise<SessionRow | undefined> {
    return (await this.query<SessionRow>('SELECT * FROM sessions WHERE id = $1', [id]))[0];
  }

  sessions(status?: SessionStatus): Promise<SessionRow[]> {
    return status
      ? this.query<SessionRow>(
          'SELECT * FROM sessions WHERE status = $1 ORDER BY started_at COLLATE "C", id COLLATE "C"',
          [status],
        )
      : this.query<SessionRow>('SELECT * FROM sessions ORDER BY started_at COLLATE "C", id COLLATE "C"');
  }

  episodes(sessionId: string): Promise<EpisodeRow[]> {
    return this.query<EpisodeRow>('SELECT * FROM episodes WHERE session_id = $1 ORDER BY id', [sessionId]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const pending = this.tail;
    this.closed = true;
    await pending;
    await this.pool.end();
  }
}
