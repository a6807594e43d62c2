import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRelayClient, type RelayClient, RelayRequestError, type RelaySocket } from '@aikon/protocol/client';
import type { Ack, ClientEventName, ClientEventPayloads, ClientEventResults, DeltaMessage, ErrorMessage } from '@aikon/protocol';
import { startRelayServer, type RelayConfig, type RelayServer } from '../src/server.ts';

export function tempDir(prefix = 'aikon-relay-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestServer(overrides: Partial<RelayConfig> = {}): Promise<RelayServer & { dataDir: string; cleanup(): Promise<void> }> {
  const dataDir = overrides.dataDir ?? tempDir();
  const server = await startRelayServer({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent', staticDir: join(dataDir, 'no-game'), ...overrides });
  return Object.assign(server, {
    dataDir,
    async cleanup() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export async function connectClient(url: string): Promise<RelayClient> {
  const client = createRelayClient(url, { socket: { reconnection: true } });
  await client.connect();
  return client;
}

export function waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const poll = () => {
      let v: T | undefined | null | false;
      try {
        v = check();
      } catch (err) {
        reject(err);
        return;
      }
      if (v) resolve(v);
      else if (Date.now() - start > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
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

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/**
 * A real relay process (src/main.ts) on 127.0.0.1, for kill -9 tests. `port` 0 = any free one;
 * give the same port again to restart "the same address" (clients reconnect on their own).
 */
export function startRelayProcess(dataDir: string, args: readonly string[] = [], port = 0): Promise<{ child: ChildProcess; url: string; port: number; stderr(): string }> {
  return new Promise((resolve, reject) => {
    const child = fork(MAIN, ['--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir, '--hash-every', '5', '--log-level', 'warn', ...args], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 30_000);
    child.on('message', (m: { type?: string; url?: string; port?: number }) => {
      if (m.type === 'listening' && m.url) {
        clearTimeout(timer);
        resolve({ child, url: m.url, port: m.port ?? 0, stderr: () => stderr });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
}

export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Any client event of the contract with its ack: resolves with the data, rejects with the ErrorMessage. */
export async function request<K extends ClientEventName>(client: RelayClient, event: K, payload: ClientEventPayloads[K]): Promise<ClientEventResults[K]> {
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
