import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';

/**
 * Data-directory layout, shared with the relay server:
 *
 *   <dataDir>/recordings/<sessionId>.aklog     session logs (@aikon/protocol/node SessionRecorder:
 *                                              the relay or `dataset generate`)
 *   <dataDir>/index.sqlite                     the episode index (@aikon/protocol/node RecordingStore),
 *                                              written by the relay and by `generate`; not read here:
 *                                              the logs are the source of truth
 *   <dataDir>/datasets/catalog.json            this package's cache of replayed episode summaries
 *   <dataDir>/datasets/secret.key              per-installation key for pseudonyms (never exported)
 *   <dataDir>/exports/<key>.tar                finished exports, named by content hash (the relay creates exports/)
 *   <dataDir>/exports/<key>.json               their manifests
 *   <dataDir>/datasets/tmp/                    work in progress (removed on failure)
 */
export const LOG_SUFFIX = '.aklog';

export function recordingsDir(dataDir: string): string {
  return join(dataDir, 'recordings');
}
export function datasetsDir(dataDir: string): string {
  return join(dataDir, 'datasets');
}
export function exportsDir(dataDir: string): string {
  return join(dataDir, 'exports');
}
export function tmpDir(dataDir: string): string {
  return join(datasetsDir(dataDir), 'tmp');
}

/** Session ids as the relay writes them (`20261125T123456-lobbyid`): a safe file-name stem. */
export const SESSION_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function isSafeSessionId(id: string): boolean {
  return SESSION_ID_RE.test(id) && !id.includes('..');
}

export function logPathFor(dataDir: string, sessionId: string): string {
  if (!isSafeSessionId(sessionId))
    throw new DatasetError('bad_request', `invalid session id ${JSON.stringify(sessionId)}`);
  return join(recordingsDir(dataDir), `${sessionId}${LOG_SUFFIX}`);
}

/** Joins `name` under `dir`, refusing anything that would leave `dir`. */
export function safeJoin(dir: string, name: string): string {
  const full = resolve(dir, name);
  const rel = relative(resolve(dir), full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
    throw new DatasetError('bad_request', `path ${JSON.stringify(name)} leaves its directory`);
  return full;
}

/**
 * A message fit for a client: the server's own directories (the data directory, the working
 * directory, the temp directory) are replaced by placeholders, so errors do not reveal the layout
 * of the machine.
 */
export function redactPaths(message: string, dataDir: string): string {
  const dirs: [string, string][] = [
    [resolve(dataDir), '<data-dir>'],
    [process.cwd(), '<server>'],
    [tmpdir(), '<tmp>'],
  ];
  let out = message;
  // Longest first: the data directory usually lies inside the working directory.
  for (const [dir, label] of dirs.sort((a, b) => b[0].length - a[0].length)) {
    if (dir.length > 1) out = out.split(dir).join(label);
  }
  return out;
}

export type DatasetErrorCode = 'bad_request' | 'not_found' | 'empty' | 'mismatch' | 'corrupt' | 'io' | 'conflict';

/** An error with a stable code the HTTP API maps to a status (400, 404, 422, 500, 409). */
export class DatasetError extends Error {
  constructor(
    readonly code: DatasetErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

/**
 * This package's version: part of every export's content key
 * (2: per-step brains, Minari infos/brain and Parquet brain).
 */
export const EXPORTER_VERSION = '2';
