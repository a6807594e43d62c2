import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { World } from '@aikon/engine';
import { afterAll, describe, expect, it } from 'vitest';
import type { RolloutEnvs } from '../../src/policy/envs.ts';
import { RealEnvs } from '../../src/policy/envs.ts';
import { FrameHistory, featureWidth } from '../../src/policy/features.ts';
import { MEMORY_FEATURES } from '../../src/policy/memory.ts';
import { initPolicyWeights, POLICY_CONFIGS, PolicyNet, type PolicyWeights } from '../../src/policy/network.ts';
import { AC_DEFAULTS, trainActorCritic } from '../../src/policy/node/actor-critic.ts';

/**
 * A one-state task: action 5 pays 1, anything else 0; episodes last 8 steps — or, with `cut`, are
 * cut there by a time limit (reported as cut, the trainer bootstraps), the task going on forever.
 */
class BanditEnvs implements RolloutEnvs {
  readonly histories: FrameHistory[];
  readonly worlds = null;
  private t = 0;
  private returns: number[] = [];
  constructor(
    readonly count: number,
    frames: number,
    private readonly cut = false,
  ) {
    const world = World.generate({ seed: 1 });
    world.addPlayer();
    this.histories = Array.from({ length: count }, () => {
      const h = new FrameHistory(frames);
      h.observe(world, 0);
      return h;
    });
  }
  step(actions: ArrayLike<number>) {
    this.t++;
    const rewards = Float32Array.from({ length: this.count }, (_, i) => (actions[i] === 5 ? 1 : 0));
    const dones = new Uint8Array(this.count).fill(this.t % 8 === 0 ? 1 : 0);
    if (this.t % 8 === 0) this.returns.push(0);
    if (!this.cut) return { rewards, dones };
    const inputs = {
      batch: this.count,
      tokens: new Int32Array(this.count * this.histories[0].k * 81),
      prevAction: new Int32Array(this.count),
    };
    for (const [i, h] of this.histories.entries()) h.write(inputs.tokens, inputs.prevAction, i);
    return { rewards, dones, cut: { envs: dones, inputs } };
  }
  drain() {
    const r = { returns: this.returns, lengths: this.returns.map(() => 8), achievements: [] };
    this.returns = [];
    return r;
  }
}

const data = {
  dir: 'test',
  steps: { ai: 0, human: 0 },
  episodes: { ai: 0, human: 0 },
  demonstrator: 'none',
  sessions: 0,
  worldSeeds: [],
};

