import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeLog, encodeRecord, LOG_MAGIC, type LogRecord } from '@aikon/protocol';
import type { SessionEntry } from '../catalog.ts';
import { DatasetError, LOG_SUFFIX, logPathFor } from '../layout.ts';
import type { Pseudonymizer } from '../pseudonym.ts';

/**
 * Copies session logs for exact re-simulation, re-encoded record by record with the same
 * framing: only the identifiers change (session id, lobby id and member pids become the
 * dataset's pseudonyms); seeds, joins, ticks and state hashes are untouched, so the copy
 * replays and verifies exactly like the original. A torn tail is cut.
 */
export function writeReplayLog(
  dataDir: string,
  session: SessionEntry,
  outDir: string,
  pseudo: Pseudonymizer,
): { file: string; bytes: number; records: number } {
  const bytes = readFileSync(logPathFor(dataDir, session.sessionId));
  const decoded = decodeLog(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const parts: Uint8Array[] = [LOG_MAGIC];
  const newId = pseudo.session(session.sessionId);
  for (const rec of decoded.records) {
    let r: LogRecord = rec;
    if (rec.k === 'session') r = { ...rec, sessionId: newId, lobbyId: pseudo.lobby(rec.lobbyId) };
    else if (rec.k === 'join') r = { ...rec, pid: pseudo.player(rec.pid) };
    parts.push(encodeRecord(r));
  }
  if (decoded.records.length === 0)
    throw new DatasetError('corrupt', `session ${session.sessionId}: the log holds no records`);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  mkdirSync(outDir, { recursive: true });
  const file = `${newId}${LOG_SUFFIX}`;
  writeFileSync(join(outDir, file), out, { flag: 'wx' });
  return { file, bytes: total, records: decoded.records.length };
}
