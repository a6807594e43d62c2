/**
 * The relay as PeerJS signalling server (issue 13), with real Socket.IO clients and real
 * WebSockets speaking PeerJS's signalling protocol (what the peerjs client sends): credentials
 * only for lobby members, refused without them, signalling only within a lobby, tokens dying
 * with the membership and with the lobby, offers to serve, metrics, and Socket.IO beside it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { PEER_ID_RE, PEER_KEY, type ErrorMessage, type PeerOffersMessage } from '@aikon/protocol';
import type { RelayClient } from '@aikon/protocol/client';
import { PEER_WS_PATH } from '../src/peer-signalling.ts';
import { parseIceServers } from '../src/config.ts';
import { connectClient, request, requestRaw, startTestServer, waitFor } from './helpers.ts';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

async function refusal(p: Promise<unknown>): Promise<ErrorMessage> {
  try {
    await p;
  } catch (err) {
    return err as ErrorMessage;
  }
  throw new Error('expected a refusal');
}

interface Signal {
  type: string;
  src?: string;
  dst?: string;
  payload?: unknown;
}

/** A PeerJS signalling connection as the peerjs client opens it; resolves once the server says OPEN. */
function openPeer(
  url: string,
  cred: { peerId: string; token: string; key?: string },
): Promise<{ ws: WebSocket; inbox: Signal[]; closed: Promise<number> }> {
  const ws = new WebSocket(
    `${url.replace(/^http/, 'ws')}${PEER_WS_PATH}?key=${cred.key ?? PEER_KEY}` +
      `&id=${cred.peerId}&token=${cred.token}&version=1.5.5`,
  );
  const inbox: Signal[] = [];
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  return new Promise((resolve, reject) => {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as Signal;
      inbox.push(m);
      if (m.type === 'OPEN') resolve({ ws, inbox, closed });
      if (m.type === 'ERROR' || m.type === 'ID-TAKEN') reject(new Error(`${m.type}: ${JSON.stringify(m.payload)}`));
    });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('peer signalling on the relay', () => {
  let server: TestServer;
  const clients: RelayClient[] = [];
  const sockets: WebSocket[] = [];
  const client = async () => {
    const c = await connectClient(server.url);
    clients.push(c);
    return c;
  };
  const peer = async (cred: { peerId: string; token: string; key?: string }) => {
    const p = await openPeer(server.url, cred);
    sockets.push(p.ws);
    return p;
  };
  beforeAll(async () => {
    server = await startTestServer({
      abandonedLobbyGraceMs: 100,
      durableLobbies: false,
      iceServers: [{ urls: 'stun:127.0.0.1:3478' }],
    });
  });
  afterAll(async () => {
    for (const s of sockets) s.terminate();
    for (const c of clients) c.close();
    await server.cleanup();
  });

  it('credentials go to lobby members only; the PeerJS socket wants a live id and token', async () => {
    const stranger = await client();
    expect((await refusal(request(stranger, 'peer:token', {}))).code).toBe('not_in_lobby');
    const host = await client();
    await host.createLobby({ name: 'Host' });
    const cred = await request(host, 'peer:token', {});
    expect(cred).toMatchObject({ v: 1, path: '/peerjs', key: PEER_KEY, iceServers: [{ urls: 'stun:127.0.0.1:3478' }] });
    expect(cred.peerId).toMatch(PEER_ID_RE);
    // PeerJS's own id rule (peerjs util.validateId): an id it refuses cannot open a peer at all.
    for (let k = 0; k < 8; k++) {
      const other = await client();
      await other.createLobby({ name: `Host ${k}` });
      const { peerId } = await request(other, 'peer:token', {});
      expect(peerId).toMatch(/^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/);
      other.close();
    }
    // The same credentials while the membership lasts.
    expect(await request(host, 'peer:token', {})).toEqual(cred);
    // Refused before PeerJS sees it: a wrong token, a made-up id, another key.
    await expect(openPeer(server.url, { peerId: cred.peerId, token: 'x'.repeat(32) })).rejects.toThrow('HTTP 401');
    await expect(openPeer(server.url, { peerId: 'aikon-AAAAAAAAAAAAAAAA', token: cred.token })).rejects.toThrow(
      'HTTP 401',
    );
    await expect(openPeer(server.url, { ...cred, key: 'peerjs' })).rejects.toThrow('HTTP 401');
    const { inbox } = await peer(cred);
    expect(inbox[0].type).toBe('OPEN');
    // Socket.IO still works beside it (its upgrade path), unknown upgrade paths are refused.
    await expect(request(host, 'lobby:config', { tickRate: 9 })).resolves.toMatchObject({ config: { tickRate: 9 } });
    const other = new WebSocket(`${server.url.replace(/^http/, 'ws')}/elsewhere`);
    const status = await new Promise<number>((r) =>
      other.once('unexpected-response', (_q, res) => r(res.statusCode ?? 0)),
    );
    expect(status).toBe(404);
    // The HTTP side of PeerJS (random ids, peer lists) is not served (the game's page answers).
    const ids = await (await fetch(`${server.url}/peerjs/${PEER_KEY}/id`)).text();
    expect(ids).not.toMatch(/^[0-9a-f-]{36}$/);
    await host.leave();
  });

  it('signalling passes between members of one lobby and never from another lobby', async () => {
    const a = await client();
    const b = await client();
    const c = await client();
    const { lobby } = await a.createLobby({ name: 'A' });
    await b.joinLobby(lobby.code, { name: 'B' });
    await c.createLobby({ name: 'C' });
    const [ca, cb, cc] = await Promise.all([a, b, c].map((x) => request(x, 'peer:token', {})));
    const [pa, pb, pc] = await Promise.all([ca, cb, cc].map((x) => peer(x)));
    const refusedBefore = await metric('aikon_relay_peer_refused_total');
    pc.ws.send(JSON.stringify({ type: 'OFFER', dst: ca.peerId, payload: { sdp: 'from another lobby' } }));
    pb.ws.send(JSON.stringify({ type: 'OFFER', dst: ca.peerId, payload: { sdp: 'from my lobby' } }));
    await waitFor(() => pa.inbox.some((m) => m.type === 'OFFER'), 3000, 'the offer from B');
    pa.ws.send(JSON.stringify({ type: 'ANSWER', dst: cb.peerId, payload: { sdp: 'answer' } }));
    await waitFor(() => pb.inbox.some((m) => m.type === 'ANSWER'), 3000, 'the answer to B');
    await new Promise((r) => setTimeout(r, 200));
    const offers = pa.inbox.filter((m) => m.type === 'OFFER');
    expect(offers).toEqual([{ type: 'OFFER', src: cb.peerId, dst: ca.peerId, payload: { sdp: 'from my lobby' } }]);
    expect(pb.inbox.find((m) => m.type === 'ANSWER')).toMatchObject({ src: ca.peerId });
    expect(pc.inbox.map((m) => m.type)).toEqual(['OPEN']);
    expect(await metric('aikon_relay_peer_refused_total')).toBeGreaterThan(refusedBefore);
    for (const x of [a, b, c]) await x.leave();
  });

  it('offers to serve reach the lobby; the tokens die with the membership and with the lobby', async () => {
    const host = await client();
    const guest = await client();
    const { lobby } = await host.createLobby({ name: 'Host' });
    await guest.joinLobby(lobby.code, { name: 'Guest' });
    const offersSeen: PeerOffersMessage[] = [];
    host.socket.on('peer:offers', (m: PeerOffersMessage) => offersSeen.push(m));
    const hostCred = await request(host, 'peer:token', {});
    const guestCred = await request(guest, 'peer:token', {});
    const hostPeer = await peer(hostCred);
    const guestPeer = await peer(guestCred);
    expect(
      (
        await refusal(
          requestRaw(guest, 'peer:offer', { serving: true, stepsPerSecond: -1, backend: 'wasm', model: 'm' }),
        )
      ).code,
    ).toBe('invalid_payload');
    await request(guest, 'peer:offer', {
      serving: true,
      stepsPerSecond: 42.5,
      backend: 'onnxruntime-web (wasm)',
      model: 'token-dream-small',
    });
    await waitFor(() => offersSeen.at(-1)?.offers.length === 1, 3000, 'the guest offer');
    expect(offersSeen.at(-1)!.offers[0]).toEqual({
      memberId: guest.memberId,
      name: 'Guest',
      peerId: guestCred.peerId,
      stepsPerSecond: 42.5,
      backend: 'onnxruntime-web (wasm)',
      model: 'token-dream-small',
    });
    expect(await metric('aikon_relay_peer_shards')).toBe(1);
    expect(await metric('aikon_relay_peer_signalling_connected')).toBeGreaterThanOrEqual(2);
    // The relay is the fall-back of a peer shard's dreamers: its model loads now, not at their fail-over.
    await waitFor(() => server.dream.modelLoaded, 30_000, "the relay's dream model loaded");
    await request(guest, 'peer:report', { stepsServed: 7, bytesServed: 7000, failovers: 0 });
    await request(host, 'peer:report', { stepsServed: 0, bytesServed: 0, failovers: 1 });
    expect(await metric('aikon_relay_peer_steps_served_total')).toBe(7);
    expect(await metric('aikon_relay_peer_bytes_served_total')).toBe(7000);
    expect(await metric('aikon_relay_peer_failovers_total')).toBe(1);
    // The guest leaves: its signalling socket closes, its token is refused, its offer is gone.
    await guest.leave();
    expect(await guestPeer.closed).toBe(4001);
    await waitFor(() => offersSeen.at(-1)?.offers.length === 0, 3000, 'the offer withdrawn');
    await expect(openPeer(server.url, guestCred)).rejects.toThrow('HTTP 401');
    expect(await metric('aikon_relay_peer_shards')).toBe(0);
    // The lobby closes (its last member leaves): the host's token dies with it.
    await host.leave();
    await waitFor(() => !server.lobbyByCode(lobby.code), 3000, 'the lobby closed');
    expect(await hostPeer.closed).toBe(4001);
    await expect(openPeer(server.url, hostCred)).rejects.toThrow('HTTP 401');
  });

  it('a serving member whose connection drops stops being offered', async () => {
    const host = await client();
    const server2 = await client();
    const { lobby } = await host.createLobby({ name: 'Host' });
    await server2.joinLobby(lobby.code, { name: 'Server' });
    const offersSeen: PeerOffersMessage[] = [];
    host.socket.on('peer:offers', (m: PeerOffersMessage) => offersSeen.push(m));
    await request(host, 'peer:token', {});
    await request(server2, 'peer:offer', {
      serving: true,
      stepsPerSecond: 10,
      backend: 'wasm',
      model: 'world-sim-small',
    });
    await waitFor(() => offersSeen.at(-1)?.offers.length === 1, 3000, 'the offer');
    server2.socket.disconnect();
    await waitFor(() => offersSeen.at(-1)?.offers.length === 0, 3000, 'the offer gone with the connection');
    await host.leave();
  });

  it('AIKON_ICE_SERVERS is a checked JSON list of STUN/TURN servers', () => {
    expect(
      parseIceServers(
        '[{"urls":"stun:stun.example.org:3478"},{"urls":["turn:t.example.org"],"username":"u","credential":"c"}]',
      ),
    ).toHaveLength(2);
    expect(() => parseIceServers('stun:x')).toThrow(/JSON/);
    expect(() => parseIceServers('[{"urls":"http://x"}]')).toThrow(/stun:\/turn:/);
    expect(() => parseIceServers('[{"url":"stun:x"}]')).toThrow();
  });

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    if (!line) throw new Error(`no metric ${name}`);
    return Number(line.split(' ')[1]);
  }
});
