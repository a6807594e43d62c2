/**
 * The lobby workforce over real Socket.IO (the relay in-process on 127.0.0.1, socket.io-client):
 * AI workers added by the host take seats and bodies and are recorded as AI; goals are refused
 * with reasons; the approval gate holds a plan until the host approves; the kill switch stops
 * every worker from the next tick on (checked in the recorded joint actions); the
 * "who may command" setting refuses other members; the audit log downloads for members only.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { RelayClient } from '@aikon/protocol/client';
import { replayLog, type WorkforceState } from '@aikon/protocol';
import { readLogFile } from '@aikon/protocol/node';
import {
  connectClient,
  nextError,
  refusal,
  relaySuite,
  request as wf,
  requestRaw,
  startTestServer,
  waitFor,
} from './helpers.ts';

/** Keeps the latest workforce:state a client received. */
function track(client: RelayClient): { state: WorkforceState | null } {
  const box: { state: WorkforceState | null } = { state: null };
  client.socket.on('workforce:state', (s: WorkforceState) => {
    box.state = s;
  });
  return box;
}

describe('lobby workforce over Socket.IO', () => {
  const suite = relaySuite({ reconnectMs: 3000, emptyLobbyGraceMs: 500 });
  const client = () => suite.client();

  it('gate, approval, kill switch, host-only commands, AI recorded as AI, audit download', async () => {
    const host = await client();
    const hostWf = track(host);
    const created = await host.createLobby({ name: 'Hana', seed: 3, tickRate: 15 });
    const code = created.lobby.code;
    const guest = await client();
    const guestWf = track(guest);
    await guest.joinLobby(code, { name: 'Gus' });

    // Workers: host only; they are listed as AI members and take seats.
    expect((await refusal(wf(guest, 'workforce:add', { name: 'Mallory' }))).code).toBe('not_host');
    const { workerId } = await wf(host, 'workforce:add', { name: 'Ada' });
    await wf(host, 'workforce:add', { name: 'Brunel' });
    expect((await refusal(wf(host, 'workforce:add', { name: 'ada' }))).code).toBe('invalid_target');
    await waitFor(() => guest.lobby?.members.length === 4, 5000, 'workers listed');
    const ada = guest.lobby!.members.find((m) => m.name === 'Ada')!;
    expect(ada).toMatchObject({ kind: 'ai', worker: true, memberId: workerId, host: false });
    expect(guestWf.state?.workers.map((w) => [w.name, w.status])).toEqual([
      ['Ada', 'waiting'],
      ['Brunel', 'waiting'],
    ]);

    // A goal before the game runs is refused with a reason.
    const early = await refusal(wf(host, 'workforce:goal', { text: 'collect wood 1' }));
    expect(early.code).toBe('goal_refused');
    expect(early.message).toMatch(/start the game/);

    await host.start();
    await waitFor(
      () => hostWf.state?.workers.every((w) => w.slot !== null && w.status !== 'waiting'),
      8000,
      'workers spawned',
    );
    const lobby = suite.server.lobbyByCode(code)!;
    const slots = hostWf.state!.workers.map((w) => w.slot!);
    // The commander thinks in the brain thread (it may still be loading on a busy machine).
    await waitFor(() => lobby.workforce.brainView !== null, 20_000, 'the brain thinking');

    // Host only (the default): the guest's goal, kill switch and settings are refused clearly.
    const errorEvent = nextError(guest);
    const notHost = await refusal(wf(guest, 'workforce:goal', { text: 'collect wood 1' }));
    expect(notHost.code).toBe('not_host');
    // …also as an `error` event, like every refusal.
    expect(await errorEvent).toMatchObject({ code: 'not_host', event: 'workforce:goal' });
    expect(notHost.message).toMatch(/only the host may command the AI workers/);
    expect((await refusal(wf(guest, 'workforce:kill', {}))).code).toBe('not_host');
    expect((await refusal(wf(guest, 'workforce:settings', { commanders: 'all' }))).code).toBe('not_host');

    // Unreadable or impossible goals: refused with the grammar's reason.
    const bad = await refusal(wf(host, 'workforce:goal', { text: 'collect wood 10' }));
    expect(bad).toMatchObject({ code: 'goal_refused' });
    expect(bad.message).toMatch(/at most 9/);
    expect((await refusal(wf(host, 'workforce:goal', { text: 'fly me to the moon' }))).code).toBe('goal_refused');
    expect((await refusal(requestRaw(host, 'workforce:goal', { goal: { kind: 'make', item: 'nothing' } }))).code).toBe(
      'invalid_payload',
    );

    // The approval gate: the plan waits; nothing runs until the host approves.
    await wf(host, 'workforce:settings', { approval: true });
    const proposed = await wf(host, 'workforce:goal', { goal: { kind: 'collect', item: 'wood', amount: 1 } });
    expect(proposed.awaitingApproval).toBe(true);
    expect(proposed.tasks).toBeGreaterThan(0);
    await waitFor(() => guestWf.state?.plan?.status === 'awaiting', 5000, 'plan awaiting');
    const t0 = lobby.world!.t;
    await waitFor(() => lobby.world!.t >= t0 + 8, 5000, 'ticks pass');
    expect(lobby.workforce.brainView?.goal ?? null).toBeNull();
    expect(hostWf.state!.plan!.tasks.every((t) => t.state === 'pending' && t.workerId === null)).toBe(true);
    expect((await refusal(wf(guest, 'workforce:approve', { planId: proposed.planId, approve: true }))).code).toBe(
      'not_host',
    );
    expect((await refusal(wf(host, 'workforce:approve', { planId: proposed.planId + 5, approve: true }))).code).toBe(
      'no_plan',
    );

    // Approval starts it: a task is assigned to a worker, then done.
    await wf(host, 'workforce:approve', { planId: proposed.planId, approve: true });
    await waitFor(() => hostWf.state?.plan?.status === 'running', 5000, 'plan running');
    expect(hostWf.state!.plan!.planId).toBe(proposed.planId);
    await waitFor(() => hostWf.state?.plan?.tasks.some((t) => t.workerId !== null), 5000, 'task assigned');
    await waitFor(() => hostWf.state?.plan?.status === 'done', 45_000, 'plan done');
    expect(hostWf.state!.plan!.tasks.every((t) => t.state === 'done')).toBe(true);

    // Every member may command once the host allows it.
    await wf(host, 'workforce:settings', { commanders: 'all', approval: false });
    const g = await wf(guest, 'workforce:goal', { text: 'chop 5 wood' });
    expect(g.awaitingApproval).toBe(false);
    await waitFor(() => guestWf.state?.workers.some((w) => w.status === 'working'), 8000, 'worker working');
    // Let them walk a little.
    const t1 = lobby.world!.t;
    await waitFor(() => lobby.world!.t >= t1 + 5, 5000, 'ticks');

    // The kill switch: from the next tick on, no worker acts.
    await wf(guest, 'workforce:kill', {});
    const killedAt = lobby.workforce.auditLines().findLast((l) => /kill switch/.test(l.what))!.t;
    await waitFor(
      () =>
        hostWf.state?.stopped === true &&
        hostWf.state.workers.every((w) => w.status === 'stopped' || w.status === 'dead'),
      5000,
      'stopped',
    );
    await waitFor(() => lobby.world!.t >= killedAt + 15, 5000, 'ticks after the kill');

    // Audit log: members only, JSON lines.
    expect((await fetch(`${suite.server.url}/api/lobbies/${code}/audit`)).status).toBe(403);
    expect(
      (
        await fetch(`${suite.server.url}/api/lobbies/${code}/audit`, {
          headers: { authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAA' },
        })
      ).status,
    ).toBe(403);
    const res = await fetch(`${suite.server.url}/api/lobbies/${code}/audit`, {
      headers: { authorization: `Bearer ${guest.resumeToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/ndjson/);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { who: string; what: string; t: number });
    const said = lines.map((l) => `${l.who}: ${l.what}`).join('\n');
    expect(said).toMatch(/Hana: added AI worker Ada/);
    expect(said).toMatch(/Hana: approved plan #/);
    expect(said).toMatch(/Gus: kill switch/);
    expect(said).toMatch(/Ada: (assigned|done)|Brunel: (assigned|done)/);
    const socketAudit = await wf(guest, 'workforce:audit', {});
    expect(socketAudit.lines.length).toBe(lines.length);

    // Removing a worker (the host's kick works too) frees its seat and its body.
    await host.kick(workerId);
    await waitFor(() => host.lobby?.members.length === 3, 5000, 'worker removed');

    // The recording: AI joins flagged AI; no worker action after the kill; replays exactly.
    const sessionId = lobby.sessionId!;
    lobby.close('test', { sync: true });
    const log = readLogFile((await suite.server.store.session(sessionId))!.path);
    const joins = log.records.filter((r) => r.k === 'join') as { slot: number; kind: string }[];
    expect(joins.filter((j) => slots.includes(j.slot)).map((j) => j.kind)).toEqual(['ai', 'ai']);
    expect(joins.filter((j) => !slots.includes(j.slot)).map((j) => j.kind)).toEqual(['human', 'human']);
    let acted = 0;
    for (const r of log.records) {
      if (r.k !== 'tick') continue;
      const a = (r as { a: number[] }).a;
      for (let i = 0; i < a.length; i += 2) {
        if (!slots.includes(a[i])) continue;
        if (r.t <= killedAt) acted++;
        else throw new Error(`worker slot ${a[i]} acted at tick ${r.t}, after the kill switch at ${killedAt}`);
      }
    }
    expect(acted).toBeGreaterThan(0);
    const report = replayLog(new Uint8Array(readFileSync(log.path)));
    expect(report.ok).toBe(true);
    // The audit log is also kept on disk beside the recordings.
    const auditFile = join(suite.server.dataDir, 'audit', `${sessionId}.jsonl`);
    await waitFor(
      () => existsSync(auditFile) && readFileSync(auditFile, 'utf8').includes('kill switch'),
      5000,
      'audit file',
    );
    expect(readFileSync(auditFile, 'utf8').split('\n')[0]).toMatch(/"who":"Hana","what":"added AI worker Ada"/);
    const episodes = await suite.server.store.episodes(sessionId);
    const kinds = new Map(episodes.map((e) => [e.slot, e.kind]));
    for (const s of slots) expect(kinds.get(s)).toBe('ai');
    expect(episodes.filter((e) => e.kind === 'human').length).toBe(2);
  }, 90_000);

  it('a worker that dies in a shared world respawns by itself (a fresh body, a new episode)', async () => {
    const host = await client();
    const wfState = track(host);
    const { lobby: created } = await host.createLobby({ name: 'Hana', seed: 5, tickRate: 15 });
    await wf(host, 'workforce:add', { name: 'Ada' });
    await host.start();
    await waitFor(() => wfState.state?.workers[0]?.status === 'idle', 8000, 'worker spawned');
    const lobby = suite.server.lobbyByCode(created.code)!;
    await waitFor(() => lobby.workforce.brainView !== null, 20_000, 'the brain thinking');
    const slot = wfState.state!.workers[0].slot!;
    const body = lobby.world!.findPlayer(slot)!;
    body.inventory[0] = 0; // killed (as a zombie would)
    await waitFor(() => wfState.state?.workers[0]?.status === 'dead', 5000, 'worker dead');
    // Two players: the dead body left the map, but the worker keeps its seat and comes back.
    expect(lobby.world!.findPlayer(slot)!.removed).toBe(true);
    await waitFor(() => wfState.state?.workers[0]?.status === 'idle', 8000, 'worker respawned');
    const fresh = lobby.world!.findPlayer(slot)!;
    expect(fresh).not.toBe(body);
    expect(fresh.episode).toBe(body.episode + 1);
    expect(fresh.inventory[0]).toBe(9);
    // Workers live by the lobby's rules: the new life starts with the world's spawn protection,
    // during which hostile creatures keep away from it (engine keep-away rule).
    expect(lobby.world!.keepAway).toBe(true);
    expect(fresh.protection + fresh.protectedSteps).toBe(lobby.world!.spawnProtection);
    expect(lobby.world!.spawnProtection).toBeGreaterThan(0);
    expect(lobby.workforce.auditLines().map((l) => `${l.who}: ${l.what}`)).toContain('Ada: respawned');
    // The brain's mirror never saw that death (it was not played, but written into the world):
    // it noticed the difference and took the world again.
    await waitFor(
      () => lobby.workforce.auditLines().some((l) => /the workforce brain took the world again/.test(l.what)),
      5000,
      'the brain resynchronised',
    );
  }, 30_000);

  it('reads free-text goals with a configured language-model endpoint, and falls back to the grammar', async () => {
    // A local stand-in for an OpenAI-compatible endpoint (no real one can be reached here).
    let down = false;
    let slow = false;
    const asked: string[] = [];
    const endpoint = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const text: string = JSON.parse(body).messages.at(-1).content;
        asked.push(text);
        if (down) return void res.writeHead(503).end('overloaded');
        const content = /logs/.test(text)
          ? '{"kind":"collect","item":"wood","amount":2}'
          : /moon/.test(text)
            ? '{"kind":"refuse","reason":"there is no moon in Crafter"}'
            : 'no idea';
        const answer = () =>
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
        if (slow) setTimeout(answer, 400);
        else answer();
      });
    });
    await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/v1`;
    const llm = await startTestServer({
      reconnectMs: 3000,
      languageModel: { url, model: 'stand-in', timeoutMs: 2000 },
    });
    try {
      const host = await connectClient(llm.url);
      suite.adopt(host);
      const wfState = track(host);
      const { lobby: created } = await host.createLobby({ name: 'Hana', seed: 3, tickRate: 15 });
      await wf(host, 'workforce:add', { name: 'Ada' });
      await host.start();
      await waitFor(() => wfState.state?.languageModel === 'stand-in', 5000, 'the state names the model');
      await waitFor(() => llm.lobbyByCode(created.code)!.workforce.brainView !== null, 20_000, 'the brain thinking');
      // The grammar cannot read this; the endpoint can.
      const read = await wf(host, 'workforce:goal', { text: 'fetch me a couple of logs' });
      expect(read).toMatchObject({ goal: 'collect wood 2', via: 'endpoint', awaitingApproval: false });
      expect(asked).toEqual(['fetch me a couple of logs']);
      // The endpoint's refusal is the answer.
      const refused = await refusal(wf(host, 'workforce:goal', { text: 'fly to the moon' }));
      expect(refused).toMatchObject({ code: 'goal_refused', message: 'there is no moon in Crafter' });
      // A guest's goal while the endpoint thinks, and meanwhile the host takes the right back:
      // the goal is refused once the answer comes.
      const guest = await connectClient(llm.url);
      suite.adopt(guest);
      await guest.joinLobby(created.code, { name: 'Gus' });
      await wf(host, 'workforce:settings', { commanders: 'all' });
      slow = true;
      const pending = refusal(wf(guest, 'workforce:goal', { text: 'some logs for me' }));
      await waitFor(() => asked.includes('some logs for me'), 3000, 'the endpoint was asked');
      await wf(host, 'workforce:settings', { commanders: 'host' });
      expect((await pending).code).toBe('not_host');
      slow = false;
      // Endpoint down: the grammar reads the text, and the answer says why.
      down = true;
      const fallback = await wf(host, 'workforce:goal', { text: 'collect wood 3' });
      expect(fallback).toMatchObject({ goal: 'collect wood 3', via: 'grammar', note: 'endpoint answered HTTP 503' });
      // Structured goals never go to the endpoint.
      const before = asked.length;
      await wf(host, 'workforce:goal', { goal: { kind: 'collect', item: 'wood', amount: 1 } });
      expect(asked.length).toBe(before);
      const audit = llm
        .lobbyByCode(created.code)!
        .workforce.auditLines()
        .map((l) => `${l.who}: ${l.what}`);
      expect(audit).toContain('Hana: "fetch me a couple of logs" read by the language model as "collect wood 2"');
      expect(audit).toContain(
        'server: language model not used for "collect wood 3" (endpoint answered HTTP 503); the goal grammar read it',
      );
    } finally {
      await llm.cleanup();
      await new Promise<void>((r) => endpoint.close(() => r()));
    }
  }, 30_000);

  it('a rejected plan never runs; seven workers on "all achievements" keep the tick cheap', async () => {
    const ticks: number[] = [];
    const timed = await startTestServer({ reconnectMs: 3000 });
    try {
      const host = await connectClient(timed.url);
      suite.adopt(host);
      const wfState = track(host);
      const { lobby: created } = await host.createLobby({ name: 'Hana', seed: 11, tickRate: 15 });
      for (const name of ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7']) await wf(host, 'workforce:add', { name });
      // Eight seats: the eighth AI worker has no seat (and the cap is eight workers anyway).
      expect((await refusal(wf(host, 'workforce:add', { name: 'A8' }))).code).toBe('lobby_full');
      await host.start();
      const lobby = timed.lobbyByCode(created.code)!;
      await wf(host, 'workforce:settings', { approval: true });
      const p = await wf(host, 'workforce:goal', { text: 'get me an iron pickaxe' });
      await wf(host, 'workforce:approve', { planId: p.planId, approve: false });
      await waitFor(() => wfState.state?.plan?.status === 'rejected', 5000, 'rejected');
      expect(lobby.workforce.brainView?.goal ?? null).toBeNull();
      await wf(host, 'workforce:settings', { approval: false });
      await wf(host, 'workforce:goal', { text: 'all achievements' });
      // Time the lobby's ticks (world step + seven workers + recording + deltas) for ~8 s.
      const lobbyTicks: number[] = [];
      const orig = timed.metrics.tickDuration.observe.bind(timed.metrics.tickDuration);
      timed.metrics.tickDuration.observe = ((v: number) => {
        lobbyTicks.push(v * 1000);
        return orig(v);
      }) as typeof timed.metrics.tickDuration.observe;
      const t0 = lobby.world!.t;
      await waitFor(() => lobby.world!.t >= t0 + 120, 20_000, '120 ticks');
      ticks.push(...lobbyTicks.sort((a, b) => a - b));
      const q = (f: number) => ticks[Math.min(ticks.length - 1, Math.floor(f * ticks.length))];
      console.log(
        `lobby tick with 7 AI workers ("all achievements"): p50 ${q(0.5).toFixed(2)} ms, p99 ` +
          `${q(0.99).toFixed(2)} ms, max ${ticks[ticks.length - 1].toFixed(2)} ms over ${ticks.length} ticks`,
      );
      // Budget at 15 ticks/s is 66 ms; the median stays far below it even on a shared machine.
      expect(q(0.5)).toBeLessThan(20);
      expect(wfState.state!.plan!.tasks.some((t) => t.state !== 'pending')).toBe(true);
    } finally {
      await timed.cleanup();
    }
  }, 60_000);
});
