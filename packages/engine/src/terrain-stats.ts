import { Material, MATERIALS, ObjectKind, START_X, START_Y, WORLD_SIZE } from './constants.ts';
import type { World } from './world.ts';

/** The statistics Crafter's world generation is compared on (terrain test, scripts/terrain-stats.ts). */
export interface TerrainStatistics {
  /** Share of the map in %, by material. */
  grass: number;
  water: number;
  stone: number;
  path: number;
  sand: number;
  tree: number;
  lava: number;
  coal: number;
  iron: number;
  diamond: number;
  /** Creatures on the map. */
  cows: number;
  zombies: number;
  skeletons: number;
  /** Manhattan distance from the start tile to the nearest iron (Infinity when there is none). */
  nearestIron: number;
}

export function terrainStatistics(world: World): TerrainStatistics {
  const N = WORLD_SIZE;
  const counts = new Array<number>(MATERIALS.length).fill(0);
  let nearestIron = Infinity;
  for (let x = 0; x < N; x++) {
    for (let y = 0; y < N; y++) {
      const m = world.material[x * N + y];
      counts[m]++;
      if (m === Material.iron) nearestIron = Math.min(nearestIron, Math.abs(x - START_X) + Math.abs(y - START_Y));
    }
  }
  const share = (m: number): number => (100 * counts[m]) / (N * N);
  const creatures = (kind: number): number => world.objects.filter((o) => !o.removed && o.kind === kind).length;
  return {
    grass: share(Material.grass),
    water: share(Material.water),
    stone: share(Material.stone),
    path: share(Material.path),
    sand: share(Material.sand),
    tree: share(Material.tree),
    lava: share(Material.lava),
    coal: share(Material.coal),
    iron: share(Material.iron),
    diamond: share(Material.diamond),
    cows: creatures(ObjectKind.cow),
    zombies: creatures(ObjectKind.zombie),
    skeletons: creatures(ObjectKind.skeleton),
    nearestIron,
  };
}
