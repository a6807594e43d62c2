import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACHIEVEMENTS } from '@aikon/engine';
import { createDatasetApi } from '../src/api.ts';
import type { CatalogEpisode } from '../src/catalog.ts';
import { episodeCharts, MAX_BUCKETS } from '../src/charts.ts';
import { generateSessions } from '../src/generate.ts';
import { tempDir } from './helpers.ts';

function ep(
  startedAt: string,
  kind: 'human' | 'ai',
  length: number,
  ret: number,
  achievements: string[] = [],
): CatalogEpisode {
  return {
    id: `${startedAt}:${kind}:${length}`,
    sessionId: 's',
    slot: 0,
    pid: 'p',
    kind,
    startT: 0,
    endT: length,
    length,
    return: ret,
    achievements,
    endReason: 'death',
    consent: true,
    startedAt,
    beganAt: startedAt,
  };
}

describe('episodeCharts', () => {
  it('buckets by the smallest width that fits, keeps empty buckets, splits human and AI', () => {
    const c = episodeCharts([
      ep('2026-11-01T10:00:00Z', 'ai', 100, 1.5, ['collect_wood']),
      ep('2026-11-03T23:59:00Z', 'human', 50, 3, ['collect_wood', 'place_table']),
      ep('2026-11-03T01:00:00Z', 'ai', 10, -0.3),
    ]);
    // 62 hours: more than MAX_BUCKETS hours, so days.
    expect(c.timeline.bucket).toBe('day');
    expect(c.timeline.buckets.map((b) => [b.start.slice(0, 10), b.human, b.ai])).toEqual([
      ['2026-11-01', 0, 1],
      ['2026-11-02', 0, 0],
      ['2026-11-03', 1, 1],
    ]);
    const hours = episodeCharts([ep('2026-11-01T10:00:00Z', 'ai', 1, 0), ep('2026-11-03T21:59:00Z', 'ai', 1, 0)]);
    expect(hours.timeline.bucket).toBe('hour');
    expect(hours.timeline.buckets.length).toBe(MAX_BUCKETS);
    const days = episodeCharts([ep('2026-11-01T10:00:00Z', 'ai', 1, 0), ep('2026-11-20T10:00:00Z', 'ai', 2, 0)]);
    expect(days.timeline.bucket).toBe('day');
    expect(days.timeline.buckets).toHaveLength(20);
    expect(days.timeline.buckets[0]).toEqual({
      start: '2026-11-01T00:00:00.000Z',
      episodes: 1,
      steps: 1,
      human: 0,
      ai: 1,
    });
    expect(days.timeline.buckets.slice(1, 19).every((b) => b.episodes === 0)).toBe(true);
    expect(c.timeline.buckets.reduce((n, b) => n + b.steps, 0)).toBe(160);
    expect(c.humanEpisodes).toBe(1);
    expect(c.aiEpisodes).toBe(2);
    expect(c.achievements.map((a) => a.name)).toEqual([...ACHIEVEMENTS]);
    expect(c.achievements.find((a) => a.name === 'collect_wood')).toEqual({ name: 'collect_wood', human: 1, ai: 0.5 });
    expect(c.achievements.find((a) => a.name === 'place_table')).toEqual({ name: 'place_table', human: 1, ai: 0 });
    expect(c.scores.human).toBeGreaterThan(c.scores.ai);
    expect(c.returns.binWidth).toBe(1);
    expect(c.returns.bins.map((b) => [b.from, b.human, b.ai])).toEqual([
      [-1, 0, 1],
      [0, 0, 0],
      [1, 0, 1],
      [2, 0, 0],
      [3, 1, 0],
    ]);
  });

  it('is empty for no episodes', () => {
    const c = episodeCharts([]);
    expect(c.timeline.buckets).toEqual([]);
    expect(c.returns.bins).toEqual([]);
    expect(c.scores).toEqual({ all: 0, human: 0, ai: 0 });
  });

  it('is served at /api/datasets/charts with the episode filters', async () => {
    const dataDir = tempDir();
    const day = (d: number) => new Date(Date.UTC(2026, 10, 2 + d, 12));
    generateSessions({
      dataDir,
      episodes: 4,
      seed: 8,
      sessions: 2,
      players: 2,
      maxSteps: 15,
      humanSlots: [1],
      startedAt: day,
    });
    const api = createDatasetApi({ dataDir, inline: true });
    const call = (url: string) =>
      new Promise<{ status: number; body: Record<string, unknown> }>((resolve) => {
        const res = {
          writeHead(status: number) {
            this.status = status;
            return this;
          },
          status: 0,
          end(text: string) {
            resolve({ status: this.status, body: JSON.parse(text) as Record<string, unknown> });
          },
        };
        api({ url, method: 'GET', headers: {} } as never, res as never);
      });
    try {
      const all = await call('/api/datasets/charts');
      expect(all.status).toBe(200);
      const tl = all.body.timeline as { bucket: string; buckets: { episodes: number; human: number; ai: number }[] };
      expect(tl.bucket).toBe('hour');
      expect(tl.buckets).toHaveLength(25);
      expect(tl.buckets[0].episodes + tl.buckets[24].episodes).toBe(all.body.episodes);
      const ai = await call('/api/datasets/charts?kind=ai&to=2026-11-02');
      expect(ai.body.humanEpisodes).toBe(0);
      expect((ai.body.aiEpisodes as number) > 0).toBe(true);
      expect((ai.body.timeline as { buckets: unknown[] }).buckets).toHaveLength(1);
      const bad = await call('/api/datasets/charts?minReturn=lots');
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/minReturn/);
    } finally {
      await api.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
