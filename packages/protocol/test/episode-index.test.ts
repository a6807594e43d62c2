import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpisodeSummary } from '../src/episodes.ts';
import { type EpisodeIndex, openEpisodeIndex } from '../src/node/index.ts';
import { POSTGRES_MISSING, startPostgres, type TestPostgres } from './postgres.ts';

const episode = (slot: number, startT: number, over: Partial<EpisodeSummary> = {}): EpisodeSummary => ({
  slot,
  pid: `p${slot}`,
  kind: slot === 0 ? 'human' : 'ai',
  episode: 1,
  startT,
  endT: startT + 10,
  length: 10,
  return: 1.25,
  achievements: ['collect_wood'],
  endReason: 'death',
  consent: true,
  protectedSteps: 3,
  ...over,
});

const session = (id: string, startedAt: string) => ({
  id,
  lobby_id: 'lobby',
  path: `/data/recordings/${id}.aklog`,
  // A relay world seed: above 2^32, below 2^53.
  seed: 2 ** 47 + 12345,
  engine_version: '1.0.0',
  config: '{"tickRate":8}',
  started_at: startedAt,
});

/** The same contract for both implementations; rows are compared as plain JSON values. */
function contract(name: string, open: () => Promise<EpisodeIndex>) {
  describe(name, () => {
    let index: EpisodeIndex;
    beforeAll(async () => {
      index = await open();
    });
    afterAll(async () => {
      await index?.close();
    });

    it('keeps a session from recording to complete with its episodes, in the SQLite row shapes', async () => {
      // Issued without awaiting, as the relay does: they land in call order (row before episodes).
      const writes = [
        index.insertSession(session('s1', '2026-01-02T00:00:00.000Z')),
        index.insertEpisode('s1', episode(0, 0)),
        index.insertEpisode('s1', episode(1, 5, { achievements: [], consent: false, return: -0.5 })),
      ];
      expect((await index.session('s1'))?.status).toBe('recording');
      await Promise.all(writes);
      await index.finishSession('s1', {
        status: 'complete',
        endedAt: '2026-01-02T01:00:00.000Z',
        ticks: 900,
        verified: true,
      });
      expect(await index.session('s1')).toEqual({
        ...session('s1', '2026-01-02T00:00:00.000Z'),
        ended_at: '2026-01-02T01:00:00.000Z',
        status: 'complete',
        ticks: 900,
        verified: 1,
        note: null,
      });
      const eps = await index.episodes('s1');
      expect(eps.every((e) => typeof e.id === 'number')).toBe(true);
      expect(eps.map(({ id: _, ...row }) => row)).toEqual([
        {
          session_id: 's1',
          slot: 0,
          player: 'p0',
          kind: 'human',
          episode: 1,
          start_t: 0,
          end_t: 10,
          length: 10,
          return: 1.25,
          achievements: '["collect_wood"]',
          end_reason: 'death',
          consent: 1,
          protected_steps: 3,
        },
        expect.objectContaining({ slot: 1, kind: 'ai', start_t: 5, return: -0.5, achievements: '[]', consent: 0 }),
      ]);
      expect(eps[0].id).toBeLessThan(eps[1].id);
      expect(await index.session('nope')).toBeUndefined();
      expect(await index.episodes('nope')).toEqual([]);
    });

    it('lists sessions by start time, all or by status', async () => {
      await index.insertSession(session('s0', '2026-01-01T00:00:00.000Z'));
      await index.insertSession(session('s2', '2026-01-03T00:00:00.000Z'));
      await index.finishSession('s2', { status: 'incomplete', endedAt: null, ticks: 3, note: 'torn tail cut' });
      expect((await index.sessions()).map((s) => s.id)).toEqual(['s0', 's1', 's2']);
      expect((await index.sessions('recording')).map((s) => s.id)).toEqual(['s0']);
      expect(await index.sessions('incomplete')).toEqual([
        expect.objectContaining({ id: 's2', verified: null, note: 'torn tail cut', ended_at: null }),
      ]);
    });

    it('replaces episodes atomically: a failing replacement leaves the old ones', async () => {
      await index.replaceEpisodes('s1', [episode(0, 0, { endReason: 'crash' }), episode(2, 7)]);
      expect((await index.episodes('s1')).map((e) => [e.slot, e.end_reason])).toEqual([
        [0, 'crash'],
        [2, 'death'],
      ]);
      // A kind outside the schema's CHECK fails the second insert: the delete is rolled back too.
      const bad = episode(3, 9, { kind: 'robot' as 'ai' });
      await expect(index.replaceEpisodes('s1', [episode(0, 0), bad])).rejects.toThrow();
      expect((await index.episodes('s1')).map((e) => e.slot)).toEqual([0, 2]);
      // An episode of a session the index does not hold breaks the foreign key.
      await expect(index.insertEpisode('ghost', episode(0, 0))).rejects.toThrow();
    });

    it('adds only the episodes it lacks (same slot and start tick)', async () => {
      await index.addMissingEpisodes('s1', [episode(0, 0, { endReason: 'leave' }), episode(2, 7), episode(0, 40)]);
      expect((await index.episodes('s1')).map((e) => [e.slot, e.start_t, e.end_reason])).toEqual([
        [0, 0, 'crash'],
        [2, 7, 'death'],
        [0, 40, 'death'],
      ]);
    });

    it('a failed call does not stop the ones after it', async () => {
      const dup = index.insertSession(session('s0', '2026-01-01T00:00:00.000Z'));
      const next = index.insertSession(session('s3', '2026-01-04T00:00:00.000Z'));
      await expect(dup).rejects.toThrow();
      await next;
      expect((await index.session('s3'))?.status).toBe('recording');
    });
  });
}

