import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRelayClient, type RelayClient } from '@aikon/protocol/client';
import type { DeltaMessage, ErrorMessage } from '@aikon/protocol';
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
