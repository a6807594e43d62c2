import { NUM_ACTIONS, Rng } from '@aikon/engine';
import { describe, expect, it } from 'vitest';
import {
  CLS,
  FRAME_TOKENS,
  type InferenceBackend,
  MASK,
  maskSchedule,
  type ModelInputs,
  REWARD_CLASSES,
  sampleNext,
  SEQ,
  tokenRange,
  VOCAB,
} from '../src/index.ts';

/** A backend with fixed pseudo-random logits per position (independent of the input). */
function fakeBackend(seed: number): InferenceBackend & { calls: ModelInputs[] } {
  const calls: ModelInputs[] = [];
  return {
    name: 'fake',
    calls,
    async run(x) {
      calls.push({ ...x, target: Int32Array.from(x.target) });
      const r = new Rng(seed);
      const logits = new Float32Array(x.batch * SEQ * VOCAB).map(() => r.uniform() * 4);
      return { logits, reward: new Float32Array(x.batch * REWARD_CLASSES), done: new Float32Array(x.batch) };
    },
    async dispose() {},
  };
}

describe('masking schedule', () => {
  it('decreases strictly to 0 after the last step', () => {
    for (const schedule of ['cosine', 'linear'] as const) {
      for (let steps = 1; steps <= 12; steps++) {
        const s = maskSchedule(FRAME_TOKENS, steps, schedule);
        expect(s.length).toBe(steps);
        expect(s.at(-1)).toBe(0);
        let prev = FRAME_TOKENS;
        for (const m of s) {
          expect(m).toBeLessThan(prev);
          expect(m).toBeGreaterThanOrEqual(0);
          prev = m;
        }
      }
    }
    expect(maskSchedule(81, 4, 'cosine')).toEqual([74, 57, 30, 0]);
    expect(maskSchedule(81, 4, 'linear')).toEqual([60, 40, 20, 0]);
    expect(maskSchedule(3, 8, 'linear')).toEqual([2, 1, 0, 0, 0, 0, 0, 0]);
    expect(() => maskSchedule(81, 0)).toThrow(RangeError);
  });

  it('the sampler starts fully masked and unmasks along the schedule', async () => {
    const be = fakeBackend(1);
    const B = 3;
    const K = 2;
    const ctx = new Int32Array(B * K * SEQ).fill(2);
    for (let i = SEQ - 1; i < ctx.length; i += SEQ) ctx[i] = CLS;
    const r = await sampleNext(
      be,
      B,
      ctx,
      new Float32Array(B * NUM_ACTIONS),
      { steps: 4, temperature: 0, schedule: 'cosine' },
      new Rng(0),
    );
    expect(be.calls.length).toBe(4);
    const masked = be.calls.map((c) => Array.from(c.target.subarray(0, FRAME_TOKENS)).filter((t) => t === MASK).length);
    expect(masked).toEqual([81, 74, 57, 30]);
    expect(r.trace).toEqual([81, 74, 57, 30]);
    for (const c of be.calls) for (let b = 0; b < B; b++) expect(c.target[b * SEQ + FRAME_TOKENS]).toBe(CLS);
    // Unmasked tokens never change again and every final token is in its position's range.
    for (let s = 1; s < 4; s++) {
      for (let i = 0; i < B * SEQ; i++)
        if (be.calls[s - 1].target[i] !== MASK) expect(be.calls[s].target[i]).toBe(be.calls[s - 1].target[i]);
    }
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < FRAME_TOKENS; p++) {
        const [lo, hi] = tokenRange(p);
        const t = r.frames[b * FRAME_TOKENS + p];
        expect(t >= lo && t < hi).toBe(true);
      }
    }
  });

  it('greedy sampling takes the argmax within the valid range', async () => {
    const be = fakeBackend(2);
    const r = await sampleNext(
      be,
      1,
      new Int32Array(2 * SEQ),
      new Float32Array(NUM_ACTIONS),
      { steps: 1, temperature: 0, schedule: 'cosine' },
      new Rng(0),
    );
    const logits = (
      await be.run({
        batch: 1,
        target: new Int32Array(SEQ),
        context: new Int32Array(2 * SEQ),
        action: new Float32Array(NUM_ACTIONS),
      })
    ).logits;
    for (let p = 0; p < FRAME_TOKENS; p++) {
      const [lo, hi] = tokenRange(p);
      let best = lo;
      for (let v = lo; v < hi; v++) if (logits[p * VOCAB + v] > logits[p * VOCAB + best]) best = v;
      expect(r.frames[p]).toBe(best);
    }
  });

  it('is deterministic given the seed at temperature > 0', async () => {
    const settings = { steps: 4, temperature: 1, schedule: 'cosine' as const };
    const run = async (seed: number) =>
      (
        await sampleNext(
          fakeBackend(3),
          2,
          new Int32Array(4 * SEQ),
          new Float32Array(2 * NUM_ACTIONS),
          settings,
          new Rng(seed),
        )
      ).frames;
    expect(Array.from(await run(7))).toEqual(Array.from(await run(7)));
    expect(Array.from(await run(7))).not.toEqual(Array.from(await run(8)));
  });
});
