import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getConfig } from '../src/config.ts';
import { episodeToTokens } from '../src/episodes.ts';
import { generateEpisode } from '../src/explorer.ts';
import { loadCheckpoint } from '../src/node/checkpoint.ts';
import type { Dataset } from '../src/node/episode-files.ts';
import { learningRate, train, type TrainOptions } from '../src/node/train.ts';

const dir = mkdtempSync(join(tmpdir(), 'wm-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data: Dataset = {
  train: [1, 2, 3].map((s) =>
    episodeToTokens(generateEpisode({ policy: s === 2 ? 'random' : 'scripted', seed: s, maxSteps: 60 })),
  ),
  validation: [episodeToTokens(generateEpisode({ policy: 'scripted', seed: 9, maxSteps: 40 }))],
  files: 4,
  sources: { scripted: 3, random: 1 },
};
const base: TrainOptions = {
  config: getConfig('tiny'),
  data,
  dataDir: 'test',
  runDir: '',
  steps: 6,
  batch: 4,
  lr: 3e-3,
  seed: 1,
  resume: false,
  maxMinutes: 1e6,
  checkpointEvery: 2,
  validateEvery: 3,
  progress: false,
};

describe('training', () => {
  it('an interrupted run resumed from its checkpoint ends with the same weights and optimizer state', async () => {
    const full = await train({ ...base, runDir: join(dir, 'full') });
    expect(full.state.step).toBe(6);
    const runDir = join(dir, 'partial');
    const cut = await train({ ...base, runDir, stopAfter: 3 });
    expect(cut.state.step).toBe(3);
    expect(loadCheckpoint(runDir).state.step).toBe(3);
    const resumed = await train({ ...base, runDir, resume: true });
    expect(resumed.state.step).toBe(6);
    for (const [name, w] of full.weights) {
      const r = resumed.weights.get(name)!;
      for (let i = 0; i < w.length; i++) expect(r[i]).toBeCloseTo(w[i], 5);
    }
    expect(resumed.optimizer.length).toBe(full.optimizer.length);
    expect(loadCheckpoint(runDir).state.step).toBe(6);
    expect(resumed.state.history.some((h) => h.valLoss !== undefined)).toBe(true);
  });

  it('warms up, then anneals to 10 % by steps or by time', () => {
    expect(learningRate(0, 1000, 1)).toBeCloseTo(0.01);
    expect(learningRate(99, 1000, 1)).toBeCloseTo(1);
    expect(learningRate(999, 1000, 1)).toBeCloseTo(0.1, 2);
    expect(learningRate(200, 1000, 1, 1)).toBeCloseTo(0.1);
  });
});
