/**
 * Data-generating policies for world-model training: uniform random play, and a seeded,
 * deterministic scripted explorer that chops trees, drinks, eats, places tables, crafts,
 * mines, places stone/plants and fights — so that rare states and transitions appear in
 * the data. The explorer reads the world directly (it is a data generator, not an agent).
 */
import {
  Action,
  DIRECTIONS,
  Item,
  Material,
  NUM_ACTIONS,
  OBJECT_ID_OFFSET,
  ObjectKind,
  PLAYER_WALKABLE,
  Rng,
  World,
} from '@aikon/engine';
import { EpisodeRecorder, type EpisodeFile } from './episodes.ts';

export type PolicyName = 'random' | 'scripted';

const COW = OBJECT_ID_OFFSET + ObjectKind.cow;
const ZOMBIE = OBJECT_ID_OFFSET + ObjectKind.zombie;
const SKELETON = OBJECT_ID_OFFSET + ObjectKind.skeleton;
const PLANT = OBJECT_ID_OFFSET + ObjectKind.plant;

interface Goal {
  readonly ids: readonly number[];
  /** Action once adjacent and facing the target. */
  readonly act: number;
}

/** The scripted explorer: a seeded policy over the world state. */
export class ScriptedExplorer {
  private readonly rng: Rng;
  private wander = 0;
  private wanderDir = 0;

  constructor(
    seed: number,
    private readonly epsilon = 0.1,
  ) {
    this.rng = new Rng(seed);
  }

  act(world: World, slot = 0): number {
    const rng = this.rng;
    const p = world.player(slot);
    if (rng.uniform() < this.epsilon) return rng.int(NUM_ACTIONS);
    if (p.sleeping) return Action.noop;
    const inv = p.inventory;
    const near = (id: number, r: number): boolean => this.find(world, p.x, p.y, [id], r) !== null;
    // Fight whatever comes close.
    const enemy = this.find(world, p.x, p.y, [ZOMBIE, SKELETON], 3);
    if (enemy) return this.approach(world, p.x, p.y, p.facing, enemy, Action.do);
    if (inv[Item.energy] < 3 && rng.uniform() < 0.5) return Action.sleep;
    // Crafting next to a table (and furnace).
    if (near(Material.table, 1) || near(Material.table, 2)) {
      const options: number[] = [];
      if (inv[Item.wood] >= 1 && inv[Item.wood_pickaxe] === 0) options.push(Action.make_wood_pickaxe);
      if (inv[Item.wood] >= 1 && inv[Item.wood_sword] === 0) options.push(Action.make_wood_sword);
      if (inv[Item.wood] >= 1 && inv[Item.stone] >= 1 && inv[Item.stone_pickaxe] === 0)
        options.push(Action.make_stone_pickaxe);
      if (inv[Item.wood] >= 1 && inv[Item.stone] >= 1 && inv[Item.stone_sword] === 0)
        options.push(Action.make_stone_sword);
      if (inv[Item.stone] >= 4 && !near(Material.furnace, 3)) options.push(Action.place_furnace);
      if (near(Material.furnace, 2) && inv[Item.wood] >= 1 && inv[Item.coal] >= 1 && inv[Item.iron] >= 1) {
        options.push(Action.make_iron_pickaxe, Action.make_iron_sword);
      }
      if (options.length > 0 && rng.uniform() < 0.8) return options[rng.int(options.length)];
    }
    const goals: Goal[] = [];
    if (inv[Item.drink] < 7) goals.push({ ids: [Material.water], act: Action.do });
    if (inv[Item.food] < 6) goals.push({ ids: [COW], act: Action.do });
    if (inv[Item.wood] >= 2 && !near(Material.table, 4) && rng.uniform() < 0.5) return Action.place_table;
    if (inv[Item.sapling] >= 1 && rng.uniform() < 0.05) return Action.place_plant;
    if (inv[Item.stone] >= 1 && rng.uniform() < 0.04) return Action.place_stone;
    if (inv[Item.wood_pickaxe] > 0) goals.push({ ids: [Material.stone, Material.coal], act: Action.do });
    if (inv[Item.stone_pickaxe] > 0) goals.push({ ids: [Material.iron], act: Action.do });
    if (inv[Item.iron_pickaxe] > 0) goals.push({ ids: [Material.diamond], act: Action.do });
    if (inv[Item.wood] < 6) goals.push({ ids: [Material.tree], act: Action.do });
    goals.push({ ids: [PLANT], act: Action.do });
    if (rng.uniform() < 0.05) goals.push({ ids: [Material.grass], act: Action.do });
    // Pick one goal (first ones first, with some shuffling), go for the nearest target.
    const start = goals.length > 1 && rng.uniform() < 0.3 ? rng.int(goals.length) : 0;
    for (let g = 0; g < goals.length; g++) {
      const goal = goals[(start + g) % goals.length];
      const target = this.find(world, p.x, p.y, goal.ids, 4);
      if (target) return this.approach(world, p.x, p.y, p.facing, target, goal.act);
    }
    // Wander in straight runs.
    if (this.wander <= 0) {
      this.wander = 3 + rng.int(8);
      this.wanderDir = rng.int(4);
    }
    this.wander--;
    const [dx, dy] = DIRECTIONS[this.wanderDir];
    if (!this.walkable(world, p.x + dx, p.y + dy)) this.wander = 0;
    return Action.move_left + this.wanderDir;
  }

