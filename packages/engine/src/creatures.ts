import { DIRECTION_X, DIRECTION_Y, Item, Material, ObjectKind } from './constants.ts';
import type { Entity, Player } from './entity.ts';
import {
  ARROW_DAMAGE,
  ARROW_FREE,
  CHASE_DISTANCE,
  CREATURE_WALKABLE,
  KEEP_AWAY_DISTANCE,
  SKELETON_RELOAD,
  ZOMBIE_COOLDOWN,
  ZOMBIE_DAMAGE,
  ZOMBIE_SLEEP_DAMAGE,
} from './rules.ts';
import type { WorldState } from './world-state.ts';

// Module-local copies of the tables and ids this hot path reads: under loaders that compile
// modules to CommonJS (tsx, vite-node) every read of an imported binding is a getter call.
const DX = DIRECTION_X;
const DY = DIRECTION_Y;
const WALKABLE = CREATURE_WALKABLE;
const FLIGHT_FREE = ARROW_FREE;
const PLAYER = ObjectKind.player;
const COW = ObjectKind.cow;
const ZOMBIE = ObjectKind.zombie;
const SKELETON = ObjectKind.skeleton;
const ARROW = ObjectKind.arrow;
const PLANT = ObjectKind.plant;
const HEALTH = Item.health;
const TABLE = Material.table;
const FURNACE = Material.furnace;
const PATH = Material.path;
const CHASE = CHASE_DISTANCE;
const KEEP_AWAY = KEEP_AWAY_DISTANCE;

/** §10: the update of every non-player object. */
export function updateObject(world: WorldState, o: Entity): void {
  switch (o.kind) {
    case COW:
      updateCow(world, o);
      break;
    case ZOMBIE:
      updateZombie(world, o);
      break;
    case SKELETON:
      updateSkeleton(world, o);
      break;
    case ARROW:
      updateArrow(world, o);
      break;
    case PLANT:
      updatePlant(world, o);
      break;
  }
}

/** Damage to any object, floored at 0 (§9, §10.5). Arrows have no health. */
export function hurt(target: Entity, amount: number): void {
  if (target.kind === PLAYER) {
    const inv = (target as Player).inventory;
    inv[HEALTH] = Math.max(0, inv[HEALTH] - amount);
  } else if (target.kind !== ARROW) {
    target.health = Math.max(0, target.health - amount);
  }
}

/**
 * A creature's step in direction `dir` (-1: no step). Returns whether the destination was free.
 * A creature already removed in this update "moves" without effect, as in the original (§10.1 quirk).
 */
function tryMove(world: WorldState, o: Entity, dir: number): boolean {
  if (dir < 0) return false;
  const x = o.x + DX[dir];
  const y = o.y + DY[dir];
  if (!world.isFree(x, y, WALKABLE)) return false;
  world.moveEntity(o, x, y);
  return true;
}

function randomMove(world: WorldState, o: Entity): void {
  tryMove(world, o, world.rng.int(4));
}

/**
 * The direction index of one step toward the target (§10.1), or -1 when that step is (0, 0).
 * Long-axis rule: along the longer axis, ties to y. Short-axis rule: along the shorter axis, ties to x.
 */
function towardDirection(o: Entity, target: Entity, longAxis: boolean): number {
  const dx = target.x - o.x;
  const dy = target.y - o.y;
  const ax = Math.abs(dx);
  const ay = Math.abs(dy);
  if (longAxis ? ax > ay : ax <= ay) return dx > 0 ? 1 : dx < 0 ? 0 : -1;
  return dy > 0 ? 3 : dy < 0 ? 2 : -1;
}

/** `towardDirection` as a step (dx, dy). */
export function toward(o: Entity, target: Entity, longAxis: boolean): [number, number] {
  const dir = towardDirection(o, target, longAxis);
  return dir < 0 ? [0, 0] : [DX[dir], DY[dir]];
}

/** The opposite of a direction index (left ↔ right, up ↔ down); -1 stays -1. */
function opposite(dir: number): number {
  return dir < 0 ? -1 : dir ^ 1;
}

function distance(a: Entity, b: Entity): number {
  return Math.abs(a.x - b.x) + Math.abs(a.y - b.y);
}

function updateCow(world: WorldState, o: Entity): void {
  if (o.health <= 0) world.removeEntity(o);
  if (world.rng.uniform() < 0.5) randomMove(world, o);
}

