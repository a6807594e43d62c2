import { Rng } from '@aikon/engine';
import { describe, expect, it } from 'vitest';
import { makeTrainBatch } from '../src/batching.ts';
import { episodeToTokens } from '../src/episodes.ts';
import { generateEpisode } from '../src/explorer.ts';
import { CLS, FRAME_TOKENS, MASK, REWARD_CLASSES, rewardClass, SEQ, VIEW_TOKENS, VOCAB } from '../src/tokens.ts';

const ep = episodeToTokens(generateEpisode({ policy: 'scripted', seed: 12, maxSteps: 120 }));
const samples = Array.from({ length: 16 }, (_, i) => ({ ep, t: (i * 7) % ep.length }));

describe('training batches', () => {
  it('mask target tokens, label exactly the masked ones, and keep CLS and the context intact', () => {
    const bt = makeTrainBatch(samples, 2, new Rng(3));
    let sum = 0;
    for (let b = 0; b < samples.length; b++) {
      expect(bt.inputs.target[b * SEQ + FRAME_TOKENS]).toBe(CLS);
      const { t } = samples[b];
      for (let p = 0; p < FRAME_TOKENS; p++) {
        const i = b * SEQ + p;
        const row = bt.tokenLabels.subarray(i * VOCAB, (i + 1) * VOCAB);
        const labelled = row.findIndex((x) => x > 0);
        if (bt.inputs.target[i] === MASK) expect(labelled).toBe(ep.frames[(t + 1) * FRAME_TOKENS + p]);
        else {
          expect(labelled).toBe(-1);
          expect(bt.inputs.target[i]).toBe(ep.frames[(t + 1) * FRAME_TOKENS + p]);
        }
        for (const x of row) sum += x;
      }
      // The newest context frame is observation t.
      expect(Array.from(bt.inputs.context.subarray((b * 2 + 1) * SEQ, (b * 2 + 1) * SEQ + FRAME_TOKENS))).toEqual(
        Array.from(ep.frames.subarray(t * FRAME_TOKENS, (t + 1) * FRAME_TOKENS)),
      );
      expect(bt.inputs.action[b * 17 + ep.actions[t]]).toBe(1);
    }
    expect(sum).toBeCloseTo(1, 5);
  });

  it('weights changed tokens and nonzero rewards as asked, still summing to 1', () => {
    const w = { changedView: 2, changedState: 5, reward: 3 };
    const a = makeTrainBatch(samples, 2, new Rng(3));
    const b = makeTrainBatch(samples, 2, new Rng(3), w);
    let unchangedRatio = NaN;
    for (let s = 0; s < samples.length; s++) {
      for (let p = 0; p < FRAME_TOKENS; p++) {
        const i = s * SEQ + p;
        if (a.inputs.target[i] !== MASK) continue;
        const label = ep.frames[(samples[s].t + 1) * FRAME_TOKENS + p];
        const changed = label !== ep.frames[samples[s].t * FRAME_TOKENS + p];
        const ratio = b.tokenLabels[i * VOCAB + label] / a.tokenLabels[i * VOCAB + label];
        if (!changed) {
          if (Number.isNaN(unchangedRatio)) unchangedRatio = ratio;
          expect(ratio).toBeCloseTo(unchangedRatio, 4);
        } else expect(ratio / unchangedRatio).toBeCloseTo(p < VIEW_TOKENS ? 2 : 5, 4);
      }
    }
    expect(b.tokenLabels.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
    expect(b.rewardLabels.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
    const zero = rewardClass(0);
    const nz = samples.findIndex(({ t }) => rewardClass(ep.rewards[t]) !== zero);
    const z = samples.findIndex(({ t }) => rewardClass(ep.rewards[t]) === zero);
    if (nz >= 0 && z >= 0) {
      const get = (s: number) => b.rewardLabels[s * REWARD_CLASSES + rewardClass(ep.rewards[samples[s].t])];
      expect(get(nz) / get(z)).toBeCloseTo(3, 4);
    }
  });
});
