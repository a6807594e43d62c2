import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { decodeLog, encodeRecord, LOG_MAGIC, type LogRecord } from '@aikon/protocol';
import { indexPath, leasePath, RecordingStore } from '@aikon/protocol/node';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog, selectEpisodes, sessionClock } from '../src/catalog.ts';
import { episodeCharts } from '../src/charts.ts';
import { planExport } from '../src/export.ts';
import { generateSessions } from '../src/generate.ts';
import { DatasetError } from '../src/layout.ts';
import { tempDir } from './helpers.ts';

const dataDir = tempDir();
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('episode times', () => {
  it("a tick's wall-clock time follows the session's start and every recorded tick-rate change", () => {
    const records = [
      { k: 'session', t: 0, config: { seats: 2, tickRate: 8, hashEvery: 100 } },
      { k: 'tick', t: 1, a: [] },
      { k: 'config', t: 80, tickRate: 4 },
      { k: 'config', t: 120, tickRate: 2 },
    ] as unknown as LogRecord[];
    const clock = sessionClock('2026-11-01T10:00:00.000Z', records);
    expect(clock(0)).toBe('2026-11-01T10:00:00.000Z');
    expect(clock(80)).toBe('2026-11-01T10:00:10.000Z'); // 80 ticks at 8/s
    expect(clock(100)).toBe('2026-11-01T10:00:15.000Z'); // + 20 at 4/s
    expect(clock(130)).toBe('2026-11-01T10:00:25.000Z'); // + 40 at 4/s, + 10 at 2/s
  });

  it("the per-minute timeline bins each episode by its own start, not its session's", () => {
    // One session at 2 ticks/s whose episodes begin minutes apart.
    const [session] = generateSessions({
      dataDir,
      tickRate: 2,
      episodes: 3,
      seed: 5,
      players: 1,
      maxSteps: 600,
      startedAt: () => new Date('2026-11-01T10:00:00Z'),
    });
    const entry = loadCatalog(dataDir).find((s) => s.sessionId === session.sessionId)!;
    expect(entry.verified).toBe(true);
    const episodes = selectEpisodes([entry], {});
    expect(episodes.length).toBe(3);
    for (const e of episodes) {
      expect(Date.parse(e.beganAt) - Date.parse(e.startedAt)).toBe((e.startT * 1000) / 2);
    }
    const minutes = episodes.map((e) => Math.floor(Date.parse(e.beganAt) / 60_000));
    const timeline = episodeCharts(episodes).timeline;
    expect(timeline.bucket).toBe('minute');
    expect(timeline.buckets).toHaveLength(Math.max(...minutes) - Math.min(...minutes) + 1);
    expect(timeline.buckets.length).toBeGreaterThan(1);
    for (const [i, b] of timeline.buckets.entries()) {
      const m = Math.floor(Date.parse(b.start) / 60_000);
      expect(b.episodes, `minute ${i}`).toBe(minutes.filter((x) => x === m).length);
    }
  });
});

describe('a session still being recorded', () => {
  it('is listed with the episodes its recorder indexed so far, browsable but not exportable', () => {
    const [done] = generateSessions({ dataDir, episodes: 2, seed: 9, players: 1, maxSteps: 60 });
    // The same session again under a new id, cut short and held by a live process (this one),
    // with its first episode in the recorder's index as the relay writes it.
    const liveId = `${done.sessionId}-live`;
    const records = decodeLog(new Uint8Array(readFileSync(done.path))).records;
    const path = join(dataDir, 'recordings', `${liveId}.aklog`);
    const parts: Uint8Array[] = [LOG_MAGIC];
    for (const r of records.slice(0, -3)) parts.push(encodeRecord(r.k === 'session' ? { ...r, sessionId: liveId } : r));
    writeFileSync(path, Buffer.concat(parts));
    writeFileSync(leasePath(path), JSON.stringify({ v: 1, pid: process.pid, host: hostname(), since: 'now' }));
    const finished = loadCatalog(dataDir).find((s) => s.sessionId === done.sessionId)!;
    const first = finished.episodes[0];
    const store = new RecordingStore(indexPath(dataDir));
    const header = records[0] as Extract<LogRecord, { k: 'session' }>;
    store.insertSession({
      id: liveId,
      lobby_id: 'lobby',
      path,
      seed: header.seed,
      engine_version: header.engineVersion,
      config: JSON.stringify(header.config),
      started_at: '2026-11-01T11:00:00.000Z',
    });
    store.insertEpisode(liveId, { ...first, endReason: 'death', episode: 1, protectedSteps: 0 });
    store.close();

    const live = loadCatalog(dataDir).find((s) => s.sessionId === liveId)!;
    expect(live.recording).toBe(true);
    expect(live.verified).toBe(false);
    expect(live.startedAt).toBe('2026-11-01T11:00:00.000Z');
    expect(live.episodes).toHaveLength(1);
    expect(live.episodes[0]).toMatchObject({
      live: true,
      length: first.length,
      return: first.return,
      achievements: first.achievements,
      beganAt: new Date(Date.parse('2026-11-01T11:00:00.000Z') + (first.startT * 1000) / 8).toISOString(),
    });
    // Its ticks so far, read from the growing log: on again after more ticks, a half-written
    // record waiting for its end.
    const ticksIn = (rs: readonly LogRecord[]) => rs.filter((r) => r.k === 'tick').length;
    const written = records.slice(0, -3);
    expect(live.ticks).toBe(ticksIn(written));
    expect(live.ticks).toBeGreaterThan(0);
    const lastT = written.at(-1)!.t;
    const extra = [1, 2, 3].map((i) => encodeRecord({ k: 'tick', t: lastT + i, a: [] }));
    const half = extra[2].subarray(0, extra[2].length - 4);
    appendFileSync(path, Buffer.concat([extra[0], extra[1], half]));
    expect(loadCatalog(dataDir).find((s) => s.sessionId === liveId)!.ticks).toBe(ticksIn(written) + 2);
    appendFileSync(path, extra[2].subarray(extra[2].length - 4));
    expect(loadCatalog(dataDir).find((s) => s.sessionId === liveId)!.ticks).toBe(ticksIn(written) + 3);

    const sessions = loadCatalog(dataDir);
    expect(selectEpisodes(sessions, { sessions: [liveId] }, { live: true })).toHaveLength(1);
    expect(selectEpisodes(sessions, {}).some((e) => e.live)).toBe(false);
    expect(() => planExport(dataDir, { format: 'parquet', filter: { sessions: [liveId] } })).toThrow(DatasetError);
    rmSync(leasePath(path));
  });
});