const sqliteDir = mkdtempSync(join(tmpdir(), 'aikon-index-'));
afterAll(() => rmSync(sqliteDir, { recursive: true, force: true }));
contract('the SQLite episode index', () => openEpisodeIndex({ dataDir: sqliteDir }));

describe.skipIf(POSTGRES_MISSING !== null)(`the PostgreSQL episode index ${POSTGRES_MISSING ?? ''}`, () => {
  let server: TestPostgres;
  let url = '';
  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase('episodes');
  }, 120_000);
  afterAll(() => server?.stop());

  contract('contract', () => openEpisodeIndex({ dataDir: '/nonexistent', databaseUrl: url }));

  it('is what an independent client reads, and a second opening keeps it (schema created once)', async () => {
    const again = await openEpisodeIndex({ dataDir: '/nonexistent', databaseUrl: url });
    try {
      expect((await again.sessions()).map((s) => s.id)).toEqual(['s0', 's1', 's2', 's3']);
    } finally {
      await again.close();
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(
        'SELECT s.id, s.seed::text AS seed, count(e.id)::int AS episodes FROM sessions s ' +
          'LEFT JOIN episodes e ON e.session_id = s.id GROUP BY s.id ORDER BY s.id',
      );
      expect(rows).toEqual([
        { id: 's0', seed: String(2 ** 47 + 12345), episodes: 0 },
        { id: 's1', seed: String(2 ** 47 + 12345), episodes: 3 },
        { id: 's2', seed: String(2 ** 47 + 12345), episodes: 0 },
        { id: 's3', seed: String(2 ** 47 + 12345), episodes: 0 },
      ]);
      expect((await client.query(`SELECT value FROM meta WHERE key = 'schema_version'`)).rows).toEqual([
        { value: '1' },
      ]);
    } finally {
      await client.end();
    }
  });

  it('a server that is not there is a clear error naming it without its password', async () => {
    const err = await openEpisodeIndex({
      dataDir: '/nonexistent',
      databaseUrl: 'postgres://u:secret@127.0.0.1:1/x',
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /cannot open the episode index in PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/,
    );
    expect((err as Error).message).not.toContain('secret');
  });
});
