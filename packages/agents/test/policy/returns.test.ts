import { describe, expect, it } from 'vitest';
import { lambdaReturns } from '../../src/policy/returns.ts';

describe('λ-returns', () => {
  it('match a hand-computed case (γ = 0.5, λ = 0.5, an episode end in the middle)', () => {
    // One environment, 3 steps: rewards 1, 0, 2; values 0.5, 1, 2; step 1 ends its episode;
    // the value after the last step is 4.
    const r = lambdaReturns(
      { rewards: [1, 0, 2], values: [0.5, 1, 2], dones: [0, 1, 0], lastValues: [4], steps: 3, envs: 1 },
      0.5,
      0.5,
    );
    // δ2 = 2 + 0.5·4 − 2 = 2;             A2 = 2
    // δ1 = 0 + 0 (episode ended) − 1 = −1; A1 = −1 (nothing carried across the end)
    // δ0 = 1 + 0.5·1 − 0.5 = 1;           A0 = 1 + 0.25·(−1) = 0.75
    expect(Array.from(r.advantages)).toEqual([0.75, -1, 2]);
    expect(Array.from(r.returns)).toEqual([1.25, 0, 4]);
  });

  it('bootstrap an episode cut by a time limit from the value it was cut at', () => {
    // The case above, but step 1 was cut (not ended) at a state worth 3.
    const r = lambdaReturns(
      {
        rewards: [1, 0, 2],
        values: [0.5, 1, 2],
        dones: [0, 1, 0],
        cutValues: [0, 3, 0],
        lastValues: [4],
        steps: 3,
        envs: 1,
      },
      0.5,
      0.5,
    );
    // δ1 = 0 + 0.5·3 − 1 = 0.5; A1 = 0.5 (the next episode's advantage is still not carried)
    // δ0 = 1 + 0.5·1 − 0.5 = 1;  A0 = 1 + 0.25·0.5 = 1.125
    expect(Array.from(r.advantages)).toEqual([1.125, 0.5, 2]);
    expect(Array.from(r.returns)).toEqual([1.625, 1.5, 4]);
  });

  it('reduce to discounted returns with λ = 1 and to one-step TD targets with λ = 0, per environment', () => {
    // Two environments interleaved time-major (index t·2 + i).
    const rewards = [1, 0, 1, 0, 1, 3];
    const values = [0.2, 0.1, 0.3, 0.4, 0.5, 0.6];
    const o = { rewards, values, dones: [0, 0, 0, 0, 0, 0], lastValues: [2, 1], steps: 3, envs: 2 };
    const mc = lambdaReturns(o, 0.9, 1).returns;
    expect(mc[0]).toBeCloseTo(1 + 0.9 * 1 + 0.81 * 1 + 0.729 * 2, 5);
    expect(mc[1]).toBeCloseTo(0 + 0.9 * 0 + 0.81 * 3 + 0.729 * 1, 5);
    const td = lambdaReturns(o, 0.9, 0).returns;
    expect(td[0]).toBeCloseTo(1 + 0.9 * 0.3, 5);
    expect(td[5]).toBeCloseTo(3 + 0.9 * 1, 5);
  });
});
