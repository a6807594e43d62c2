import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadTextures } from '@aikon/engine/node';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog, selectEpisodes } from '../src/catalog.ts';
import { type ExtractedEpisode, extractEpisodes } from '../src/extract.ts';
import { generateSessions } from '../src/generate.ts';
import { recordingsDir } from '../src/layout.ts';
import { replayEpisodes } from '../src/replay-episodes.ts';
import { tempDir } from './helpers.ts';

const dataDir = tempDir();
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Everything of an episode but its frames, as plain values. */
const plain = ({
  frames: _frames,
  ...rest
}: Partial<Pick<ExtractedEpisode, 'frames'>> & Omit<ExtractedEpisode, 'frames'>) =>
  JSON.parse(
    JSON.stringify(rest, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v)),
  );

describe('replayEpisodes (training reads recorded play without rendering it)', () => {
  it('gives every episode the rendering extraction gives, frames aside', () => {
    // Two players, deaths and respawns, cut-offs by maxSteps: several episodes per session.
    const [session] = generateSessions({ dataDir, episodes: 5, sessions: 1, players: 2, seed: 41, maxSteps: 90 });
    const rendered: unknown[] = [];
    const bytes = new Uint8Array(readFileSync(join(recordingsDir(dataDir), loadCatalog(dataDir)[0].file)));
    const chosen = selectEpisodes(loadCatalog(dataDir), { sessions: [session.sessionId] });
    extractEpisodes(session.sessionId, bytes, {
      textures: loadTextures(),
      wanted: new Set(chosen.map((e) => e.id)),
      scratchDir: dataDir,
      onEpisode: (ep) => {
        expect(ep.frames.count).toBe(ep.length + 1);
        rendered.push(plain(ep));
      },
    });
    const replayed: unknown[] = [];
    const out = replayEpisodes(dataDir, chosen, (ep) => replayed.push(plain(ep)));
    expect(rendered.length).toBeGreaterThanOrEqual(5);
    expect(replayed).toEqual(rendered);
    expect(out.sessions).toEqual([session.sessionId]);
  });

  it('renders nothing without textures', () => {
    const [s] = loadCatalog(dataDir);
    const counts: number[] = [];
    extractEpisodes(s.sessionId, new Uint8Array(readFileSync(join(recordingsDir(dataDir), s.file))), {
      wanted: new Set(selectEpisodes(loadCatalog(dataDir), {}).map((e) => e.id)),
      scratchDir: dataDir,
      onEpisode: (ep) => counts.push(ep.frames.count),
    });
    expect(counts.length).toBeGreaterThanOrEqual(5);
    expect(counts.every((c) => c === 0)).toBe(true);
  });
});
