/**
 * The solo game saved in the browser (IndexedDB), so that a refresh or a later visit can continue
 * it. One slot: the engine worker writes the world's snapshot every few seconds and when the
 * player pauses; the home page reads it back and offers to continue. The record is versioned and
 * checked (zod, then the engine's own snapshot checks) before anything is loaded from it.
 */
import { z } from 'zod';
import { ENGINE_VERSION, SnapshotError, World } from '@aikon/engine';

/** The record's format; a save of any other format is refused with a message, never loaded. */
export const SOLO_SAVE_VERSION = 1;
/** How often a ticking solo game is saved. */
export const SOLO_SAVE_INTERVAL_MS = 3000;

const DB_NAME = 'aikon';
const STORE = 'solo-save';
const KEY = 'current';

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
});

export type SoloSave = z.infer<typeof soloSaveSchema>;

/** A save that can be continued (its world already restored once), or why it cannot. */
export type SoloSaveCheck = { ok: true; save: SoloSave; world: World } | { ok: false; error: string };

export function makeSoloSave(world: World): SoloSave {
  return {
    version: SOLO_SAVE_VERSION,
    seed: world.seed,
    t: world.t,
    savedAt: Date.now(),
    engineVersion: ENGINE_VERSION,
    snapshot: world.snapshot(),
  };
}

/** Validates a stored record: its format, its fields, and the snapshot itself (restored here). */
export function checkSoloSave(raw: unknown): SoloSaveCheck {
  const version = typeof raw === 'object' && raw !== null ? (raw as { version?: unknown }).version : undefined;
  if (version !== SOLO_SAVE_VERSION) {
    return {
      ok: false,
      error:
        typeof version === 'number'
          ? `The saved solo game was written by another version of AI-KON (save format ${version}, this one reads ${SOLO_SAVE_VERSION}); it cannot be continued.`
          : 'The saved solo game is not a save this game can read; it cannot be continued.',
    };
  }
  const parsed = soloSaveSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      error: `The saved solo game is damaged (${issue.path.join('.') || 'record'}: ${issue.message}); it cannot be continued.`,
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
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not open'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = use(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

/** The stored record as it is (unchecked), or null when there is none. */
export async function readSoloSave(): Promise<unknown> {
  const value = await withStore('readonly', (store) => store.get(KEY));
  return value ?? null;
}

export async function writeSoloSave(save: SoloSave): Promise<void> {
  await withStore('readwrite', (store) => store.put(save, KEY));
}

export async function deleteSoloSave(): Promise<void> {
  await withStore('readwrite', (store) => store.delete(KEY));
}
