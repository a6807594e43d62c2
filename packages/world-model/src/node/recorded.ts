/**
 * Recorded play as world-model episodes, through the datasets pipeline (its catalog, episode
 * selection and the deterministic replay of each session log): every selected episode's info
 * rows (local semantic view, facing, sleep, inventory, position, achievement counters) become an
 * episode file in memory. Workforce sessions, AI lobby workers and consenting people alike.
 */
import {
  type EpisodeFilter,
  type ExtractedEpisode,
  loadCatalog,
  replayEpisodes,
  selectEpisodes,
} from '@aikon/datasets';
import { daylightAt, DIRECTIONS, NUM_ACHIEVEMENTS, NUM_ITEMS } from '@aikon/engine';
import { EPISODE_FORMAT, EPISODE_VERSION, type EpisodeFile, parseEpisode } from '../episodes.ts';
import { MAX_COUNT, VIEW_TOKENS } from '../tokens.ts';

export interface RecordedEpisodes {
  episodes: EpisodeFile[];
  /** Sessions replayed and episodes read back, by kind of player. */
  sessions: number;
  steps: { ai: number; human: number };
}

/** One replayed recorded episode as a world-model episode file (its session's seed and engine version). */
export function recordedEpisodeFile(ep: Omit<ExtractedEpisode, 'frames'>): EpisodeFile {
  const inf = ep.infos;
  const n = ep.length + 1;
  const rows = (k: number) => Array.from({ length: n }, (_, t) => k * t);
  const events = Array.from({ length: ep.length }, (_, t) => {
    const ids: number[] = [];
    for (let a = 0; a < NUM_ACHIEVEMENTS; a++) {
      if (inf.achievements[(t + 1) * NUM_ACHIEVEMENTS + a] > inf.achievements[t * NUM_ACHIEVEMENTS + a]) ids.push(a);
    }
    return ids;
  });
  return parseEpisode({
    format: EPISODE_FORMAT,
    version: EPISODE_VERSION,
    id: ep.id,
    source: `recorded-${ep.kind}`,
    seed: ep.header.seed,
    slot: ep.slot,
    engineVersion: ep.header.engineVersion,
    view: rows(VIEW_TOKENS).map((o) => Array.from(inf.semantic.subarray(o, o + VIEW_TOKENS))),
    facing: rows(2).map((o) => DIRECTIONS.findIndex(([x, y]) => x === inf.facing[o] && y === inf.facing[o + 1])),
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
  });
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
  const chosen = selectEpisodes(loadCatalog(dataDir), filter).filter((e) => e.length > 0);
  const episodes: EpisodeFile[] = [];
  const steps = { ai: 0, human: 0 };
  const { sessions } = replayEpisodes(dataDir, chosen, (ep) => {
    episodes.push(recordedEpisodeFile(ep));
    steps[ep.kind] += ep.length;
    onProgress?.(episodes.length, chosen.length);
  });
  return { episodes, sessions: sessions.length, steps };
}
