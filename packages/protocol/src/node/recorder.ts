import {
  close as closeAsync,
  closeSync,
  fdatasync,
  fsync,
  open as openAsync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import {
  decodeLog,
  type DecodedLog,
  encodeRecord,
  LOG_MAGIC,
  type LogRecord,
  type SessionRecord,
} from '../recording.ts';

export const LOG_SUFFIX = '.aklog';

export function recordingsDir(dataDir: string): string {
  return join(dataDir, 'recordings');
}

export function logPath(dataDir: string, sessionId: string): string {
  return join(recordingsDir(dataDir), `${sessionId}${LOG_SUFFIX}`);
}

/** The SQLite episode index of a data directory (see `RecordingStore`). */
export function indexPath(dataDir: string): string {
  return join(dataDir, 'index.sqlite');
}

/**
 * The lease of a log being recorded: `<log>.live`, written when the recorder opens the log and
 * removed when it closes it. A log is being recorded exactly when its lease names a process
 * that is alive, so readers (the dataset catalog, crash recovery) never guess from file ages:
 * after a kill -9 the lease names a dead process and the log counts as ended at once.
 */
export const LEASE_SUFFIX = '.live';
const LEASE_VERSION = 1;
const Lease = z.object({ v: z.literal(LEASE_VERSION), pid: z.int().positive(), host: z.string(), since: z.string() });
export type Lease = z.infer<typeof Lease>;

export function leasePath(logFile: string): string {
  return `${logFile}${LEASE_SUFFIX}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The live holder of a log, or null when nobody records it (no lease, an unreadable lease, or
 * one whose process is gone). A lease from another host cannot be checked and counts as held.
 */
export function logHolder(logFile: string): Lease | null {
  let lease: Lease;
  try {
    const parsed = Lease.safeParse(JSON.parse(readFileSync(leasePath(logFile), 'utf8')));
    if (!parsed.success) return null;
    lease = parsed.data;
  } catch {
    return null;
  }
  if (lease.host !== hostname()) return lease;
  return lease.pid === process.pid || processAlive(lease.pid) ? lease : null;
}

/** Removes a lease whose holder is gone (crash recovery); a live holder's lease is kept. */
export function releaseStaleLease(logFile: string): boolean {
  if (logHolder(logFile)) return false;
  rmSync(leasePath(logFile), { force: true });
  return true;
}

function takeLease(logFile: string): void {
  const lease: Lease = { v: LEASE_VERSION, pid: process.pid, host: hostname(), since: new Date().toISOString() };
  writeFileSync(leasePath(logFile), JSON.stringify(lease));
}

function dropLease(logFile: string): void {
  try {
    rmSync(leasePath(logFile), { force: true });
  } catch {
    // A lease that cannot be removed names this process: it reads as stale once we exit.
  }
}

export interface RecorderOptions {
  /** fdatasync period while there are unsynced bytes (10..1000 ms; default 500). */
  fsyncMs?: number;
  /**
   * Bytes gathered in memory before one write (default 0: every record is written at once, as the
   * relay wants). Offline writers (`dataset generate`) batch; `flush` and `close` write the rest.
   */
  bufferBytes?: number;
  onError?: (err: Error) => void;
  onBytes?: (n: number) => void;
}

/** Makes a new directory entry durable, off the event loop (errors ignored: some file systems refuse). */
function fsyncDirAsync(dir: string): void {
  openAsync(dir, 'r', (err, fd) => {
    if (err) return;
    fsync(fd, () => closeAsync(fd, () => {}));
  });
}

/**
 * Append-only writer of one session log, used by the relay for live lobbies and by
 * `dataset generate` (@aikon/datasets) for headless sessions. Every record is written to the
 * file as soon as it is appended (so a killed process loses nothing the kernel has; unless
 * `bufferBytes` is set), and the file is flushed to stable storage (fdatasync) every `fsyncMs`
 * (≤ 1 s) while there are unsynced bytes.
 */
export class SessionRecorder {
  readonly path: string;
  bytes = 0;
  records = 0;
  failed: Error | null = null;
  private fd: number;
  private dirty = false;
  private syncing = false;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private readonly bufferBytes: number;
  private buffered: Uint8Array[] = [];
  private pending = 0;

  private constructor(
    path: string,
    fd: number,
    fsyncMs: number,
    private readonly onError: (err: Error) => void,
    private readonly onBytes: (n: number) => void,
    bufferBytes: number,
  ) {
    this.path = path;
    this.fd = fd;
    this.bufferBytes = Math.max(0, Math.floor(bufferBytes));
    this.timer = setInterval(() => this.syncAsync(), Math.min(1000, Math.max(10, fsyncMs)));
    this.timer.unref();
  }

  /**
   * Creates the log (exclusively) and writes the magic and the header. The file and its directory
   * entry are synced asynchronously (never blocking the ticks of other lobbies).
   */
  static create(dataDir: string, header: SessionRecord, options: RecorderOptions = {}): SessionRecorder {
    const dir = recordingsDir(dataDir);
    mkdirSync(dir, { recursive: true });
    const path = logPath(dataDir, header.sessionId);
    const fd = openSync(path, 'wx');
    takeLease(path);
    const rec = new SessionRecorder(
      path,
      fd,
      options.fsyncMs ?? 500,
      options.onError ?? (() => {}),
      options.onBytes ?? (() => {}),
      options.bufferBytes ?? 0,
    );
    rec.write(LOG_MAGIC);
    rec.append(header);
    rec.syncAsync();
    fsyncDirAsync(dir);
    return rec;
  }

  /**
   * Reopens an existing log to append to it (a relay continuing a session after a restart; the
   * caller has cut any torn tail and replayed it). Takes the lease again.
   */
  static reopen(path: string, options: RecorderOptions = {}): SessionRecorder {
    const fd = openSync(path, 'a');
    takeLease(path);
    const rec = new SessionRecorder(
      path,
      fd,
      options.fsyncMs ?? 500,
      options.onError ?? (() => {}),
      options.onBytes ?? (() => {}),
      options.bufferBytes ?? 0,
    );
    rec.bytes = fstatSync(fd).size;
    return rec;
  }

  append(record: LogRecord): void {
    this.write(encodeRecord(record));
    this.records++;
  }

  private write(bytes: Uint8Array): void {
    if (this.closed || this.failed) return;
    if (this.bufferBytes > 0) {
      this.buffered.push(bytes);
      this.pending += bytes.length;
      if (this.pending >= this.bufferBytes) this.drain();
      return;
    }
    this.writeNow(bytes);
  }

  /** Writes the gathered records (buffered mode) in one call. */
  private drain(): void {
    if (this.pending === 0) return;
    const all = new Uint8Array(this.pending);
    let o = 0;
    for (const c of this.buffered) {
      all.set(c, o);
      o += c.length;
    }
    this.buffered = [];
    this.pending = 0;
    this.writeNow(all);
  }

  private writeNow(bytes: Uint8Array): void {
    if (this.closed || this.failed) return;
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
      this.bytes += bytes.length;
      this.dirty = true;
      this.onBytes(bytes.length);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private fail(err: Error): void {
    if (!this.failed) {
      this.failed = err;
      this.onError(err);
    }
  }

  syncAsync(): void {
    this.drain();
    if (!this.dirty || this.syncing || this.closed) return;
    this.dirty = false;
    this.syncing = true;
    fdatasync(this.fd, (err) => {
      this.syncing = false;
      if (err) {
        this.recordSyncError(err);
      }
    });
  }

  private recordSyncError(err: Error): void {
    if (!this.closed) this.fail(err);
  }

  /** Synchronous flush to stable storage. */
  flush(): void {
    if (this.closed) return;
    this.drain();
    if (!this.dirty) return;
    this.dirty = false;
    try {
      fdatasyncSync(this.fd);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /**
   * Closes the log. By default the last bytes are synced and the file closed asynchronously
   * (`onDone` after both); `sync: true` does it before returning (shutdown).
   */
  close(options: { sync?: boolean; onDone?: (err: Error | null) => void } = {}): void {
    if (this.closed) return;
    clearInterval(this.timer);
    this.drain();
    if (options.sync) {
      this.flush();
      this.closed = true;
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      dropLease(this.path);
      options.onDone?.(this.failed);
      return;
    }
    this.closed = true;
    const fd = this.fd;
    const finish = () =>
      closeAsync(fd, () => {
        dropLease(this.path);
        options.onDone?.(this.failed);
      });
    const attempt = () => {
      // Never close the descriptor under a periodic sync that is still running.
      if (this.syncing) {
        setTimeout(attempt, 5);
        return;
      }
      fdatasync(fd, (err) => {
        if (err && !this.failed) this.fail(err);
        finish();
      });
    };
    attempt();
  }
}

export interface ReadLog extends DecodedLog {
  path: string;
  size: number;
}

/** Reads and decodes a log file (never modifies it). */
export function readLogFile(path: string): ReadLog {
  const bytes = readFileSync(path);
  const decoded = decodeLog(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { ...decoded, path, size: bytes.length };
}

/** Cuts a torn tail off a log file at the last complete record (and syncs). Returns the decoded log. */
export function repairLogFile(path: string): ReadLog & { cutBytes: number } {
  const log = readLogFile(path);
  let cutBytes = 0;
  if (log.torn) {
    cutBytes = log.size - log.validBytes;
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, log.validBytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return { ...log, cutBytes };
}

/** Paths of every session log in the data directory. */
export function listLogs(dataDir: string): string[] {
  try {
    return readdirSync(recordingsDir(dataDir))
      .filter((f) => f.endsWith(LOG_SUFFIX))
      .sort()
      .map((f) => join(recordingsDir(dataDir), f));
  } catch {
    return [];
  }
}
