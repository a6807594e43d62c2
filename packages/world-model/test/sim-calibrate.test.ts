import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { episodeToTokens } from '../src/episodes.ts';
import { generateEpisode } from '../src/explorer.ts';
import { calibrated, chooseEventThreshold } from '../src/node/sim-calibrate.ts';
import { startAt } from '../src/node/sim-evaluate.ts';
import { SimDreams } from '../src/sim/dream.ts';
import { O_EVENT } from '../src/sim/layout.ts';
import { SimModel, simFromBytes, simToBytes } from '../src/sim/model.ts';
import { loadSim } from '../src/sim/load.ts';
import { tokenize } from '../src/tokens.ts';
import { World } from '@aikon/engine';

const MODELS = join(import.meta.dirname, '../../../models');

describe('calibration of the event threshold', () => {
  const arch = { globalHidden: 8, globalHidden2: 8, tileHidden: 6 };

  it('the weights file carries the calibration; a file without one loads with none', () => {
    const m = new SimModel(arch, undefined, { eventThreshold: 0.375 });
    expect(simFromBytes(simToBytes(m)).calibration).toEqual({ eventThreshold: 0.375 });
    expect(simFromBytes(simToBytes(new SimModel(arch))).calibration).toBeUndefined();
  });

  it('a greedy dream names an event only at or above the threshold, and says how sure it was', () => {
    // Zero weights, the event head's biases alone: achievement 5 at p ≈ 0.6, none at ≈ 0.4.
    const make = (eventThreshold: number) => {
      const m = new SimModel(arch, undefined, { eventThreshold });
      m.gBo.fill(-30, O_EVENT, O_EVENT + 23);
      m.gBo[O_EVENT] = 0;
      m.gBo[O_EVENT + 6] = Math.log(1.5);
      return m;
    };
    const world = World.generate({ seed: 4 });
    world.addPlayer();
    const start = [{ frames: [tokenize(world)] }];
    const loose = new SimDreams(make(0.5), 1);
    loose.reset(start);
    const a = loose.step([0]);
    expect([a.event[0], a.unlock[0]]).toEqual([6, 5]);
    expect(a.eventProbability[0]).toBeCloseTo(0.6, 5);
    const strict = new SimDreams(make(0.7), 1);
    strict.reset(start);
    const b = strict.step([0]);
    expect([b.event[0], b.unlock[0]]).toEqual([0, -1]);
    expect(b.eventProbability[0]).toBeCloseTo(0.4, 5);
  });

  it('the calibrated model re-measured scores what the sweep said for its threshold; never below argmax', async () => {
    const manifest = JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8'));
    const { model } = await loadSim(manifest, async (f) => new Uint8Array(readFileSync(join(MODELS, f))));
    const episodes = [0, 1, 2, 3].map((i) =>
      episodeToTokens(generateEpisode({ policy: 'scripted', seed: 810_000 + i, maxSteps: 300 })),
    );
    const c = chooseEventThreshold(model, episodes);
    expect(c.unlocks).toBeGreaterThan(5);
    expect(Math.min(c.precision, c.recall)).toBeGreaterThanOrEqual(Math.min(c.argmax.precision, c.argmax.recall));
    // One teacher-forced step from every state with the calibrated model (as the evaluation scores it).
    const m = calibrated(model, { eventThreshold: c.eventThreshold });
    let tp = 0,
      fp = 0,
      real = 0;
    for (const ep of episodes) {
      const dreams = new SimDreams(m, ep.length);
      dreams.reset(Array.from({ length: ep.length }, (_, t) => startAt(ep, t, 16)));
      const r = dreams.step(ep.actions);
      for (let t = 0; t < ep.length; t++) {
        const unlocked = ep.rewards[t] >= 0.5;
        if (unlocked) real++;
        if (r.unlock[t] >= 0) unlocked ? tp++ : fp++;
      }
    }
    expect(real).toBe(c.unlocks);
    expect(Math.round((10000 * tp) / (tp + fp)) / 100).toBe(c.precision);
    expect(Math.round((10000 * tp) / real) / 100).toBe(c.recall);
  });
});
