/**
 * Replays the sessions of chosen catalog episodes (the deterministic replay exports use) and hands
 * each chosen episode to a callback, session by session: how training code reads recorded play.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTextures } from '@aikon/engine/node';
import { type CatalogEpisode, loadCatalog } from './catalog.ts';
import { type ExtractedEpisode, extractEpisodes } from './extract.ts';
import { recordingsDir } from './layout.ts';

/** Returns the sessions replayed and their world seeds. */
export function replayEpisodes(
  dataDir: string,
  chosen: readonly CatalogEpisode[],
  onEpisode: (ep: ExtractedEpisode) => void,
): { sessions: string[]; worldSeeds: number[] } {
  const bySession = new Map(loadCatalog(dataDir).map((s) => [s.sessionId, s]));
  const wanted = new Set(chosen.map((e) => e.id));
  const sessionIds = [...new Set(chosen.map((e) => e.sessionId))];
  const textures = loadTextures();
  const scratch = mkdtempSync(join(tmpdir(), 'aikon-replay-'));
  try {
    for (const id of sessionIds) {
      const s = bySession.get(id)!;
      const bytes = readFileSync(join(recordingsDir(dataDir), s.file));
      extractEpisodes(id, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
        textures,
        wanted,
        scratchDir: scratch,
        onEpisode,
      });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { sessions: sessionIds, worldSeeds: sessionIds.map((id) => bySession.get(id)!.seed) };
}
