import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRecord, replayLog } from '@aikon/protocol';
import { leasePath, listLogs, readLogFile, RecordingStore } from '@aikon/protocol/node';
import { connectClient, exited, startRelayProcess, tempDir, waitFor } from './helpers.ts';

interface SessionView {
  id: string;
  recording: boolean;
  recovered: boolean;
  complete: boolean;
  verified: boolean;
  ticks: number;
  problem: string | null;
}

describe('crash safety (kill -9 of a child server while recording)', () => {
  const dataDir = tempDir('aikon-crash-');
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('after kill -9 and a restart every log reads, the torn tail is cut and replay matches the hashes', async () => {
    const first = await startRelayProcess(dataDir);
    children.push(first.child);
    const a = await connectClient(first.url);
    const b = await connectClient(first.url);
    const created = await a.createLobby({ name: 'A', tickRate: 15 });
    await b.joinLobby(created.lobby.code, { name: 'B' });
    await a.start();
    // A second lobby records its own session in parallel.
    const c = await connectClient(first.url);
    await c.createLobby({ name: 'C', tickRate: 5 });
    await c.start();
    await waitFor(() => a.mirror.self && b.mirror.self && c.mirror.self, 5000, 'deltas');
    // Play for a while: moves and `do`, with one client leaving and rejoining.
    const moves = ['move_left', 'move_right', 'move_up', 'move_down', 'do'] as const;
    const until = Date.now() + 1500;
    let i = 0;
    while (Date.now() < until) {
      a.sendAction(moves[i % 5]);
      b.sendAction(moves[(i * 3) % 5]);
      c.sendAction(moves[(i * 7) % 5]);
      i++;
      await new Promise((r) => setTimeout(r, 30));
    }
    const tBefore = a.mirror.t;
    expect(tBefore).toBeGreaterThan(10);
    // While the relay lives it holds both logs: listed as being recorded.
    const live = (await (await fetch(`${first.url}/api/datasets/sessions`)).json()) as { sessions: SessionView[] };
    expect(live.sessions.map((s) => s.recording)).toEqual([true, true]);

    first.child.kill('SIGKILL');
    await exited(first.child);
    a.close();
    b.close();
    c.close();

    const logs = listLogs(dataDir).sort((x, y) => statSync(y).size - statSync(x).size);
    expect(logs.length).toBe(2);
    // Simulate a write torn by the crash: half of a record at the end of the file.
    const partial = encodeRecord({ k: 'tick', t: 999_999, a: [0, 1] });
    appendFileSync(logs[0], partial.subarray(0, partial.length - 3));
    const sizeWithTear = statSync(logs[0]).size;
    expect(readLogFile(logs[0]).torn).toBe(true);

    // Durable lobbies off: the sessions are not continued, recovery finishes them.
    const second = await startRelayProcess(dataDir, ['--no-durable-lobbies']);
    children.push(second.child);
    const health = await (await fetch(`${second.url}/healthz`)).json();
    expect(health.status).toBe('ok');
    // Issue 14 #3: at once after the restart (no waiting for the files to age) the crashed
    // sessions list as recovered and verified, and their episodes answer queries.
    const listed = (await (await fetch(`${second.url}/api/datasets/sessions`)).json()) as { sessions: SessionView[] };
    expect(listed.sessions.map((s) => [s.recording, s.recovered, s.complete, s.verified, s.problem])).toEqual([
      [false, true, false, true, null],
      [false, true, false, true, null],
    ]);
    expect(listed.sessions.every((s) => s.ticks > 3)).toBe(true);
    for (const path of logs) expect(existsSync(leasePath(path))).toBe(false);
    const big = listed.sessions.find((s) => logs[0].endsWith(`${s.id}.aklog`))!;
    const eps = await fetch(`${second.url}/api/datasets/episodes?sessions=${big.id}`);
    expect(eps.status).toBe(200);
    const epsBody = (await eps.json()) as { total: number; episodes: { endReason: string }[] };
    expect(epsBody.total).toBe(2);
    expect(epsBody.episodes.map((e) => e.endReason)).toEqual(['crash', 'crash']);
    second.child.kill('SIGTERM');
    await exited(second.child);

    // The tail was cut at the last complete record; the log is readable and replays exactly.
    const log = readLogFile(logs[0]);
    expect(log.torn).toBe(false);
    expect(statSync(logs[0]).size).toBe(sizeWithTear - (partial.length - 3));
    const report = replayLog(new Uint8Array(readFileSync(logs[0])));
    expect(report.error).toBeUndefined();
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.complete).toBe(false);
    expect(report.hashesChecked).toBeGreaterThan(2);
    // At most the last second (fsync period) may be missing; with kill -9 the page cache keeps all.
    expect(report.lastT).toBeGreaterThanOrEqual(tBefore);

    // The other log (no torn tail) is readable and replays too.
    const other = replayLog(new Uint8Array(readFileSync(logs[1])));
    expect(other.ok).toBe(true);
    expect(other.complete).toBe(false);
    expect(other.ticks).toBeGreaterThan(3);

    const store = new RecordingStore(`${dataDir}/index.sqlite`);
    try {
      const rows = store.sessions();
      expect(rows.map((r) => [r.status, r.verified])).toEqual([
        ['incomplete', 1],
        ['incomplete', 1],
      ]);
      const row = rows.find((r) => r.path === logs[0])!;
      expect(row.status).toBe('incomplete');
      expect(row.verified).toBe(1);
      expect(row.note).toMatch(/torn tail/);
      const eps = store.episodes(row.id);
      expect(eps.length).toBe(2);
      expect(eps.every((e) => e.end_reason === 'crash')).toBe(true);
      expect(eps.map((e) => e.length)).toEqual(report.episodes.map((e) => e.length));
    } finally {
      store.close();
    }
  }, 180_000);

  it('without durable lobbies SIGTERM closes every lobby cleanly: complete log with an end record', async () => {
    const dir = tempDir('aikon-term-');
    try {
      const server = await startRelayProcess(dir, ['--no-durable-lobbies']);
      children.push(server.child);
      const a = await connectClient(server.url);
      await a.createLobby({ name: 'A', tickRate: 15 });
      await a.start();
      await waitFor(() => a.mirror.t > 5, 5000, 'ticks');
      server.child.kill('SIGTERM');
      await exited(server.child);
      a.close();
      expect(server.child.exitCode).toBe(0);
      const [path] = listLogs(dir);
      expect(existsSync(leasePath(path))).toBe(false);
      const report = replayLog(new Uint8Array(readFileSync(path)));
      expect(report.ok).toBe(true);
      expect(report.complete).toBe(true);
      expect(report.end?.reason).toBe('shutdown');
      const store = new RecordingStore(`${dir}/index.sqlite`);
      try {
        expect(store.sessions()[0].status).toBe('complete');
        expect(store.episodes(store.sessions()[0].id).map((e) => e.end_reason)).toEqual(['close']);
      } finally {
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
