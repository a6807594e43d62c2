import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { episodeSeed, World } from '@aikon/engine';
import { FRAME_TOKENS, tokenize } from '@aikon/world-model';
import { afterAll, describe, expect, it } from 'vitest';
import { netRunner } from '../../src/policy/act.ts';
import { initPolicyWeights, POLICY_CONFIGS, PolicyNet } from '../../src/policy/network.ts';
import { demoInputs, demoMemory } from '../../src/policy/node/bc.ts';
import { MEMORY_SLOTS } from '../../src/policy/memory.ts';
import { collectDagger, concatDemos } from '../../src/policy/node/dagger.ts';
import { loadDaggerRound, saveDaggerRound } from '../../src/policy/node/dagger-store.ts';
import { Commander } from '../../src/commander.ts';

describe('DAgger', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aikon-dagger-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const c = POLICY_CONFIGS.tiny;
  const runner = netRunner(new PolicyNet(c, initPolicyWeights(c, 1)));

  it('with β = 1 the shadowing workforce acts, and its labels are what it does alone', async () => {
    const d = await collectDagger(runner, {
      seedBase: 4242,
      steps: 120,
      parallel: 1,
      beta: 1,
      temperature: 1,
      seed: 1,
    });
    const s = d.set;
    expect(Array.from(s.taken!)).toEqual(Array.from(s.actions));
    // The same world played by the workforce alone gives the same actions and views.
    const world = World.generate({ seed: episodeSeed(4242, 0) });
    world.addPlayer();
    const commander = new Commander(world, { sense: 'fair' });
    commander.addWorker(0);
    commander.setGoal({ kind: 'all' }, 'test');
    for (let t = 0; t < 120; t++) {
      expect(Array.from(s.frames.subarray(t * FRAME_TOKENS, (t + 1) * FRAME_TOKENS))).toEqual(
        Array.from(tokenize(world, 0)),
      );
      const a = commander.tick().get(0) ?? 0;
      expect(s.actions[t]).toBe(a);
      world.step([a]);
    }
  }, 60_000);

  it('with β = 0 the learner acts; interleaved episodes come out whole, and the store reads them back', async () => {
    const d = await collectDagger(runner, { seedBase: 77, steps: 600, parallel: 4, beta: 0, temperature: 1, seed: 2 });
    const s = d.set;
    expect(s.actions.length).toBe(600);
    expect(d.worlds).toBeGreaterThanOrEqual(4);
    // A random-ish learner and the workforce disagree often.
    expect(d.agreement).toBeLessThan(0.6);
    expect(Array.from(s.taken!).some((a, i) => a !== s.actions[i])).toBe(true);
    // Episodes are contiguous: each step's episode start is the latest start at or before it.
    let e = -1;
    for (let i = 0; i < 600; i++) {
      if (s.starts[e + 1] === i) e++;
      expect(s.episodeStart[i]).toBe(s.starts[e]);
    }
    expect(s.starts.length).toBeGreaterThanOrEqual(4);
    // The previous action of a stacked input is the executed one, not the label.
    const i = s.starts[0] + 5;
    expect(demoInputs(s, [i], c.frames).prevAction[0]).toBe(s.taken![i - 1]);
    saveDaggerRound(
      join(dir, 'new-run'),
      { round: 0, seedBase: 77, worlds: d.worlds, beta: 0, agreement: d.agreement, finished: d.finished, seconds: 1 },
      d,
    );
    const back = loadDaggerRound(join(dir, 'new-run'), 0).data.set;
    expect(Array.from(back.frames)).toEqual(Array.from(s.frames));
    expect(Array.from(back.taken!)).toEqual(Array.from(s.taken!));
    expect(Array.from(back.rewards)).toEqual(Array.from(s.rewards));
    expect(back.starts).toEqual(s.starts);
    const both = concatDemos([s, back]);
    expect(both.actions.length).toBe(1200);
    expect(both.starts.length).toBe(2 * s.starts.length);
    expect(both.episodeStart[600 + 10]).toBe(600 + s.episodeStart[10]);
  }, 60_000);

  it('a learner with a memory map acts on the map of its own trajectory, and training rebuilds that map', async () => {
    const cm = POLICY_CONFIGS['tiny-memory'];
    const inner = netRunner(new PolicyNet(cm, initPolicyWeights(cm, 2)));
    const seen: number[] = [];
    const d = await collectDagger(
      {
        ...inner,
        run: async (x) => {
          seen.push(...x.memory!);
          return inner.run(x);
        },
      },
      { seedBase: 78, steps: 300, parallel: 1, beta: 0.5, temperature: 1, seed: 3 },
    );
    expect(seen).toHaveLength(300 * MEMORY_SLOTS);
    expect(Array.from(demoMemory(d.set))).toEqual(seen);
  }, 60_000);
});
