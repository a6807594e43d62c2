/**
 * The solo game saved in the browser (IndexedDB), so that a refresh or a later visit can continue
 * it. One slot: the engine worker writes the world's snapshot every few seconds and when the
 * player pauses; the home page reads it back and offers to continue. The record is versioned and
 * checked (zod, then the engine's own snapshot checks) before anything is loaded from it.
 *
 * A game the player chose to record carries its log (@aikon/protocol SoloLogWriter) in the same
 * record, written in the same put as the snapshot, so the two always stop at the same step. When
 * the game is over (the player died) or given up (a new game replaces it, or it is discarded),
 * its log is ended and moves to the upload queue (`solo-logs`, solo-upload.ts sends it).
 */
import { z } from 'zod';
import { ENGINE_VERSION, SnapshotError, World } from '@aikon/engine';
import { SoloLogWriter } from '@aikon/protocol';

/** The record's format; a save of any other format is refused with a message, never loaded. */
export const SOLO_SAVE_VERSION = 1;
/** How often a ticking solo game is saved. */
export const SOLO_SAVE_INTERVAL_MS = 3000;

const DB_NAME = 'aikon';
/** 2: the upload queue of recorded solo games. */
const DB_VERSION = 2;
const STORE = 'solo-save';
const KEY = 'current';
const LOGS = 'solo-logs';

const soloSaveSchema = z.object({
  version: z.literal(SOLO_SAVE_VERSION),
  seed: z.number().int().refine(Number.isSafeInteger, 'seed must be a safe integer'),
  /** The world's step when saved. */
  t: z.number().int().nonnegative(),
  /** Wall-clock time of the save (ms since 1970). */
  savedAt: z.number().nonnegative(),
  /** The engine that wrote the snapshot (information: the snapshot carries its own format). */
  engineVersion: z.string(),
  /** World.snapshot() bytes. */
  snapshot: z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected the snapshot bytes'),
  /** The game's log up to step `t`, when the player chose to record it (absent: not recorded). */
  recording: z
    .object({
      id: z.string().min(1).max(100),
      log: z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected the log bytes'),
    })
    .optional(),
});

export type SoloSave = z.infer<typeof soloSaveSchema>;

/** A save that can be continued (its world already restored once), or why it cannot. */
export type SoloSaveCheck = { ok: true; save: SoloSave; world: World } | { ok: false; error: string };

/** A recorded game waiting in the upload queue: its whole log, ended. */
const queuedLogSchema = z.object({
  version: z.literal(SOLO_SAVE_VERSION),
  id: z.string().min(1).max(100),
  log: z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected the log bytes'),
  /** Steps played. */
  t: z.number().int().nonnegative(),
  endedAt: z.number().nonnegative(),
  /** The relay refused it (a lasting answer, not a network failure): why. It is not sent again. */
  refused: z.string().optional(),
});
export type QueuedSoloLog = z.infer<typeof queuedLogSchema>;

/** A recorded game's log as the engine worker keeps it: its id on this device and its writer. */
export interface SoloRecording {
  id: string;
  log: SoloLogWriter;
}

export function makeSoloSave(world: World, recording?: SoloRecording | null): SoloSave {
  return {
    version: SOLO_SAVE_VERSION,
    seed: world.seed,
    t: world.t,
    savedAt: Date.now(),
    engineVersion: ENGINE_VERSION,
    snapshot: world.snapshot(),
    ...(recording ? { recording: { id: recording.id, log: recording.log.bytes() } } : {}),
  };
}

export function queuedLog({ id, log }: SoloRecording): QueuedSoloLog {
  return { version: SOLO_SAVE_VERSION, id, log: log.bytes(), t: log.t, endedAt: Date.now() };
}

/**
 * The log of a saved game that will not be played on (replaced or discarded), ended at the saved
 * step with reason 'abandoned'; null when the save was not recorded. A log that cannot be ended
 * (a damaged save) is queued as it is: the relay then refuses it with its reason.
 */
function abandonedLog(raw: unknown): QueuedSoloLog | null {
  const parsed = soloSaveSchema.safeParse(raw);
  if (!parsed.success || !parsed.data.recording) return null;
  const { recording, snapshot, t } = parsed.data;
  try {
    const log = SoloLogWriter.resume(recording.log, t);
    log.end(World.restore(snapshot), 'abandoned');
    return queuedLog({ id: recording.id, log });
  } catch {
    return { version: SOLO_SAVE_VERSION, id: recording.id, log: recording.log, t, endedAt: Date.now() };
  }
}

