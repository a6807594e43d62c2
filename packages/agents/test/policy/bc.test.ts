import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Action, Rng, World } from '@aikon/engine';
import { FRAME_TOKENS, tokenize, tokenRange } from '@aikon/world-model';
import { afterAll, describe, expect, it } from 'vitest';
import { POLICY_CONFIGS, PolicyNet } from '../../src/policy/network.ts';
import { FrameHistory } from '../../src/policy/features.ts';
import { MEMORY_NONE, MEMORY_SLOTS } from '../../src/policy/memory.ts';
import {
  actionWeights,
  DECISIVE_ACTIONS,
  demoInputs,
  demoMemory,
  discountedReturns,
  trainBc,
} from '../../src/policy/node/bc.ts';
import { hasPolicyCheckpoint, loadPolicyCheckpoint } from '../../src/policy/node/checkpoint.ts';
import type { DemoSet } from '../../src/policy/node/demos.ts';

/**
 * A toy task: frames drawn from 8 random templates with a random tile above the player, where
 * the demonstrator's action is that tile modulo 17 (the policy must read one position of the
 * newest frame and ignore the rest).
 */
function toyDemos(episodes: number, length: number, seed: number): DemoSet {
  const rng = new Rng(seed);
  const N = episodes * length;
  const frames = new Int32Array(N * FRAME_TOKENS);
  const actions = new Uint8Array(N);
  const episodeStart = new Int32Array(N);
  const starts: number[] = [];
  const templates = Array.from({ length: 8 }, () =>
    Int32Array.from({ length: FRAME_TOKENS }, (_, p) => {
      const [lo, hi] = tokenRange(p);
      return lo + rng.int(hi - lo);
    }),
  );
  const above = 2 * 9 + 4; // the tile above the player (row 2, column 4 of the 9×7 view)
  for (let i = 0; i < N; i++) {
    if (i % length === 0) starts.push(i);
    episodeStart[i] = starts.at(-1)!;
    frames.set(templates[rng.int(templates.length)], i * FRAME_TOKENS);
    frames[i * FRAME_TOKENS + above] = rng.int(19);
    actions[i] = frames[i * FRAME_TOKENS + above] % 17;
  }
  return {
    frames,
    actions,
    rewards: new Float32Array(N).fill(0.1),
    episodeStart,
    starts,
    steps: { ai: N, human: 0 },
    episodes: { ai: episodes, human: 0 },
    worldSeeds: [],
    sessions: [],
  };
}

