import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Item, Material, PROTECTION_HELD } from '@aikon/engine';
import { createRelayClient, type RelayClient } from '@aikon/protocol/client';
import { decodeLog, replayLog } from '@aikon/protocol';
import { completedSession, connectClient, startTestServer, type TestServer, waitFor } from './helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A lobby does not tick before every member has drawn its first frame (`game:ready`); a member
 * that never does within the timeout stands held (protected) until it does. Real Socket.IO
 * clients: the host's helper answers every snapshot with `game:ready` (bots, tools), the slow
 * one is the game's mode (`readyWhen: 'manual'`).
 */
describe('first frame before the first tick', () => {
  let server: TestServer;
  const clients: RelayClient[] = [];
  const host = async () => {
    const c = await connectClient(server.url);
    clients.push(c);
    return c;
  };
  const slowClient = async () => {
    const c = createRelayClient(server.url, { readyWhen: 'manual' });
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startTestServer({ firstFrameTimeoutMs: 1500, spawnProtectionTicks: 10, emptyLobbyGraceMs: 300 });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.cleanup();
  });

  it('waits for every member to draw, then ticks', async () => {
    const a = await host();
    const created = await a.createLobby({ name: 'A', seed: 11, tickRate: 15 });
    const slow = await slowClient();
    await slow.joinLobby(created.lobby.code, { name: 'Slow' });
    await a.start();
    await waitFor(() => a.mirror.ready && slow.mirror.ready, 5000, 'snapshots');
    await waitFor(() => a.lobby?.members.find((m) => m.name === 'A')?.ready, 3000, 'the host is ready');
    expect(a.lobby?.awaitingFrames).toBe(true);
    expect(a.lobby?.members.find((m) => m.name === 'Slow')?.ready).toBe(false);
    await sleep(700);
    const lobby = server.lobbyByCode(created.lobby.code)!;
    expect(lobby.world!.t).toBe(0);
    expect(a.mirror.t).toBe(0);

    slow.ready();
    await waitFor(() => lobby.world!.t >= 3, 3000, 'ticks after the slow member drew');
    await waitFor(() => a.lobby?.awaitingFrames === undefined, 3000, 'the lobby state says it ticks');
    expect(slow.lobby?.members.every((m) => m.ready)).toBe(true);
    await a.leave();
    await slow.leave();
  });

  it('after the timeout the lobby ticks; a member still loading takes no damage until it has drawn', async () => {
    const a = await host();
    const created = await a.createLobby({ name: 'A', seed: 12, tickRate: 15 });
    const slow = await slowClient();
    await slow.joinLobby(created.lobby.code, { name: 'Slow' });
    const started = Date.now();
    await a.start();
    const lobby = server.lobbyByCode(created.lobby.code)!;
    await waitFor(() => lobby.world!.t > 0, 4000, 'the first tick after the timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    const world = lobby.world!;
    const slowSlot = [...lobby.members.values()].find((m) => m.name === 'Slow')!.slot!;
    const body = world.player(slowSlot);
    expect(body.protection).toBe(PROTECTION_HELD);

    // A zombie boxed in beside the loading member's body: it attacks every few ticks (and comes
    // back if daylight balancing takes it away).
    const sides = [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ] as const;
    const [sx, sy] = sides.find(([dx, dy]) => !world.objectAt(body.x + dx, body.y + dy))!;
    const [zx, zy] = [body.x + sx, body.y + sy];
    world.setMaterial(zx, zy, Material.grass);
    for (const [dx, dy] of sides) {
      if ((dx === -sx && dy === -sy) || world.objectAt(zx + dx, zy + dy)) continue;
      world.setMaterial(zx + dx, zy + dy, Material.stone);
    }
    const lowest = { health: 9 };
    const watch = setInterval(() => {
      if (!world.objectAt(zx, zy)) world.spawn('zombie', zx, zy);
      const p = world.findPlayer(slowSlot);
      if (p) {
        lowest.health = Math.min(lowest.health, p.inventory[Item.health]);
        p.inventory[Item.food] = p.inventory[Item.drink] = p.inventory[Item.energy] = 9;
      }
    }, 5);
    const t0 = world.t;
    await waitFor(() => world.t >= t0 + 30, 5000, '30 ticks held');
    expect(lowest.health).toBe(9);

    slow.ready();
    // The hold ends with the usual spawn protection (10 ticks), then the zombie hurts.
    await waitFor(() => body.protection <= 10, 3000, 'the hold released');
    await waitFor(() => body.inventory[Item.health] < 9 || body.dead, 8000, 'damage once protection ended');
    clearInterval(watch);
    const sessionId = lobby.sessionId!;
    await a.leave();
    await slow.leave();
    const row = await completedSession(server, sessionId);
    const bytes = new Uint8Array(readFileSync(row.path));
    const protects = decodeLog(bytes).records.filter((r) => r.k === 'protect');
    expect(protects.map((r) => r.k === 'protect' && [r.slot, r.ticks])).toEqual([
      [slowSlot, PROTECTION_HELD],
      [slowSlot, 10],
    ]);
    // The test edited the server's world (zombie, stone): the replay cannot match its hashes, but
    // it reads the protect records and the episode index counts the protected steps.
    const episodes = await server.store.episodes(sessionId);
    const slowEpisode = episodes.find((e) => e.slot === slowSlot)!;
    expect(slowEpisode.protected_steps).toBeGreaterThanOrEqual(30 + 10);
    expect(replayLog(bytes).error).toBeUndefined();
  });

  it('holds a member protected while its client loads a dream model, then frees it with spawn protection', async () => {
    const a = await host();
    const created = await a.createLobby({ name: 'A', seed: 13, tickRate: 15 });
    const dreamer = await slowClient();
    await dreamer.joinLobby(created.lobby.code, { name: 'Dreamer' });
    await a.start();
    await waitFor(() => dreamer.mirror.ready, 5000, 'snapshot');
    dreamer.ready();
    const lobby = server.lobbyByCode(created.lobby.code)!;
    const world = lobby.world!;
    const slot = [...lobby.members.values()].find((m) => m.name === 'Dreamer')!.slot!;
    const body = world.player(slot);
    const keepAlive = setInterval(() => body.inventory.fill(9, 0, 4), 5);
    await waitFor(() => world.t > 0 && body.protection === 0, 5000, 'the first spawn protection over');

    await dreamer.dreamLoading(true);
    expect(body.protection).toBe(PROTECTION_HELD);
    const t0 = world.t;
    await waitFor(() => world.t >= t0 + 15, 5000, 'the world goes on while the model loads');
    expect(body.protection).toBe(PROTECTION_HELD);

    await dreamer.dreamLoading(false);
    expect(body.protection).toBeGreaterThan(0);
    expect(body.protection).toBeLessThanOrEqual(10);
    await waitFor(() => body.protection === 0, 5000, 'the usual protection runs out');
    // Not loading any more: nothing to hold.
    await dreamer.dreamLoading(false);
    expect(body.protection).toBe(0);
    clearInterval(keepAlive);
    const sessionId = lobby.sessionId!;
    await a.leave();
    await dreamer.leave();
    const row = await completedSession(server, sessionId);
    const protects = decodeLog(new Uint8Array(readFileSync(row.path))).records.filter((r) => r.k === 'protect');
    expect(protects.map((r) => r.k === 'protect' && [r.slot, r.ticks])).toEqual([
      [slot, PROTECTION_HELD],
      [slot, 10],
    ]);
  });
});
