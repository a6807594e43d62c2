import { basename } from 'node:path';
import { replayRecords, type ReplayReport } from '@aikon/protocol';
import {
  LOG_SUFFIX,
  listLogs,
  logHolder,
  type EpisodeIndex,
  releaseStaleLease,
  repairLogFile,
} from '@aikon/protocol/node';

export interface RecoveredSession {
  sessionId: string;
  path: string;
  cutBytes: number;
  ticks: number;
  verified: boolean;
  episodes: number;
  error?: string;
}

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * After a crash: every session still marked 'recording' (and every log the index does not
 * know) gets its torn tail cut at the last complete record, is replayed with the engine to
 * verify the recorded hashes and rebuild its episodes (the open ones end with 'crash'), and
 * is marked 'incomplete', and its recorder's stale lease is removed. A log whose lease names a
 * live process (e.g. `dataset generate` running beside the relay) is still being recorded and
 * is left alone, and so is every session in `keep` (lobbies that another relay process owns or
 * is about to take over: cluster.ts).
 */
export async function recoverSessions(
  store: EpisodeIndex,
  dataDir: string,
  log?: Logger,
  keep: ReadonlySet<string> = new Set(),
): Promise<RecoveredSession[]> {
  const out: RecoveredSession[] = [];
  const pending = new Map<string, string>();
  for (const row of await store.sessions('recording')) pending.set(row.id, row.path);
  for (const path of listLogs(dataDir)) {
    const id = basename(path, LOG_SUFFIX);
    if (!(await store.session(id))) pending.set(id, path);
  }
  for (const [sessionId, path] of pending) {
    if (keep.has(sessionId) || logHolder(path)) continue;
    let cutBytes = 0;
    let report: ReplayReport | undefined;
    let error: string | undefined;
    try {
      const repaired = repairLogFile(path);
      cutBytes = repaired.cutBytes;
      report = replayRecords(repaired.records);
      if (report.error) error = report.error;
      if (!(await store.session(sessionId))) {
        const h = report.header;
        await store.insertSession({
          id: sessionId,
          lobby_id: h.lobbyId,
          path,
          seed: h.seed,
          engine_version: h.engineVersion,
          config: JSON.stringify(h.config),
          started_at: h.startedAt,
        });
      }
      await store.replaceEpisodes(sessionId, report.episodes);
    } catch (err) {
      error = (err as Error).message;
    }
    releaseStaleLease(path);
    const verified = report?.ok === true;
    if (await store.session(sessionId)) {
      await store.finishSession(sessionId, {
        status: report?.complete ? 'complete' : 'incomplete',
        endedAt: report?.end?.endedAt ?? null,
        ticks: report?.ticks ?? 0,
        verified: report ? verified : null,
        note:
          [cutBytes > 0 ? `torn tail of ${cutBytes} bytes cut` : null, error ?? null].filter(Boolean).join('; ') ||
          null,
      });
    }
    const entry: RecoveredSession = {
      sessionId,
      path,
      cutBytes,
      ticks: report?.ticks ?? 0,
      verified,
      episodes: report?.episodes.length ?? 0,
      error,
    };
    if (error) log?.warn(entry, 'recovered session log with errors');
    else log?.info(entry, 'recovered session log');
    out.push(entry);
  }
  return out;
}