describe('actor-critic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aikon-ac-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const c = POLICY_CONFIGS.tiny;
  /** The share of action 5 the policy gives the bandit's one state. */
  const share5 = (weights: PolicyWeights): number => {
    const envs = new BanditEnvs(1, c.frames);
    const tokens = new Int32Array(c.frames * 81);
    const prev = new Int32Array(1);
    envs.histories[0].write(tokens, prev, 0);
    const { logits } = new PolicyNet(c, weights).predict({ batch: 1, tokens, prevAction: prev });
    const p = Array.from(logits, (l) => Math.exp(l));
    return p[5] / p.reduce((a, b) => a + b, 0);
  };
  const value = (weights: PolicyWeights): number => {
    const envs = new BanditEnvs(1, c.frames);
    const tokens = new Int32Array(c.frames * 81);
    const prev = new Int32Array(1);
    envs.histories[0].write(tokens, prev, 0);
    return new PolicyNet(c, weights).predict({ batch: 1, tokens, prevAction: prev }).value[0];
  };
  const bandit = (name: string, kl: number, criticWarmup = 0, cut = false) =>
    trainActorCritic({
      ...AC_DEFAULTS,
      config: c,
      weights: initPolicyWeights(c, 3),
      data,
      stage: 'rl-real',
      makeEnvs: () => new BanditEnvs(16, c.frames, cut),
      runDir: join(dir, name),
      updates: 20,
      horizon: 8,
      minibatch: 64,
      lr: 0.01,
      kl,
      criticWarmup,
      seed: 1,
      resume: false,
      maxMinutes: 5,
      progress: false,
    });

  it('learns the paying action of a one-state task; the KL guard holds it near its start', async () => {
    const start = share5(initPolicyWeights(c, 3));
    expect(start).toBeLessThan(0.1); // about 1/17
    const free = await bandit('bandit', 0);
    expect(share5(free.weights)).toBeGreaterThan(0.5);
    expect(free.state.history).toHaveLength(20);
    const guarded = await bandit('bandit-kl', 5);
    const g = share5(guarded.weights);
    expect(g).toBeGreaterThan(start); // it still learns…
    expect(g).toBeLessThan(share5(free.weights) - 0.2); // …but stays nearer its start
    expect(guarded.state.history.every((h) => h.kl !== undefined && h.kl >= 0)).toBe(true);
  }, 60_000);

  it('a critic warm-up fits the value and leaves the policy where it started', async () => {
    const start = share5(initPolicyWeights(c, 3));
    const warm = await bandit('bandit-warmup', 0, 20);
    expect(Math.abs(share5(warm.weights) - start)).toBeLessThan(0.01);
    // The one state's value, from ≈ 0 towards its expected return
    // (≈ 0.26: action 5 pays 1 with probability 1/17 per step).
    expect(Math.abs(value(initPolicyWeights(c, 3)))).toBeLessThan(0.05);
    expect(value(warm.weights)).toBeGreaterThan(0.1);
  }, 60_000);

  it('an episode cut by a time limit is bootstrapped from its value, not valued as an end', async () => {
    const ended = value((await bandit('bandit-ends', 0, 20)).weights);
    const cut = value((await bandit('bandit-cut', 0, 20, true)).weights);
    // Ended, 8 steps pay ≈ 0.47 at most (1/17 per step); cut, the task never ends, and its value
    // grows towards (1/17) / (1 − γ) ≈ 5.9 (4.3 after these 20 updates).
    expect(ended).toBeLessThan(1);
    expect(cut).toBeGreaterThan(2);
  }, 60_000);

  it('in the real engine: auto-resets, resumes, and records the worlds it used', async () => {
    const c = POLICY_CONFIGS.tiny;
    const common = {
      ...AC_DEFAULTS,
      config: c,
      weights: initPolicyWeights(c, 4),
      data,
      stage: 'rl-real' as const,
      makeEnvs: (started: number) => new RealEnvs(4, c.frames, 777, started),
      runDir: join(dir, 'real'),
      updates: 2,
      horizon: 16,
      minibatch: 32,
      seed: 2,
      maxMinutes: 5,
      progress: false,
    };
    const first = await trainActorCritic({ ...common, resume: false, stopAfter: 1 });
    expect(first.state.step).toBe(1);
    const ck = await trainActorCritic({ ...common, resume: true });
    expect(ck.state.step).toBe(2);
    const range = ck.state.data.seedRanges!.at(-1)!;
    expect(range.base).toBe(777);
    expect(range.count).toBeGreaterThanOrEqual(4);
    expect(ck.state.history.every((h) => Number.isFinite(h.loss))).toBe(true);
  }, 60_000);

  it('real engine with the memory map: the policy acts and learns on its maps (the memory rows move)', async () => {
    const c = POLICY_CONFIGS['tiny-memory'];
    const weights = initPolicyWeights(c, 4);
    const ck = await trainActorCritic({
      ...AC_DEFAULTS,
      config: c,
      weights,
      data,
      stage: 'rl-real' as const,
      makeEnvs: (started: number) => new RealEnvs(4, c.frames, 778, started, true),
      runDir: join(dir, 'real-memory'),
      updates: 1,
      horizon: 32,
      minibatch: 32,
      seed: 3,
      maxMinutes: 5,
      progress: false,
      resume: false,
    });
    expect(ck.state.step).toBe(1);
    expect(ck.state.history.every((h) => Number.isFinite(h.loss))).toBe(true);
    // The memory block of the first layer (after the frames and the previous action) was trained.
    const H = c.hidden[0];
    const from = featureWidth(c.frames) * H;
    const before = weights.get('l0.w')!.subarray(from);
    const after = ck.weights.get('l0.w')!.subarray(from);
    expect(after.length).toBe(MEMORY_FEATURES * H);
    expect(after.some((v, i) => v !== before[i])).toBe(true);
  }, 60_000);
});
