import { Achievement, Action, DIRECTION_X, DIRECTION_Y, ITEM_MAX, Item, Material, ObjectKind } from './constants.ts';
import type { Entity, Player } from './entity.ts';
import {
  BARE_HAND_DAMAGE,
  COLLECT_RULES,
  COW_FOOD,
  MAKE_RULES,
  PLACE_RULES,
  PLANT_FOOD,
  PLANT_RIPE_AFTER,
  PLAYER_WALKABLE,
  SWORD_DAMAGE,
} from './rules.ts';
import type { WorldState } from './world-state.ts';

// Module-local copies of the ids and tables this hot path reads: under loaders that compile
// modules to CommonJS (tsx, vite-node) every read of an imported binding is a getter call.
const HEALTH = Item.health;
const FOOD = Item.food;
const DRINK = Item.drink;
const ENERGY = Item.energy;
const MAX = ITEM_MAX;
const DX = DIRECTION_X;
const DY = DIRECTION_Y;
const WALKABLE = PLAYER_WALKABLE;
const LAVA = Material.lava;
const WATER = Material.water;
const NOOP = Action.noop;
const MOVE_LEFT = Action.move_left;
const MOVE_DOWN = Action.move_down;
const DO = Action.do;
const SLEEP = Action.sleep;
const PLACE_STONE = Action.place_stone;
const PLACE_PLANT = Action.place_plant;
const MAKE_WOOD_PICKAXE = Action.make_wood_pickaxe;
const WAKE_UP = Achievement.wake_up;

/** Items and amounts, flattened: [item, amount, item, amount, …]. */
type Cost = Int32Array;
const toCost = (amounts: Partial<Record<keyof typeof Item, number>>): Cost =>
  Int32Array.from(Object.entries(amounts).flatMap(([name, n]) => [Item[name as keyof typeof Item], n as number]));

/** The rule tables of rules.ts compiled into id-indexed lookups for the hot path. */
const COLLECT_BY_MATERIAL = (() => {
  const table: ({
    require: Cost;
    receive: number;
    amount: number;
    probability: number;
    leaves: number;
    achievement: number;
  } | null)[] = new Array(Object.keys(Material).length).fill(null);
  for (const r of COLLECT_RULES) {
    table[Material[r.material]] = {
      require: toCost(r.require),
      receive: Item[r.receive],
      amount: r.amount,
      probability: r.probability,
      leaves: Material[r.leaves],
      achievement: Achievement[r.achievement],
    };
  }
  return table;
})();

type PlaceEntry = { cost: Cost; targets: Uint8Array; material: number; achievement: number };
type MakeEntry = { cost: Cost; nearby: number[]; item: number; achievement: number };

/** Placing and crafting rules by action id (holes for other actions). */
const PLACE_BY_ACTION: PlaceEntry[] = [];
const MAKE_BY_ACTION: MakeEntry[] = [];
for (const r of PLACE_RULES) {
  const targets = new Uint8Array(Object.keys(Material).length);
  for (const m of r.targets) targets[Material[m]] = 1;
  PLACE_BY_ACTION[Action[r.action]] = {
    cost: toCost(r.cost),
    targets,
    material: r.name === 'plant' ? -1 : Material[r.name],
    achievement: Achievement[r.achievement],
  };
}
for (const r of MAKE_RULES) {
  MAKE_BY_ACTION[Action[r.action]] = {
    cost: toCost(r.cost),
    nearby: r.nearby.map((m) => Material[m]),
    item: Item[r.item],
    achievement: Achievement[r.achievement],
  };
}

/** Swords from best to worst, flattened: [item, damage, …]. */
const SWORDS = Int32Array.from(SWORD_DAMAGE.flatMap((s) => [Item[s.item], s.damage]));

function affordable(inv: Int32Array, cost: Cost): boolean {
  for (let k = 0; k < cost.length; k += 2) if (inv[cost[k]] < cost[k + 1]) return false;
  return true;
}

function pay(inv: Int32Array, cost: Cost): void {
  for (let k = 0; k < cost.length; k += 2) inv[cost[k]] -= cost[k + 1];
}

