/**
 * World-generation statistics over many seeds, to compare with Crafter's (issue 16; the terrain
 * test checks them with tolerances):
 *   npx tsx packages/engine/scripts/terrain-stats.ts [--worlds 400] [--terrain opensimplex|simplex-noise]
 * Prints mean and standard deviation per world of every statistic of terrainStatistics.
 */
import { parseArgs } from 'node:util';
import { TERRAIN_NOISES, terrainStatistics, type TerrainNoise, World } from '../src/index.ts';

const { values } = parseArgs({
  options: { worlds: { type: 'string', default: '400' }, terrain: { type: 'string', default: 'opensimplex' } },
  strict: true,
});
const worlds = Number(values.worlds);
const terrain = values.terrain as TerrainNoise;
if (!Number.isSafeInteger(worlds) || worlds < 2)
  throw new Error(`--worlds must be an integer ≥ 2, got ${values.worlds}`);
if (!TERRAIN_NOISES.includes(terrain)) throw new Error(`--terrain must be one of ${TERRAIN_NOISES.join(', ')}`);

const samples: Record<string, number[]> = {};
for (let seed = 0; seed < worlds; seed++) {
  for (const [k, v] of Object.entries(terrainStatistics(World.generate({ seed, terrain })))) {
    samples[k] ??= [];
    samples[k].push(v);
  }
}
const rows: Record<string, { mean: string; sd: string }> = {};
for (const [k, all] of Object.entries(samples)) {
  const v = all.filter(Number.isFinite);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
  rows[k] = { mean: mean.toFixed(2), sd: sd.toFixed(2) };
}
console.log(
  `${worlds} worlds, terrain ${terrain} (materials in % of the map, creatures per world, nearest iron in tiles)`,
);
console.table(rows);
