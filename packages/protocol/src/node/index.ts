/**
 * `@aikon/protocol/node`: the Node-only half of the recording format (file system, the episode
 * index in SQLite or PostgreSQL).
 * The relay records live lobbies with it and `dataset generate` (@aikon/datasets) records
 * headless sessions with it, so both write the same logs and the same episode index.
 * Never import this from browser code: `@aikon/protocol` and `@aikon/protocol/client` stay
 * free of `node:fs`, `better-sqlite3` and `pg`.
 */
export {
  indexPath,
  type Lease,
  LEASE_SUFFIX,
  leasePath,
  listLogs,
  logFence,
  LogFencedError,
  logHolder,
  LOG_SUFFIX,
  logPath,
  readLogFile,
  recordingsDir,
  releaseStaleLease,
  repairLogFile,
  SessionRecorder,
  takeOverLog,
  type ReadLog,
  type RecorderOptions,
} from './recorder.ts';
export {
  type EpisodeIndex,
  type FinishedSession,
  indexedRecordings,
  type NewSession,
  openEpisodeIndex,
  SqliteEpisodeIndex,
} from './episode-index.ts';
export {
  type IndexedSession,
  readIndexedSession,
  RecordingStore,
  type EpisodeRow,
  type SessionRow,
  type SessionStatus,
} from './store.ts';
export { redactedUrl } from './redacted-url.ts';