/** Validates a stored record: its format, its fields, and the snapshot itself (restored here). */
export function checkSoloSave(raw: unknown): SoloSaveCheck {
  const version = typeof raw === 'object' && raw !== null ? (raw as { version?: unknown }).version : undefined;
  if (version !== SOLO_SAVE_VERSION) {
    return {
      ok: false,
      error:
        typeof version === 'number'
          ? 'The saved solo game was written by another version of AI-KON (save format ' +
            `${version}, this one reads ${SOLO_SAVE_VERSION}); it cannot be continued.`
          : 'The saved solo game is not a save this game can read; it cannot be continued.',
    };
  }
  const parsed = soloSaveSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      error:
        `The saved solo game is damaged (${issue.path.join('.') || 'record'}: ` +
        `${issue.message}); it cannot be continued.`,
    };
  }
  const save = parsed.data;
  let world: World;
  try {
    world = World.restore(save.snapshot);
  } catch (error) {
    const why = error instanceof SnapshotError ? error.message : String(error);
    return { ok: false, error: `The saved solo game is damaged (${why}); it cannot be continued.` };
  }
  if (world.seed !== save.seed || world.t !== save.t || !world.findPlayer(0)) {
    return {
      ok: false,
      error: 'The saved solo game is damaged (its world does not match its record); it cannot be continued.',
    };
  }
  return { ok: true, save, world };
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('this browser has no IndexedDB'));
      return;
    }
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      for (const name of [STORE, LOGS])
        if (!request.result.objectStoreNames.contains(name)) request.result.createObjectStore(name);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not open'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  });
}

/**
 * One transaction over the save and the upload queue: `use` issues its requests (more may follow
 * from their callbacks); resolves with what `use` returns once the transaction has committed.
 */
async function transact<T>(
  mode: IDBTransactionMode,
  use: (saves: IDBObjectStore, logs: IDBObjectStore) => () => T,
): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction([STORE, LOGS], mode);
      const result = use(tx.objectStore(STORE), tx.objectStore(LOGS));
      tx.oncomplete = () => resolve(result());
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

/** The stored record as it is (unchecked), or null when there is none. */
export async function readSoloSave(): Promise<unknown> {
  return transact('readonly', (saves) => {
    const request = saves.get(KEY);
    return () => request.result ?? null;
  });
}

/**
 * Puts `next` in the save slot (or empties it) and `ended` in the upload queue, at once. A recorded
 * game that `next` does not continue is ended as abandoned and queued in the same transaction.
 * Resolves with whether a log joined the upload queue.
 */
function replaceSave(next: SoloSave | null, ended: QueuedSoloLog | null): Promise<boolean> {
  return transact('readwrite', (saves, logs) => {
    let queued = ended !== null;
    const current = saves.get(KEY);
    current.onsuccess = () => {
      const old = current.result as { recording?: { id?: unknown } } | undefined;
      const oldId = old?.recording?.id;
      if (oldId !== undefined && oldId !== next?.recording?.id && oldId !== ended?.id) {
        const abandoned = abandonedLog(old);
        if (abandoned) logs.put(abandoned, abandoned.id);
        queued ||= abandoned !== null;
      }
      if (next) saves.put(next, KEY);
      else saves.delete(KEY);
      if (ended) logs.put(ended, ended.id);
    };
    return () => queued;
  });
}

/** Saves the game (a recorded game it replaces is queued as abandoned: resolves true then). */
export function writeSoloSave(save: SoloSave): Promise<boolean> {
  return replaceSave(save, null);
}

/** Removes the save (a discarded game's log, if recorded, goes to the upload queue as abandoned). */
export function deleteSoloSave(): Promise<boolean> {
  return replaceSave(null, null);
}

/** The game is over: its save is removed and its ended log (if recorded) queued, at once. */
export function endSoloGame(ended: QueuedSoloLog | null): Promise<boolean> {
  return replaceSave(null, ended);
}

/** The recorded games waiting to upload (entries that do not read as one are skipped). */
export function readSoloLogQueue(): Promise<QueuedSoloLog[]> {
  return transact('readonly', (_saves, logs) => {
    const request = logs.getAll();
    return () =>
      (request.result as unknown[]).flatMap((raw) => {
        const parsed = queuedLogSchema.safeParse(raw);
        return parsed.success ? [parsed.data] : [];
      });
  });
}

/** A queued log was stored by the relay (drop it), or refused for good (`refused`: keep it, not sent again). */
export function settleQueuedLog(id: string, refused?: string): Promise<void> {
  return transact('readwrite', (_saves, logs) => {
    if (refused === undefined) logs.delete(id);
    else {
      const request = logs.get(id);
      request.onsuccess = () => {
        if (request.result) logs.put({ ...(request.result as QueuedSoloLog), refused }, id);
      };
    }
    return () => undefined;
  });
}
