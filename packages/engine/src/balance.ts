import {
  CHUNK_OF_TILE,
  CHUNK_SIZE,
  CHUNKS_PER_SIDE,
  Material,
  ObjectKind,
  OBJECT_KINDS,
  WORLD_SIZE,
} from './constants.ts';
import type { Entity } from './entity.ts';
import { BALANCE_RULES } from './rules.ts';
import type { WorldState } from './world-state.ts';

// Module-local copies: under loaders that compile modules to CommonJS (tsx, vite-node) every
// read of an imported binding is a getter call.
const N = WORLD_SIZE;
const KINDS = OBJECT_KINDS.length;
const CHUNK = CHUNK_SIZE;
const CHUNKS = CHUNKS_PER_SIDE;
const CHUNK_OF = CHUNK_OF_TILE;

const RULES = BALANCE_RULES.map((rule) => ({
  ...rule,
  kindId: ObjectKind[rule.kind],
  materialId: Material[rule.material],
}));

/** Each rule's lower and upper target, floored, at the daylight of the current balance call. */
const loTargets = new Float64Array(RULES.length);
const hiTargets = new Float64Array(RULES.length);

/** Living objects per chunk and kind (chunk * KINDS + kind), recounted by every balance call. */
const members = new Int32Array(CHUNKS * CHUNKS * KINDS);

/** The index-th living object of a kind in a chunk, in object-list order. */
function nthMember(world: WorldState, chunk: number, kind: number, index: number): Entity {
  const objects = world.objects;
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i];
    if (o.removed || o.kind !== kind || CHUNK_OF[o.x * N + o.y] !== chunk) continue;
    if (index-- === 0) return o;
  }
  throw new Error(`balance: chunk ${chunk} has no object of kind ${kind} at that index`);
}

/**
 * §12: every registered chunk, in registration order, balances zombies, skeletons and cows:
 * at most one spawn attempt below the lower target, one despawn attempt above the upper.
 * Counts are taken once at the start: every (chunk, kind) pair is visited once, and a spawn or
 * despawn changes only the pair being visited, so later decisions see the same numbers.
 */
export function balance(world: WorldState): void {
  const rng = world.rng;
  const daylight = world.daylight;
  members.fill(0);
  const objects = world.objects;
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i];
    if (!o.removed) members[CHUNK_OF[o.x * N + o.y] * KINDS + o.kind]++;
  }

  // The targets depend on daylight alone: worked out once per call, not per chunk.
  for (let r = 0; r < RULES.length; r++) {
    loTargets[r] = Math.floor(RULES[r].lo(daylight));
    hiTargets[r] = Math.floor(RULES[r].hi(daylight));
  }

  for (const chunk of world.chunkOrder) {
    const cx = Math.floor(chunk / CHUNKS) * CHUNK;
    const cy = (chunk % CHUNKS) * CHUNK;
    const x1 = Math.min(cx + CHUNK, N);
    const y1 = Math.min(cy + CHUNK, N);
    for (let r = 0; r < RULES.length; r++) {
      const rule = RULES[r];
      const n = members[chunk * KINDS + rule.kindId];
      const loTarget = loTargets[r];
      const lo = n < loTarget && world.materialInChunk(chunk, rule.materialId) >= rule.minSpace ? loTarget : 0;
      if (n < lo && rng.uniform() < rule.spawnProbability) {
        // One attempt on a uniformly chosen tile of the material.
        let pick = rng.int(world.materialInChunk(chunk, rule.materialId));
        for (let x = cx; x < x1 && pick >= 0; x++) {
          for (let y = cy; y < y1; y++) {
            if (world.material[x * N + y] !== rule.materialId) continue;
            if (pick-- > 0) continue;
            if (world.grid[x * N + y] === null && world.nearestPlayerDistance(x, y) >= rule.spawnDistance) {
              world.spawn(rule.kind, x, y);
            }
            break;
          }
        }
      } else if (n > hiTargets[r] && rng.uniform() < rule.despawnProbability) {
        const victim = nthMember(world, chunk, rule.kindId, rng.int(n));
        if (world.nearestPlayerDistance(victim.x, victim.y) >= rule.despawnDistance) world.removeEntity(victim);
      }
    }
  }
}
