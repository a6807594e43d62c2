/**
 * Sends the recorded solo games waiting in this browser's queue (solo-save.ts) to the relay that
 * serves the game (`POST /api/solo-logs`), which replays and stores them as solo sessions of the
 * datasets. A game the relay stored leaves the queue; one it refused for good (a 4xx answer) stays
 * with the reason and is not sent again; a network failure or a busy relay leaves it queued for
 * the next try (the next visit of the home page, the next game over, the browser coming online).
 */
import { create } from 'zustand';
import { type QueuedSoloLog, readSoloLogQueue, settleQueuedLog } from './solo-save.ts';

export interface SoloUploads {
  /** Recorded games waiting to upload (refused ones not counted). */
  waiting: number;
  /** Refused by the relay: why, per game. */
  refused: string[];
  uploading: boolean;
  /** Why the last try left games waiting (offline, relay unreachable), or null. */
  lastError: string | null;
}

export const useSoloUploads = create<SoloUploads>()(() => ({
  waiting: 0,
  refused: [],
  uploading: false,
  lastError: null,
}));

/** Answers that will never change for the same bytes: the game is kept as refused. */
function lasting(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

async function send(entry: QueuedSoloLog): Promise<'stored' | { refused: string } | { error: string }> {
  let response: Response;
  try {
    response = await fetch(new URL('/api/solo-logs', window.location.origin).href, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: entry.log.slice().buffer,
    });
  } catch (error) {
    return { error: `the relay could not be reached (${(error as Error).message})` };
  }
  if (response.ok) return 'stored';
  let message = `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as { message?: unknown };
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // not JSON (a server without the route answers its page or a bare status)
  }
  return lasting(response.status) ? { refused: message } : { error: `the relay answered: ${message}` };
}

function publish(queue: readonly QueuedSoloLog[], lastError: string | null): void {
  useSoloUploads.setState({
    waiting: queue.filter((e) => e.refused === undefined).length,
    refused: queue.flatMap((e) => (e.refused === undefined ? [] : [e.refused])),
    lastError,
  });
}

let running: Promise<void> | null = null;

/** Uploads every waiting game, one after another (one run at a time; a call during a run waits for it). */
export function uploadSoloLogs(): Promise<void> {
  running ??= run().finally(() => {
    running = null;
  });
  return running;
}

async function run(): Promise<void> {
  let queue: QueuedSoloLog[];
  try {
    queue = await readSoloLogQueue();
  } catch (error) {
    useSoloUploads.setState({ lastError: `the upload queue could not be read (${(error as Error).message})` });
    return;
  }
  publish(queue, null);
  if (!queue.some((e) => e.refused === undefined)) return;
  useSoloUploads.setState({ uploading: true });
  let lastError: string | null = null;
  try {
    for (const entry of queue) {
      if (entry.refused !== undefined) continue;
      const result = await send(entry);
      if (result === 'stored') await settleQueuedLog(entry.id);
      else if ('refused' in result) await settleQueuedLog(entry.id, result.refused);
      else {
        lastError = result.error;
        break; // offline or relay down: the rest waits too
      }
    }
    publish(await readSoloLogQueue(), lastError);
  } catch (error) {
    useSoloUploads.setState({ lastError: (error as Error).message });
  } finally {
    useSoloUploads.setState({ uploading: false });
  }
}
