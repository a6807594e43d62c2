/**
 * Replays the sessions of chosen catalog episodes (the deterministic replay exports use) and hands
 * each chosen episode to a callback, session by session: how training code reads recorded play.
 * Training reads the info rows (semantic view, inventory, facing…), not the images, so nothing is
 * rendered: that is most of a replay's time.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CatalogEpisode, loadCatalog } from './catalog.ts';
import { type ExtractedEpisode, extractEpisodes } from './extract.ts';
import { recordingsDir } from './layout.ts';

/** Returns the sessions replayed and their world seeds. */
export function replayEpisodes(
  dataDir: string,
  chosen: readonly CatalogEpisode[],
  onEpisode: (ep: Omit<ExtractedEpisode, 'frames'>) => void,
): { sessions: string[]; worldSeeds: number[] } {
  const bySession = new Map(loadCatalog(dataDir).map((s) => [s.sessionId, s]));
  const wanted = new Set(chosen.map((e) => e.id));
  const sessionIds = [...new Set(chosen.map((e) => e.sessionId))];
  for (const id of sessionIds) {
    const s = bySession.get(id)!;
    const bytes = readFileSync(join(recordingsDir(dataDir), s.file));
    // No textures: no frame is rendered, so none is ever spilled to the scratch directory.
    extractEpisodes(id, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      wanted,
      scratchDir: tmpdir(),
      onEpisode,
    });
  }
  return { sessions: sessionIds, worldSeeds: sessionIds.map((id) => bySession.get(id)!.seed) };
}
