/** Episode files on disk (Node): a directory of `*.json` / `*.json.gz` episode files. */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { mixSeed } from '@aikon/engine';
import { episodeToTokens, type EpisodeFile, parseEpisode, type TokenEpisode } from '../episodes.ts';

export function listEpisodeFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') || f.endsWith('.json.gz'))
    .sort()
    .map((f) => join(dir, f));
}

export function readEpisodeFile(path: string): EpisodeFile {
  const raw = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  try {
    return parseEpisode(JSON.parse(text));
  } catch (err) {
    throw new Error(`${path}: not a valid episode file: ${(err as Error).message}`);
  }
}

export function writeEpisodeFile(dir: string, e: EpisodeFile, gzip = true): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${e.id}.json${gzip ? '.gz' : ''}`);
  const text = JSON.stringify(e);
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
}

/** Deterministic split by episode id: about `fraction` of the episodes go to validation. */
export function isValidation(id: string, fraction = 0.1): boolean {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = mixSeed(h, id.charCodeAt(i));
  return h / 4294967296 < fraction;
}

export interface Dataset {
  readonly train: TokenEpisode[];
  readonly validation: TokenEpisode[];
  readonly files: number;
  readonly sources: Record<string, number>;
}

/**
 * The episode files of `dir` plus `extra` episodes (recorded play read back through the datasets
 * pipeline, `readRecordedEpisodes`), split into train and validation by episode id.
 */
export function loadDataset(dir: string, fraction = 0.1, extra: readonly EpisodeFile[] = []): Dataset {
  const files = listEpisodeFiles(dir);
  if (files.length === 0 && extra.length === 0) throw new Error(`no episode files (*.json, *.json.gz) in ${dir}`);
  const train: TokenEpisode[] = [];
  const validation: TokenEpisode[] = [];
  const sources: Record<string, number> = {};
  for (const e of [...files.map(readEpisodeFile), ...extra]) {
    if (e.actions.length === 0) continue;
    sources[e.source] = (sources[e.source] ?? 0) + 1;
    (isValidation(e.id, fraction) ? validation : train).push(episodeToTokens(e));
  }
  return { train, validation, files: files.length, sources };
}

/**
 * Training or evaluation data: the episode files of `dir`, plus (when `recordedDir` is given) every
 * verified episode of that datasets data directory's recordings, read back through the datasets
 * pipeline. `recorded` counts the latter.
 */
export async function loadTrainingData(
  dir: string,
  recordedDir?: string,
  fraction = 0.1,
): Promise<Dataset & { recorded: number }> {
  const extra =
    recordedDir !== undefined ? (await import('./recorded.ts')).readRecordedEpisodes(recordedDir).episodes : [];
  return { ...loadDataset(dir, fraction, extra), recorded: extra.length };
}
