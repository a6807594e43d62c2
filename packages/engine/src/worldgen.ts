import { createNoise3D } from 'simplex-noise';
import { Material, START_X, START_Y, WORLD_SIZE } from './constants.ts';
import { exp, sqrtInt } from './det-math.ts';
import { NoiseLayer, noiseBound, OpenSimplex3 } from './open-simplex.ts';
import { Rng } from './rng.ts';
import type { WorldState } from './world-state.ts';

const N = WORLD_SIZE;

/**
 * The noise function a world is generated with.
 * - 'opensimplex': OpenSimplex (Kurt Spencer's 2014 algorithm; open-simplex.ts, equal to the
 *   `open-simplex-noise` port), the noise Crafter uses through Python's `opensimplex`. Terrain
 *   statistics match Crafter's.
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

/**
 * The noise layers of §13, by index: a layer is sampled at one point per tile, (x / scale,
 * y / scale, z) for tile (x, y) — except the two tunnel layers, stretched along one axis each.
 */
const LAYERS: readonly (readonly [z: number, scale: number] | 'tunnels-x' | 'tunnels-y')[] = [
  [8, 3], // 0 start
  [3, 15], // 1 water
  [3, 5], // 2 water detail
  [0, 15], // 3 mountain
  [0, 5], // 4 mountain detail
  [6, 7], // 5 path
  'tunnels-x', // 6
  'tunnels-y', // 7
  [1, 8], // 8 coal
  [2, 6], // 9 iron
  [6, 5], // 10 lava
  [4, 9], // 11 sand
  [5, 7], // 12 tree
];
const START_LAYER = 0;
const WATER_LAYER = 1;
const WATER_DETAIL_LAYER = 2;
const MOUNTAIN_LAYER = 3;
const MOUNTAIN_DETAIL_LAYER = 4;
const PATH_LAYER = 5;
const TUNNELS_X_LAYER = 6;
const TUNNELS_Y_LAYER = 7;
const COAL_LAYER = 8;
const IRON_LAYER = 9;
const LAVA_LAYER = 10;
const SAND_LAYER = 11;
const TREE_LAYER = 12;
/** The layers every tile outside the start area reads: sampled for all tiles at once. */
const EVERY_TILE = [WATER_LAYER, WATER_DETAIL_LAYER, MOUNTAIN_LAYER, MOUNTAIN_DETAIL_LAYER];

/** A layer's point for tile (x, y) into `point` (x, y, z), computed exactly as the samples always were. */
function layerPoint(layer: number, x: number, y: number, point: Float64Array): void {
  const spec = LAYERS[layer];
  if (spec === 'tunnels-x') {
    point[0] = (2 * x) / 3;
    point[1] = y / 15;
    point[2] = 7;
  } else if (spec === 'tunnels-y') {
    point[0] = x / 15;
    point[1] = (2 * y) / 3;
    point[2] = 7;
  } else {
    point[0] = x / spec[1];
    point[1] = y / spec[1];
    point[2] = spec[0];
  }
}
const point = new Float64Array(3);

/** Seeded noise at the layers' points. */
interface Sampler {
  /** Tiles where §13's `start` is below 2⁻¹⁴ whatever the seed (`farFromStart`), or null if not known. */
  readonly far: Uint8Array | null;
  /** The noise of `layer` at tile (x, y), whose index is i = x · 64 + y. */
  at(layer: number, x: number, y: number, i: number): number;
  /** `at` for every tile of `layer` into `out` (indexed x · 64 + y). */
  fill(layer: number, out: Float64Array): void;
}

/**
 * OpenSimplex at the layers' points. From the third world a process generates on, the layers'
 * seed-independent parts are `NoiseLayer`s (≈ 5 MB, built once, ≈ 1.8× faster generation after
 * that); before, each sample is a plain `noise` call with the same bits, so a process that
 * generates one or two worlds (the game, a replay) does not pay for building them.
 */
class OpenSimplexSampler implements Sampler {
  get far(): Uint8Array {
    farTiles ??= farFromStart();
    return farTiles;
  }
  private readonly noise = new OpenSimplex3(0);
  private layers: NoiseLayer[] | null = null;

  reseed(seed: number): this {
    this.noise.reseed(seed);
    if (++worldsGenerated > WORLDS_BEFORE_LAYERS) this.layers = noiseLayers ??= LAYERS.map((_, l) => buildLayer(l));
    return this;
  }

  at(layer: number, x: number, y: number, i: number): number {
    if (this.layers !== null) return this.noise.layerValue(this.layers[layer], i);
    layerPoint(layer, x, y, point);
    return this.noise.noise(point[0], point[1], point[2]);
  }

  fill(layer: number, out: Float64Array): void {
    if (this.layers !== null) this.noise.fillLayer(this.layers[layer], out);
    else for (let x = 0; x < N; x++) for (let y = 0; y < N; y++) out[x * N + y] = this.at(layer, x, y, x * N + y);
  }
}