describe('behaviour cloning', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'aikon-bc-test-'));
  afterAll(() => rmSync(runDir, { recursive: true, force: true }));

  it('computes discounted returns per episode', () => {
    const r = discountedReturns({ rewards: Float32Array.of(1, 0, 2, 5, 1), starts: [0, 3] }, 0.5);
    // Episode 1: 1 + 0.5·0 + 0.25·2 = 1.5, 0 + 0.5·2 = 1, 2; episode 2: 5 + 0.5·1 = 5.5, 1.
    expect(Array.from(r)).toEqual([1.5, 1, 2, 5.5, 1]);
  });

  it('stacks frames without crossing an episode start', () => {
    const d = toyDemos(2, 3, 1);
    const x = demoInputs(d, [3, 4], 2);
    const frame = (i: number) => Array.from(d.frames.subarray(i * FRAME_TOKENS, (i + 1) * FRAME_TOKENS));
    expect(Array.from(x.tokens.subarray(0, FRAME_TOKENS))).toEqual(frame(3)); // repeated first frame
    expect(Array.from(x.tokens.subarray(FRAME_TOKENS, 2 * FRAME_TOKENS))).toEqual(frame(3));
    expect(Array.from(x.tokens.subarray(2 * FRAME_TOKENS, 3 * FRAME_TOKENS))).toEqual(frame(3));
    expect(Array.from(x.tokens.subarray(3 * FRAME_TOKENS, 4 * FRAME_TOKENS))).toEqual(frame(4));
    expect(Array.from(x.prevAction)).toEqual([0, d.actions[3]]);
  });

  it('gives each demonstration step the memory slots a policy acting in that episode has', () => {
    // Two real episodes (mostly moves); the policy's own history, acting live, is the reference.
    const frames: number[] = [];
    const actions: number[] = [];
    const starts: number[] = [];
    const live: number[] = [];
    for (const seed of [21, 22]) {
      const world = World.generate({ seed });
      world.addPlayer();
      const history = new FrameHistory(1, true);
      history.observe(world, 0);
      starts.push(actions.length);
      const rng = new Rng(seed);
      for (let t = 0; t < 150 && !world.player(0).done; t++) {
        const slots = new Int32Array(MEMORY_SLOTS);
        history.write(new Int32Array(FRAME_TOKENS), new Int32Array(1), 0, slots);
        live.push(...slots);
        frames.push(...tokenize(world, 0));
        const a = rng.uniform() < 0.8 ? Action.move_left + (Math.floor(t / 20) % 4) : rng.int(17);
        actions.push(a);
        world.step([a]);
        history.observe(world, 0, a);
      }
    }
    const memory = demoMemory({ frames: Int32Array.from(frames), actions: Uint8Array.from(actions), starts });
    expect(Array.from(memory)).toEqual(live);
    // Something was remembered, and the second episode starts with a fresh map.
    expect(live.some((v) => v !== MEMORY_NONE)).toBe(true);
    const x = demoInputs(
      {
        frames: Int32Array.from(frames),
        actions: Uint8Array.from(actions),
        episodeStart: new Int32Array(actions.length),
      },
      [starts[1]],
      1,
      memory,
    );
    expect(Array.from(x.memory!)).toEqual(live.slice(starts[1] * MEMORY_SLOTS, (starts[1] + 1) * MEMORY_SLOTS));
  });

  it('learns a toy task, with a falling loss, and resumes from its checkpoint', async () => {
    const demos = toyDemos(60, 50, 2);
    const data = {
      dir: 'toy',
      steps: demos.steps,
      episodes: demos.episodes,
      demonstrator: 'toy',
      sessions: 0,
      worldSeeds: [],
    };
    const common = {
      config: POLICY_CONFIGS.tiny,
      demos,
      data,
      runDir,
      batch: 64,
      lr: 0.01,
      seed: 1,
      maxMinutes: 5,
      checkpointEvery: 50,
      validateEvery: 100,
      progress: false,
    };
    const half = await trainBc({ ...common, steps: 300, resume: false, stopAfter: 150 });
    expect(half.state.step).toBe(150);
    expect(hasPolicyCheckpoint(runDir)).toBe(true);
    const ck = await trainBc({ ...common, steps: 300, resume: true });
    expect(ck.state.step).toBe(300);
    const h = ck.state.history;
    expect(h.at(-1)!.loss).toBeLessThan(h[0].loss / 3);
    const val = h.findLast((e) => e.valAccuracy !== undefined)!;
    expect(val.valAccuracy).toBeGreaterThan(0.9);
    expect(loadPolicyCheckpoint(runDir).state.step).toBe(300);
  }, 120_000);

  it('weights the decisive actions: an ambiguous state gets their probability raised by the weight', async () => {
    // One state, where the demonstrator walks left 9 times in 10 and places a stone the 10th:
    // the unweighted clone learns p(place_stone) ≈ 0.1, weight 4 gives 4·0.1 / (4·0.1 + 0.9) ≈ 0.31.
    expect(DECISIVE_ACTIONS).toContain(Action.place_stone);
    expect(DECISIVE_ACTIONS).not.toContain(Action.move_left);
    expect(Array.from(actionWeights(4)).filter((w) => w === 4)).toHaveLength(DECISIVE_ACTIONS.length);
    expect(() => actionWeights(0)).toThrow(/must be > 0/);
    const demos = toyDemos(20, 50, 3);
    const state = demos.frames.slice(0, FRAME_TOKENS);
    for (let i = 0; i < demos.actions.length; i++) {
      demos.frames.set(state, i * FRAME_TOKENS);
      demos.actions[i] = i % 10 === 0 ? Action.place_stone : Action.move_left;
    }
    const pStone = async (decisiveWeight: number, dir: string) => {
      const ck = await trainBc({
        config: POLICY_CONFIGS.tiny,
        demos,
        data: {
          dir: 'toy',
          steps: demos.steps,
          episodes: demos.episodes,
          demonstrator: 'toy',
          sessions: 0,
          worldSeeds: [],
        },
        runDir: join(runDir, dir),
        steps: 150,
        batch: 64,
        lr: 0.01,
        seed: 1,
        resume: false,
        maxMinutes: 5,
        checkpointEvery: 1000,
        validateEvery: 1000,
        progress: false,
        decisiveWeight,
      });
      const out = new PolicyNet(POLICY_CONFIGS.tiny, ck.weights).predict(demoInputs(demos, [5], 2));
      const z = out.logits.reduce((n, l) => n + Math.exp(l), 0);
      return { p: Math.exp(out.logits[Action.place_stone]) / z, ck };
    };
    const plain = await pStone(1, 'plain');
    const weighted = await pStone(4, 'weighted');
    expect(plain.p).toBeGreaterThan(0.05);
    expect(plain.p).toBeLessThan(0.16);
    expect(weighted.p).toBeGreaterThan(0.24);
    expect(weighted.p).toBeLessThan(0.4);
    expect(weighted.ck.state.decisiveWeight).toBe(4);
    expect(plain.ck.state.decisiveWeight).toBeUndefined();
    // A run resumed with another weight is refused rather than mixing two objectives.
    await expect(
      trainBc({
        config: POLICY_CONFIGS.tiny,
        demos,
        data: weighted.ck.state.data,
        runDir: join(runDir, 'weighted'),
        steps: 200,
        batch: 64,
        lr: 0.01,
        seed: 1,
        resume: true,
        maxMinutes: 5,
        checkpointEvery: 1000,
        validateEvery: 1000,
        progress: false,
      }),
    ).rejects.toThrow(/weights decisive actions 4, not 1/);
  }, 120_000);
});
