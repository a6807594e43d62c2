import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Rng, World } from '@aikon/engine';
import { FRAME_TOKENS, loadSim, SimDreams, tokenize } from '@aikon/world-model';
import { describe, expect, it } from 'vitest';
import { demoStarts, ImaginedEnvs } from '../../src/policy/imagination.ts';

const MODELS = fileURLToPath(new URL('../../../../models', import.meta.url));

/** Real frames of a world played a little (stand-ins for recorded demonstration steps). */
function realSteps(n: number): { frames: Int32Array; episodeStart: Int32Array } {
  const world = World.generate({ seed: 21 });
  world.addPlayer();
  const frames = new Int32Array(n * FRAME_TOKENS);
  for (let t = 0; t < n; t++) {
    frames.set(tokenize(world, 0), t * FRAME_TOKENS);
    world.step([[1, 2, 3, 4, 5][t % 5]]);
  }
  return { frames, episodeStart: new Int32Array(n) };
}

describe('actor-critic environments in imagination', () => {
  it('dream from real states with the shipped simulator, cut at the horizon, and never name a real world', async () => {
    const manifest = JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8'));
    const { model } = await loadSim(manifest, async (f) => new Uint8Array(readFileSync(join(MODELS, f))));
    const demos = realSteps(40);
    const rng = new Rng(3);
    const envs = new ImaginedEnvs(
      new SimDreams(model, 4, { temperature: 1, seed: 2 }),
      3,
      demoStarts(demos, 8, () => rng.uniform()),
      5,
    );
    expect(envs.worlds).toBeNull();
    // Each dream's policy history ends with a real recorded frame.
    const tokens = new Int32Array(3 * FRAME_TOKENS);
    const prev = new Int32Array(1);
    envs.histories[0].write(tokens, prev, 0);
    const newest = Array.from(tokens.subarray(2 * FRAME_TOKENS));
    const real = Array.from({ length: 40 }, (_, t) =>
      Array.from(demos.frames.subarray(t * FRAME_TOKENS, (t + 1) * FRAME_TOKENS)),
    );
    expect(real.some((f) => f.join() === newest.join())).toBe(true);
    let dones = 0;
    for (let t = 0; t < 10; t++) {
      const r = envs.step([1, 2, 3, 5]);
      expect(r.rewards.every(Number.isFinite)).toBe(true);
      dones += r.dones.reduce((a, b) => a + b, 0);
    }
    // Every dream ends within the 5-step horizon: at least 2 ends each in 10 steps.
    expect(dones).toBeGreaterThanOrEqual(8);
    const finished = envs.drain();
    expect(finished.lengths.every((l) => l >= 1 && l <= 5)).toBe(true);
    expect(finished.returns).toHaveLength(dones);
  });
});
