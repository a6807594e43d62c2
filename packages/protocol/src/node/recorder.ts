import {
  close as closeAsync,
  closeSync,
  copyFileSync,
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
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
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

/** Removes the log's lease if it still names this process (a process that took the log over holds it now). */
function dropLease(logFile: string): void {
  try {
    const lease = Lease.safeParse(JSON.parse(readFileSync(leasePath(logFile), 'utf8')));
    if (lease.success && (lease.data.pid !== process.pid || lease.data.host !== hostname())) return;
    rmSync(leasePath(logFile), { force: true });
  } catch {
    // A lease that cannot be removed names this process: it reads as stale once we exit.
  }
}

/**
 * Fencing, for logs that several relay processes may write (one data directory shared by the
 * processes of a cluster): only the current owner of a lobby's lease may append to its log.
 * A process that takes a log over (its owner's lease expired: the owner died, or stalled past the
 * lease and may wake up) does so under the lease's epoch (its fencing token, one more per
 * takeover): `takeOverLog` records the epoch in `<log>.fence` and replaces the log's file by a
 * copy before reading it. A writer opened before that still holds the old file: its next append
 * finds that file unlinked and is refused (`LogFencedError`, the recorder stops writing), and
 * whatever it wrote after the copy lands in the unlinked file, never in the log. So the log holds
 * exactly what the new owner read and replayed, then the new owner's appends.
 */
const FENCE_SUFFIX = '.fence';
const FENCE_VERSION = 1;
const Fence = z.object({ v: z.literal(FENCE_VERSION), epoch: z.int().min(1) });

function fencePath(logFile: string): string {
  return `${logFile}${FENCE_SUFFIX}`;
}

/** The epoch the log was last taken over under; 0 when it never was. */
export function logFence(logFile: string): number {
  try {
    const fence = Fence.safeParse(JSON.parse(readFileSync(fencePath(logFile), 'utf8')));
    return fence.success ? fence.data.epoch : 0;
  } catch {
    return 0;
  }
}

/** An append (or a takeover) under an epoch that a later takeover of the log has fenced off. */
export class LogFencedError extends Error {
  constructor(
    readonly path: string,
    readonly epoch: number,
    readonly fencedBy: number,
  ) {
    super(`session log ${path} was taken over under epoch ${fencedBy}: writes under epoch ${epoch} are refused`);
    this.name = 'LogFencedError';
  }
}

/** Writes a small file crash-safely: a temporary file, synced, renamed over the old one. */
function replaceFileSync(path: string, write: (tmp: string) => void): void {
  const tmp = `${path}.tmp`;
  write(tmp);
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * Takes the log over under `epoch` (the lease this process just claimed), before reading it:
 * records the epoch and gives the log a new file (a copy), so that any writer opened under an
 * earlier epoch is fenced off (see FENCE_SUFFIX). Throws LogFencedError when the log was already
 * taken over under this epoch or a later one.
 */
export function takeOverLog(logFile: string, epoch: number): void {
  const current = logFence(logFile);
  if (current >= epoch) throw new LogFencedError(logFile, epoch, current);
  replaceFileSync(fencePath(logFile), (tmp) =>
    writeFileSync(tmp, JSON.stringify({ v: FENCE_VERSION, epoch } satisfies z.infer<typeof Fence>)),
  );
  replaceFileSync(logFile, (tmp) => copyFileSync(logFile, tmp));
  fsyncDirAsync(dirname(logFile));
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
  /** The lease epoch the log was taken over under (`takeOverLog`); 0 (default) for its first writer. */
  epoch?: number;
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
  /** The lease epoch this writer appends under (see FENCE_SUFFIX). */
  readonly epoch: number;
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
    epoch: number,
  ) {
    this.path = path;
    this.epoch = epoch;
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
      options.epoch ?? 0,
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
      options.epoch ?? 0,
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

  /** True once a takeover of the log under a later epoch refused this writer's appends. */
  get fenced(): boolean {
    return this.failed instanceof LogFencedError;
  }

  private writeNow(bytes: Uint8Array): void {
    if (this.closed || this.failed) return;
    try {
      // The fence (takeOverLog): this writer's file is no longer the log once a takeover replaced it.
      if (fstatSync(this.fd).nlink === 0) {
        this.fail(new LogFencedError(this.path, this.epoch, logFence(this.path)));
        return;
      }
      let off = 0;
      while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
      this.bytes += bytes.length;
      this.dirty = true;
      this.onBytes(bytes.length);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /** A fence is no recording error (`fenced` says it): onError is not called for it. */
  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    if (!(err instanceof LogFencedError)) this.onError(err);
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
