import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { replayLog } from '@aikon/protocol';
import type { RelayClient } from '@aikon/protocol/client';
import { listLogs } from '@aikon/protocol/node';
import { connectRedis, LeaseLostError, ownerKey, RedisLobbyBackend } from '../src/redis-state.ts';
import { connectClient, exited, startRelayProcess, tempDir, waitFor } from './helpers.ts';
import { startRedisServer, type TestRedis } from './redis-server.ts';

/**
 * Durable lobbies in Redis (`--redis-url`): a real redis-server, a real relay process killed
 * with SIGKILL and started again on the same Redis and data directory. The lobby records are in
 * Redis (none in the data directory), read back here by a separate Redis client; the invite
 * code, resume tokens and world come back and the session log goes on.
 */
describe('durable lobbies in Redis (kill -9 of a relay process)', () => {
  let redis: TestRedis;
  const dataDir = tempDir('aikon-redis-lobbies-');
  const children: ChildProcess[] = [];
  const clients: RelayClient[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the lobby comes back from Redis after kill -9: invite code, resume tokens, world, same log', async () => {
    // A lease far longer than the test waits: the lobby can only come back in time because the
    // restarted process sees that the holder's Redis connection is gone.
    const args = ['--redis-url', redis.url, '--owner-lease-ms', '60000'];
    const first = await startRelayProcess(dataDir, args, 0, 90_000);
    children.push(first.child);
    const a = await connectClient(first.url);
    const b = await connectClient(first.url);
    clients.push(a, b);
    const created = await a.createLobby({ name: 'A', tickRate: 10 });
    await b.joinLobby(created.lobby.code, { name: 'B' });
    await a.start();
    await waitFor(() => a.mirror.t > 10 && b.mirror.self, 8000, 'ticking');
    for (let i = 0; i < 10; i++) {
      a.sendAction(i % 2 ? 'move_left' : 'do');
      await new Promise((r) => setTimeout(r, 50));
    }
    const tokens = [a.resumeToken, b.resumeToken];
    const slots = [a.mirror.slot, b.mirror.slot];

    // An independent reader: the record is in Redis, valid JSON with both members and tokens.
    const reader = createClient({ url: redis.url });
    await reader.connect();
    try {
      // The first checkpoint is written within checkpointMs (5 s) of the start.
      const until = Date.now() + 10_000;
      while ((await reader.hGet('aikon:checkpoints', created.lobby.lobbyId)) === null) {
        if (Date.now() > until) throw new Error('no checkpoint in Redis after 10 s');
        await new Promise((r) => setTimeout(r, 100));
      }
      const saved = JSON.parse((await reader.hGet('aikon:lobbies', created.lobby.lobbyId))!) as {
        v: number;
        code: string;
        status: string;
        members: { resumeToken: string }[];
      };
      expect(saved.v).toBe(1);
      expect(saved.code).toBe(created.lobby.code);
      expect(saved.status).toBe('running');
      expect(saved.members.map((m) => m.resumeToken).sort()).toEqual([...tokens].sort());
    } finally {
      await reader.close();
    }
    // Nothing of the lobby state went to the data directory.
    const lobbiesDir = join(dataDir, 'lobbies');
    expect(existsSync(lobbiesDir) ? readdirSync(lobbiesDir) : []).toEqual([]);

    const tBefore = Math.max(a.mirror.t, b.mirror.t);
    first.child.kill('SIGKILL');
    await exited(first.child);
    const second = await startRelayProcess(dataDir, args, first.port, 90_000);
    children.push(second.child);
    const res = await fetch(`${second.url}/api/lobbies/${created.lobby.code}`);
    expect(res.status, second.stderr()).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('running');
    // The clients reconnect and resume on their own: same members, same bodies, later ticks.
    await waitFor(() => a.mirror.t > tBefore && b.mirror.t > tBefore, 30_000, 'ticks after the restart');
    expect([a.resumeToken, b.resumeToken]).toEqual(tokens);
    expect([a.mirror.slot, b.mirror.slot]).toEqual(slots);
    // A newcomer joins by the old invite code.
    const c = await connectClient(second.url);
    clients.push(c);
    await c.joinLobby(created.lobby.code, { name: 'C' });
    await waitFor(() => c.mirror.self, 5000, 'newcomer in the world');
    second.child.kill('SIGTERM');
    await exited(second.child);
    expect(second.child.exitCode).toBe(0);

    // One session log, continued across the crash, replaying with every hash.
    const logs = listLogs(dataDir);
    expect(logs).toHaveLength(1);
    const report = replayLog(new Uint8Array(readFileSync(logs[0])));
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.lastT).toBeGreaterThan(tBefore);
  }, 180_000);

  it('fences lobby writes by the owner lease: a process that lost a lobby cannot overwrite it', async () => {
    const client = await connectRedis(redis.url, console);
    try {
      const stale = new RedisLobbyBackend(client, 'test', 'process-a');
      const owner = new RedisLobbyBackend(client, 'test', 'process-b');
      await stale.put('L1', 'lobby', '{"by":"a"}'); // nobody holds the lease yet: written
      await client.set(ownerKey('L1'), 'process-b');
      await expect(stale.put('L1', 'lobby', '{"by":"a, late"}')).rejects.toThrow(LeaseLostError);
      await expect(stale.remove('L1')).rejects.toThrow(LeaseLostError);
      expect(await owner.get('L1', 'lobby')).toBe('{"by":"a"}');
      await owner.put('L1', 'lobby', '{"by":"b"}');
      await owner.put('L1', 'checkpoint', '{"t":1}');
      expect(await stale.get('L1', 'lobby')).toBe('{"by":"b"}');
      await owner.remove('L1');
      expect([await stale.get('L1', 'lobby'), await stale.get('L1', 'checkpoint')]).toEqual([null, null]);
    } finally {
      await client.del(ownerKey('L1'));
      await client.close();
    }
  });

  it('an unreachable REDIS_URL stops the relay at start with a clear error', async () => {
    const dir = tempDir('aikon-redis-down-');
    try {
      // A port nothing listens on (redis-server's port, once it is stopped, would race other tests).
      const err = await startRelayProcess(dir, ['--redis-url', 'redis://127.0.0.1:1'], 0, 20_000).then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(/cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
