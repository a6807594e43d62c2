import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { TICK_RATE_MAX, TICK_RATE_MIN } from '@aikon/protocol';
import type { Lobby } from '../src/lobby.ts';
import { EVENTS, Fuzzer } from './fuzz-gen.ts';
import { connectClient, nextError, startTestServer, type TestServer, waitFor } from './helpers.ts';

/** Every lobby's invariants: members within seats, a host among the members, bodies ↔ members. */
export function checkLobby(lobby: Lobby): void {
  expect(lobby.members.size).toBeLessThanOrEqual(lobby.config.seats);
  if (lobby.members.size > 0) expect(lobby.members.has(lobby.hostId!)).toBe(true);
  expect(lobby.config.tickRate).toBeGreaterThanOrEqual(TICK_RATE_MIN);
  expect(lobby.config.tickRate).toBeLessThanOrEqual(TICK_RATE_MAX);
  if (lobby.status === 'running') {
    const world = lobby.world!;
    const slots = [...lobby.members.values()]
      .map((m) => m.slot)
      .filter((s) => s !== null)
      .sort();
    expect(world.players.map((p) => p.slot).sort()).toEqual(slots);
    expect(slots.length).toBe(lobby.members.size);
  } else {
    for (const m of lobby.members.values()) expect(m.slot).toBeNull();
  }
}

describe('bounded fuzzing of client events', () => {
  let server: TestServer;
  beforeAll(async () => {
    // A generous rate limit so the fuzz reaches the handlers; flooding is tested separately.
    server = await startTestServer({
      rateLimit: { perSecond: 1e6, burst: 1e6 },
      emptyLobbyGraceMs: 60_000,
      lobbyCreatesPerMinute: 1e6,
      maxLobbiesPerAddress: 1e6,
    });
  });
  afterAll(async () => {
    await server.cleanup();
  });

  it('thousands of malformed events leave the server up and every lobby consistent', async () => {
    const fuzz = new Fuzzer(20260701);
    const { rand, pick, value, validish } = fuzz;

    const sockets: Socket[] = [];
    for (let i = 0; i < 6; i++) {
      const s = ioClient(server.url, {
        parser: msgpackParser,
        transports: ['websocket'],
        reconnectionDelay: 50,
        reconnectionDelayMax: 100,
      });
      s.on('error', () => {});
      sockets.push(s);
    }
    await waitFor(() => sockets.every((s) => s.connected), 5000, 'fuzz sockets');
    const encoder = new msgpackParser.Encoder();
    const frame = (packet: object): unknown => (encoder.encode(packet) as unknown as unknown[])[0];
    const deadline = Date.now() + 15_000;
    const TOTAL = 4000;
    let sent = 0;
    for (; sent < TOTAL && Date.now() < deadline; sent++) {
      const s = pick(sockets);
      if (!s.connected) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      const r = rand();
      const event = pick(EVENTS);
      const reserved = ['error', 'connect'].includes(event);
      if (r < 0.03) {
        // Raw frames: a forged reserved event, a bad packet type, or plain garbage bytes.
        const engine = s.io.engine as unknown as { write(d: unknown): void };
        const kind = rand();
        if (kind < 0.4)
          engine.write(
            frame({
              type: 2,
              nsp: '/',
              data: [pick(['disconnect', 'disconnecting', 'connect_error', 'newListener']), value()],
            }),
          );
        else if (kind < 0.6) engine.write(frame({ type: 2, nsp: '/', data: [value(), value()] }));
        else if (kind < 0.8) engine.write(frame({ type: 3, nsp: '/', id: Math.floor(rand() * 10), data: [value()] }));
        else
          engine.write(
            new Uint8Array(Array.from({ length: 1 + Math.floor(rand() * 30) }, () => Math.floor(rand() * 256))),
          );
      } else if (reserved) {
        continue;
      } else {
        const payload = r < 0.5 ? validish(event) : value();
        const withAck = rand() < 0.5;
        const collect = (ack: unknown) => fuzz.learn(ack);
        if (rand() < 0.05) s.emit(event, payload, value(), collect);
        else if (withAck) s.emit(event, payload, collect);
        else s.emit(event, payload);
      }
      if (sent % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect(sent).toBeGreaterThan(1000);
    await new Promise((r) => setTimeout(r, 300));

    const health = await (await fetch(`${server.url}/healthz`)).json();
    expect(health.status).toBe('ok');
    expect(server.lobbies.size).toBeGreaterThan(0);
    for (const lobby of server.lobbies.values()) checkLobby(lobby);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/aikon_relay_events_rejected_total\{reason="invalid_payload"\} \d+/);
    // No handler ever threw an unexpected exception.
    expect(metrics).not.toMatch(/reason="server_error"/);
    const accepted = [...metrics.matchAll(/aikon_relay_events_total\{event="([^"]+)"\} (\d+)/g)].map(
      (m) => `${m[1]}=${m[2]}`,
    );
    const rejected = [...metrics.matchAll(/aikon_relay_events_rejected_total\{reason="([^"]+)"\} (\d+)/g)].map(
      (m) => `${m[1]}=${m[2]}`,
    );
    console.log(
      `fuzz: ${sent} events; lobbies ${server.lobbies.size}; ` +
        `accepted ${accepted.join(' ')}; rejected ${rejected.join(' ')}`,
    );
    expect([...server.lobbies.values()].some((l) => l.status === 'running')).toBe(true);
    for (const s of sockets) s.close();

    // The server still works for a normal player.
    const c = await connectClient(server.url);
    await c.createLobby({ name: 'after-fuzz' });
    await c.start();
    await waitFor(() => c.mirror.self, 8000, 'delta after fuzz');
    c.close();
  }, 60_000);
});

describe('flooding', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ rateLimit: { perSecond: 20, burst: 40 } });
  });
  afterAll(async () => {
    await server.cleanup();
  });

  it('events beyond the per-socket rate limit get rate_limited and change nothing', async () => {
    const c = await connectClient(server.url);
    await c.createLobby({ name: 'flood' });
    await c.start();
    await waitFor(() => c.mirror.self, 8000, 'delta');
    const err = nextError(c);
    for (let i = 0; i < 500; i++) c.socket.emit('game:action', { a: 1, seq: i });
    expect((await err).code).toBe('rate_limited');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const m = /aikon_relay_events_rejected_total\{reason="rate_limited"\} (\d+)/.exec(metrics);
    expect(Number(m?.[1])).toBeGreaterThan(400);
    // The bucket refills: a normal pace works again.
    await new Promise((r) => setTimeout(r, 2100));
    const seq = c.sendAction('noop');
    await waitFor(() => (c.mirror.self?.ack ?? -1) >= seq, 8000, 'ack after flood');
    c.close();
  });
});
