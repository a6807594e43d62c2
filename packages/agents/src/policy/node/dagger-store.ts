/**
 * A DAgger round's labelled states on disk, so that an interrupted run resumes without
 * collecting them again: `<dir>/round-<r>.json` (zod-validated, versioned: counts, worlds, the
 * round's figures) + `<dir>/round-<r>.bin` (frames int32, labels and executed actions uint8,
 * rewards float32, episode starts int32; little-endian, in that order).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FRAME_TOKENS } from '@aikon/world-model';
import { z } from 'zod';
import type { DaggerData } from './dagger.ts';

export const DaggerRoundSchema = z.object({
  format: z.literal('aikon.policy.dagger-round'),
  version: z.literal(1),
  round: z.number().int().min(0),
  steps: z.number().int().min(0),
  starts: z.array(z.number().int()),
  seedBase: z.number().int(),
  worlds: z.number().int(),
  beta: z.number(),
  agreement: z.number(),
  finished: z.object({ lengths: z.array(z.number()), returns: z.array(z.number()) }),
  seconds: z.number(),
});
export type DaggerRoundRecord = z.infer<typeof DaggerRoundSchema>;

const files = (dir: string, round: number) => ({
  json: join(dir, `round-${round}.json`),
  bin: join(dir, `round-${round}.bin`),
});

export function hasDaggerRound(dir: string, round: number): boolean {
  const f = files(dir, round);
  return existsSync(f.json) && existsSync(f.bin);
}

export function saveDaggerRound(
  dir: string,
  record: Omit<DaggerRoundRecord, 'format' | 'version' | 'steps' | 'starts'>,
  data: DaggerData,
): void {
  const s = data.set;
  const N = s.actions.length;
  const parts = [s.frames, s.actions, s.taken ?? s.actions, s.rewards, s.episodeStart].map(
    (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
  );
  const f = files(dir, record.round);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${f.bin}.tmp`, Buffer.concat(parts));
  const full: DaggerRoundRecord = {
    format: 'aikon.policy.dagger-round',
    version: 1,
    ...record,
    steps: N,
    starts: s.starts,
  };
  writeFileSync(`${f.json}.tmp`, JSON.stringify(full));
  renameSync(`${f.bin}.tmp`, f.bin);
  renameSync(`${f.json}.tmp`, f.json);
}

export function loadDaggerRound(dir: string, round: number): { record: DaggerRoundRecord; data: DaggerData } {
  const f = files(dir, round);
  const record = DaggerRoundSchema.parse(JSON.parse(readFileSync(f.json, 'utf8')));
  const raw = readFileSync(f.bin);
  const N = record.steps;
  if (raw.byteLength !== N * (4 * FRAME_TOKENS + 1 + 1 + 4 + 4))
    throw new Error(`${f.bin} has ${raw.byteLength} bytes, not what ${N} steps need`);
  const bytes = new Uint8Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  let o = 0;
  const take = (n: number): ArrayBuffer => {
    o += n;
    return bytes.buffer.slice(o - n, o);
  };
  const frames = new Int32Array(take(4 * N * FRAME_TOKENS));
  const actions = new Uint8Array(take(N));
  const taken = new Uint8Array(take(N));
  const rewards = new Float32Array(take(4 * N));
  const episodeStart = new Int32Array(take(4 * N));
  return {
    record,
    data: {
      set: {
        frames,
        actions,
        taken,
        rewards,
        episodeStart,
        starts: record.starts,
        steps: { ai: N, human: 0 },
        episodes: { ai: record.starts.length, human: 0 },
        worldSeeds: [],
        sessions: [],
      },
      worlds: record.worlds,
      finished: record.finished,
      agreement: record.agreement,
    },
  };
}