/** Worlds generated with plain noise calls before the NoiseLayers are built. */
const WORLDS_BEFORE_LAYERS = 2;
let worldsGenerated = 0;
/** The layers of every OpenSimplexSampler (they do not depend on the seed). */
let noiseLayers: NoiseLayer[] | null = null;

function buildLayer(layer: number): NoiseLayer {
  const xs = new Float64Array(N * N);
  const ys = new Float64Array(N * N);
  for (let x = 0; x < N; x++) {
    for (let y = 0; y < N; y++) {
      layerPoint(layer, x, y, point);
      xs[x * N + y] = point[0];
      ys[x * N + y] = point[1];
    }
  }
  return new NoiseLayer(xs, ys, point[2]);
}

/** The `simplex-noise` package at the layers' points (engine versions 0.1.x). */
class SimplexNoiseSampler implements Sampler {
  readonly far = null;
  private readonly noise: (x: number, y: number, z: number) => number;

  constructor(seed: number) {
    const noiseRng = new Rng(seed);
    this.noise = createNoise3D(() => noiseRng.uniform());
  }

  at(layer: number, x: number, y: number): number {
    layerPoint(layer, x, y, point);
    return this.noise(point[0], point[1], point[2]);
  }

  fill(layer: number, out: Float64Array): void {
    for (let x = 0; x < N; x++) for (let y = 0; y < N; y++) out[x * N + y] = this.at(layer, x, y);
  }
}

/**
 * What one generation in progress works with: its OpenSimplex sampler (reseeded per world) and
 * the EVERY_TILE layers of its world, by tile. Generations may run interleaved (a world generated
 * ahead in phases while another is generated at once), so each holds its own, from a pool.
 */
interface Scratch {
  openSimplex: OpenSimplexSampler;
  everyTile: Float64Array[];
}
const idleScratch: Scratch[] = [];

