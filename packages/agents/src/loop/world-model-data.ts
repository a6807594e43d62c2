/**
 * The world simulator's training data from recorded play: every chosen recorded episode (the
 * datasets pipeline's replay, as demonstrations are read) written as a world-model episode file
 * (`aikon.world-model.episode` v1, source `recorded-ai` or `recorded-human`) with positions and
 * achievement events, so the simulator learns moves and unlocks. An episode already written is
 * skipped, so a resumed or later round only replays what is new.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogEpisode, ExtractedEpisode } from '@aikon/datasets';
import { DIRECTIONS, ENGINE_VERSION, NUM_ACHIEVEMENTS, NUM_ITEMS } from '@aikon/engine';
import { EPISODE_FORMAT, EPISODE_VERSION, type EpisodeFile, MAX_COUNT, VIEW_TOKENS } from '@aikon/world-model';
import { writeEpisodeFile } from '@aikon/world-model/node';
import { replayEpisodes } from '../policy/node/demos.ts';

/** File-name-safe id of a recorded episode (`<session>:<slot>:<startT>`). */
export function recordedEpisodeId(id: string): string {
  return `recorded-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export function toEpisodeFile(ep: ExtractedEpisode, seed: number): EpisodeFile {
  const inf = ep.infos;
  const T = ep.length;
  const rows = (t: number) => t * VIEW_TOKENS;
  const e: EpisodeFile = {
    format: EPISODE_FORMAT,
    version: EPISODE_VERSION,
    id: recordedEpisodeId(ep.id),
    source: `recorded-${ep.kind}`,
    seed,
    engineVersion: ENGINE_VERSION,
    slot: ep.slot,
    view: [],
    facing: [],
    sleeping: [],
    inventory: [],
    daylight: [],
    actions: Array.from(ep.actions),
    rewards: Array.from(ep.rewards),
    terminated: ep.terminations[T - 1] === 1,
    position: [],
    events: [],
  };
  for (let t = 0; t <= T; t++) {
    e.view.push(Array.from(inf.semantic.subarray(rows(t), rows(t + 1))));
    const facing = DIRECTIONS.findIndex(([x, y]) => x === inf.facing[2 * t] && y === inf.facing[2 * t + 1]);
    e.facing.push(facing);
    e.sleeping.push(inf.sleeping[t] === 1 ? 1 : 0);
    e.inventory.push(
      Array.from(inf.inventory.subarray(t * NUM_ITEMS, (t + 1) * NUM_ITEMS), (v) =>
        Math.max(0, Math.min(MAX_COUNT, v)),
      ),
    );
    e.daylight.push(Math.max(0, Math.min(1, inf.daylight[t])));
    e.position!.push([inf.position[2 * t], inf.position[2 * t + 1]]);
    if (t > 0) {
      // Achievement ids whose counter rose in step t − 1 (what EpisodeRecorder writes).
      const rose: number[] = [];
      for (let i = 0; i < NUM_ACHIEVEMENTS; i++)
        if (inf.achievements[t * NUM_ACHIEVEMENTS + i] > inf.achievements[(t - 1) * NUM_ACHIEVEMENTS + i]) rose.push(i);
      e.events!.push(rose);
    }
  }
  return e;
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
    writeEpisodeFile(outDir, toEpisodeFile(ep, ep.header.seed));
    onProgress?.(++written, missing.length);
  });
  return written;
}
