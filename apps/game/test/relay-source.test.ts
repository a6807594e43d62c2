/**
 * RelayGameSource against a real in-process relay server (socket.io-client in Node): frames
 * from the mirror, the solo key rule over the wire, two players seeing each other, respawn.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Action, DIRECTIONS, ObjectKind, PLAYER_WALKABLE, World } from '@aikon/engine';
import { createRelayClient, type RelayClient } from '@aikon/protocol/client';
import { startRelayServer, type RelayServer } from '@aikon/relay-server';
import { RelayGameSource } from '../src/net/relay-source.ts';
import type { GameFrame } from '../src/game/protocol.ts';

let server: RelayServer;
let dataDir: string;
const clients: RelayClient[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'aikon-game-relay-'));
  server = await startRelayServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logLevel: 'silent',
    staticDir: join(dataDir, 'none'),
    datasetsApi: false,
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function client(): Promise<RelayClient> {
  const c = createRelayClient(server.url);
  clients.push(c);
  await c.connect();
  return c;
}

function until<T>(check: () => T | null | undefined | false, what: string, timeoutMs = 8000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = () => {
      const v = check();
      if (v) resolve(v);
      else if (Date.now() - t0 > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

/** A seed where the first player can walk left at least 3 tiles from its spawn. */
function seedWithRoomToTheLeft(): number {
  for (let seed = 1; seed < 500; seed++) {
    const w = World.generate({ seed });
    const p = w.addPlayer();
    let ok = true;
    for (let k = 1; k <= 3; k++) {
      const x = p.x + DIRECTIONS[0][0] * k;
      const y = p.y + DIRECTIONS[0][1] * k;
      if (PLAYER_WALKABLE[w.getMaterial(x, y)] !== 1 || w.objectAt(x, y)) ok = false;
    }
    if (ok) return seed;
  }
  throw new Error('no seed');
}

