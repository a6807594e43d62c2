import { readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { replayLog } from '@aikon/protocol';
import { indexPath, listLogs, RecordingStore } from '@aikon/protocol/node';
import { loadCatalog } from '../src/catalog.ts';
import { generateSessions } from '../src/generate.ts';
import { tempDir } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('dataset generate records with the relay recorder and index (@aikon/protocol/node)', () => {
  it('writes logs that replay and index rows that match the replay, AI players flagged as AI', () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const sessions = generateSessions({
      dataDir,
      episodes: 5,
      seed: 3,
      sessions: 2,
      players: 2,
      maxSteps: 40,
      humanSlots: [1],
    });
    expect(listLogs(dataDir)).toEqual(sessions.map((s) => s.path).sort());
    const store = new RecordingStore(indexPath(dataDir));
    try {
      const rows = store.sessions();
      expect(rows.map((r) => r.id).sort()).toEqual(sessions.map((s) => s.sessionId).sort());
      for (const s of sessions) {
        const row = store.session(s.sessionId)!;
        expect(row.status).toBe('complete');
        expect(row.path).toBe(s.path);
        expect(row.ticks).toBe(s.ticks);
        expect(row.ended_at).not.toBeNull();
        expect(JSON.parse(row.config)).toEqual({ seats: 2, tickRate: 8, hashEvery: 100 });
        const report = replayLog(new Uint8Array(readFileSync(s.path)));
        expect(report.ok).toBe(true);
        expect(report.complete).toBe(true);
        expect(row.seed).toBe(report.header.seed);
        expect(row.lobby_id).toBe(report.header.lobbyId);
        // The live index and the replay's episodes agree (the relay's recovery would rebuild the same rows).
        const live = store.episodes(s.sessionId).map((e) => ({
          slot: e.slot,
          pid: e.player,
          kind: e.kind,
          episode: e.episode,
          startT: e.start_t,
          endT: e.end_t,
          length: e.length,
          return: e.return,
          achievements: JSON.parse(e.achievements) as string[],
          endReason: e.end_reason,
          consent: e.consent === 1,
          protectedSteps: e.protected_steps,
        }));
        const sortKey = (e: { slot: number; startT: number }) => e.startT * 64 + e.slot;
        expect(live.sort((a, b) => sortKey(a) - sortKey(b))).toEqual(
          [...report.episodes].sort((a, b) => sortKey(a) - sortKey(b)),
        );
        expect(live.filter((e) => e.slot === 0).every((e) => e.kind === 'ai')).toBe(true);
        expect(live.filter((e) => e.slot === 1).every((e) => e.kind === 'human')).toBe(true);
      }
    } finally {
      store.close();
    }
    // The dataset catalog sees the same sessions, verified.
    const catalog = loadCatalog(dataDir);
    expect(catalog.every((s) => s.verified && s.complete)).toBe(true);
    expect(catalog.length).toBe(2);
  });

  it('index: false writes only the logs', () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    generateSessions({ dataDir, episodes: 1, seed: 4, players: 1, maxSteps: 10, index: false });
    expect(listLogs(dataDir)).toHaveLength(1);
    const store = new RecordingStore(indexPath(dataDir));
    expect(store.sessions()).toEqual([]);
    store.close();
  });
});
