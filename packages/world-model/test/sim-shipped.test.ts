/**
 * The shipped world simulator (models/world-sim-small.bin, loaded through the manifest) against
 * its own thresholds on fresh episodes from world seeds it never trained on. No training here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { episodeToTokens } from '../src/episodes.ts';
import { generateEpisode } from '../src/explorer.ts';
import { returnTrip, rolloutReport } from '../src/node/sim-evaluate.ts';
import { loadSim } from '../src/sim/load.ts';

const MODELS = join(import.meta.dirname, '../../../models');

describe('the shipped world simulator', async () => {
  const manifest = JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8'));
  const { entry, model } = await loadSim(manifest, async (f) => new Uint8Array(readFileSync(join(MODELS, f))));
  const episodes = [0, 1, 2, 3, 4, 5].map((i) =>
    episodeToTokens(generateEpisode({ policy: i % 2 ? 'scripted' : 'random', seed: 700_000 + i, maxSteps: 200 })),
  );

  it('is small enough for the browser and loads from models/', () => {
    expect(entry.bytes).toBeLessThan(5 * 1024 * 1024);
    expect(model.params.length).toBe(entry.architecture.params);
  });

  it('passes its thresholds on held-out worlds: view, inventory, action conditioning, unlocks', () => {
    const r = rolloutReport(model, episodes, { rollouts: 24, seed: 3, batch: 24 });
    for (const h of ['1', '16']) {
      expect(r.horizons[h].model, `view h${h}`).toBeGreaterThan(r.horizons[h].repeatLast + 3);
      expect(r.horizons[h].model, `view h${h} vs noAction`).toBeGreaterThan(r.horizons[h].noAction + 3);
      expect(r.actionConditioning[h].margin, `taken vs shuffled h${h}`).toBeGreaterThan(2);
    }
    expect(r.horizons['1'].model).toBeGreaterThan(THRESHOLDS.view1);
    expect(r.horizons['16'].model).toBeGreaterThan(THRESHOLDS.view16);
    expect(r.inventory['16'].model).toBeGreaterThan(THRESHOLDS.inventory16);
    expect(r.oneStep.unlocks.recall ?? 0).toBeGreaterThan(THRESHOLDS.unlockRecall);
    expect(r.oneStep.unlocks.precision ?? 0).toBeGreaterThan(THRESHOLDS.unlockPrecision);
    // What the start frames showed comes back where the dream's position is still right.
    expect(r.memory['16'].seenInPlace ?? 0).toBeGreaterThan(THRESHOLDS.seenInPlace16);
  });

  it('remembers what it saw: the return trip along open ground', () => {
    const trip = returnTrip(model, {
      seeds: [800_001, 800_002, 800_003, 800_004, 800_005, 800_006],
      k: [4],
      warmup: 10,
      path: 'open',
    });
    expect(trip['4'].trials).toBeGreaterThan(3);
    expect(trip['4'].matchReal).toBeGreaterThan(THRESHOLDS.returnTrip4);
  });
});

/** Below the figures measured with `npm run eval:world-model` (README), with room for the small sample here. */
const THRESHOLDS = {
  view1: 95,
  view16: 80,
  inventory16: 90,
  unlockRecall: 50,
  unlockPrecision: 50,
  returnTrip4: 90,
  seenInPlace16: 95,
};