function updateZombie(world: WorldState, o: Entity): void {
  const rng = world.rng;
  if (o.health <= 0) world.removeEntity(o);
  let target = world.nearestPlayer(o.x, o.y);
  if (world.keepAway && target !== null && target.protection > 0) {
    // Keep-away rule: a protected nearest player within KEEP_AWAY is fled with the chase's
    // probabilities (and nobody is attacked); beyond it the target is the nearest unprotected one.
    if (distance(o, target) <= KEEP_AWAY) {
      if (rng.uniform() < 0.9) tryMove(world, o, opposite(towardDirection(o, target, rng.uniform() < 0.8)));
      else randomMove(world, o);
      return;
    }
    target = world.nearestPlayer(o.x, o.y, true);
  }
  if (!target) {
    randomMove(world, o);
    return;
  }
  if (distance(o, target) <= CHASE && rng.uniform() < 0.9) {
    tryMove(world, o, towardDirection(o, target, rng.uniform() < 0.8));
  } else {
    randomMove(world, o);
  }
  if (distance(o, target) <= 1) {
    if (o.cooldown > 0) o.cooldown -= 1;
    else {
      hurt(target, target.sleeping ? ZOMBIE_SLEEP_DAMAGE : ZOMBIE_DAMAGE);
      o.cooldown = ZOMBIE_COOLDOWN;
    }
  }
}

function updateSkeleton(world: WorldState, o: Entity): void {
  const rng = world.rng;
  if (o.health <= 0) world.removeEntity(o);
  o.reload = Math.max(0, o.reload - 1);
  let target = world.nearestPlayer(o.x, o.y);
  if (world.keepAway && target !== null && target.protection > 0) {
    // Keep-away rule: a protected nearest player within KEEP_AWAY is fled, never shot; beyond it
    // the target is the nearest unprotected one.
    if (distance(o, target) <= KEEP_AWAY) {
      skeletonKeepAway(world, o, target);
      return;
    }
    target = world.nearestPlayer(o.x, o.y, true);
  }
  if (!target) return;
  const d = distance(o, target);
  if (d <= 3) {
    if (tryMove(world, o, opposite(towardDirection(o, target, rng.uniform() < 0.6)))) return;
  }
  if (d <= 5 && rng.uniform() < 0.5) {
    shoot(world, o, target);
  } else if (d <= CHASE && rng.uniform() < 0.3) {
    tryMove(world, o, towardDirection(o, target, rng.uniform() < 0.6));
  } else if (rng.uniform() < 0.2) {
    randomMove(world, o);
  }
}

/**
 * A skeleton's update near a protected player (keep-away rule): §10.4 without the shot and with the
 * chase reversed: it retreats within 3 as usual, else moves away with probability 0.3, else wanders
 * with probability 0.2.
 */
function skeletonKeepAway(world: WorldState, o: Entity, from: Player): void {
  const rng = world.rng;
  const d = distance(o, from);
  if (d <= 3 && tryMove(world, o, opposite(towardDirection(o, from, rng.uniform() < 0.6)))) return;
  if (rng.uniform() < 0.3) tryMove(world, o, opposite(towardDirection(o, from, rng.uniform() < 0.6)));
  else if (rng.uniform() < 0.2) randomMove(world, o);
}

/** §10.4 step 6: an arrow on the adjacent tile in the long-axis direction toward the target. */
function shoot(world: WorldState, o: Entity, target: Entity): void {
  if (o.reload > 0) return;
  const dir = towardDirection(o, target, true);
  // (0, 0) cannot happen (the target stands on another tile); it would be the skeleton's own tile.
  if (dir < 0) return;
  const x = o.x + DX[dir];
  const y = o.y + DY[dir];
  if (!world.isFree(x, y, FLIGHT_FREE)) return;
  const arrow = world.spawn('arrow', x, y);
  arrow.dir = dir;
  o.reload = SKELETON_RELOAD;
}

function updateArrow(world: WorldState, o: Entity): void {
  const x = o.x + DX[o.dir];
  const y = o.y + DY[o.dir];
  const hit = world.objectAt(x, y);
  if (hit) {
    hurt(hit, ARROW_DAMAGE);
    world.removeEntity(o);
    return;
  }
  const material = world.getMaterial(x, y);
  if (FLIGHT_FREE[material] !== 1) {
    world.removeEntity(o);
    if (material === TABLE || material === FURNACE) world.setMaterial(x, y, PATH);
    return;
  }
  world.moveEntity(o, x, y);
}

function isGrazer(e: Entity | null): boolean {
  return e !== null && (e.kind === ZOMBIE || e.kind === SKELETON || e.kind === COW);
}

function updatePlant(world: WorldState, o: Entity): void {
  o.grown += 1;
  if (
    isGrazer(world.objectAt(o.x - 1, o.y)) ||
    isGrazer(world.objectAt(o.x + 1, o.y)) ||
    isGrazer(world.objectAt(o.x, o.y - 1)) ||
    isGrazer(world.objectAt(o.x, o.y + 1))
  ) {
    o.health = Math.max(0, o.health - 1);
  }
  if (o.health <= 0) world.removeEntity(o);
}
