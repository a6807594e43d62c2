import { createNoise3D } from 'simplex-noise';
import { Material, START_X, START_Y, WORLD_SIZE } from './constants.ts';
import { exp, sqrtInt } from './det-math.ts';
import { OpenSimplex3 } from './open-simplex.ts';
import { Rng } from './rng.ts';
import type { WorldState } from './world-state.ts';

const N = WORLD_SIZE;

/**
 * The noise function a world is generated with.
 * - 'opensimplex': OpenSimplex (Kurt Spencer's 2014 algorithm; open-simplex.ts, equal to the
 *   `open-simplex-noise` port), the noise Crafter uses through Python's `opensimplex`. Terrain statistics match Crafter's.
 * - 'simplex-noise': the `simplex-noise` package, used by engine versions 0.1.x. Its values
 *   spread wider, so tunnels, lava, iron and skeletons came out 1.7–1.9× too common. Kept only
 *   so that sessions recorded with those versions replay (see `terrainOfEngineVersion`).
 */
export type TerrainNoise = 'opensimplex' | 'simplex-noise';
export const TERRAIN_NOISES: readonly TerrainNoise[] = ['opensimplex', 'simplex-noise'];
/** The noise new worlds use. */
export const CURRENT_TERRAIN_NOISE: TerrainNoise = 'opensimplex';

/** The noise of the engine version a session was recorded with (unknown versions: the current one). */
export function terrainOfEngineVersion(engineVersion: string): TerrainNoise {
  return /^0\.[01]\.\d+$/.test(engineVersion) ? 'simplex-noise' : CURRENT_TERRAIN_NOISE;
}

type Noise3 = (x: number, y: number, z: number) => number;

/** One OpenSimplex noise for every world, reseeded per world (generation is synchronous). */
const openSimplex = new OpenSimplex3(0);
const openSimplexNoise: Noise3 = (x, y, z) => openSimplex.noise(x, y, z);

/** A seeded noise function; the seed is the world generator's first draw in both cases. */
function seededNoise(rng: Rng, terrain: TerrainNoise): Noise3 {
  const seed = rng.int(2147483647);
  if (terrain === 'opensimplex') {
    openSimplex.reseed(seed);
    return openSimplexNoise;
  }
  const noiseRng = new Rng(seed);
  return createNoise3D(() => noiseRng.uniform());
}

// Module-local copies: under loaders that compile modules to CommonJS (tsx, vite-node) every
// read of an imported binding is a getter call.
const GRASS = Material.grass;
const SAND = Material.sand;
const PATH = Material.path;
const WATER = Material.water;
const TREE = Material.tree;
const COAL = Material.coal;
const IRON = Material.iron;
const DIAMOND = Material.diamond;
const LAVA = Material.lava;
const STONE = Material.stone;
const expDet = exp;

/**
 * Euclidean distance of every tile from the start tile, indexed x * 64 + y. sqrtInt gives the
 * same bits as Math.sqrt in V8, so worlds of the 'simplex-noise' engine versions are unchanged.
 */
const START_DISTANCE = (() => {
  const d = new Float64Array(N * N);
  for (let x = 0; x < N; x++)
    for (let y = 0; y < N; y++) d[x * N + y] = sqrtInt((x - START_X) ** 2 + (y - START_Y) ** 2);
  return d;
})();

/**
 * §13: terrain from seeded 3-D noise (the third coordinate selects a layer), then the initial
 * cows, zombies and skeletons. The noise seed is the world generator's first draw, and every
 * other draw comes from the same generator, so the seed alone fixes the world. Only + − × ÷,
 * floor and the deterministic exp run here, so every JavaScript engine builds the same world.
 */
export function generateWorld(world: WorldState, terrain: TerrainNoise = CURRENT_TERRAIN_NOISE): void {
  const rng = world.rng;
  const noise = seededNoise(rng, terrain);
  const S = (x: number, y: number, z: number, scale: number): number => noise(x / scale, y / scale, z);
  const tunnels = new Uint8Array(N * N);

  const materials = world.material;
  for (let x = 0; x < N; x++) {
    for (let y = 0; y < N; y++) {
      const i = x * N + y;
      const r = START_DISTANCE[i];
      const start = 1 / (1 + expDet(-(4 - r + 2 * S(x, y, 8, 3))));
      if (start > 0.5) {
        // The start area: grass, and no draw (water and mountain, which only feed the other
        // branches, are not needed).
        materials[i] = GRASS;
        continue;
      }
      const water = S(x, y, 3, 15) + 0.15 * S(x, y, 3, 5) + 0.1 - 2 * start;
      const mountain = (S(x, y, 0, 15) + 0.3 * S(x, y, 0, 5)) / 1.3 - 4 * start - 0.3 * water;
      let material: number;
      if (mountain > 0.15) {
        if (S(x, y, 6, 7) > 0.15 && mountain > 0.3) {
          material = PATH;
        } else if (noise((2 * x) / 3, y / 15, 7) > 0.4 || noise(x / 15, (2 * y) / 3, 7) > 0.4) {
          material = PATH;
          tunnels[i] = 1;
        } else if (S(x, y, 1, 8) > 0 && rng.uniform() > 0.85) {
          material = COAL;
        } else if (S(x, y, 2, 6) > 0.4 && rng.uniform() > 0.75) {
          material = IRON;
        } else if (mountain > 0.18 && rng.uniform() > 0.994) {
          material = DIAMOND;
        } else if (mountain > 0.3 && S(x, y, 6, 5) > 0.35) {
          material = LAVA;
        } else {
          material = STONE;
        }
      } else if (water > 0.25 && water <= 0.35 && S(x, y, 4, 9) > -0.2) {
        material = SAND;
      } else if (water > 0.3) {
        material = WATER;
      } else if (S(x, y, 5, 7) > 0 && rng.uniform() > 0.8) {
        material = TREE;
      } else {
        material = GRASS;
      }
      materials[i] = material;
    }
  }

  for (let x = 0; x < N; x++) {
    for (let y = 0; y < N; y++) {
      const i = x * N + y;
      const material = materials[i];
      if (material !== GRASS && material !== SAND && material !== PATH) continue;
      if (world.grid[i] !== null) continue;
      const r = START_DISTANCE[i];
      if (material === GRASS && r > 3 && rng.uniform() > 0.985) world.spawn('cow', x, y);
      else if (r > 10 && rng.uniform() > 0.993) world.spawn('zombie', x, y);
      else if (tunnels[i] === 1 && rng.uniform() > 0.95) world.spawn('skeleton', x, y);
    }
  }
}
