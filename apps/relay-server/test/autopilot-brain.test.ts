import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '@aikon/engine';
import { ACTING_BRAINS, decodeLog, replayLog } from '@aikon/protocol';
import {
  completedSession,
  connectClient,
  emitRaw,
  nextError,
  startTestServer,
  type TestServer,
  waitFor,
} from './helpers.ts';

/**
 * A member's client hands its character to the autopilot: its actions carry brain 'learned'
 * and the session log's tick records say so (like an AI worker's), while keyed actions do not.
 * A real Socket.IO client against the relay, the log read back from disk.
 */
describe('actions chosen by a client autopilot', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ emptyLobbyGraceMs: 300 });
  });
  afterAll(async () => {
    await server.cleanup();
  });

  it('are recorded with brain learned; keyed ones without', async () => {
    const host = await connectClient(server.url);
    const created = await host.createLobby({ name: 'Pilot', seed: 5 });
    await host.start();
    await waitFor(() => host.mirror.ready && host.mirror.self, 8000, 'first delta');
    const lobby = server.lobbyByCode(created.lobby.code)!;
    const slot = host.mirror.slot!;
    // Alternate: by hand, by the autopilot. Each applied tick is the one whose delta acks it.
    const sent: { t: number; a: number; learned: boolean }[] = [];
    const moves = ['move_left', 'move_right', 'move_up', 'move_down'] as const;
    for (let i = 0; i < 8; i++) {
      const learned = i % 2 === 1;
      const a = ACTIONS.indexOf(moves[i % 4]);
      const seq = host.sendAction(a, learned ? { brain: 'learned' } : {});
      await waitFor(() => (host.mirror.self?.ack ?? -1) >= seq, 5000, 'ack');
      sent.push({ t: host.mirror.t, a, learned });
    }
    const sessionId = lobby.sessionId!;
    await host.leave();
    host.close();
    const row = await completedSession(server, sessionId);
    const bytes = new Uint8Array(readFileSync(row.path));
    const ticks = new Map(decodeLog(bytes).records.flatMap((r) => (r.k === 'tick' ? [[r.t, r] as const] : [])));
    for (const s of sent) {
      const tick = ticks.get(s.t)!;
      expect(tick.a).toEqual([slot, s.a]);
      if (s.learned) expect(tick.b).toEqual([slot, ACTING_BRAINS.indexOf('learned')]);
      else expect(tick.b).toBeUndefined();
    }
    // Ticks where the member sent nothing carry no brain for it.
    const quiet = [...ticks.values()].filter((r) => r.a.length === 0);
    expect(quiet.length).toBeGreaterThan(0);
    expect(quiet.every((r) => r.b === undefined)).toBe(true);
    expect(replayLog(bytes).ok).toBe(true);
  });

  it('a client may not claim any other brain', async () => {
    const c = await connectClient(server.url);
    await c.createLobby({ name: 'Claim' });
    await c.start();
    await waitFor(() => c.mirror.ready && c.mirror.self, 8000, 'first delta');
    const error = nextError(c);
    emitRaw(c, 'game:action', { a: 1, brain: 'scripted' });
    expect(await error).toMatchObject({ code: 'invalid_payload' });
    c.close();
  });
});
