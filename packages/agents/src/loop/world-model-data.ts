/**
 * The world simulator's training data from recorded play: every chosen recorded episode (the
 * datasets pipeline's replay, as demonstrations are read) written as a world-model episode file
 * (`aikon.world-model.episode` v1, source `recorded-ai` or `recorded-human`) with positions and
 * achievement events, so the simulator learns moves and unlocks. An episode already written is
 * skipped, so a resumed or later round only replays what is new.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type CatalogEpisode, replayEpisodes } from '@aikon/datasets';
import { recordedEpisodeFile, writeEpisodeFile } from '@aikon/world-model/node';

/** File-name-safe id of a recorded episode (`<session>:<slot>:<startT>`). */
export function recordedEpisodeId(id: string): string {
  return `recorded-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/**
 * Orders world-model episodes written by writeRecordedEpisodes as they were recorded: by the
 * session's place in `sessions`, then slot, then start tick (parsed back from recordedEpisodeId);
 * episodes of other sessions (human recordings) follow, by id.
 */
export function byRecordingOrder(sessions: readonly string[]): (a: { id: string }, b: { id: string }) => number {
  const place = new Map(sessions.map((s, i) => [recordedEpisodeId(s), i]));
  const key = (id: string): [number, number, number] => {
    const m = /^(.*)_(\d+)_(\d+)$/.exec(id);
    return m ? [place.get(m[1]!) ?? sessions.length, Number(m[2]), Number(m[3])] : [sessions.length, 0, 0];
  };
  return (a, b) => {
    const [x, y] = [key(a.id), key(b.id)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  };
}

/** Writes the chosen recorded episodes not yet in `outDir`; returns how many were written. */
export function writeRecordedEpisodes(
  dataDir: string,
  chosen: readonly CatalogEpisode[],
  outDir: string,
  onProgress?: (done: number, total: number) => void,
): number {
  mkdirSync(outDir, { recursive: true });
  const missing = chosen.filter((c) => !existsSync(join(outDir, `${recordedEpisodeId(c.id)}.json.gz`)) && c.length > 0);
  let written = 0;
  replayEpisodes(dataDir, missing, (ep) => {
    writeEpisodeFile(outDir, { ...recordedEpisodeFile(ep), id: recordedEpisodeId(ep.id) });
    onProgress?.(++written, missing.length);
  });
  return written;
}
