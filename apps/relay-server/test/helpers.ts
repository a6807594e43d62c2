import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRelayClient, type RelayClient, RelayRequestError, type RelaySocket } from '@aikon/protocol/client';
import {
  type Ack,
  type ClientEventName,
  type ClientEventPayloads,
  type ClientEventResults,
  type DeltaMessage,
  ErrorCode,
  type ErrorMessage,
} from '@aikon/protocol';
import type { SessionRow } from '@aikon/protocol/node';
import { afterAll, beforeAll } from 'vitest';
import { startRelayServer, type RelayConfig, type RelayServer } from '../src/server.ts';

export { exited, startRelayProcess } from './relay-process.ts';

export function tempDir(prefix = 'aikon-relay-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestServer(
  overrides: Partial<RelayConfig> = {},
): Promise<RelayServer & { dataDir: string; cleanup(): Promise<void> }> {
  const dataDir = overrides.dataDir ?? tempDir();
  const server = await startRelayServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logLevel: 'silent',
    staticDir: join(dataDir, 'no-game'),
    ...overrides,
  });
  return Object.assign(server, {
    dataDir,
    async cleanup() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/**
 * One relay for a describe block (started in beforeAll, closed with its clients in afterAll)
 * and `client()`, a connected client that is closed with it.
 */
export function relaySuite(overrides: Partial<RelayConfig> = {}): {
  readonly server: TestServer;
  client(): Promise<RelayClient>;
  /** Closes this client (made elsewhere) with the suite. */
  adopt<C extends RelayClient>(client: C): C;
} {
  let server: TestServer | null = null;
  const clients: RelayClient[] = [];
  beforeAll(async () => {
    server = await startTestServer(overrides);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.cleanup();
  });
  return {
    get server() {
      if (!server) throw new Error('the relay starts in beforeAll');
      return server;
    },
    async client() {
      return this.adopt(await connectClient(this.server.url));
    },
    adopt(c) {
      clients.push(c);
      return c;
    },
  };
}

/** The refusal a request ended with (a client method's RelayRequestError or `request`'s ErrorMessage). */
export async function refusal(p: Promise<unknown>): Promise<ErrorMessage> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RelayRequestError) return err.error;
    if (
      err &&
      typeof err === 'object' &&
      'code' in err &&
      'message' in err &&
      typeof err.code === 'string' &&
      typeof err.message === 'string'
    ) {
      return { code: ErrorCode.parse(err.code), message: err.message };
    }
    throw err;
  }
  throw new Error('expected a refusal');
}

export async function connectClient(url: string): Promise<RelayClient> {
  const client = createRelayClient(url, { socket: { reconnection: true } });
  await client.connect();
  return client;
}

/** How many lobbies the relay at `url` ticks (its /healthz). */
export async function ownedLobbies(url: string): Promise<number> {
  return ((await (await fetch(`${url}/healthz`)).json()) as { lobbies: number }).lobbies;
}

type Maybe<T> = T | undefined | null | false;

/** Polls `check` (sync or async) until it gives a truthy value. */
export function waitFor<T>(
  check: () => Maybe<T> | Promise<Maybe<T>>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const poll = () => {
      Promise.resolve()
        .then(check)
        .then((v) => {
          if (v) resolve(v);
          else if (Date.now() - start > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
          else setTimeout(poll, 10);
        }, reject);
    };
    poll();
  });
}

/** The session's index row once the index calls it complete (its log's last bytes synced). */
export function completedSession(server: RelayServer, sessionId: string, timeoutMs = 8000): Promise<SessionRow> {
  return waitFor(
    async () => {
      const row = await server.store.session(sessionId);
      return row?.status === 'complete' ? row : undefined;
    },
    timeoutMs,
    `session ${sessionId} complete in the index`,
  );
}

export function nextDelta(client: RelayClient, timeoutMs = 3000): Promise<DeltaMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('no delta'));
    }, timeoutMs);
    const off = client.onDelta((d) => {
      clearTimeout(timer);
      off();
      resolve(d);
    });
  });
}

export function nextError(client: RelayClient, timeoutMs = 3000): Promise<ErrorMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('no error event'));
    }, timeoutMs);
    const off = client.onError((e) => {
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

/** Any client event of the contract with its ack: resolves with the data, rejects with the ErrorMessage. */
export async function request<K extends ClientEventName>(
  client: RelayClient,
  event: K,
  payload: ClientEventPayloads[K],
): Promise<ClientEventResults[K]> {
  try {
    return await client.request(event, payload);
  } catch (err) {
    throw err instanceof RelayRequestError ? err.error : err;
  }
}

/** Emits anything, outside the typed event contract: for tests of the relay's refusals. */
export function emitRaw(target: RelayClient | RelaySocket, ...packet: unknown[]): void {
  const socket = 'socket' in target ? target.socket : target;
  Reflect.apply(socket.emit, socket, packet);
}

/** Like `request`, outside the typed contract (malformed payloads): rejects with the refusal's ErrorMessage. */
export function requestRaw(client: RelayClient, event: string, payload: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const answer = (err: Error | null, ack: Ack) => {
      if (err) reject(err);
      else if (ack.ok) resolve(ack.data);
      else reject(ack.error);
    };
    emitRaw(client.socket.timeout(5000), event, payload, answer);
  });
}
