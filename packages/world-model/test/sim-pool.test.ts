import { NUM_ACTIONS } from '@aikon/engine';
import { describe, expect, it } from 'vitest';
import { episodeToTokens } from '../src/episodes.ts';
import { generateEpisode } from '../src/explorer.ts';
import { SimDreamsPool } from '../src/node/sim-pool.ts';
import { SimDreams } from '../src/sim/dream.ts';
import { SimModel } from '../src/sim/model.ts';
import { FRAME_TOKENS } from '../src/tokens.ts';

describe('SimDreamsPool (worker threads)', () => {
  it('steps the same greedy dreams as one SimDreams, in shared memory', async () => {
    const model = SimModel.init({ globalHidden: 16, globalHidden2: 16, tileHidden: 8 }, 4);
    const ep = episodeToTokens(generateEpisode({ policy: 'scripted', seed: 5, maxSteps: 40 }));
    const starts = Array.from({ length: 5 }, (_, i) => ({
      frames: [ep.frames.subarray(i * 3 * FRAME_TOKENS, (i * 3 + 1) * FRAME_TOKENS)],
    }));
    const one = new SimDreams(model, 5);
    one.reset(starts);
    const pool = await SimDreamsPool.create(model, 5, { threads: 2 });
    try {
      await pool.reset(starts);
      for (let t = 0; t < 6; t++) {
        const actions = Array.from({ length: 5 }, (_, b) => (t * 5 + b * 3) % NUM_ACTIONS);
        const a = one.step(actions);
        const b = await pool.step(actions);
        expect(Array.from(b.tokens)).toEqual(Array.from(a.tokens));
        expect(Array.from(b.reward)).toEqual(Array.from(a.reward));
        expect(Array.from(b.continuation)).toEqual(Array.from(a.continuation));
        expect(Array.from(b.event)).toEqual(Array.from(a.event));
      }
      await expect(pool.step([0, 99, 0, 0, 0])).rejects.toThrow(/unknown action/);
    } finally {
      await pool.close();
    }
  });
});
