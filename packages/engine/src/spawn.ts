import { Material, ObjectKind, WORLD_SIZE } from './constants.ts';
import { CREATURE_WALKABLE } from './rules.ts';
import type { WorldState } from './world-state.ts';

/**
 * Safe spawn points for worlds with spawn protection (not part of Crafter's rules: Crafter
 * always starts at the centre, and its single-player benchmark keeps that).
 *
 * A tile is safe when it is free grass, no zombie, skeleton or lava lies within
 * SAFE_SPAWN_RADIUS (Chebyshev), and at least SAFE_SPAWN_ROOM walkable tiles are reachable from
 * it (not a grass pocket walled in by water or trees). The search visits tiles by Manhattan
 * distance from the anchor in a fixed order, so it is deterministic.
 */
export const SAFE_SPAWN_RADIUS = 6;
export const SAFE_SPAWN_ROOM = 24;

const N = WORLD_SIZE;

/** Tiles within SAFE_SPAWN_RADIUS of a zombie, a skeleton or lava (1 = unsafe). */
function dangerMask(world: WorldState): Uint8Array {
  const danger = new Uint8Array(N * N);
  const mark = (cx: number, cy: number): void => {
    const x0 = Math.max(0, cx - SAFE_SPAWN_RADIUS);
    const x1 = Math.min(N - 1, cx + SAFE_SPAWN_RADIUS);
    const y0 = Math.max(0, cy - SAFE_SPAWN_RADIUS);
    const y1 = Math.min(N - 1, cy + SAFE_SPAWN_RADIUS);
    for (let x = x0; x <= x1; x++) danger.fill(1, x * N + y0, x * N + y1 + 1);
  };
  for (const o of world.objects) {
    if (!o.removed && (o.kind === ObjectKind.zombie || o.kind === ObjectKind.skeleton)) mark(o.x, o.y);
  }
  for (let i = 0; i < N * N; i++) if (world.material[i] === Material.lava) mark(Math.floor(i / N), i % N);
  return danger;
}

/** At least SAFE_SPAWN_ROOM creature-walkable tiles are reachable from (x, y) (bounded flood fill). */
function hasRoom(world: WorldState, x: number, y: number, seen: Int32Array, mark: number): boolean {
  const queue = [x * N + y];
  seen[x * N + y] = mark;
  for (let head = 0; head < queue.length; head++) {
    if (queue.length >= SAFE_SPAWN_ROOM) return true;
    const i = queue[head];
    const cx = Math.floor(i / N);
    const cy = i % N;
    for (const [dx, dy] of [
      [-1, 0],
      [1, 0],
      [0, -1],
      [0, 1],
    ] as const) {
      const nx = cx + dx;
      const ny = cy + dy;
      if (nx < 0 || ny < 0 || nx >= N || ny >= N) continue;
      const j = nx * N + ny;
      if (seen[j] === mark || CREATURE_WALKABLE[world.material[j]] !== 1) continue;
      seen[j] = mark;
      queue.push(j);
    }
  }
  return queue.length >= SAFE_SPAWN_ROOM;
}

/** The safe tile nearest to the anchor, or null when the whole map has none. */
export function safeSpawnTile(world: WorldState, anchorX: number, anchorY: number): [number, number] | null {
  const danger = dangerMask(world);
  const seen = new Int32Array(N * N);
  let mark = 0;
  for (let r = 0; r < 2 * N; r++) {
    for (let dx = -r; dx <= r; dx++) {
      const rest = r - Math.abs(dx);
      for (const dy of rest === 0 ? [0] : [-rest, rest]) {
        const x = anchorX + dx;
        const y = anchorY + dy;
        if (x < 0 || y < 0 || x >= N || y >= N) continue;
        const i = x * N + y;
        if (danger[i] === 1 || world.material[i] !== Material.grass || world.grid[i] !== null) continue;
        if (hasRoom(world, x, y, seen, ++mark)) return [x, y];
      }
    }
  }
  return null;
}
