import { createNoise3D } from 'simplex-noise';
import { Material, START_X, START_Y, WORLD_SIZE } from './constants.ts';
import { Rng } from './rng.ts';
import type { World } from './world.ts';

const N = WORLD_SIZE;

/**
 * §13: terrain from seeded 3-D simplex noise (the third coordinate selects a layer), then the
 * initial cows, zombies and skeletons. The noise seed is the world generator's first draw, and
 * every other draw comes from the same generator, so the seed alone fixes the world.
 */
export function generateWorld(world: World): void {
  const rng = world.rng;
  const noiseRng = new Rng(rng.int(2147483647));
  const noise = createNoise3D(() => noiseRng.uniform());
  const S = (x: number, y: number, z: number, scale: number): number => noise(x / scale, y / scale, z);
  const tunnels = new Uint8Array(N * N);

  for (let x = 0; x < N; x++) {
    for (let y = 0; y < N; y++) {
      const i = x * N + y;
      const r = Math.sqrt((x - START_X) ** 2 + (y - START_Y) ** 2);
      const start = 1 / (1 + Math.exp(-(4 - r + 2 * S(x, y, 8, 3))));
      const water = S(x, y, 3, 15) + 0.15 * S(x, y, 3, 5) + 0.1 - 2 * start;
      const mountain = (S(x, y, 0, 15) + 0.3 * S(x, y, 0, 5)) / 1.3 - 4 * start - 0.3 * water;
      let material: number;
      if (start > 0.5) {
        material = Material.grass;
      } else if (mountain > 0.15) {
        if (S(x, y, 6, 7) > 0.15 && mountain > 0.3) {
          material = Material.path;
        } else if (noise((2 * x) / 3, y / 15, 7) > 0.4 || noise(x / 15, (2 * y) / 3, 7) > 0.4) {
          material = Material.path;
          tunnels[i] = 1;
        } else if (S(x, y, 1, 8) > 0 && rng.uniform() > 0.85) {
          material = Material.coal;
        } else if (S(x, y, 2, 6) > 0.4 && rng.uniform() > 0.75) {
          material = Material.iron;
        } else if (mountain > 0.18 && rng.uniform() > 0.994) {
          material = Material.diamond;
        } else if (mountain > 0.3 && S(x, y, 6, 5) > 0.35) {
          material = Material.lava;
        } else {
          material = Material.stone;
        }
      } else if (water > 0.25 && water <= 0.35 && S(x, y, 4, 9) > -0.2) {
        material = Material.sand;
      } else if (water > 0.3) {
        material = Material.water;
      } else if (S(x, y, 5, 7) > 0 && rng.uniform() > 0.8) {
        material = Material.tree;
      } else {
        material = Material.grass;
      }
      world.material[i] = material;
    }
  }

  for (let x = 0; x < N; x++) {
    for (let y = 0; y < N; y++) {
      const i = x * N + y;
      const material = world.material[i];
      if (material !== Material.grass && material !== Material.sand && material !== Material.path) continue;
      if (world.grid[i] !== null) continue;
      const r = Math.sqrt((x - START_X) ** 2 + (y - START_Y) ** 2);
      if (material === Material.grass && r > 3 && rng.uniform() > 0.985) world.spawn('cow', x, y);
      else if (r > 10 && rng.uniform() > 0.993) world.spawn('zombie', x, y);
      else if (tunnels[i] === 1 && rng.uniform() > 0.95) world.spawn('skeleton', x, y);
    }
  }
}
