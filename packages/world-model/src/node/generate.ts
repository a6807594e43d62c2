import { existsSync, readdirSync } from 'node:fs';
import { generateEpisode } from '../explorer.ts';
import { writeEpisodeFile } from './episode-files.ts';

export interface GenerateDatasetOptions {
  readonly out: string;
  readonly random: number;
  readonly scripted: number;
  readonly maxSteps: number;
  /** First world seed; episode i uses seed + i. */
  readonly seed: number;
}

/** The generated dataset the shipped model trains on (re-created bit for bit from these numbers). */
export const DEFAULT_GENERATION = { random: 200, scripted: 200, maxSteps: 500, seed: 1000 } as const;

/** Writes `random` + `scripted` seeded episodes into `out`. Deterministic. */
export function generateEpisodes(o: GenerateDatasetOptions): { episodes: number; steps: number } {
  let steps = 0;
  let k = 0;
  for (const [policy, n] of [
    ['random', o.random],
    ['scripted', o.scripted],
  ] as const) {
    for (let i = 0; i < n; i++) {
      const e = generateEpisode({ policy, seed: o.seed + k++, maxSteps: o.maxSteps });
      writeEpisodeFile(o.out, e);
      steps += e.actions.length;
    }
  }
  return { episodes: k, steps };
}

/**
 * An episode directory to train or evaluate on: a missing or empty one is first filled with the
 * default seeded episodes (a fresh checkout has no data; they are re-created bit for bit).
 */
export function ensureEpisodes(dir: string, log: (message: string) => void = console.log): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) return;
  log(`${dir} is ${existsSync(dir) ? 'empty' : 'missing'}: generating the seeded random + scripted episodes ...`);
  const r = generateEpisodes({ out: dir, ...DEFAULT_GENERATION });
  log(`  ${r.episodes} episodes, ${r.steps} steps`);
}
