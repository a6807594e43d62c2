import type { EpisodeSummary } from '../episodes.ts';
import { indexPath } from './recorder.ts';
import { type EpisodeRow, type IndexedSession, RecordingStore, type SessionRow, type SessionStatus } from './store.ts';

export type NewSession = Pick<
  SessionRow,
  'id' | 'lobby_id' | 'path' | 'seed' | 'engine_version' | 'config' | 'started_at'
>;

export interface FinishedSession {
  status: SessionStatus;
  endedAt: string | null;
  ticks: number;
  verified?: boolean | null;
  note?: string | null;
}

/**
 * The index of recorded sessions and their per-player episodes: embedded SQLite by default
 * (`SqliteEpisodeIndex`), PostgreSQL when the relay is given a `DATABASE_URL` (`PgEpisodeIndex`).
 * Both take effect in call order: a write issued without awaiting lands before any later call,
 * and a read sees every write called before it.
 */
export interface EpisodeIndex {
  /** Where it lives, for logs (a PostgreSQL URL without its password). */
  readonly where: string;
  /** A new session, status 'recording'. */
  insertSession(row: NewSession): Promise<void>;
  finishSession(id: string, fields: FinishedSession): Promise<void>;
  insertEpisode(sessionId: string, ep: EpisodeSummary): Promise<void>;
  /** Adds the episodes the index does not hold yet (same slot and start tick), atomically. */
  addMissingEpisodes(sessionId: string, episodes: readonly EpisodeSummary[]): Promise<void>;
  /** Replaces a session's episodes (after a replay rebuilt them), atomically. */
  replaceEpisodes(sessionId: string, episodes: readonly EpisodeSummary[]): Promise<void>;
  session(id: string): Promise<SessionRow | undefined>;
  /** By start time (then id). */
  sessions(status?: SessionStatus): Promise<SessionRow[]>;
  /** In insertion order. */
  episodes(sessionId: string): Promise<EpisodeRow[]>;
  /** After every write called before it has landed. */
  close(): Promise<void>;
}

/** The embedded `RecordingStore` as an `EpisodeIndex` (its synchronous calls, settled). */
export class SqliteEpisodeIndex implements EpisodeIndex {
  readonly where: string;
  constructor(readonly store: RecordingStore) {
    this.where = store.db.name;
  }
  async insertSession(row: NewSession): Promise<void> {
    this.store.insertSession(row);
  }
  async finishSession(id: string, fields: FinishedSession): Promise<void> {
    this.store.finishSession(id, fields);
  }
  async insertEpisode(sessionId: string, ep: EpisodeSummary): Promise<void> {
    this.store.insertEpisode(sessionId, ep);
  }
  async addMissingEpisodes(sessionId: string, episodes: readonly EpisodeSummary[]): Promise<void> {
    this.store.addMissingEpisodes(sessionId, episodes);
  }
  async replaceEpisodes(sessionId: string, episodes: readonly EpisodeSummary[]): Promise<void> {
    this.store.replaceEpisodes(sessionId, episodes);
  }
  async session(id: string): Promise<SessionRow | undefined> {
    return this.store.session(id);
  }
  async sessions(status?: SessionStatus): Promise<SessionRow[]> {
    return this.store.sessions(status);
  }
  async episodes(sessionId: string): Promise<EpisodeRow[]> {
    return this.store.episodes(sessionId);
  }
  async close(): Promise<void> {
    this.store.close();
  }
}

/**
 * The data directory's index: in PostgreSQL when `databaseUrl` is given (its tables are created
 * when missing), else `<dataDir>/index.sqlite`.
 */
export async function openEpisodeIndex(options: {
  dataDir: string;
  databaseUrl?: string | null;
}): Promise<EpisodeIndex> {
  if (options.databaseUrl) {
    const { PgEpisodeIndex } = await import('./pg-index.ts');
    return PgEpisodeIndex.open(options.databaseUrl);
  }
  return new SqliteEpisodeIndex(new RecordingStore(indexPath(options.dataDir)));
}

/** Every session the index marks 'recording', with its episodes so far, by id. */
export async function indexedRecordings(index: EpisodeIndex): Promise<Map<string, IndexedSession>> {
  const out = new Map<string, IndexedSession>();
  for (const session of await index.sessions('recording'))
    out.set(session.id, { session, episodes: await index.episodes(session.id) });
  return out;
}
