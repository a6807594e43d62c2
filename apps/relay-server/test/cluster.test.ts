import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayLog } from '@aikon/protocol';
import type { RelayClient } from '@aikon/protocol/client';
import { listLogs } from '@aikon/protocol/node';
import { connectClient, exited, ownedLobbies, startRelayProcess, tempDir, waitFor } from './helpers.ts';
import { startRedisServer, type TestRedis } from './redis-server.ts';

/**
 * Two real relay processes on one real redis-server and one data directory, a real Socket.IO
 * client on each. The lobby ticks on the process it was created on; the member connected to the
 * other one joins by invite code and plays (inputs forwarded to the owner, frames through the
 * streams adapter). kill -9 of the owner: its Redis connection drops, so the other process brings
 * the lobby back from Redis and the session log without waiting for the lease to expire, its own
 * member plays on without reconnecting, and the dead process's member resumes there with its token
 * (what a load balancer in front would do).
 */
describe('two relay processes on Redis (kill -9 of the owner of a lobby)', () => {
  let redis: TestRedis;
  const dataDir = tempDir('aikon-cluster-');
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

  it('a member on the other process plays; the lobby comes back there after kill -9 of its owner', async () => {
    const args = ['--redis-url', redis.url];
    const [one, two] = await Promise.all([
      startRelayProcess(dataDir, args, 0, 90_000),
      startRelayProcess(dataDir, args, 0, 90_000),
    ]);
    children.push(one.child, two.child);
    const a = await connectClient(one.url);
    const b = await connectClient(two.url);
    clients.push(a, b);
    const created = await a.createLobby({ name: 'A', tickRate: 10 });
    // The invite code resolves on the other process; the join goes to the owner.
    const joined = await b.joinLobby(created.lobby.code, { name: 'B' }).catch((e: Error) => {
      throw new Error(`join via the other process: ${e.message}\n${one.stderr()}\n${two.stderr()}`);
    });
    expect(joined.lobby.lobbyId).toBe(created.lobby.lobbyId);
    await a.start();
    await waitFor(() => a.mirror.t > 5 && b.mirror.self && b.mirror.t > 5, 10_000, 'frames on both processes').catch(
      (e: Error) => {
        throw new Error(`${e.message} (t ${a.mirror.t}, ${b.mirror.t})\n${one.stderr()}\n${two.stderr()}`);
      },
    );
    expect([await ownedLobbies(one.url), await ownedLobbies(two.url)]).toEqual([1, 0]);
    // The invite page's lookup answers on the process that does not own the lobby too.
    const lookup = await fetch(`${two.url}/api/lobbies/${created.lobby.code}`);
    expect(lookup.status).toBe(200);
    expect(await lookup.json()).toEqual({
      status: 'running',
      members: 2,
      seats: created.lobby.config.seats,
      tickRate: 10,
    });
    expect((await fetch(`${two.url}/api/lobbies/${'x'.repeat(22)}`)).status).toBe(404);
    // So does the audit download, for members only: the owner appends it to the shared data
    // directory, the other process reads it from there.
    const { workerId } = await a.request('workforce:add', { name: 'Ada' });
    await a.request('workforce:remove', { workerId });
    const audit = (base: string, code: string, token: string) =>
      fetch(`${base}/api/lobbies/${code}/audit?token=${token}`);
    // The owner may still be writing lines (the removal): both answers are read until they agree.
    let answers: string[] = [];
    await waitFor(
      async () => {
        answers = await Promise.all([
          audit(one.url, created.lobby.code, a.resumeToken!).then((r) => r.text()),
          audit(two.url, created.lobby.code, b.resumeToken!).then((r) => r.text()),
        ]);
        return answers[0].includes('Ada') && answers[0] === answers[1];
      },
      5000,
      'the same audit from the process that does not own the lobby',
    ).catch((e: Error) => {
      throw new Error(`${e.message}: owner ${answers[0]}; other process ${answers[1]}`);
    });
    expect((await audit(two.url, created.lobby.code, 'B'.repeat(32))).status).toBe(403);
    expect((await audit(two.url, 'x'.repeat(22), b.resumeToken!)).status).toBe(404);
    // B's inputs reach the owner: its acknowledged action seq follows what it sends.
    const ackBefore = b.mirror.self!.ack;
    for (let i = 0; i < 6; i++) {
      b.sendAction(i % 2 ? 'move_left' : 'move_right');
      a.sendAction('do');
      await new Promise((r) => setTimeout(r, 120));
    }
    await waitFor(() => b.mirror.self!.ack > ackBefore, 5000, 'B acknowledged by the owner');
    // Metrics per process: the other process counts the events it forwarded to the owner.
    const forwardedOut = /aikon_relay_forwarded_events_total\{direction="out",relay="[\w-]+"\} (\d+)/;
    expect(Number(forwardedOut.exec(await (await fetch(`${two.url}/metrics`)).text())?.[1])).toBeGreaterThan(6);
    const tokens = [a.resumeToken, b.resumeToken];
    const slots = [a.mirror.slot, b.mirror.slot];
    const tBefore = b.mirror.t;

    one.child.kill('SIGKILL');
    await exited(one.child);
    const killedAt = Date.now();
    // The other process sees the owner gone, takes the lobby over, and B plays on where it is.
    await waitFor(() => b.mirror.t > tBefore + 5, 15_000, 'ticks on the surviving process');
    const takeoverMs = Date.now() - killedAt;
    expect(await ownedLobbies(two.url)).toBe(1);
    expect(await (await fetch(`${two.url}/metrics`)).text()).toMatch(
      /aikon_relay_lobby_takeovers_total\{relay="[\w-]+"\} 1\n/,
    );
    expect(b.resumeToken).toBe(tokens[1]);
    expect(b.mirror.slot).toBe(slots[1]);
    const ackAfter = b.mirror.self!.ack;
    b.sendAction('move_up');
    await waitFor(() => b.mirror.self!.ack > ackAfter, 5000, 'B acknowledged by the new owner');
    // A's process is gone: its member resumes on the survivor with its token, same body.
    const a2 = await connectClient(two.url);
    clients.push(a2);
    a.close();
    const resumed = await a2.resume(tokens[0]!);
    expect(resumed.memberId).toBe(created.memberId);
    await waitFor(() => a2.mirror.t > tBefore, 5000, 'A back in the world');
    expect(a2.mirror.slot).toBe(slots[0]);
    // The invite code still resolves (on the new owner).
    const c = await connectClient(two.url);
    clients.push(c);
    await c.joinLobby(created.lobby.code, { name: 'C' });
    await waitFor(() => c.mirror.self, 5000, 'newcomer in the world');

    two.child.kill('SIGTERM');
    await exited(two.child);
    expect(two.child.exitCode).toBe(0);
    // One session log, continued by the second process, replaying with every hash.
    const logs = listLogs(dataDir);
    expect(logs).toHaveLength(1);
    const report = replayLog(new Uint8Array(readFileSync(logs[0])));
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.lastT).toBeGreaterThan(tBefore + 5);
    console.log(
      `cluster: lobby ticking on the other process ${takeoverMs} ms after kill -9 of its owner (lease 5000 ms)`,
    );
  }, 180_000);
});