/** A seeded sampler; the seed is the world generator's first draw in both cases. */
function seededSampler(rng: Rng, terrain: TerrainNoise, scratch: Scratch): Sampler {
  const seed = rng.int(2147483647);
  if (terrain !== 'opensimplex') return new SimplexNoiseSampler(seed);
  return scratch.openSimplex.reseed(seed);
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
 * Far from the start tile, §13's `start` = 1 / (1 + exp(r − 4 − 2 · noise)) is tiny for every
 * seed: with the noise at most its bound b (`noiseBound`), r − 4 − 2b > 10 gives start < e⁻¹⁰ <
 * 2⁻¹⁴. There `water` and `mountain` are first worked out with start = 0; they then differ from
 * the exact values by less than 2 · 2⁻¹⁴ and 4 · 2⁻¹⁴ + 0.3 · 2 · 2⁻¹⁴ (plus rounding), so
 * wherever both lie more than START_MARGIN from every threshold the cascade compares them with,
 * each comparison comes out as it would exactly, and the start noise and its exp are not needed.
 * Elsewhere (≈ 20 tiles a world, 0.6 % of far tiles) the exact values are computed. 3,351 of the 4,096 tiles are far.
 */
function farFromStart(): Uint8Array {
  const far = new Uint8Array(N * N);
  for (let x = 0; x < N; x++) {
    for (let y = 0; y < N; y++) {
      layerPoint(START_LAYER, x, y, point);
      const i = x * N + y;
      far[i] = START_DISTANCE[i] - 4 - 2 * noiseBound(point[0], point[1], point[2]) > 10 ? 1 : 0;
    }
  }
  return far;
}
let farTiles: Uint8Array | null = null;
const START_MARGIN = 2 ** -11;

/** Whether a far tile's `water` or `mountain` (worked out with start = 0) lies near a threshold of the cascade. */
function nearThreshold(water: number, mountain: number): boolean {
  return (
    Math.abs(water - 0.25) < START_MARGIN ||
    Math.abs(water - 0.3) < START_MARGIN ||
    Math.abs(water - 0.35) < START_MARGIN ||
    Math.abs(mountain - 0.15) < START_MARGIN ||
    Math.abs(mountain - 0.18) < START_MARGIN ||
    Math.abs(mountain - 0.3) < START_MARGIN
  );
}

/** §13's `start` of tile i at distance r from the start tile. */
function startOf(noise: Sampler, x: number, y: number, i: number, r: number): number {
  return 1 / (1 + expDet(-(4 - r + 2 * noise.at(START_LAYER, x, y, i))));
}

/** §13's `water` of tile i from the EVERY_TILE fields. */
function waterAt(fields: Float64Array[], i: number, start: number): number {
  return fields[0][i] + 0.15 * fields[1][i] + 0.1 - 2 * start;
}

/** §13's `mountain` of tile i from the EVERY_TILE fields. */
function mountainAt(fields: Float64Array[], i: number, start: number, water: number): number {
  return (fields[2][i] + 0.3 * fields[3][i]) / 1.3 - 4 * start - 0.3 * water;
}

/** Map columns the terrain pass does per phase of `generationPhases` (8 phases). */
const COLUMNS_PER_PHASE = 8;

/**
 * §13: terrain from seeded 3-D noise (the third coordinate selects a layer), then the initial
 * cows, zombies and skeletons. The noise seed is the world generator's first draw, and every
 * other draw comes from the same generator, so the seed alone fixes the world. Only + − × ÷,
 * floor and the deterministic exp run here, so every JavaScript engine builds the same world.
 *
 * In ≈ 14 phases of ≈ 0.1 ms each: the world is generated once the iterator is exhausted, and it
 * is the same world whether the phases run back to back or interleaved with other work (other
 * generations included), so a VecEnv can generate the next episodes' worlds in time it would
 * otherwise spend waiting. Abandoned early (`return()`), it leaves the world half-generated.
 */
export function* generationPhases(world: WorldState, terrain: TerrainNoise = CURRENT_TERRAIN_NOISE): Generator<void> {
  const scratch = idleScratch.pop() ?? {
    openSimplex: new OpenSimplexSampler(),
    everyTile: EVERY_TILE.map(() => new Float64Array(N * N)),
  };
  try {
    const noise = seededSampler(world.rng, terrain, scratch);
    const fields = scratch.everyTile;
    for (let k = 0; k < EVERY_TILE.length; k++) {
      noise.fill(EVERY_TILE[k], fields[k]);
      yield;
    }
    const tunnels = new Uint8Array(N * N);
    for (let x = 0; x < N; x += COLUMNS_PER_PHASE) {
      terrainColumns(world, noise, fields, tunnels, x, x + COLUMNS_PER_PHASE);
      yield;
    }
    spawnCreatures(world, tunnels);
  } finally {
    idleScratch.push(scratch);
  }
}

/** The materials of columns x0 … x1 − 1, in the order of §13's draws. */
function terrainColumns(
  world: WorldState,
  noise: Sampler,
  fields: Float64Array[],
  tunnels: Uint8Array,
  x0: number,
  x1: number,
): void {
  const rng = world.rng;
  const materials = world.material;
  const far = noise.far;
  for (let x = x0; x < x1; x++) {
    for (let y = 0; y < N; y++) {
      const i = x * N + y;
      const r = START_DISTANCE[i];
      const isFar = far !== null && far[i] === 1;
      let start = isFar ? 0 : startOf(noise, x, y, i, r);
      if (start > 0.5) {
        // The start area: grass, and no draw.
        materials[i] = GRASS;
        continue;
      }
      let water = waterAt(fields, i, start);
      let mountain = mountainAt(fields, i, start, water);
      if (isFar && nearThreshold(water, mountain)) {
        // Too close to call with start = 0 (see farFromStart): the exact values.
        start = startOf(noise, x, y, i, r);
        water = waterAt(fields, i, start);
        mountain = mountainAt(fields, i, start, water);
      }
      let material: number;
      if (mountain > 0.15) {
        // mountain first: the same outcome (sampling draws nothing), without the sample below 0.3.
        if (mountain > 0.3 && noise.at(PATH_LAYER, x, y, i) > 0.15) {
          material = PATH;
        } else if (noise.at(TUNNELS_X_LAYER, x, y, i) > 0.4 || noise.at(TUNNELS_Y_LAYER, x, y, i) > 0.4) {
          material = PATH;
          tunnels[i] = 1;
        } else if (noise.at(COAL_LAYER, x, y, i) > 0 && rng.uniform() > 0.85) {
          material = COAL;
        } else if (noise.at(IRON_LAYER, x, y, i) > 0.4 && rng.uniform() > 0.75) {
          material = IRON;
        } else if (mountain > 0.18 && rng.uniform() > 0.994) {
          material = DIAMOND;
        } else if (mountain > 0.3 && noise.at(LAVA_LAYER, x, y, i) > 0.35) {
          material = LAVA;
        } else {
          material = STONE;
        }
      } else if (water > 0.25 && water <= 0.35 && noise.at(SAND_LAYER, x, y, i) > -0.2) {
        material = SAND;
      } else if (water > 0.3) {
        material = WATER;
      } else if (noise.at(TREE_LAYER, x, y, i) > 0 && rng.uniform() > 0.8) {
        material = TREE;
      } else {
        material = GRASS;
      }
      materials[i] = material;
    }
  }
}

/** The initial cows, zombies and skeletons (§13), after the terrain. */
function spawnCreatures(world: WorldState, tunnels: Uint8Array): void {
  const rng = world.rng;
  const materials = world.material;
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