/** §8.2: one player's update with its chosen action. */
export function updatePlayer(world: WorldState, p: Player, chosen: number): void {
  const inv = p.inventory;
  // 1. Target tile from the facing at the start of the step.
  const tx = p.x + DX[p.facing];
  const ty = p.y + DY[p.facing];

  // 2. Sleep override.
  let action = chosen;
  if (p.sleeping) {
    if (inv[ENERGY] < MAX) action = SLEEP;
    else {
      p.sleeping = false;
      p.achievements[WAKE_UP]++;
    }
  }

  // 3. Dispatch.
  if (action === NOOP) {
    // Nothing to do.
  } else if (action >= MOVE_LEFT && action <= MOVE_DOWN) {
    move(world, p, action - MOVE_LEFT);
  } else if (action === DO) {
    const target = world.objectAt(tx, ty);
    if (target) interact(p, target);
    else collect(world, p, tx, ty);
  } else if (action === SLEEP) {
    if (inv[ENERGY] < MAX) p.sleeping = true;
  } else if (action >= PLACE_STONE && action <= PLACE_PLANT) {
    place(world, p, action, tx, ty);
  } else if (action >= MAKE_WOOD_PICKAXE) {
    make(world, p, action);
  }

  // 4. Survival counters (§8.9).
  const sleeping = p.sleeping;
  p.hunger += sleeping ? 0.5 : 1;
  if (p.hunger > 25) {
    p.hunger = 0;
    inv[FOOD] -= 1;
  }
  p.thirst += sleeping ? 0.5 : 1;
  if (p.thirst > 20) {
    p.thirst = 0;
    inv[DRINK] -= 1;
  }
  if (sleeping) p.fatigue = Math.min(p.fatigue - 1, 0);
  else p.fatigue += 1;
  if (p.fatigue < -10) {
    p.fatigue = 0;
    inv[ENERGY] += 1;
  }
  if (p.fatigue > 30) {
    p.fatigue = 0;
    inv[ENERGY] -= 1;
  }

  // 5. Health regeneration or loss (§8.10); a vital that just dropped to −1 counts as 0.
  const ok = inv[FOOD] > 0 && inv[DRINK] > 0 && (inv[ENERGY] > 0 || sleeping);
  if (ok) p.recover += sleeping ? 2 : 1;
  else p.recover -= sleeping ? 0.5 : 1;
  if (p.recover > 25) {
    p.recover = 0;
    inv[HEALTH] += 1;
  }
  if (p.recover < -15) {
    p.recover = 0;
    inv[HEALTH] = Math.max(0, inv[HEALTH] - 1);
  }

  // 6. Clamp every entry to [0, 9].
  for (let i = 0; i < inv.length; i++) {
    const v = inv[i];
    if (v < 0) inv[i] = 0;
    else if (v > MAX) inv[i] = MAX;
  }

  // 7. Wake on hurt.
  if (inv[HEALTH] < p.prevHealth) p.sleeping = false;
  p.prevHealth = inv[HEALTH];
}

/** §8.3: face the direction always; step if free; entering lava kills. */
function move(world: WorldState, p: Player, dir: number): void {
  p.facing = dir;
  const x = p.x + DX[dir];
  const y = p.y + DY[dir];
  if (world.isFree(x, y, WALKABLE)) world.moveEntity(p, x, y);
  if (world.getMaterial(p.x, p.y) === LAVA) p.inventory[HEALTH] = 0;
}

/** §8.4: `do` on an object. */
function interact(p: Player, target: Entity): void {
  const inv = p.inventory;
  switch (target.kind) {
    case ObjectKind.plant:
      if (target.grown > PLANT_RIPE_AFTER) {
        target.grown = 0;
        inv[FOOD] += PLANT_FOOD;
        p.achievements[Achievement.eat_plant]++;
      }
      return;
    case ObjectKind.zombie:
    case ObjectKind.skeleton:
    case ObjectKind.cow: {
      target.health = Math.max(0, target.health - playerDamage(inv));
      if (target.health > 0) return;
      if (target.kind === ObjectKind.zombie) p.achievements[Achievement.defeat_zombie]++;
      else if (target.kind === ObjectKind.skeleton) p.achievements[Achievement.defeat_skeleton]++;
      else {
        inv[FOOD] += COW_FOOD;
        p.achievements[Achievement.eat_cow]++;
        p.hunger = 0;
      }
      return;
    }
    default:
      // Arrows and other players: nothing.
      return;
  }
}

export function playerDamage(inv: Int32Array): number {
  for (let k = 0; k < SWORDS.length; k += 2) if (inv[SWORDS[k]] > 0) return SWORDS[k + 1];
  return BARE_HAND_DAMAGE;
}

/** §8.5: `do` on a material. */
function collect(world: WorldState, p: Player, x: number, y: number): void {
  const material = world.getMaterial(x, y);
  if (material === WATER) p.thirst = 0;
  const rule = COLLECT_BY_MATERIAL[material];
  if (!rule) return;
  if (!affordable(p.inventory, rule.require)) return;
  world.setMaterial(x, y, rule.leaves);
  if (world.rng.uniform() <= rule.probability) {
    p.inventory[rule.receive] += rule.amount;
    p.achievements[rule.achievement]++;
  }
}

/** §8.7: placing stone, table, furnace or a plant on the faced tile. */
function place(world: WorldState, p: Player, action: number, x: number, y: number): void {
  const rule = PLACE_BY_ACTION[action];
  if (world.objectAt(x, y) !== null) return;
  if (!world.inside(x, y) || rule.targets[world.getMaterial(x, y)] !== 1) return;
  if (!affordable(p.inventory, rule.cost)) return;
  pay(p.inventory, rule.cost);
  if (rule.material < 0) world.spawn('plant', x, y);
  else world.setMaterial(x, y, rule.material);
  p.achievements[rule.achievement]++;
}

/** §8.8: crafting next to the required stations, including the column-0 / row-0 quirk. */
function make(world: WorldState, p: Player, action: number): void {
  const rule = MAKE_BY_ACTION[action];
  for (const station of rule.nearby) if (!nearby(world, p.x, p.y, station)) return;
  if (!affordable(p.inventory, rule.cost)) return;
  pay(p.inventory, rule.cost);
  p.inventory[rule.item] += 1;
  p.achievements[rule.achievement]++;
}

/** Is `material` in the 3×3 square centred on (x, y)? Empty in column 0 and row 0 (quirk). */
export function nearby(world: WorldState, x: number, y: number, material: number): boolean {
  if (x === 0 || y === 0) return false;
  for (let dx = -1; dx <= 1; dx++) {
    for (let dy = -1; dy <= 1; dy++) {
      if (world.getMaterial(x + dx, y + dy) === material) return true;
    }
  }
  return false;
}
