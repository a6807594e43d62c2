import { describe, expect, it } from 'vitest';
import type { LobbyState } from '@aikon/protocol';
import type { RelayClient } from '@aikon/protocol/client';
import { refusal, relaySuite, request, waitFor } from './helpers.ts';

/** Issue 14 #5 (kick bans, no silent takeover) and #4 (what one address may create). */
describe('membership rules over Socket.IO', () => {
  const suite = relaySuite({ maxLobbiesPerAddress: 3, abandonedLobbyGraceMs: 200 });
  const client = () => suite.client();

  it('a kicked member cannot rejoin with the code from any connection until the host lifts the ban', async () => {
    const host = await client();
    const guest = await client();
    const created = await host.createLobby({ name: 'Host' });
    const code = created.lobby.code;
    const joined = await guest.joinLobby(code, { name: 'Guest' });
    const removed = new Promise<{ kicked: boolean }>((r) => guest.onRemoved(r));
    await host.kick(joined.memberId);
    expect((await removed).kicked).toBe(true);
    await waitFor(() => host.lobby?.banned?.length === 1, 3000, 'ban listed');
    expect(host.lobby!.banned).toEqual([{ memberId: joined.memberId, name: 'Guest' }]);
    // Same connection, then a fresh one (same address): refused with a clear code.
    expect((await refusal(guest.joinLobby(code, { name: 'Guest' }))).code).toBe('banned');
    const again = await client();
    const refused = await refusal(again.joinLobby(code, { name: 'Other name' }));
    expect(refused.code).toBe('banned');
    expect(refused.message).toMatch(/host/);
    // Only the host may lift it; then the same person joins again.
    const third = await client();
    expect((await refusal(request(guest, 'lobby:unban', { memberId: joined.memberId }))).code).toBe('not_in_lobby');
    expect((await refusal(request(host, 'lobby:unban', { memberId: 'nobody' }))).code).toBe('member_not_found');
    await request(host, 'lobby:unban', { memberId: joined.memberId });
    await waitFor(() => host.lobby?.banned?.length === 0, 3000, 'ban lifted');
    const back = await guest.joinLobby(code, { name: 'Guest' });
    expect(back.lobby.members.map((m) => m.name).sort()).toEqual(['Guest', 'Host']);
    await third.joinLobby(code, { name: 'Third' });
    expect(suite.server.lobbyByCode(code)!.members.size).toBe(3);
  });

  it('no silent takeover by resume token: refused, or an explicit takeover that tells the old connection', async () => {
    const host = await client();
    const created = await host.createLobby({ name: 'Host' });
    await host.start();
    await waitFor(() => host.mirror.self, 5000, 'body');
    const slot = host.mirror.slot;
    // A second tab with the same token.
    const tab = await client();
    const refused = await refusal(tab.resume(created.resumeToken));
    expect(refused.code).toBe('member_connected');
    expect(
      (await refusal(tab.joinLobby(created.lobby.code, { name: 'Host', resumeToken: created.resumeToken }))).code,
    ).toBe('member_connected');
    // The first connection still holds the membership and plays.
    const member = suite.server.lobbyByCode(created.lobby.code)!.members.get(created.memberId)!;
    expect(member.socket?.id).toBe(host.socket.id);
    const t = host.mirror.t;
    await waitFor(() => host.mirror.t > t + 2, 3000, 'ticks still arrive');
    // Explicit takeover: the old connection is told, the new one gets the same body.
    const told = new Promise<{ reason: string; kicked: boolean }>((r) => host.onRemoved(r));
    const took = await tab.resume(created.resumeToken, { takeover: true });
    expect(took.memberId).toBe(created.memberId);
    expect((await told).reason).toMatch(/taken over/);
    await waitFor(() => tab.mirror.slot === slot && tab.mirror.self, 3000, 'same body in the new tab');
    expect(member.socket?.id).toBe(tab.socket.id);
  });

  it('one address may keep only so many lobbies open (too_many_lobbies); closing one frees a place', async () => {
    // Fresh lobbies of this file so far: 2 (one per test above), all from 127.0.0.1.
    const open = [...suite.server.lobbies.values()].filter((l) => l.status !== 'closed').length;
    const makers: RelayClient[] = [];
    for (let i = open; i < 3; i++) {
      const c = await client();
      await c.createLobby({ name: `M${i}` });
      makers.push(c);
    }
    const one = await client();
    const refused = await refusal(one.createLobby({ name: 'One too many' }));
    expect(refused.code).toBe('too_many_lobbies');
    expect(refused.message).toMatch(/at most 3 open lobbies/);
    const lobbyOf = (c: RelayClient): LobbyState => c.lobby!;
    const closing = suite.server.lobbyByCode(lobbyOf(makers[0]).code)!;
    await makers[0].leave();
    await waitFor(() => closing.status === 'closed', 20_000, 'abandoned lobby closes');
    await one.createLobby({ name: 'Now it fits' });
  });
});
