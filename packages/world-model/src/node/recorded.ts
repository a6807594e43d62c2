/**
 * Recorded play as world-model episodes, through the datasets pipeline (its catalog, episode
 * selection and the deterministic replay of each session log): every selected episode's info
 * rows (local semantic view, facing, sleep, inventory, position, achievement counters) become an
 * episode file in memory. Workforce sessions, AI lobby workers and consenting people alike.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EpisodeFilter, extractEpisodes, loadCatalog, recordingsDir, selectEpisodes } from '@aikon/datasets';
import { daylightAt, DIRECTIONS, NUM_ACHIEVEMENTS, NUM_ITEMS } from '@aikon/engine';
import { loadTextures } from '@aikon/engine/node';
import { EPISODE_FORMAT, EPISODE_VERSION, type EpisodeFile, parseEpisode } from '../episodes.ts';
import { MAX_COUNT, VIEW_TOKENS } from '../tokens.ts';

export interface RecordedEpisodes {
  episodes: EpisodeFile[];
  /** Sessions replayed and episodes read back, by kind of player. */
  sessions: number;
  steps: { ai: number; human: number };
}

/**
 * Reads the episodes of `dataDir`'s recordings that match `filter` (all verified sessions by
 * default). Sources are `recorded-ai` and `recorded-human`; ids are the datasets' episode ids.
 */
export function readRecordedEpisodes(
  dataDir: string,
  filter: EpisodeFilter = {},
  onProgress?: (done: number, total: number) => void,
): RecordedEpisodes {
  const catalog = loadCatalog(dataDir);
  const chosen = selectEpisodes(catalog, filter).filter((e) => e.length > 0);
  const wanted = new Set(chosen.map((e) => e.id));
  const bySession = new Map(catalog.map((s) => [s.sessionId, s]));
  const textures = loadTextures();
  const scratch = mkdtempSync(join(tmpdir(), 'aikon-wm-recorded-'));
  const episodes: EpisodeFile[] = [];
  const steps = { ai: 0, human: 0 };
  const sessionIds = [...new Set(chosen.map((e) => e.sessionId))];
  try {
    for (const id of sessionIds) {
      const s = bySession.get(id)!;
      const bytes = readFileSync(join(recordingsDir(dataDir), s.file));
      extractEpisodes(id, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
        textures,
        wanted,
        scratchDir: scratch,
        onEpisode: (ep) => {
          const inf = ep.infos;
          const n = ep.length + 1;
          const rows = (k: number) => Array.from({ length: n }, (_, t) => k * t);
          const events = Array.from({ length: ep.length }, (_, t) => {
            const ids: number[] = [];
            for (let a = 0; a < NUM_ACHIEVEMENTS; a++) {
              if (inf.achievements[(t + 1) * NUM_ACHIEVEMENTS + a] > inf.achievements[t * NUM_ACHIEVEMENTS + a])
                ids.push(a);
            }
            return ids;
          });
          episodes.push(
            parseEpisode({
              format: EPISODE_FORMAT,
              version: EPISODE_VERSION,
              id: ep.id,
              source: `recorded-${ep.kind}`,
              seed: s.seed,
              slot: ep.slot,
              engineVersion: s.engineVersion,
              view: rows(VIEW_TOKENS).map((o) => Array.from(inf.semantic.subarray(o, o + VIEW_TOKENS))),
              facing: rows(2).map((o) =>
                DIRECTIONS.findIndex(([x, y]) => x === inf.facing[o] && y === inf.facing[o + 1]),
              ),
              sleeping: rows(1).map((o) => (inf.sleeping[o] ? 1 : 0)),
              inventory: rows(NUM_ITEMS).map((o) =>
                Array.from(inf.inventory.subarray(o, o + NUM_ITEMS), (c) => Math.max(0, Math.min(MAX_COUNT, c))),
              ),
              // From the tick (a pure function of it): the info row's float32 can fall into the other bucket.
              daylight: inf.t.map((t) => daylightAt(t)),
              actions: Array.from(ep.actions),
              rewards: Array.from(ep.rewards),
              terminated: ep.terminations[ep.length - 1] === 1,
              position: rows(2).map((o) => [inf.position[o], inf.position[o + 1]] as [number, number]),
              events,
            }),
          );
          steps[ep.kind] += ep.length;
          onProgress?.(episodes.length, chosen.length);
        },
      });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { episodes, sessions: sessionIds.length, steps };
}
