import { ACHIEVEMENTS } from '@aikon/engine';
import { type CatalogEpisode, episodeStats } from './catalog.ts';

/** Bucket widths for the timeline, smallest first: the first that gives at most MAX_BUCKETS wins. */
const BUCKETS: readonly { name: string; ms: number }[] = [
  { name: 'minute', ms: 60_000 },
  { name: 'hour', ms: 3_600_000 },
  { name: 'day', ms: 86_400_000 },
  { name: 'week', ms: 7 * 86_400_000 },
  { name: '30 days', ms: 30 * 86_400_000 },
];
export const MAX_BUCKETS = 60;
export const MAX_RETURN_BINS = 30;

export interface TimelineBucket {
  /** Bucket start (UTC, ISO 8601). */
  start: string;
  episodes: number;
  steps: number;
  human: number;
  ai: number;
}

export interface ReturnBin {
  /** Inclusive lower edge. */
  from: number;
  /** Exclusive upper edge (the last bin includes it). */
  to: number;
  human: number;
  ai: number;
}

export interface EpisodeCharts {
  episodes: number;
  /** Episodes by their own start time (`beganAt`), in contiguous buckets (empty ones included). */
  timeline: { bucket: string; bucketMs: number; buckets: TimelineBucket[] };
  /** Share of episodes (0..1) that unlocked each achievement, by player kind. */
  achievements: { name: string; human: number; ai: number }[];
  humanEpisodes: number;
  aiEpisodes: number;
  /** Crafter scores (%, geometric mean over achievements) of all, human and AI episodes. */
  scores: { all: number; human: number; ai: number };
  /** Histogram of episode returns. */
  returns: { binWidth: number; bins: ReturnBin[] };
}

/** Aggregates for the Datasets page: what its charts draw, small whatever the number of episodes. */
export function episodeCharts(episodes: readonly CatalogEpisode[]): EpisodeCharts {
  const human = episodes.filter((e) => e.kind === 'human');
  const ai = episodes.filter((e) => e.kind === 'ai');
  const hs = episodeStats(human);
  const as = episodeStats(ai);
  return {
    episodes: episodes.length,
    timeline: timeline(episodes),
    achievements: ACHIEVEMENTS.map((name) => ({
      name,
      human: hs.achievementRates[name] ?? 0,
      ai: as.achievementRates[name] ?? 0,
    })),
    humanEpisodes: human.length,
    aiEpisodes: ai.length,
    scores: { all: episodeStats(episodes).score, human: hs.score, ai: as.score },
    returns: returnHistogram(episodes),
  };
}

function timeline(episodes: readonly CatalogEpisode[]): EpisodeCharts['timeline'] {
  const times = episodes.map((e) => Date.parse(e.beganAt)).filter((t) => Number.isFinite(t));
  if (times.length === 0) return { bucket: 'day', bucketMs: 86_400_000, buckets: [] };
  let min = Infinity;
  let max = -Infinity;
  for (const t of times) {
    if (t < min) min = t;
    if (t > max) max = t;
  }
  const pick =
    BUCKETS.find((b) => Math.floor(max / b.ms) - Math.floor(min / b.ms) + 1 <= MAX_BUCKETS) ??
    BUCKETS[BUCKETS.length - 1];
  const first = Math.floor(min / pick.ms);
  const n = Math.min(Math.floor(max / pick.ms) - first + 1, 10 * MAX_BUCKETS);
  const buckets: TimelineBucket[] = Array.from({ length: n }, (_, i) => ({
    start: new Date((first + i) * pick.ms).toISOString(),
    episodes: 0,
    steps: 0,
    human: 0,
    ai: 0,
  }));
  for (const e of episodes) {
    const t = Date.parse(e.beganAt);
    if (!Number.isFinite(t)) continue;
    const b = buckets[Math.min(n - 1, Math.floor(t / pick.ms) - first)];
    b.episodes++;
    b.steps += e.length;
    if (e.kind === 'human') b.human++;
    else b.ai++;
  }
  return { bucket: pick.name, bucketMs: pick.ms, buckets };
}

function returnHistogram(episodes: readonly CatalogEpisode[]): EpisodeCharts['returns'] {
  if (episodes.length === 0) return { binWidth: 1, bins: [] };
  let min = Infinity;
  let max = -Infinity;
  for (const e of episodes) {
    if (e.return < min) min = e.return;
    if (e.return > max) max = e.return;
  }
  const lo = Math.floor(min);
  const width = Math.max(1, Math.ceil((Math.floor(max) + 1 - lo) / MAX_RETURN_BINS));
  const count = Math.max(1, Math.floor((max - lo) / width) + 1);
  const bins: ReturnBin[] = Array.from({ length: count }, (_, i) => ({
    from: lo + i * width,
    to: lo + (i + 1) * width,
    human: 0,
    ai: 0,
  }));
  for (const e of episodes) {
    const b = bins[Math.min(count - 1, Math.floor((e.return - lo) / width))];
    if (e.kind === 'human') b.human++;
    else b.ai++;
  }
  return { binWidth: width, bins };
}
