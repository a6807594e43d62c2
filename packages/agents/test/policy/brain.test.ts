import { Action, World } from '@aikon/engine';
import { describe, expect, it } from 'vitest';
import { netRunner, type PolicyRunner } from '../../src/policy/act.ts';
import { LearnedBrain } from '../../src/policy/brain.ts';
import { initPolicyWeights, POLICY_CONFIGS, PolicyNet } from '../../src/policy/network.ts';
import { OrtPolicy } from '../../src/policy/node/ort-policy.ts';
import { exportPolicyOnnx } from '../../src/policy/onnx-export.ts';
import { LearnedSkill } from '../../src/policy/skill.ts';

/** The real tfjs policy behind a fixed delay (a slow inference). */
function delayed(runner: PolicyRunner, ms: number): PolicyRunner & { calls: number; finished: number } {
  const r = {
    ...runner,
    calls: 0,
    finished: 0,
    run: async (x: Parameters<PolicyRunner['run']>[0]) => {
      r.calls++;
      const out = await runner.run(x);
      await new Promise((res) => setTimeout(res, ms));
      r.finished++;
      return out;
    },
  };
  return r;
}

describe('worker brains', () => {
  it('a learned policy skill: noop while it loads or thinks, each decision used once, stale ones dropped', async () => {
    const c = POLICY_CONFIGS.tiny;
    let runner: PolicyRunner | null = null;
    const skill = new LearnedSkill(() => runner, 1);
    expect(skill.brain).toBe('learned');
    const world = World.generate({ seed: 8 });
    const p = world.addPlayer();
    const tick = { world, p, task: null, prevAction: 0 };
    expect(skill.act(tick)).toBe(Action.noop); // the policy is still loading
    expect(skill.learned).toBeNull();
    runner = netRunner(new PolicyNet(c, initPolicyWeights(c, 9)));
    expect(skill.act(tick)).toBe(Action.noop); // its first inference has not finished
    await skill.learned!.idle();
    const a = skill.act(tick);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(17);
    expect(skill.learned!.inferences).toBe(1);
    // Another skill acted meanwhile: the decision under way is stale and never used.
    skill.passed(tick);
    await skill.learned!.idle();
    expect(skill.act(tick)).toBe(Action.noop);
    expect(skill.learned!.inferences).toBe(2);
  });

  it('a learned brain never waits for slow inference: ticks go on, late decisions are used once', async () => {
    const c = POLICY_CONFIGS.tiny;
    // The relay's runtime: onnxruntime-node (its run is asynchronous).
    const ort = await OrtPolicy.fromBytes(exportPolicyOnnx(c, initPolicyWeights(c, 9)));
    const runner = delayed(ort, 60);
    const brain = new LearnedBrain(runner, 1);
    const world = World.generate({ seed: 8 });
    const p = world.addPlayer();
    const first = brain.act(world, p.slot, 0);
    expect(runner.calls).toBe(1);
    expect(runner.finished).toBe(0); // act returned before its inference finished
    expect(first).toBeNull();
    world.step([0]);
    expect(brain.act(world, p.slot, 0)).toBeNull(); // still running: the tick does not wait
    expect(runner.calls).toBe(1); // one inference at a time
    await brain.idle();
    const a = brain.act(world, p.slot, 0);
    expect(a).not.toBeNull();
    expect(a!).toBeGreaterThanOrEqual(0);
    expect(a!).toBeLessThan(17);
    expect(brain.act(world, p.slot, 0)).toBeNull(); // used once; the next inference runs
    expect(brain.inferences).toBe(1);
    expect(brain.missed).toBe(3);
    await brain.idle();
    // While another brain acts (a hybrid worker's task), a pending decision is dropped as stale.
    brain.act(world, p.slot, 0);
    brain.observe(world, p.slot, 3);
    await brain.idle();
    expect(brain.act(world, p.slot, 3)).toBeNull();
    await ort.dispose();
  });
});
