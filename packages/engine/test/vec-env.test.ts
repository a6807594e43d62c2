import { afterAll, describe, expect, it } from 'vitest';
import {
  CrafterEnv,
  FAIR_VIEW_DAYLIGHT,
  FAIR_VIEW_FACING,
  FAIR_VIEW_INVENTORY,
  FAIR_VIEW_SIZE,
  localSemanticView,
  NUM_ACTIONS,
  Rng,
  VecEnv,
  writeFairView,
} from '../src/index.ts';
import { loadTextures, VecEnvWorkers } from '../src/node.ts';

const textures = loadTextures();
const SEEDS = [3, 17, 2 ** 40 + 5, -8, 1234];
const IMAGE = 64 * 64 * 3;

/** Random actions, one array per step (the same for every implementation compared). */
function actionPlan(steps: number, num: number): Int32Array[] {
  const rng = new Rng(99);
  return Array.from({ length: steps }, () => Int32Array.from({ length: num }, () => rng.int(NUM_ACTIONS)));
}

function fairView(env: CrafterEnv): Float32Array {
  const out = new Float32Array(FAIR_VIEW_SIZE);
  writeFairView(env.world, 0, out);
  return out;
}

describe('fair view', () => {
  it('holds the local view, facing (+4 asleep), the 16 inventory counts and daylight', () => {
    const env = new CrafterEnv({ textures, seed: 5 });
    env.reset();
    const p = env.world.players[0];
    p.sleeping = true;
    const v = fairView(env);
    expect(Array.from(v.subarray(0, 63))).toEqual(Array.from(localSemanticView(env.world, 0)));
    expect(v[FAIR_VIEW_FACING]).toBe(p.facing + 4);
    expect(Array.from(v.subarray(FAIR_VIEW_INVENTORY, FAIR_VIEW_INVENTORY + 16))).toEqual(Array.from(p.inventory));
    expect(v[FAIR_VIEW_DAYLIGHT]).toBe(Math.fround(env.world.daylight));
  });
});

/** Resets the lone env and checks that world i of `vec` starts the same episode: pixels, fair view, seed. */
function expectNewEpisode(vec: VecEnv | VecEnvWorkers, i: number, env: CrafterEnv): void {
  const { observation, info } = env.reset();
  expect(equal(vec.pixels!.subarray(i * IMAGE, (i + 1) * IMAGE), observation), 'pixels').toBe(true);
  expect(
    equal(vec.observations.subarray(i * FAIR_VIEW_SIZE, (i + 1) * FAIR_VIEW_SIZE), fairView(env)),
    'fair view',
  ).toBe(true);
  expect(vec.episodeSeeds[i]).toBe(info.seed);
}

/**
 * Resets `vec` (seeded with SEEDS, pixels on) and steps it 350 steps with random actions beside a
 * lone CrafterEnv per seed and checks every world against its lone env at every step, through
 * automatic resets; `between` runs after each vector step.
 */
function matchesLoneEnvs(vec: VecEnv | VecEnvWorkers, between?: () => void): void {
  const lone = SEEDS.map((seed) => new CrafterEnv({ textures, seed }));
  vec.reset();
  for (const [i, env] of lone.entries()) expectNewEpisode(vec, i, env);
  let resets = 0;
  for (const actions of actionPlan(350, SEEDS.length)) {
    vec.step(actions);
    between?.();
    lone.forEach((env, i) => {
      const r = env.step(actions[i]);
      expect(vec.rewards[i]).toBe(Math.fround(r.reward));
      expect(vec.terminated[i]).toBe(r.terminated ? 1 : 0);
      expect(vec.truncated[i]).toBe(r.truncated ? 1 : 0);
      const done = r.terminated || r.truncated;
      const [obs, pixels] = done ? [vec.finalObservations, vec.finalPixels!] : [vec.observations, vec.pixels!];
      expect(equal(pixels.subarray(i * IMAGE, (i + 1) * IMAGE), r.observation), 'pixels').toBe(true);
      expect(equal(obs.subarray(i * FAIR_VIEW_SIZE, (i + 1) * FAIR_VIEW_SIZE), fairView(env)), 'fair view').toBe(true);
      if (done) {
        resets++;
        expectNewEpisode(vec, i, env);
      }
      if (vec instanceof VecEnv) expect(vec.world(i).hash()).toBe(env.world.hash());
    });
  }
  // Random agents die in ≈ 170 steps: the run crossed several automatic resets.
  expect(resets).toBeGreaterThanOrEqual(SEEDS.length);
}

describe('VecEnv', () => {
  it('each world matches a lone CrafterEnv step for step, through automatic resets (pixels on)', () => {
    const vec = new VecEnv({ seeds: SEEDS, textures });
    matchesLoneEnvs(vec);
  });

  it('generating worlds ahead (prepare) changes nothing, however many phases run between steps', () => {
    const vec = new VecEnv({ seeds: SEEDS, textures });
    vec.reset();
    const phases = new Rng(7);
    let prepared = 0;
    // 0–29 phases between steps: successors are used finished, half-generated and not at all.
    matchesLoneEnvs(vec, () => {
      for (let k = phases.int(30); k > 0 && vec.prepare(); k--) prepared++;
    });
    expect(prepared).toBeGreaterThan(100);
  });

  it('checks its input and its buffers', () => {
    const vec = new VecEnv({ seeds: [1, 2] });
    expect(vec.pixels).toBeNull();
    expect(() => vec.step([0, 0])).toThrow(/reset/);
    vec.reset();
    expect(() => vec.step([0])).toThrow(RangeError);
    expect(() => vec.step([0, 17])).toThrow(RangeError);
    expect(() => new VecEnv({ seeds: [] })).toThrow(RangeError);
    expect(() => new VecEnv({ seeds: [1.5] })).toThrow(TypeError);
  });
});

describe('VecEnvWorkers (the calling thread and two worker threads, shared memory)', () => {
  const opened: VecEnvWorkers[] = [];
  afterAll(async () => {
    for (const env of opened) await env.close();
  });

  it('each world matches a lone CrafterEnv step for step, through automatic resets (pixels on)', async () => {
    const vec = await VecEnvWorkers.create({ seeds: SEEDS, textures, threads: 3 });
    opened.push(vec);
    matchesLoneEnvs(vec);
    expect(() => vec.step([0])).toThrow(RangeError);
  });
});

/** Element-wise equality (NaN equals NaN); far quicker than toEqual on 12,288-byte images. */
function equal(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}
