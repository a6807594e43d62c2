import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_MISSING, startPostgres, type TestPostgres } from '../../../packages/protocol/test/postgres.ts';
import { replayLog } from '@aikon/protocol';
import { listLogs } from '@aikon/protocol/node';
import {
  completedSession,
  connectClient,
  exited,
  startRelayProcess,
  startTestServer,
  type TestServer,
  tempDir,
  waitFor,
} from './helpers.ts';

describe.skipIf(POSTGRES_MISSING !== null)(`the relay with DATABASE_URL ${POSTGRES_MISSING ?? ''}`, () => {
  let postgres: TestPostgres;
  let databaseUrl = '';
  const dataDir = tempDir('aikon-pg-relay-');
  const servers: TestServer[] = [];
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    postgres = await startPostgres();
    databaseUrl = await postgres.createDatabase('relay');
  }, 120_000);
  afterAll(async () => {
    for (const s of servers) await s.close();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    postgres?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('indexes a lobby session in PostgreSQL across a restart; the dataset API lists it from there', async () => {
    const first = await startTestServer({ dataDir, databaseUrl });
    servers.push(first);
    expect(first.store.where).toMatch(/^postgres:\/\/aikon@127\.0\.0\.1:\d+\/relay$/);
    const host = await connectClient(first.url);
    await host.createLobby({ name: 'Host', tickRate: 15 });
    await host.start();
    await waitFor(() => host.mirror.t > 10, 8000, 'ticks');
    const lobby = [...first.lobbies.values()][0];
    const sessionId = lobby.sessionId!;
    // Being recorded: the API's live entry has the header facts only the index holds.
    const live = (await (await fetch(`${first.url}/api/datasets/sessions`)).json()) as {
      sessions: { id: string; recording: boolean; startedAt: string }[];
    };
    const row = await first.store.session(sessionId);
    expect(row?.status).toBe('recording');
    expect(live.sessions).toEqual([
      expect.objectContaining({ id: sessionId, recording: true, startedAt: row!.started_at }),
    ]);
    host.close();
    await first.close();

    // A durable lobby comes back on the next start and its session goes on in the same rows.
    const second = await startTestServer({ dataDir, databaseUrl });
    servers.push(second);
    expect(second.restored.map((l) => l.sessionId)).toEqual([sessionId]);
    expect(second.recovered).toEqual([]);
    second.restored[0].close('test', { sync: true });
    const done = await completedSession(second, sessionId);
    expect(done.ticks).toBeGreaterThan(10);
    expect(existsSync(join(dataDir, 'index.sqlite'))).toBe(false);

    // An independent reader sees the same rows.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const sessions = await client.query('SELECT id, status, ticks::int AS ticks FROM sessions');
      expect(sessions.rows).toEqual([{ id: sessionId, status: 'complete', ticks: done.ticks }]);
      const episodes = await client.query('SELECT kind, end_reason FROM episodes WHERE session_id = $1', [sessionId]);
      expect(episodes.rows).toEqual([{ kind: 'human', end_reason: 'close' }]);
    } finally {
      await client.end();
    }
  }, 90_000);
  it('kill -9 of a relay indexing in PostgreSQL: its lobby returns, the session goes on in the same row', async () => {
    const dir = tempDir('aikon-pg-kill-');
    const env = { DATABASE_URL: await postgres.createDatabase('relay_kill') };
    const rows = async (sql: string, params: unknown[] = []) => {
      const db = new pg.Client({ connectionString: env.DATABASE_URL });
      await db.connect();
      try {
        return (await db.query(sql, params)).rows;
      } finally {
        await db.end();
      }
    };
    const first = await startRelayProcess(dir, [], 0, 90_000, env);
    children.push(first.child);
    const host = await connectClient(first.url);
    await host.createLobby({ name: 'Host', tickRate: 15 });
    await host.start();
    await waitFor(() => host.mirror.t > 10, 8000, 'ticks');
    const [recording] = await rows('SELECT id, status FROM sessions');
    expect(recording.status).toBe('recording');
    const tBefore = host.mirror.t;

    first.child.kill('SIGKILL');
    await exited(first.child);
    const second = await startRelayProcess(dir, [], first.port, 90_000, env);
    children.push(second.child);
    // The client resumes on its own and the world ticks on from the log.
    await waitFor(() => host.mirror.t > tBefore + 10, 15_000, 'ticks after the restart');
    await host.leave(); // the last member leaves: the lobby closes after its 15 s grace and its session ends
    await waitFor(
      async () => (await rows('SELECT status FROM sessions'))[0]?.status === 'complete',
      40_000,
      'the session completed in PostgreSQL',
    );
    host.close();
    second.child.kill('SIGTERM');
    await exited(second.child);

    // One session row, the crashed session's own, complete with the log's ticks; one log that replays.
    const logs = listLogs(dir);
    expect(logs).toHaveLength(1);
    const report = replayLog(new Uint8Array(readFileSync(logs[0])));
    expect(report.ok).toBe(true);
    expect(report.lastT).toBeGreaterThan(tBefore + 10);
    const sessions = await rows('SELECT id, status, ticks::int AS ticks FROM sessions');
    expect(sessions).toEqual([{ id: recording.id, status: 'complete', ticks: report.lastT }]);
    const episodes = await rows('SELECT kind, end_reason FROM episodes WHERE session_id = $1', [recording.id]);
    expect(episodes).toEqual([{ kind: 'human', end_reason: 'leave' }]);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
