import { describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { createRelayClient } from '@aikon/protocol/client';
import { WorldMirror } from '@aikon/protocol';
import { ACTIONS } from '@aikon/engine';
import { INVITE_CODE_RE, parseInviteCode, replayLog } from '@aikon/protocol';
import { readFileSync } from 'node:fs';
import {
  completedSession,
  connectClient,
  emitRaw,
  nextError,
  refusal,
  relaySuite,
  request,
  startTestServer,
  waitFor,
} from './helpers.ts';

describe('relay server with real socket.io clients', () => {
  const suite = relaySuite({ reconnectMs: 3000, emptyLobbyGraceMs: 500 });
  const client = () => suite.client();

  it('two clients join by invite code and see each other move', async () => {
    const alice = await client();
    const created = await alice.createLobby({ name: 'Alice', seed: 7 });
    expect(created.lobby.code).toMatch(INVITE_CODE_RE);
    expect(parseInviteCode(created.inviteUrl)).toBe(created.lobby.code);
    expect(created.lobby.config).toEqual({ seats: 8, seed: 7, tickRate: 8 });

    const bob = await client();
    const joined = await bob.joinLobby(parseInviteCode(created.inviteUrl)!, { name: 'Bob' });
    expect(joined.lobby.members.map((m) => [m.name, m.host])).toEqual([
      ['Alice', true],
      ['Bob', false],
    ]);
    await waitFor(() => alice.lobby?.members.length === 2, 5000, 'alice sees bob');

    await alice.start();
    await waitFor(
      () => alice.mirror.ready && bob.mirror.ready && alice.mirror.players().length === 2,
      8000,
      'snapshots',
    );
    const aliceSlot = alice.mirror.slot!;
    const bobSlot = bob.mirror.slot!;
    expect(aliceSlot).not.toBe(bobSlot);

    // Walk Alice until Bob sees her position change.
    const before = bob.mirror.player(aliceSlot)!;
    const start = { x: before.x, y: before.y };
    const moves = ['move_right', 'move_down', 'move_up', 'move_left'] as const;
    let moved = false;
    for (let i = 0; i < 40 && !moved; i++) {
      const seq = alice.sendAction(moves[Math.floor(i / 4) % 4]);
      await waitFor(() => (alice.mirror.self?.ack ?? -1) >= seq, 5000, 'ack');
      await waitFor(() => bob.mirror.t >= alice.mirror.t, 5000, 'bob catches up');
      const now = bob.mirror.player(aliceSlot)!;
      moved = now.x !== start.x || now.y !== start.y;
    }
    expect(moved).toBe(true);
    // Both mirrors agree on Alice's body.
    expect(bob.mirror.player(aliceSlot)).toEqual(alice.mirror.player(aliceSlot));
    // Each player receives only its own stats.
    expect(alice.mirror.self?.slot).toBe(aliceSlot);
    expect(bob.mirror.self?.slot).toBe(bobSlot);

    // And Bob moves too.
    const bobStart = { ...bob.mirror.me()! };
    let bobMoved = false;
    for (let i = 0; i < 40 && !bobMoved; i++) {
      const seq = bob.sendAction(moves[(Math.floor(i / 4) + 2) % 4]);
      await waitFor(() => (bob.mirror.self?.ack ?? -1) >= seq, 5000, 'ack');
      await waitFor(() => alice.mirror.t >= bob.mirror.t, 5000, 'alice catches up');
      const now = alice.mirror.player(bobSlot)!;
      bobMoved = now.x !== bobStart.x || now.y !== bobStart.y;
    }
    expect(bobMoved).toBe(true);
  });

  it('over the wire, every client mirror equals the server world after many deltas', async () => {
    const players = [await client(), await client(), await client()];
    const created = await players[0].createLobby({ name: 'P0', tickRate: 15, seed: 4242 });
    await players[1].joinLobby(created.lobby.code, { name: 'P1' });
    await players[2].joinLobby(created.lobby.code, { name: 'P2' });
    await players[0].start();
    await waitFor(() => players.every((p) => p.mirror.self), 5000, 'deltas');
    const lobby = suite.server.lobbyByCode(created.lobby.code)!;
    let i = 0;
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      for (const p of players) {
        if (p.mirror.self?.dead) await p.respawn().catch(() => {});
        else p.sendAction(ACTIONS[(i * 7 + (p.mirror.slot ?? 0) * 3) % 17]);
      }
      i++;
      await new Promise((r) => setTimeout(r, 40));
    }
    // Compare at a delta whose tick is the server's current tick.
    const compared = await new Promise<number>((resolve, reject) => {
      const offs = players.map((p) =>
        p.onDelta((_d, mirror) => {
          if (mirror.t !== lobby.world!.t || !players.every((q) => q.mirror.t === mirror.t)) return;
          for (const off of offs) off();
          try {
            const truth = new WorldMirror();
            truth.loadWorld(lobby.world!);
            for (const q of players) {
              expect(Buffer.from(q.mirror.material).equals(Buffer.from(truth.material))).toBe(true);
              const sort = (m: WorldMirror) => [...m.entities.values()].sort((a, b) => a.id - b.id);
              expect(sort(q.mirror)).toEqual(sort(truth));
              const me = lobby.world!.findPlayer(q.mirror.slot!)!;
              expect(q.mirror.self!.inv).toEqual(Array.from(me.inventory));
              expect(q.mirror.self!.ach).toEqual(Array.from(me.achievements));
            }
            resolve(mirror.t);
          } catch (err) {
            reject(err);
          }
        }),
      );
    });
    expect(compared).toBeGreaterThan(20);
  });

  it('refuses host-only commands from others and changes nothing', async () => {
    const host = await client();
    const created = await host.createLobby({ name: 'Host', tickRate: 10 });
    const guest = await client();
    await guest.joinLobby(created.lobby.code, { name: 'Guest' });
    const errorEvent = nextError(guest);
    expect((await refusal(guest.setConfig({ tickRate: 5 }))).code).toBe('not_host');
    expect((await errorEvent).code).toBe('not_host');
    expect((await refusal(guest.start())).code).toBe('not_host');
    expect((await refusal(guest.kick(created.memberId))).code).toBe('not_host');
    const lobby = suite.server.lobbyByCode(created.lobby.code)!;
    expect(lobby.status).toBe('waiting');
    expect(lobby.config.tickRate).toBe(10);
    expect(lobby.members.size).toBe(2);

    // The host can: seats, seed, tick rate; bad values are refused.
    expect((await refusal(host.setConfig({ tickRate: 16 }))).code).toBe('invalid_payload');
    expect((await refusal(host.setConfig({ seats: 1 }))).code).toBe('bad_config');
    const state = await host.setConfig({ seats: 4, seed: 1234, tickRate: 12 });
    expect(state.config).toEqual({ seats: 4, seed: 1234, tickRate: 12 });
    await host.start();
    expect((await refusal(host.setConfig({ seed: 5 }))).code).toBe('already_running');
    expect((await refusal(host.start())).code).toBe('already_running');
  });

  it('kicks, hands the host over when the host leaves, and enforces seats', async () => {
    const a = await client();
    const created = await a.createLobby({ name: 'A', seats: 3 });
    const b = await client();
    const c = await client();
    const d = await client();
    const jb = await b.joinLobby(created.lobby.code, { name: 'B' });
    const jc = await c.joinLobby(created.lobby.code, { name: 'C' });
    expect((await refusal(d.joinLobby(created.lobby.code, { name: 'D' }))).code).toBe('lobby_full');
    expect((await refusal(a.kick(created.memberId))).code).toBe('invalid_target');

    const removed = new Promise<{ kicked: boolean }>((resolve) => c.onRemoved(resolve));
    await a.kick(jc.memberId);
    expect((await removed).kicked).toBe(true);
    expect(c.lobby).toBeNull();
    await a.start();
    await waitFor(() => b.mirror.ready, 5000, 'b snapshot');

    await a.leave();
    await waitFor(() => b.lobby?.hostId === jb.memberId, 5000, 'hand-over');
    const lobby = suite.server.lobbyByCode(created.lobby.code)!;
    expect(lobby.world!.players.map((p) => p.slot)).toEqual([b.mirror.slot]);
    // The new host may start/kick/configure.
    await b.setConfig({ tickRate: 15 });
    // Late join into the running game spawns next to the others. (D shares the kicked C's
    // address here, 127.0.0.1, so the host lifts C's ban first.)
    expect((await refusal(d.joinLobby(created.lobby.code, { name: 'D' }))).code).toBe('banned');
    await request(b, 'lobby:unban', { memberId: jc.memberId });
    const late = await d.joinLobby(created.lobby.code, { name: 'D' });
    expect(late.lobby.status).toBe('running');
    await waitFor(() => d.mirror.ready && d.mirror.me(), 5000, 'late snapshot');
    const me = d.mirror.me()!;
    const other = d.mirror.player(b.mirror.slot!)!;
    expect(Math.abs(me.x - other.x) + Math.abs(me.y - other.y)).toBeLessThanOrEqual(4);
  });

  it('a refreshed tab returns to the same body and inventory with its resume token', async () => {
    const a = await client();
    const created = await a.createLobby({ name: 'A' });
    await a.start();
    await waitFor(() => a.mirror.ready && a.mirror.self, 8000, 'first delta');
    // Do something that changes the body: face left and walk a bit.
    for (let i = 0; i < 3; i++) {
      const seq = a.sendAction('move_left');
      await waitFor(() => (a.mirror.self?.ack ?? -1) >= seq, 5000, 'ack');
    }
    const body = a.mirror.me()!;
    const slot = a.mirror.slot;
    const token = a.resumeToken!;
    a.close(); // the tab goes away

    const lobby = suite.server.lobbyByCode(created.lobby.code)!;
    await waitFor(() => lobby.connectedCount === 0, 5000, 'server notices');
    // The body stays in the world during the reconnection window.
    expect(lobby.world!.findPlayer(slot!)).toBeDefined();

    const again = await client();
    const resumed = await again.resume(token);
    expect(resumed.memberId).toBe(created.memberId);
    await waitFor(() => again.mirror.ready && again.mirror.me(), 5000, 'snapshot after resume');
    const p = lobby.world!.findPlayer(slot!)!;
    expect(again.mirror.slot).toBe(slot);
    expect(again.mirror.me()!.id).toBe(body.id);
    expect(again.mirror.self!.inv).toEqual(Array.from(p.inventory));
    // Later deltas omit unchanged inventory/achievements; the mirror keeps them.
    const t0 = again.mirror.t;
    await waitFor(() => again.mirror.t >= t0 + 3, 5000, 'more deltas');
    expect(again.mirror.self!.inv).toHaveLength(16);
    expect(again.mirror.self!.ach).toHaveLength(22);
    // A refreshed page that simply opens the invite link again: the stored token resumes.
    const storage = new Map<string, string>();
    const store = {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
      removeItem: (k: string) => void storage.delete(k),
    };
    const tab1 = createRelayClient(suite.server.url, { resumeStorage: store });
    suite.adopt(tab1);
    await tab1.connect();
    const first = await tab1.joinLobby(created.lobby.code, { name: 'Tab' });
    await waitFor(() => tab1.mirror.me(), 5000, 'tab body');
    const tabBody = tab1.mirror.me()!.id;
    tab1.close();
    const tab2 = createRelayClient(suite.server.url, { resumeStorage: store });
    suite.adopt(tab2);
    await tab2.connect();
    const second = await tab2.joinLobby(created.lobby.code, { name: 'Tab' });
    expect(second.memberId).toBe(first.memberId);
    await waitFor(() => tab2.mirror.me(), 5000, 'tab body again');
    expect(tab2.mirror.me()!.id).toBe(tabBody);
    // Old tokens of other lobbies or garbage are refused.
    const other = await client();
    expect((await refusal(other.resume('x'.repeat(32)))).code).toBe('bad_resume_token');
  });

  it('a dropped connection is recovered by Socket.IO to the same body', async () => {
    const a = await client();
    const created = await a.createLobby({ name: 'A' });
    await a.start();
    await waitFor(() => a.mirror.ready && a.mirror.self, 8000, 'first delta');
    const id = a.mirror.me()!.id;
    const lobby = suite.server.lobbyByCode(created.lobby.code)!;
    // Drop the transport (as a network failure would); the client reconnects by itself.
    const snapshots: number[] = [];
    a.onSnapshot((m) => snapshots.push(m.t));
    (a.socket.io.engine as unknown as { close(): void }).close();
    await waitFor(() => snapshots.length > 0, 5000, 'snapshot after reconnect');
    expect(a.socket.recovered).toBe(true);
    expect(a.mirror.me()!.id).toBe(id);
    expect(lobby.members.get(created.memberId)!.socket?.id).toBe(a.socket.id);
    const seq = a.sendAction('noop');
    await waitFor(() => (a.mirror.self?.ack ?? -1) >= seq, 5000, 'actions work again');
    // Only small lobby events are kept for recovery, never the per-tick deltas or snapshots.
    const stored = (suite.server.io.of('/').adapter as unknown as { packets: { data: unknown[] }[] }).packets.map(
      (p) => p.data[0],
    );
    expect(stored.length).toBeGreaterThan(0);
    expect(new Set(stored)).toEqual(
      new Set(stored.filter((e) => e === 'lobby:state' || e === 'lobby:kicked' || e === 'lobby:closed')),
    );
  });

  it('dead players can respawn; living ones cannot', async () => {
    const a = await client();
    const created = await a.createLobby({ name: 'A' });
    await a.start();
    await waitFor(() => a.mirror.self, 8000, 'delta');
    expect((await refusal(a.respawn())).code).toBe('player_alive');
    const lobby = suite.server.lobbyByCode(created.lobby.code)!;
    const p = lobby.world!.findPlayer(a.mirror.slot!)!;
    p.inventory[0] = 0; // a test shortcut: health 0 → dies at the next step
    await waitFor(() => a.mirror.self?.dead, 5000, 'death');
    const err = nextError(a);
    a.sendAction('noop');
    expect((await err).code).toBe('player_dead');
    await a.respawn();
    await waitFor(() => a.mirror.self && !a.mirror.self.dead && a.mirror.self.episode === 2, 5000, 'respawned');
    expect(a.mirror.self!.inv[0]).toBe(9);
  });

  it('records the session: closing the lobby leaves a complete log that replays to its hashes', async () => {
    const a = await client();
    const created = await a.createLobby({ name: 'A', seed: 99, exportConsent: false });
    const b = await client();
    await b.joinLobby(created.lobby.code, { name: 'B', kind: 'ai' });
    await a.start();
    await waitFor(() => a.mirror.self && b.mirror.self, 8000, 'deltas');
    for (let i = 0; i < 12; i++) {
      a.sendAction(ACTIONS[1 + (i % 4)]);
      b.sendAction('do');
      await new Promise((r) => setTimeout(r, 60));
    }
    await b.setExportConsent(false);
    const lobby = suite.server.lobbyByCode(created.lobby.code)!;
    const sessionId = lobby.sessionId!;
    await a.leave();
    await b.leave();
    await waitFor(() => lobby.status === 'closed', 8000, 'lobby closes after the grace period');
    // The index marks the session complete once the log's last bytes are synced.
    const row = await completedSession(suite.server, sessionId);
    const report = replayLog(new Uint8Array(readFileSync(row.path)));
    expect(report.ok).toBe(true);
    expect(report.complete).toBe(true);
    expect(report.ticks).toBe(row.ticks);
    const eps = await suite.server.store.episodes(sessionId);
    expect(eps.map((e) => [e.kind, e.consent, e.end_reason])).toEqual([
      ['human', 0, 'leave'],
      ['ai', 0, 'leave'],
    ]);
    expect(report.episodes.map((e) => [e.kind, e.consent ? 1 : 0, e.endReason, e.length])).toEqual(
      eps.map((e) => [e.kind, e.consent, e.end_reason, e.length]),
    );
    expect(suite.server.lobbyByCode(created.lobby.code)).toBeUndefined();
  });

  it('answers unknown events, wrong types and actions for another slot with an error event', async () => {
    const a = await client();
    await a.createLobby({ name: 'A' });
    await a.start();
    await waitFor(() => a.mirror.self, 8000, 'delta');
    const cases: [string, unknown, string][] = [
      ['no:such:event', {}, 'unknown_event'],
      ['game:action', { a: 'left' }, 'invalid_payload'],
      ['game:action', { a: 99 }, 'invalid_payload'],
      ['game:action', { a: 1, slot: a.mirror.slot! + 1 }, 'not_your_player'],
      ['lobby:create', { name: '' }, 'invalid_payload'],
      ['lobby:create', { name: 'again' }, 'already_in_lobby'],
      ['lobby:join', { code: 'x', name: 'n' }, 'invalid_payload'],
      ['game:action', { a: 1, pad: 'x'.repeat(10_000) }, 'payload_too_large'],
    ];
    for (const [event, payload, code] of cases) {
      const err = nextError(a);
      emitRaw(a, event, payload);
      const e = await err;
      expect([event, e.code]).toEqual([event, code]);
    }
    // A payload beyond the transport limit closes only that connection; the server lives on.
    const res = await fetch(`${suite.server.url}/healthz`);
    expect((await res.json()).status).toBe('ok');
  });

  it('a frame beyond maxHttpBufferSize closes only that connection', async () => {
    const a = await client();
    const created = await a.createLobby({ name: 'A' });
    await a.start();
    await waitFor(() => a.mirror.self, 8000, 'delta');
    const raw = ioClient(suite.server.url, { parser: msgpackParser, transports: ['websocket'], reconnection: false });
    await new Promise<void>((r) => raw.on('connect', () => r()));
    const closed = new Promise<string>((r) => raw.on('disconnect', (reason) => r(reason)));
    raw.emit('game:action', { a: 1, pad: 'x'.repeat(suite.server.config.maxHttpBufferSize + 1000) });
    expect(await closed).toBe('transport close');
    // Everyone else carries on.
    const t = a.mirror.t;
    await waitFor(() => a.mirror.t > t + 2, 5000, 'ticks continue');
    expect(suite.server.lobbyByCode(created.lobby.code)!.status).toBe('running');
  });

  it('a member that stays away past the reconnection window leaves; the host role moves on', async () => {
    const short = await startTestServer({ reconnectMs: 300, emptyLobbyGraceMs: 100 });
    try {
      const h = createRelayClient(short.url, { socket: { reconnection: false } });
      const g = createRelayClient(short.url, { socket: { reconnection: false } });
      await h.connect();
      await g.connect();
      const created = await h.createLobby({ name: 'H' });
      const jg = await g.joinLobby(created.lobby.code, { name: 'G' });
      await h.start();
      await waitFor(() => g.mirror.ready, 5000, 'snapshot');
      const lobby = short.lobbyByCode(created.lobby.code)!;
      const sessionId = lobby.sessionId!;
      h.close();
      await waitFor(() => lobby.hostId === jg.memberId, 8000, 'host hand-over after the window');
      expect(lobby.members.size).toBe(1);
      expect(lobby.world!.players).toHaveLength(1);
      g.close();
      await waitFor(() => lobby.status === 'closed', 8000, 'empty lobby closes');
      const eps = await short.store.episodes(sessionId);
      expect(eps.map((e) => e.end_reason).sort()).toEqual(['close', 'leave']);
      await completedSession(short, sessionId);
    } finally {
      await short.cleanup();
    }
  });

  it('bounds create/leave floods: per-address creation limit, abandoned lobbies close fast', async () => {
    const small = await startTestServer({ lobbyCreatesPerMinute: 2, abandonedLobbyGraceMs: 100 });
    try {
      const c = await connectClient(small.url);
      await c.createLobby({ name: 'x' });
      await c.leave();
      await c.createLobby({ name: 'y' });
      await c.leave();
      expect((await refusal(c.createLobby({ name: 'z' }))).code).toBe('rate_limited');
      await waitFor(() => small.lobbies.size === 0, 5000, 'abandoned lobbies close');
      c.close();
    } finally {
      await small.cleanup();
    }
  });

  it('a client that stops reading gets no deltas (bounded memory) and a snapshot once drained', async () => {
    const a = await client();
    const created = await a.createLobby({ name: 'A', tickRate: 15 });
    await a.start();
    await waitFor(() => a.mirror.self, 5000, 'delta');
    const lobby = suite.server.lobbyByCode(created.lobby.code)!;
    const serverSocket = lobby.members.get(created.memberId)!.socket!;
    const ws = (serverSocket.conn as unknown as { transport: { socket: object } }).transport.socket;
    let backlog = 10 * 1024 * 1024;
    Object.defineProperty(ws, 'bufferedAmount', { configurable: true, get: () => backlog });
    const snapshots: number[] = [];
    a.onSnapshot((m) => snapshots.push(m.t));
    const t0 = lobby.world!.t;
    await waitFor(() => lobby.world!.t > t0 + 10, 5000, 'server ticks on');
    expect(a.mirror.t).toBeLessThan(t0 + 3);
    expect(lobby.members.get(created.memberId)!.needsSnapshot).toBe(true);
    backlog = 0;
    await waitFor(() => snapshots.length > 0, 5000, 'snapshot after draining');
    const seq = a.sendAction('noop');
    await waitFor(() => (a.mirror.self?.ack ?? -1) >= seq, 5000, 'deltas again');
    expect(a.mirror.t).toBeGreaterThan(t0 + 10);
  });

  it('serves /healthz, /metrics and the SPA placeholder', async () => {
    const health = await (await fetch(`${suite.server.url}/healthz`)).json();
    expect(health.status).toBe('ok');
    const metrics = await (await fetch(`${suite.server.url}/metrics`)).text();
    for (const name of [
      'aikon_relay_lobbies',
      'aikon_relay_players',
      'aikon_relay_tick_duration_seconds_bucket',
      'aikon_relay_bytes_sent_total',
      'aikon_relay_events_rejected_total{reason="not_host"}',
    ]) {
      expect(metrics).toContain(name);
    }
    // The dataset API is mounted over the same data directory and sees the recorded sessions.
    const ds = await fetch(`${suite.server.url}/api/datasets/sessions`);
    expect(ds.status).toBe(200);
    const { sessions } = (await ds.json()) as { sessions: { complete: boolean; verified: boolean }[] };
    expect(sessions.some((x) => x.complete && x.verified)).toBe(true);
    const join = await fetch(`${suite.server.url}/join/AbCdEfGhIjKlMnOpQrSt_-`);
    expect(join.status).toBe(200);
    expect(await join.text()).toContain('AI-KON');
    expect((await fetch(`${suite.server.url}/missing.js`)).status).toBe(404);
    // A malformed invite code or an unknown API route is a JSON 404, never the game's page.
    for (const [path, error] of [
      ['/api/lobbies/garbage', 'lobby_not_found'],
      ['/api/lobbies/garbage/audit', 'lobby_not_found'],
      ['/api/nothing-here', 'not_found'],
    ]) {
      const res = await fetch(`${suite.server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/json/);
      expect(((await res.json()) as { error: string }).error, path).toBe(error);
    }
    // Hostile paths never escape the static root nor crash the server.
    const net = await import('node:net');
    for (const path of [
      '/%',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/a%00.js',
      `/${'x'.repeat(5000)}`,
      '/api/lobbies/%ff',
    ]) {
      const response = await new Promise<string>((resolve) => {
        const sock = net.connect(suite.server.port, '127.0.0.1', () =>
          sock.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
        );
        let data = '';
        sock.on('data', (d) => (data += d.toString()));
        sock.on('end', () => resolve(data));
        sock.on('error', () => resolve('error'));
      });
      expect(response.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 (200|400|404|414|431)/);
      expect(response).not.toMatch(/root:x:0/);
    }
    expect((await fetch(`${suite.server.url}/healthz`)).status).toBe(200);
  });

  it('raw socket.io clients without acks get error events too', async () => {
    const raw = ioClient(suite.server.url, { parser: msgpackParser, transports: ['websocket'] });
    const errors: string[] = [];
    raw.on('error', (e: { code: string }) => errors.push(e.code));
    await new Promise<void>((r) => raw.on('connect', () => r()));
    raw.emit('game:action', { a: 1 });
    raw.emit('lobby:start');
    // A forged reserved event name, written as a raw packet (the client library refuses it).
    const [frame] = new msgpackParser.Encoder().encode({
      type: 2,
      nsp: '/',
      data: ['disconnect', 'forged'],
    }) as unknown as [Uint8Array];
    (raw.io.engine as unknown as { write(d: unknown): void }).write(frame);
    raw.emit('lobby:join', { code: 'AbCdEfGhIjKlMnOpQrSt_-', name: 'x' });
    await waitFor(() => errors.length >= 4, 5000, 'errors');
    expect(errors).toEqual(['not_in_lobby', 'not_in_lobby', 'unknown_event', 'lobby_not_found']);
    expect(raw.connected).toBe(true);
    raw.close();
  });
});

describe('standalone client helper', () => {
  it('builds invite-aware clients', () => {
    const c = createRelayClient('http://127.0.0.1:1');
    expect(c.lobby).toBeNull();
    expect(() => c.sendAction('jump' as never)).toThrow(RangeError);
    c.close();
  });
});
