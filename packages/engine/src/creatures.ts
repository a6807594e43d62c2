import { DIRECTIONS, Item, Material, ObjectKind } from './constants.ts';
import type { Entity, Player } from './entity.ts';
import {
  ARROW_DAMAGE,
  ARROW_FREE,
  CREATURE_WALKABLE,
  SKELETON_RELOAD,
  ZOMBIE_COOLDOWN,
  ZOMBIE_DAMAGE,
  ZOMBIE_SLEEP_DAMAGE,
} from './rules.ts';
import type { World } from './world.ts';

/** §10: the update of every non-player object. */
export function updateObject(world: World, o: Entity): void {
  switch (o.kind) {
    case ObjectKind.cow:
      updateCow(world, o);
      break;
    case ObjectKind.zombie:
      updateZombie(world, o);
      break;
    case ObjectKind.skeleton:
      updateSkeleton(world, o);
      break;
    case ObjectKind.arrow:
      updateArrow(world, o);
      break;
    case ObjectKind.plant:
      updatePlant(world, o);
      break;
  }
}

/** Damage to any object, floored at 0 (§9, §10.5). Arrows have no health. */
export function hurt(target: Entity, amount: number): void {
  if (target.kind === ObjectKind.player) {
    const inv = (target as Player).inventory;
    inv[Item.health] = Math.max(0, inv[Item.health] - amount);
  } else if (target.kind !== ObjectKind.arrow) {
    target.health = Math.max(0, target.health - amount);
  }
}

/**
 * A creature's step by (dx, dy). Returns whether the destination was free. A creature already
 * removed in this update "moves" without effect, as in the original (§10.1 quirk).
 */
function tryMove(world: World, o: Entity, dx: number, dy: number): boolean {
  if (dx === 0 && dy === 0) return false;
  const x = o.x + dx;
  const y = o.y + dy;
  if (!world.isFree(x, y, CREATURE_WALKABLE)) return false;
  world.moveEntity(o, x, y);
  return true;
}

function randomMove(world: World, o: Entity): void {
  const [dx, dy] = DIRECTIONS[world.rng.int(4)];
  tryMove(world, o, dx, dy);
}

const sign = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : 0);

/**
 * One step toward the target (§10.1). Long-axis rule: along the longer axis, ties to y.
 * Short-axis rule: along the shorter axis, ties to x.
 */
export function toward(o: Entity, target: Entity, longAxis: boolean): [number, number] {
  const dx = target.x - o.x;
  const dy = target.y - o.y;
  const ax = Math.abs(dx);
  const ay = Math.abs(dy);
  if (longAxis ? ax > ay : ax <= ay) return [sign(dx), 0];
  return [0, sign(dy)];
}

function distance(a: Entity, b: Entity): number {
  return Math.abs(a.x - b.x) + Math.abs(a.y - b.y);
}

function updateCow(world: World, o: Entity): void {
  if (o.health <= 0) world.removeEntity(o);
  if (world.rng.uniform() < 0.5) randomMove(world, o);
}

function updateZombie(world: World, o: Entity): void {
  const rng = world.rng;
  if (o.health <= 0) world.removeEntity(o);
  const target = world.nearestPlayer(o.x, o.y);
  if (!target) {
    randomMove(world, o);
    return;
  }
  if (distance(o, target) <= 8 && rng.uniform() < 0.9) {
    const [dx, dy] = toward(o, target, rng.uniform() < 0.8);
    tryMove(world, o, dx, dy);
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

function updateSkeleton(world: World, o: Entity): void {
  const rng = world.rng;
  if (o.health <= 0) world.removeEntity(o);
  o.reload = Math.max(0, o.reload - 1);
  const target = world.nearestPlayer(o.x, o.y);
  if (!target) return;
  const d = distance(o, target);
  if (d <= 3) {
    const [dx, dy] = toward(o, target, rng.uniform() < 0.6);
    if (tryMove(world, o, -dx, -dy)) return;
  }
  if (d <= 5 && rng.uniform() < 0.5) {
    shoot(world, o, target);
  } else if (d <= 8 && rng.uniform() < 0.3) {
    const [dx, dy] = toward(o, target, rng.uniform() < 0.6);
    tryMove(world, o, dx, dy);
  } else if (rng.uniform() < 0.2) {
    randomMove(world, o);
  }
}

/** §10.4 step 6: an arrow on the adjacent tile in the long-axis direction toward the target. */
function shoot(world: World, o: Entity, target: Entity): void {
  if (o.reload > 0) return;
  const [dx, dy] = toward(o, target, true);
  const x = o.x + dx;
  const y = o.y + dy;
  if (!world.isFree(x, y, ARROW_FREE)) return;
  const arrow = world.spawn('arrow', x, y);
  arrow.dir = DIRECTIONS.findIndex(([ddx, ddy]) => ddx === dx && ddy === dy);
  o.reload = SKELETON_RELOAD;
}

function updateArrow(world: World, o: Entity): void {
  const [dx, dy] = DIRECTIONS[o.dir];
  const x = o.x + dx;
  const y = o.y + dy;
  const hit = world.objectAt(x, y);
  if (hit) {
    hurt(hit, ARROW_DAMAGE);
    world.removeEntity(o);
    return;
  }
  const material = world.getMaterial(x, y);
  if (ARROW_FREE[material] !== 1) {
    world.removeEntity(o);
    if (material === Material.table || material === Material.furnace) world.setMaterial(x, y, Material.path);
    return;
  }
  world.moveEntity(o, x, y);
}

function isGrazer(e: Entity | null): boolean {
  return e !== null && (e.kind === ObjectKind.zombie || e.kind === ObjectKind.skeleton || e.kind === ObjectKind.cow);
}

function updatePlant(world: World, o: Entity): void {
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
