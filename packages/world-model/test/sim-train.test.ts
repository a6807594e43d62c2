import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { episodeToTokens } from '../src/episodes.ts';
import { generateEpisode } from '../src/explorer.ts';
import type { Dataset } from '../src/node/episode-files.ts';
import { loadSimCheckpoint, simLearningRate, trainSim } from '../src/node/sim-train.ts';
import { getSimConfig } from '../src/sim/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'wm-sim-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Three held-out episodes, not one: a single 60-step episode measures the move and facing heads
// too noisily for "every head falls" (on engine 0.2.0's terrain seed 9 alone showed the move loss
// flat while the total halved).
const data: Dataset = {
  train: [1, 2, 3, 4, 5, 6].map((s) =>
    episodeToTokens(generateEpisode({ policy: s % 2 ? 'scripted' : 'random', seed: s, maxSteps: 80 })),
  ),
  validation: [9, 10, 11].map((s) => episodeToTokens(generateEpisode({ policy: 'scripted', seed: s, maxSteps: 60 }))),
  files: 9,
  sources: { scripted: 6, random: 3 },
};

describe('world simulator training (--quick: the tiny config)', () => {
  it('the held-out loss of every head falls', () => {
    const config = getSimConfig('tiny', { steps: 80, validateEvery: 10 });
    const ck = trainSim({ config, data, dataDir: 'test', runDir: join(dir, 'quick'), resume: false });
    const vals = ck.state.history.filter((h) => h.val).map((h) => h.val!);
    expect(vals.length).toBeGreaterThanOrEqual(8);
    const first = vals[0],
      last = vals.at(-1)!;
    expect(last.total).toBeLessThan(first.total * 0.7);
    for (const head of ['move', 'facing', 'inventory', 'tile'] as const)
      expect(last[head], head).toBeLessThan(first[head]);
  });

  it('an interrupted run resumed from its checkpoint ends with the same parameters and optimizer state', () => {
    const config = getSimConfig('tiny', { steps: 20, checkpointEvery: 10 });
    const full = trainSim({ config, data, dataDir: 'test', runDir: join(dir, 'full'), resume: false });
    const runDir = join(dir, 'cut');
    trainSim({ config, data, dataDir: 'test', runDir, resume: false, stopAfter: 10 });
    expect(loadSimCheckpoint(runDir).state.step).toBe(10);
    const resumed = trainSim({ config, data, dataDir: 'test', runDir, resume: true });
    expect(resumed.state.step).toBe(20);
    let maxDiff = 0;
    for (let i = 0; i < full.model.params.length; i++)
      maxDiff = Math.max(
        maxDiff,
        Math.abs(full.model.params[i] - resumed.model.params[i]),
        Math.abs(full.v[i] - resumed.v[i]),
      );
    expect(maxDiff).toBeLessThan(1e-4);
    expect(loadSimCheckpoint(runDir).state.step).toBe(20);
    expect(simLearningRate(config, 0, 0)).toBeCloseTo(config.lr / config.warmup);
    expect(simLearningRate(config, config.steps, 0)).toBeCloseTo(config.lr * 0.1);
  });
});