  private walkable(world: World, x: number, y: number): boolean {
    return (
      world.inside(x, y) &&
      world.objectAt(x, y) === null &&
      PLAYER_WALKABLE[world.getMaterial(x, y)] === 1 &&
      world.getMaterial(x, y) !== Material.lava
    );
  }

  /** Nearest tile (Manhattan, ties by scan order) within r showing one of `ids`, excluding the player's own. */
  private find(world: World, x: number, y: number, ids: readonly number[], r: number): [number, number] | null {
    let best: [number, number] | null = null;
    let bestD = Infinity;
    for (let dx = -r; dx <= r; dx++) {
      for (let dy = -r; dy <= r; dy++) {
        const d = Math.abs(dx) + Math.abs(dy);
        if (d === 0 || d >= bestD || !world.inside(x + dx, y + dy)) continue;
        if (ids.includes(world.semanticAt(x + dx, y + dy))) {
          best = [x + dx, y + dy];
          bestD = d;
        }
      }
    }
    return best;
  }

  private approach(
    world: World,
    x: number,
    y: number,
    facing: number,
    [tx, ty]: [number, number],
    act: number,
  ): number {
    const dx = tx - x;
    const dy = ty - y;
    if (Math.abs(dx) + Math.abs(dy) === 1) {
      const [fx, fy] = DIRECTIONS[facing];
      if (fx === dx && fy === dy) return act;
      return dirAction(dx, dy); // moving into an obstacle only turns the player
    }
    const horizontal = Math.abs(dx) >= Math.abs(dy) ? [Math.sign(dx), 0] : [0, Math.sign(dy)];
    const vertical = Math.abs(dx) >= Math.abs(dy) ? [0, Math.sign(dy)] : [Math.sign(dx), 0];
    for (const [sx, sy] of [horizontal, vertical]) {
      if ((sx !== 0 || sy !== 0) && this.walkable(world, x + sx, y + sy)) return dirAction(sx, sy);
    }
    return Action.move_left + this.rng.int(4);
  }
}

function dirAction(dx: number, dy: number): number {
  if (dx < 0) return Action.move_left;
  if (dx > 0) return Action.move_right;
  if (dy < 0) return Action.move_up;
  return Action.move_down;
}

export interface GenerateOptions {
  readonly policy: PolicyName;
  readonly seed: number;
  readonly maxSteps: number;
  readonly id?: string;
}

/** Plays one seeded single-player episode and returns its episode file. */
export function generateEpisode(opts: GenerateOptions): EpisodeFile {
  const world = World.generate({ seed: opts.seed });
  world.addPlayer();
  const id = opts.id ?? `${opts.policy}-${String(opts.seed).padStart(6, '0')}`;
  const rec = new EpisodeRecorder(world, 0, { id, source: opts.policy, seed: opts.seed });
  const rng = new Rng(opts.seed ^ 0x5eed);
  const explorer = new ScriptedExplorer(opts.seed + 1);
  for (let t = 0; t < opts.maxSteps && !world.over; t++) {
    const action = opts.policy === 'random' ? rng.int(NUM_ACTIONS) : explorer.act(world, 0);
    world.step([action]);
    rec.record(action);
    if (world.player(0).dead) break;
  }
  return rec.finish();
}
