import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_MISSING, startPostgres, type TestPostgres } from '../../../packages/protocol/test/postgres.ts';
import { completedSession, connectClient, startTestServer, type TestServer, tempDir, waitFor } from './helpers.ts';

describe.skipIf(POSTGRES_MISSING !== null)(`the relay with DATABASE_URL ${POSTGRES_MISSING ?? ''}`, () => {
  let postgres: TestPostgres;
  let databaseUrl = '';
  const dataDir = tempDir('aikon-pg-relay-');
  const servers: TestServer[] = [];
  beforeAll(async () => {
    postgres = await startPostgres();
    databaseUrl = await postgres.createDatabase('relay');
  }, 120_000);
  afterAll(async () => {
    for (const s of servers) await s.close();
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
});
