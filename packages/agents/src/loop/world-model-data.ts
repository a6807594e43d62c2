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
