import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayLog } from '@aikon/protocol';
import type { RelayClient } from '@aikon/protocol/client';
import { listLogs, logFence, readLogFile } from '@aikon/protocol/node';
import { connectClient, exited, ownedLobbies, startRelayProcess, tempDir, waitFor } from './helpers.ts';
import { startRedisServer, type TestRedis } from './redis-server.ts';

/**
 * Two real relay processes on one real redis-server and one data directory. The owner of a
 * running lobby is stopped (SIGSTOP) past its lease: it keeps its Redis connection, so only the
 * lease's expiry lets the other process take the lobby over, under a new epoch. Then the owner
 * goes on (SIGCONT) with its old world and its tick timer overdue: its appends must be refused
 * (the new owner took the log over) and it must stop ticking the lobby, so the session log holds
 * one tick sequence: every tick once, in order, replaying with every hash.
 */
describe('a stalled lobby owner is fenced off the session log', () => {
  let redis: TestRedis;
  const dataDir = tempDir('aikon-fencing-');
  const children: ChildProcess[] = [];
  const clients: RelayClient[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const c of children) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      c.kill('SIGCONT');
      c.kill('SIGKILL');
    }
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('SIGSTOP of the owner past its lease, takeover, SIGCONT: one tick sequence in the log', async () => {
    const args = ['--redis-url', redis.url, '--owner-lease-ms', '2000'];
    const [one, two] = await Promise.all([
      startRelayProcess(dataDir, args, 0, 90_000),
      startRelayProcess(dataDir, args, 0, 90_000),
    ]);
    children.push(one.child, two.child);
    const a = await connectClient(one.url);
    const b = await connectClient(two.url);
    clients.push(a, b);
    const created = await a.createLobby({ name: 'A', tickRate: 10 });
    await b.joinLobby(created.lobby.code, { name: 'B' });
    await a.start();
    await waitFor(() => a.mirror.t > 5 && b.mirror.t > 5, 15_000, 'frames on both processes');
    expect([await ownedLobbies(one.url), await ownedLobbies(two.url)]).toEqual([1, 0]);

    one.child.kill('SIGSTOP');
    const stoppedT = b.mirror.t;
    await waitFor(
      async () => (await ownedLobbies(two.url)) === 1 && b.mirror.t > stoppedT + 10,
      30_000,
      'the lobby ticking on the other process',
    );
    one.child.kill('SIGCONT');
    // Woken with its old world and overdue timers, the stale owner finds out and gives the lobby up.
    await waitFor(async () => (await ownedLobbies(one.url)) === 0, 10_000, 'the stale owner stopping');
    const wokenT = b.mirror.t;
    await waitFor(() => b.mirror.t > wokenT + 10, 10_000, 'the new owner ticking on');
    expect(await ownedLobbies(two.url)).toBe(1);

    // The stale owner first: else it would take the lobby back when the other one leaves.
    for (const p of [one, two]) {
      p.child.kill('SIGTERM');
      await exited(p.child);
    }
    const logs = listLogs(dataDir);
    expect(logs).toHaveLength(1);
    const log = readLogFile(logs[0]);
    // Without the fence the stale owner wrote over the new owner's records (at its own offset).
    expect(log.torn).toBe(false);
    const ticks = log.records.filter((r) => r.k === 'tick').map((r) => r.t);
    // One tick sequence: 1, 2, 3, … with none twice and none from the stale owner's old world.
    expect(ticks).toEqual(ticks.map((_, i) => i + 1));
    expect(ticks.length).toBeGreaterThan(stoppedT + 20);
    const report = replayLog(new Uint8Array(readFileSync(logs[0])));
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    // The new owner took the log over under an epoch of the lease (the first, unless the lease lapsed again).
    expect(logFence(logs[0])).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
