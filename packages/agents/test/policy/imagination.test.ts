import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { mixSeed, Rng, World } from '@aikon/engine';
import { FRAME_TOKENS, loadSim, SimDreams, tokenize } from '@aikon/world-model';
import { describe, expect, it } from 'vitest';
import { dreamStarts, ImaginedEnvs, type RecordedStates } from '../../src/policy/imagination.ts';
import { MEMORY_SLOTS, MemoryMap } from '../../src/policy/memory.ts';
import { demoInputs, demoMemory } from '../../src/policy/node/bc.ts';

const MODELS = fileURLToPath(new URL('../../../../models', import.meta.url));

/**
 * Real recorded episodes (stand-ins for demonstrations): worlds played with random moves (mostly right) and
 * "do", every frame and the action taken after it, end to end.
 */
function recorded(lengths: readonly number[]): RecordedStates & { starts: number[] } {
  const n = lengths.reduce((a, b) => a + b, 0);
  const frames = new Int32Array(n * FRAME_TOKENS);
  const actions = new Uint8Array(n);
  const episodeStart = new Int32Array(n);
  const starts: number[] = [];
  let t = 0;
  lengths.forEach((length, e) => {
    const world = World.generate({ seed: 21 }); // open ground to the right of the spawn
    world.addPlayer();
    const rng = new Rng(mixSeed(5, e));
    starts.push(t);
    for (let k = 0; k < length; k++, t++) {
      frames.set(tokenize(world, 0), t * FRAME_TOKENS);
      actions[t] = [2, 2, 2, 3, 4, 5][rng.int(6)]; // drifting right, so the map holds more than the view
      episodeStart[t] = starts[e];
      world.step([actions[t]]);
    }
  });
  return { frames, actions, episodeStart, starts };
}

const at = (t: number, n: number) => () => (t + 0.5) / n;

async function shippedSim() {
  const manifest = JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8'));
  return (await loadSim(manifest, async (f) => new Uint8Array(readFileSync(join(MODELS, f))))).model;
}

describe('actor-critic environments in imagination', () => {
  it('dream from real states with the shipped simulator, cut at the horizon, and never name a real world', async () => {
    const demos = recorded([40]);
    const rng = new Rng(3);
    const envs = new ImaginedEnvs(
      new SimDreams(await shippedSim(), 4, { temperature: 1, seed: 2 }),
      3,
      demos,
      dreamStarts(demos, 8, () => rng.uniform()),
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

  it('with bootstrapCut, a dream cut at the horizon reports the state it was cut at', async () => {
    const demos = recorded([40]);
    const rng = new Rng(4);
    const sim = await shippedSim();
    const make = (bootstrapCut: boolean) =>
      new ImaginedEnvs(
        new SimDreams(sim, 4, { temperature: 1, seed: 2 }),
        3,
        demos,
        dreamStarts(demos, 8, () => rng.uniform()),
        3,
        true,
        bootstrapCut,
      );
    expect(make(false).step([1, 2, 3, 5]).cut).toBeUndefined();
    const envs = make(true);
    envs.step([1, 2, 3, 5]);
    // Two steps into a 3-step horizon: nothing is cut yet.
    expect(Array.from(envs.step([1, 2, 3, 5]).cut!.envs)).toEqual([0, 0, 0, 0]);
    const before = envs.histories.map((h) => {
      const tokens = new Int32Array(3 * FRAME_TOKENS);
      h.write(tokens, new Int32Array(1), 0, new Int32Array(MEMORY_SLOTS));
      return tokens;
    });
    const r = envs.step([4, 4, 4, 4]);
    const cut = r.cut!;
    let cuts = 0;
    for (let i = 0; i < 4; i++) {
      if (!cut.envs[i]) continue; // alive (restarted after a predicted death) or ended by one now
      cuts++;
      expect(r.dones[i]).toBe(1);
      // The state it was cut at: the dream's frames moved back one and the third step's view newest,
      // after action 4 — not the restarted dream's recorded frames.
      const row = cut.inputs.tokens.subarray(i * 3 * FRAME_TOKENS, (i + 1) * 3 * FRAME_TOKENS);
      expect(Array.from(row.subarray(0, 2 * FRAME_TOKENS))).toEqual(Array.from(before[i].subarray(FRAME_TOKENS)));
      expect(cut.inputs.prevAction[i]).toBe(4);
    }
    expect(cuts).toBeGreaterThan(0);
  });

  it("a memory policy's dream starts from BC's inputs for the same recorded prefix, then maps its views", async () => {
    const demos = recorded([50, 70]);
    const n = demos.actions.length;
    // The BC path, independent of the dream's: the map of every step (demoMemory) and its inputs.
    const memory = demoMemory({ frames: demos.frames, actions: Uint8Array.from(demos.actions), starts: demos.starts });
    const sim = await shippedSim();
    // Starts late in the first episode, at the second's first step, and late in the second.
    for (const t of [47, 50, 113]) {
      const envs = new ImaginedEnvs(
        new SimDreams(sim, 1, { temperature: 1, seed: t }),
        3,
        demos,
        dreamStarts(demos, 8, at(t, n)),
        20,
        true,
      );
      const h = envs.histories[0];
      const tokens = new Int32Array(3 * FRAME_TOKENS);
      const prev = new Int32Array(1);
      const slots = new Int32Array(MEMORY_SLOTS);
      h.write(tokens, prev, 0, slots);
      const bc = demoInputs({ ...demos, actions: Uint8Array.from(demos.actions) }, [t], 3, memory);
      expect(Array.from(slots)).toEqual(Array.from(memory.subarray(t * MEMORY_SLOTS, (t + 1) * MEMORY_SLOTS)));
      expect(Array.from(tokens)).toEqual(Array.from(bc.tokens));
      expect(prev[0]).toBe(bc.prevAction[0]);
      // The prefix matters: a map of the start's view alone reads differently late in an episode.
      const viewOnly = new MemoryMap();
      viewOnly.observe(demos.frames.subarray(t * FRAME_TOKENS, (t + 1) * FRAME_TOKENS));
      if (t !== 50) expect(Array.from(viewOnly.features(new Int32Array(MEMORY_SLOTS)))).not.toEqual(Array.from(slots));
      else expect(prev[0]).toBe(0);
      // One dreamed step: the map is written with the dreamed view at the dead-reckoned position.
      const r = envs.step([1]);
      expect(r.dones[0]).toBe(0);
      h.write(tokens, prev, 0, slots);
      const dreamed = tokens.subarray(2 * FRAME_TOKENS);
      expect(prev[0]).toBe(1);
      for (let j = 0; j < 7; j++)
        for (let i = 0; i < 9; i++) expect(h.map!.remembered(i - 4, j - 3)).toBe(dreamed[j * 9 + i]);
    }
  });
});
