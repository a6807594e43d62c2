import { afterAll, describe, expect, it } from 'vitest';
import { generateSessions } from '@aikon/datasets';
import { startTestServer, tempDir } from './helpers.ts';

// `dataset generate` records with the relay's own recorder and index (@aikon/protocol/node):
// its sessions are in the relay's index exactly like live ones, before and while it runs.
describe('generated sessions in the relay index', () => {
  const dataDir = tempDir('aikon-gen-');
  const before = generateSessions({ dataDir, episodes: 3, seed: 5, players: 2, maxSteps: 30 });
  let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
  afterAll(async () => {
    await server?.cleanup();
  });

  it('a relay started on the data directory knows them (nothing to recover), AI players as AI', async () => {
    server = await startTestServer({ dataDir });
    expect(server.recovered).toEqual([]);
    const row = await server.store.session(before[0].sessionId);
    expect(row).toMatchObject({ status: 'complete', path: before[0].path, ticks: before[0].ticks });
    const eps = await server.store.episodes(before[0].sessionId);
    expect(eps.length).toBeGreaterThanOrEqual(3);
    expect(new Set(eps.map((e) => e.kind))).toEqual(new Set(['ai']));
    expect(eps.every((e) => e.consent === 1 && e.length > 0)).toBe(true);
  });

  it('sessions generated while the relay runs appear in its index and its dataset API at once', async () => {
    const [later] = generateSessions({ dataDir, episodes: 2, seed: 6, players: 1, maxSteps: 25 });
    expect((await server!.store.session(later.sessionId))?.status).toBe('complete');
    expect(await server!.store.episodes(later.sessionId)).toHaveLength(2);
    const sum = (await (await fetch(`${server!.url}/api/datasets`)).json()) as {
      sessions: number;
      stats: { episodes: number; ai: number; human: number };
    };
    expect(sum.sessions).toBe(2);
    let indexed = 0;
    for (const s of await server!.store.sessions()) indexed += (await server!.store.episodes(s.id)).length;
    expect(sum.stats.episodes).toBe(indexed);
    expect(sum.stats.human).toBe(0);
  });
});