describe('RelayGameSource', () => {
  it('feeds frames from the relay, sends pressed and held keys as intents, and shows other players', async () => {
    const seed = seedWithRoomToTheLeft();
    const host = await client();
    const joined = await host.createLobby({ name: 'Host', seed, tickRate: 15 });
    const frames: GameFrame[] = [];
    const source = new RelayGameSource(host);
    source.onFrame = (f) => frames.push(f);
    source.start();
    expect(source.kind).toBe('network');
    await host.start();
    await until(() => frames.length > 2 && frames[frames.length - 1].players.length === 1, 'first frames');
    const f0 = frames[frames.length - 1];
    expect(f0.seed).toBe(seed);
    expect(f0.me).toBe(0);
    expect(f0.material.length).toBe(64 * 64);
    expect(f0.over).toBe(false);
    expect(f0.tickRate).toBe(15);
    const me0 = f0.players[0];
    expect(me0.inventory).toHaveLength(16);
    expect(me0.inventory[0]).toBe(9);
    expect(me0.achievements).toHaveLength(22);
    expect(f0.craft.length).toBeGreaterThan(0);
    expect(f0.names).toEqual({ 0: 'Host' });
    // Objects carry no players; ids are unique.
    const body = server.lobbyByCode(joined.lobby.code)!.world!.findPlayer(0)!;
    expect(me0.id).toBe(body.id);

    // A held key walks every tick; releasing it stops.
    const x0 = me0.x;
    source.hold(Action.move_left);
    source.press(Action.move_left);
    await until(() => frames[frames.length - 1].players[0].x <= x0 - 3, 'walked 3 tiles left');
    source.hold(null);
    const last = frames[frames.length - 1];
    expect(last.players[0].action).toBe(Action.move_left);
    await new Promise((r) => setTimeout(r, 300));
    const settled = frames[frames.length - 1].players[0].x;
    await new Promise((r) => setTimeout(r, 300));
    expect(frames[frames.length - 1].players[0].x).toBe(settled);
    expect(frames[frames.length - 1].players[0].action).toBe(Action.noop);
    // The server's world agrees with the frames.
    expect(body.x).toBe(frames[frames.length - 1].players[0].x);

    // A late joiner: both see two players; the host's frame names the guest.
    const guest = await client();
    await guest.joinLobby(joined.lobby.code, { name: 'Guest', exportConsent: false });
    const guestSource = new RelayGameSource(guest);
    const guestFrames: GameFrame[] = [];
    guestSource.onFrame = (f) => guestFrames.push(f);
    guestSource.start();
    await until(
      () => guestFrames.length > 0 && guestFrames[guestFrames.length - 1].players.length === 2,
      'guest sees two players',
    );
    await until(() => frames[frames.length - 1].players.length === 2, 'host sees two players');
    const g = guestFrames[guestFrames.length - 1];
    expect(g.me).toBe(1);
    expect(g.players.find((p) => p.slot === 0)!.x).toBe(body.x);
    expect(frames[frames.length - 1].names).toEqual({ 0: 'Host', 1: 'Guest' });
    // Other players' inventories are private: only health is known.
    const hostSeen = g.players.find((p) => p.slot === 0)!;
    expect(hostSeen.inventory[0]).toBe(body.inventory[0]);
    expect(hostSeen.inventory.slice(1).every((v) => v === 0)).toBe(true);
    const lobby = server.lobbyByCode(joined.lobby.code)!;
    expect(lobby.state().members.find((m) => m.name === 'Guest')!.exportConsent).toBe(false);

    // The guest moves; the host's frames follow.
    const guestBody = lobby.world!.findPlayer(1)!;
    const gx = guestBody.x;
    const gy = guestBody.y;
    for (let i = 0; i < 6; i++) {
      guestSource.press(i % 2 ? Action.move_right : Action.move_down);
      await new Promise((r) => setTimeout(r, 90));
    }
    await until(() => guestBody.x !== gx || guestBody.y !== gy, 'guest moved on the server');
    await until(() => {
      const seen = frames[frames.length - 1].players.find((p) => p.slot === 1);
      return seen && seen.x === guestBody.x && seen.y === guestBody.y;
    }, 'host sees the guest move');

    guestSource.dispose();
    source.dispose();
    const count = frames.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(frames.length).toBe(count);
  });

  it('keeps feeding frames for the same body after the connection drops and comes back', async () => {
    const c = createRelayClient(server.url, { socket: { reconnection: true } });
    clients.push(c);
    await c.connect();
    await c.createLobby({ name: 'Flaky', tickRate: 15 });
    const source = new RelayGameSource(c);
    const frames: GameFrame[] = [];
    source.onFrame = (f) => frames.push(f);
    source.start();
    await c.start();
    await until(() => frames.length > 3, 'frames');
    const id = frames[frames.length - 1].players[0].id;
    const drops: boolean[] = [];
    c.onConnection((up) => drops.push(up));
    c.socket.io.engine.close(); // the transport dies; Socket.IO reconnects and recovers the session
    await until(() => drops.includes(false) && drops.includes(true), 'reconnected');
    const t = c.mirror.t;
    await until(() => frames[frames.length - 1].t > t + 3, 'frames after the reconnect');
    const last = frames[frames.length - 1];
    expect(last.me).toBe(0);
    expect(last.players[0].id).toBe(id);
    source.press(Action.noop);
    source.dispose();
  });

  it('sends nothing while dead, and respawns through the client', async () => {
    const host = await client();
    await host.createLobby({ name: 'Mortal', tickRate: 15 });
    let disposed = 0;
    const source = new RelayGameSource(host, { onDispose: () => disposed++ });
    const frames: GameFrame[] = [];
    source.onFrame = (f) => frames.push(f);
    source.start();
    await host.start();
    await until(() => frames.length > 1, 'frames');
    const lobby = server.lobbyByCode(host.lobby!.code)!;
    // With a second player the world is shared: a dead body leaves the map.
    const other = await client();
    await other.joinLobby(host.lobby!.code, { name: 'Witness' });
    await until(() => frames[frames.length - 1].players.length === 2, 'two players');
    const body = lobby.world!.findPlayer(0)!;
    const at = { x: body.x, y: body.y };
    body.inventory[0] = 0; // the engine kills a player whose health is 0 on the next step
    await until(() => frames[frames.length - 1].players.find((p) => p.slot === 0)?.dead, 'dead frame');
    expect(source.alive).toBe(false);
    await until(() => host.mirror.me() === undefined, 'body removed from the map');
    await until(() => frames[frames.length - 1].t > host.mirror.t - 1, 'a frame after removal');
    const deadMe = frames[frames.length - 1].players.find((p) => p.slot === 0)!;
    expect(deadMe.dead).toBe(true);
    expect({ x: deadMe.x, y: deadMe.y }).toEqual(at);
    const errors: string[] = [];
    host.onError((e) => errors.push(e.code));
    source.press(Action.move_left);
    await new Promise((r) => setTimeout(r, 300));
    expect(errors).toEqual([]); // nothing sent, so no player_dead refusals
    await source.respawn();
    await until(
      () => source.alive && frames[frames.length - 1].players.find((p) => p.slot === 0 && !p.dead),
      'respawned',
    );
    expect(frames[frames.length - 1].players).toHaveLength(2);
    expect(frames[frames.length - 1].objects.length % 7).toBe(0);
    for (let k = 0; k < frames[frames.length - 1].objects.length; k += 7)
      expect(frames[frames.length - 1].objects[k + 1]).not.toBe(ObjectKind.player);
    source.dispose();
    source.dispose();
    expect(disposed).toBe(1);
  });
});
