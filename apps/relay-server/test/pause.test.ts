import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayRequestError, type RelayClient } from '@aikon/protocol/client';
import { decodeLog, replayLog } from '@aikon/protocol';
import { completedSession, connectClient, startTestServer, waitFor } from './helpers.ts';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RelayRequestError) return err.error.code;
    throw err;
  }
  throw new Error('expected a refusal');
}

/**
 * The lobby's pace: the host pauses a running game for everyone (no tick runs, the log notes
 * both edges) and may slow it down to 2 ticks/s. Real Socket.IO clients against the relay.
 */
describe('host pause and slow speeds', () => {
  let server: TestServer;
  const clients: RelayClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({ emptyLobbyGraceMs: 300 });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.cleanup();
  });

  it('the host pauses and resumes; nobody else can; the log records it and replays', async () => {
    const host = await connectClient(server.url);
    const guest = await connectClient(server.url);
    clients.push(host, guest);
    const created = await host.createLobby({ name: 'Host', seed: 21, tickRate: 15 });
    await guest.joinLobby(created.lobby.code, { name: 'Guest' });
    expect(await refused(host.setConfig({ paused: true }))).toBe('not_running');
    expect(await refused(host.setConfig({ tickRate: 1 }))).toBe('invalid_payload');
    expect((await host.setConfig({ tickRate: 2 })).config.tickRate).toBe(2);
    await host.setConfig({ tickRate: 15 });
    await host.start();
    const lobby = server.lobbyByCode(created.lobby.code)!;
    await waitFor(() => lobby.world!.t >= 5, 5000, 'ticks');

    expect(await refused(guest.setConfig({ paused: true }))).toBe('not_host');
    const paused = await host.setConfig({ paused: true });
    expect(paused.config.paused).toBe(true);
    const pausedAt = lobby.world!.t;
    await waitFor(() => guest.lobby?.config.paused === true, 3000, 'the guest is told');
    // The guest's key waits: no tick runs while paused, at 15 ticks/s for 600 ms.
    guest.sendAction(3);
    await sleep(600);
    expect(lobby.world!.t).toBe(pausedAt);
    expect(guest.mirror.t).toBe(pausedAt);

    const resumed = await host.setConfig({ paused: false });
    expect(resumed.config.paused).toBeUndefined();
    await waitFor(() => lobby.world!.t >= pausedAt + 5, 3000, 'ticks after the resume');
    await waitFor(() => guest.mirror.t >= pausedAt + 5, 3000, 'the guest sees ticks again');

    const sessionId = lobby.sessionId!;
    await host.leave();
    await guest.leave();
    const row = await completedSession(server, sessionId);
    const bytes = new Uint8Array(readFileSync(row.path));
    const records = decodeLog(bytes).records;
    const pauses = records.filter((r) => r.k === 'pause');
    expect(pauses.map((r) => r.k === 'pause' && [r.t, r.paused])).toEqual([
      [pausedAt, true],
      [pausedAt, false],
    ]);
    // Nothing ticked between the two records.
    const [from, to] = records.flatMap((r, i) => (r.k === 'pause' ? [i] : []));
    expect(records.slice(from, to).some((r) => r.k === 'tick')).toBe(false);
    const report = replayLog(bytes);
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
  });
});
