/**
 * Small hand-built worlds for the rule tests (CRAFTER_RULES.md §19 checklist).
 * Every world is blank (one material everywhere, no objects) unless a test adds things.
 */
import {
  Action,
  Direction,
  DIRECTIONS,
  INITIAL_INVENTORY,
  Item,
  Material,
  type MaterialName,
  type Player,
  World,
  type WorldMode,
} from '../src/index.ts';

export { Action, Direction, Item, Material };

export interface Setup {
  world: World;
  p: Player;
}

/**
 * A blank world (default: all grass) with one player at (32, 32) facing down.
 * `t` sets the step counter before the first step (e.g. a night value so that balancing
 * neither despawns a test zombie nor spawns new ones).
 */
export function setup(options: { fill?: MaterialName; seed?: number; t?: number; mode?: WorldMode } = {}): Setup {
  const world = World.blank({ seed: options.seed ?? 1, fill: options.fill ?? 'grass', mode: options.mode });
  if (options.t !== undefined) {
    world.t = options.t;
  }
  const p = world.addPlayer();
  return { world, p };
}

export function mat(world: World, x: number, y: number, name: MaterialName): void {
  world.setMaterial(x, y, Material[name]);
}

export function materialName(world: World, x: number, y: number): string {
  const id = world.getMaterial(x, y);
  return Object.keys(Material).find((k) => Material[k as MaterialName] === id) ?? `?${id}`;
}

/** Surrounds (x, y) with `name` on its four sides, except tiles holding an object or listed in `keep`. */
export function box(
  world: World,
  x: number,
  y: number,
  name: MaterialName = 'stone',
  keep: [number, number][] = [],
): void {
  for (const [dx, dy] of DIRECTIONS) {
    const nx = x + dx;
    const ny = y + dy;
    if (!world.inside(nx, ny)) continue;
    if (world.objectAt(nx, ny) !== null) continue;
    if (keep.some(([kx, ky]) => kx === nx && ky === ny)) continue;
    mat(world, nx, ny, name);
  }
}

/** One single-player step. */
export function step(world: World, action: number = Action.noop): void {
  world.step([action]);
}

/** `n` single-player steps with the same action. */
export function steps(world: World, action: number, n: number): void {
  for (let i = 0; i < n; i++) world.step([action]);
}

/** Moves the player to (x, y) (test setup, between steps). */
export function place(world: World, p: Player, x: number, y: number, facing?: number): void {
  world.moveEntity(p, x, y);
  if (facing !== undefined) p.facing = facing;
}

/** Restores food, drink and energy to 9 (keeps long tests alive) without touching health. */
export function feed(p: Player): void {
  p.inventory[Item.food] = 9;
  p.inventory[Item.drink] = 9;
  p.inventory[Item.energy] = 9;
}

export function inventoryWithout(p: Player, ...skip: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < p.inventory.length; i++) if (!skip.includes(i)) out.push(p.inventory[i]);
  return out;
}

export function initialWithout(...skip: number[]): number[] {
  return INITIAL_INVENTORY.filter((_, i) => !skip.includes(i));
}

export function countKind(world: World, kind: number): number {
  let n = 0;
  for (const o of world.objects) if (!o.removed && o.kind === kind) n++;
  return n;
}

export function sumAchievements(p: Player): number {
  let s = 0;
  for (const v of p.achievements) s += v;
  return s;
}

export function manhattan(ax: number, ay: number, bx: number, by: number): number {
  return Math.abs(ax - bx) + Math.abs(ay - by);
}

/** Seeded integers for test-side randomness (mulberry32), independent of the engine. */
export function testRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
