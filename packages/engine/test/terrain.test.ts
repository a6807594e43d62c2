/**
 * World generation against Crafter's: material shares, creatures and the nearest iron over many
 * seeds (issue 16: an independent comparison measured Crafter's figures on 200 worlds at reset),
 * the random agent's success rates against Crafter's published random-agent scores, and the old
 * ('simplex-noise', engine 0.1.x) generator still building the worlds sessions were recorded on.
 */
import { describe, expect, it } from 'vitest';
import {
  ACHIEVEMENTS,
  episodeSeed,
  NUM_ACTIONS,
  Rng,
  terrainOfEngineVersion,
  terrainStatistics,
  type TerrainNoise,
  World,
} from '../src/index.ts';

/** Crafter 1.8.3's figures (mean over 200 worlds at reset) and the digits they were given to. */
const CRAFTER_TERRAIN: Record<string, { mean: number; rounding: number }> = {
  grass: { mean: 43, rounding: 0.5 },
  water: { mean: 21, rounding: 0.5 },
  stone: { mean: 14.5, rounding: 0.05 },
  path: { mean: 8.8, rounding: 0.05 },
  sand: { mean: 5.6, rounding: 0.05 },
  tree: { mean: 4.6, rounding: 0.05 },
  lava: { mean: 0.81, rounding: 0.005 },
  iron: { mean: 0.45, rounding: 0.005 },
  cows: { mean: 26, rounding: 0.5 },
  zombies: { mean: 14, rounding: 0.5 },
  skeletons: { mean: 10.2, rounding: 0.05 },
  nearestIron: { mean: 16.5, rounding: 0.05 },
};
const CRAFTER_WORLDS = 200;

/**
 * The statistics that differ from Crafter's by more than 4 standard errors of the difference
 * (ours over `worlds` worlds, Crafter's over 200 with the same spread), plus the reference's rounding.
 */
function offCrafter(terrain: TerrainNoise, worlds: number): string[] {
  const samples: Record<string, number[]> = {};
  for (let s = 0; s < worlds; s++) {
    const stats = terrainStatistics(World.generate({ seed: 9000 + s, terrain }));
    for (const [k, v] of Object.entries(stats)) {
      samples[k] ??= [];
      samples[k].push(v);
    }
  }
  const off: string[] = [];
  for (const [name, ref] of Object.entries(CRAFTER_TERRAIN)) {
    const v = samples[name].filter(Number.isFinite);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
    const se = sd * Math.sqrt(1 / v.length + 1 / CRAFTER_WORLDS);
    if (Math.abs(mean - ref.mean) > 4 * se + ref.rounding)
      off.push(`${name} ${mean.toFixed(2)} vs ${ref.mean} (±${(4 * se + ref.rounding).toFixed(2)})`);
  }
  return off;
}

describe("Crafter's terrain", () => {
  it('material shares, creatures and the nearest iron sit where Crafter puts them (150 worlds)', () => {
    expect(offCrafter('opensimplex', 150)).toEqual([]);
  });

  it('the same check rejects the old simplex-noise terrain (tunnels, lava, iron, skeletons too common)', () => {
    const off = offCrafter('simplex-noise', 150).map((s) => s.split(' ')[0]);
    for (const name of ['path', 'lava', 'iron', 'skeletons', 'sand', 'grass']) expect(off).toContain(name);
  });

  it('new worlds use OpenSimplex; the recorded engine version picks the generator for replays', () => {
    const seed = 4242;
    expect(World.generate({ seed }).hash()).toBe(World.generate({ seed, terrain: 'opensimplex' }).hash());
    expect(World.generate({ seed }).hash()).not.toBe(World.generate({ seed, terrain: 'simplex-noise' }).hash());
    expect(terrainOfEngineVersion('0.1.0')).toBe('simplex-noise');
    expect(terrainOfEngineVersion('0.1.7')).toBe('simplex-noise');
    expect(terrainOfEngineVersion('0.2.0')).toBe('opensimplex');
    expect(terrainOfEngineVersion('1.0.0')).toBe('opensimplex');
  });

  it('the simplex-noise generator still builds the worlds of engine 0.1.0 (hashes stored from it)', () => {
    // World.generate({ seed }).hash() printed by engine 0.1.0 (commit 1e71f30), seeds s · 7919 − 50.
    const stored = ['8387dcce1ea6315a', '8520578b62043f61', '0047b3000d352d20', '874357437b6b233c'];
    for (const [s, hash] of stored.entries())
      expect(World.generate({ seed: s * 7919 - 50, terrain: 'simplex-noise' }).hash()).toBe(hash);
  });
});

describe('the random agent against Crafter', () => {
  // Crafter's published random-agent scores (danijar/crafter scores/crafter_noreward-random.json:
  // 29,784 episodes): success rates in % of the achievements a random agent reaches > 1 % of the time.
  const CRAFTER_RANDOM = {
    collect_drink: 9.32,
    collect_sapling: 50.18,
    collect_wood: 24.38,
    place_plant: 44.61,
    place_table: 4.36,
    wake_up: 93.6,
  };
  const CRAFTER_EPISODES = 29784;

  it('success rates within 4 standard errors of Crafter (500 episodes)', () => {
    const episodes = 500;
    const successes = new Array<number>(ACHIEVEMENTS.length).fill(0);
    for (let k = 0; k < episodes; k++) {
      const seed = episodeSeed(31, k);
      const world = World.generate({ seed });
      const player = world.addPlayer();
      const agent = new Rng(seed ^ 0x5eed);
      const action = [0];
      while (!player.done) {
        action[0] = agent.int(NUM_ACTIONS);
        world.step(action);
      }
      for (const [i, count] of player.achievements.entries()) successes[i] += count > 0 ? 1 : 0;
    }
    const off: string[] = [];
    for (const [name, crafter] of Object.entries(CRAFTER_RANDOM)) {
      const ours = (100 * successes[ACHIEVEMENTS.indexOf(name as (typeof ACHIEVEMENTS)[number])]) / episodes;
      const p = crafter / 100;
      const se = 100 * Math.sqrt(p * (1 - p) * (1 / episodes + 1 / CRAFTER_EPISODES));
      if (Math.abs(ours - crafter) > 4 * se) off.push(`${name} ${ours} vs ${crafter} (±${(4 * se).toFixed(2)})`);
    }
    expect(off).toEqual([]);
  });
});
