import { CHUNK_SIZE, CHUNKS_PER_SIDE, chunkOf, Material, ObjectKind, WORLD_SIZE } from './constants.ts';
import type { Entity } from './entity.ts';
import { BALANCE_RULES } from './rules.ts';
import type { World } from './world.ts';

const N = WORLD_SIZE;

const RULES = BALANCE_RULES.map((rule) => ({
  ...rule,
  kindId: ObjectKind[rule.kind],
  materialId: Material[rule.material],
}));

/** Manhattan distance from (x, y) to the nearest living player is at least `min`. */
function farFromPlayers(world: World, x: number, y: number, min: number): boolean {
  return world.nearestPlayerDistance(x, y) >= min;
}

/**
 * §12: every registered chunk, in registration order, balances zombies, skeletons and cows:
 * at most one spawn attempt below the lower target, one despawn attempt above the upper.
 */
export function balance(world: World): void {
  const rng = world.rng;
  const daylight = world.daylight;
  // Creatures of each balanced kind per chunk, gathered once; spawns and despawns keep it current.
  const members = new Map<number, Entity[]>();
  for (const o of world.objects) {
    if (o.removed) continue;
    const key = chunkOf(o.x, o.y) * 8 + o.kind;
    const list = members.get(key);
    if (list) list.push(o);
    else members.set(key, [o]);
  }

  const spaceCache = new Map<number, number>();
  for (const chunk of world.chunkOrder) {
    const cx = Math.floor(chunk / CHUNKS_PER_SIDE) * CHUNK_SIZE;
    const cy = (chunk % CHUNKS_PER_SIDE) * CHUNK_SIZE;
    const x1 = Math.min(cx + CHUNK_SIZE, N);
    const y1 = Math.min(cy + CHUNK_SIZE, N);
    spaceCache.clear();
    // Tiles of a material in this chunk; counted only when a spawn decision needs it.
    const spaceOf = (material: number): number => {
      let space = spaceCache.get(material);
      if (space === undefined) {
        space = 0;
        for (let x = cx; x < x1; x++) for (let y = cy; y < y1; y++) if (world.material[x * N + y] === material) space++;
        spaceCache.set(material, space);
      }
      return space;
    };
    for (const rule of RULES) {
      const key = chunk * 8 + rule.kindId;
      let list = members.get(key);
      if (!list) {
        list = [];
        members.set(key, list);
      }
      const n = list.length;
      const loTarget = Math.floor(rule.lo(daylight));
      const lo = n < loTarget && spaceOf(rule.materialId) >= rule.minSpace ? loTarget : 0;
      const hi = rule.hi(daylight);
      if (n < lo && rng.uniform() < rule.spawnProbability) {
        const space = spaceOf(rule.materialId);
        // One attempt on a uniformly chosen tile of the material.
        let pick = rng.int(space);
        for (let x = cx; x < x1 && pick >= 0; x++) {
          for (let y = cy; y < y1; y++) {
            if (world.material[x * N + y] !== rule.materialId) continue;
            if (pick-- > 0) continue;
            if (world.grid[x * N + y] === null && farFromPlayers(world, x, y, rule.spawnDistance)) {
              list.push(world.spawn(rule.kind, x, y));
            }
            break;
          }
        }
      } else if (n > Math.floor(hi) && rng.uniform() < rule.despawnProbability) {
        const index = rng.int(n);
        const victim = list[index];
        if (farFromPlayers(world, victim.x, victim.y, rule.despawnDistance)) {
          world.removeEntity(victim);
          list.splice(index, 1);
        }
      }
    }
  }
}
