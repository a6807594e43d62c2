/**
 * The rule data of CRAFTER_RULES.md as plain tables: what each material yields, what each
 * placement and recipe costs and needs, who may walk where, creature numbers and balancing.
 * The step code reads these tables; planners and UIs read the same tables, so the rules
 * exist once.
 */
import {
  type AchievementName,
  type ActionName,
  type ItemName,
  type MaterialName,
  Material,
  MATERIALS,
} from './constants.ts';
import { cos } from './det-math.ts';

export type ItemAmounts = Partial<Record<ItemName, number>>;

/** §8.5: collecting a material with `do`. */
export interface CollectRule {
  readonly material: MaterialName;
  readonly require: ItemAmounts;
  readonly receive: ItemName;
  readonly amount: number;
  readonly probability: number;
  readonly leaves: MaterialName;
  readonly achievement: AchievementName;
}

export const COLLECT_RULES: readonly CollectRule[] = [
  {
    material: 'tree',
    require: {},
    receive: 'wood',
    amount: 1,
    probability: 1,
    leaves: 'grass',
    achievement: 'collect_wood',
  },
  {
    material: 'stone',
    require: { wood_pickaxe: 1 },
    receive: 'stone',
    amount: 1,
    probability: 1,
    leaves: 'path',
    achievement: 'collect_stone',
  },
  {
    material: 'coal',
    require: { wood_pickaxe: 1 },
    receive: 'coal',
    amount: 1,
    probability: 1,
    leaves: 'path',
    achievement: 'collect_coal',
  },
  {
    material: 'iron',
    require: { stone_pickaxe: 1 },
    receive: 'iron',
    amount: 1,
    probability: 1,
    leaves: 'path',
    achievement: 'collect_iron',
  },
  {
    material: 'diamond',
    require: { iron_pickaxe: 1 },
    receive: 'diamond',
    amount: 1,
    probability: 1,
    leaves: 'path',
    achievement: 'collect_diamond',
  },
  {
    material: 'water',
    require: {},
    receive: 'drink',
    amount: 1,
    probability: 1,
    leaves: 'water',
    achievement: 'collect_drink',
  },
  {
    material: 'grass',
    require: {},
    receive: 'sapling',
    amount: 1,
    probability: 0.1,
    leaves: 'grass',
    achievement: 'collect_sapling',
  },
];

/** §8.7: placing. `result` is a material name, or 'plant' for the plant object. */
export interface PlaceRule {
  readonly action: ActionName;
  readonly name: 'stone' | 'table' | 'furnace' | 'plant';
  readonly cost: ItemAmounts;
  readonly targets: readonly MaterialName[];
  readonly achievement: AchievementName;
}

export const PLACE_RULES: readonly PlaceRule[] = [
  {
    action: 'place_stone',
    name: 'stone',
    cost: { stone: 1 },
    targets: ['grass', 'sand', 'path', 'water', 'lava'],
    achievement: 'place_stone',
  },
  {
    action: 'place_table',
    name: 'table',
    cost: { wood: 2 },
    targets: ['grass', 'sand', 'path'],
    achievement: 'place_table',
  },
  {
    action: 'place_furnace',
    name: 'furnace',
    cost: { stone: 4 },
    targets: ['grass', 'sand', 'path'],
    achievement: 'place_furnace',
  },
  { action: 'place_plant', name: 'plant', cost: { sapling: 1 }, targets: ['grass'], achievement: 'place_plant' },
];

/** §8.8: crafting. */
export interface MakeRule {
  readonly action: ActionName;
  readonly item: ItemName;
  readonly cost: ItemAmounts;
  readonly nearby: readonly MaterialName[];
  readonly achievement: AchievementName;
}

export const MAKE_RULES: readonly MakeRule[] = [
  {
    action: 'make_wood_pickaxe',
    item: 'wood_pickaxe',
    cost: { wood: 1 },
    nearby: ['table'],
    achievement: 'make_wood_pickaxe',
  },
  {
    action: 'make_stone_pickaxe',
    item: 'stone_pickaxe',
    cost: { wood: 1, stone: 1 },
    nearby: ['table'],
    achievement: 'make_stone_pickaxe',
  },
  {
    action: 'make_iron_pickaxe',
    item: 'iron_pickaxe',
    cost: { wood: 1, coal: 1, iron: 1 },
    nearby: ['table', 'furnace'],
    achievement: 'make_iron_pickaxe',
  },
  {
    action: 'make_wood_sword',
    item: 'wood_sword',
    cost: { wood: 1 },
    nearby: ['table'],
    achievement: 'make_wood_sword',
  },
  {
    action: 'make_stone_sword',
    item: 'stone_sword',
    cost: { wood: 1, stone: 1 },
    nearby: ['table'],
    achievement: 'make_stone_sword',
  },
  {
    action: 'make_iron_sword',
    item: 'iron_sword',
    cost: { wood: 1, coal: 1, iron: 1 },
    nearby: ['table', 'furnace'],
    achievement: 'make_iron_sword',
  },
];

/** §8.4: player damage is the best sword owned (not a sum). */
export const SWORD_DAMAGE: readonly { readonly item: ItemName; readonly damage: number }[] = [
  { item: 'iron_sword', damage: 5 },
  { item: 'stone_sword', damage: 3 },
  { item: 'wood_sword', damage: 2 },
];
export const BARE_HAND_DAMAGE = 1;

/** §8.4, §10.6: food from eating. */
export const COW_FOOD = 6;
export const PLANT_FOOD = 4;
/** A plant is ripe once `grown` exceeds this (§10.6). */
export const PLANT_RIPE_AFTER = 300;

/** §10: creature numbers. */
export const CREATURE_HEALTH = { cow: 3, zombie: 5, skeleton: 3, plant: 1 } as const;
export const ZOMBIE_DAMAGE = 2;
export const ZOMBIE_SLEEP_DAMAGE = 7;
export const ZOMBIE_COOLDOWN = 5;
export const ARROW_DAMAGE = 2;
export const SKELETON_RELOAD = 4;
/** Distance up to which a zombie (§10.3) or skeleton (§10.4 b) moves toward its target. */
export const CHASE_DISTANCE = 8;
/**
 * Spawn protection's keep-away rule (multiplayer extension, README): zombies and skeletons move away
 * from a protected player up to this distance. Two beyond the chase distance: an idle player who
 * respawned between two skeletons was hurt within 24 ticks after its protection in 52 of 600 worlds
 * with 8, 10 of 600 with 10 or 12 (38 % with no keep-away).
 */
export const KEEP_AWAY_DISTANCE = 10;

function materialMask(names: readonly MaterialName[]): Uint8Array {
  const mask = new Uint8Array(MATERIALS.length);
  for (const name of names) mask[Material[name]] = 1;
  return mask;
}

/** §5: which materials each mover may enter, as lookup tables indexed by material id. */
export const PLAYER_WALKABLE = materialMask(['grass', 'sand', 'path', 'lava']);
export const CREATURE_WALKABLE = materialMask(['grass', 'sand', 'path']);
export const ARROW_FREE = materialMask(['grass', 'sand', 'path', 'water', 'lava']);

/** §12: one row per creature kind, balanced in this order. */
export interface BalanceRule {
  readonly kind: 'zombie' | 'skeleton' | 'cow';
  readonly material: MaterialName;
  /** Minimum material tiles in the chunk for the lower target to be non-zero. */
  readonly minSpace: number;
  readonly spawnProbability: number;
  readonly spawnDistance: number;
  readonly despawnProbability: number;
  readonly despawnDistance: number;
  /** Lower and upper targets as functions of daylight (before the space rule). */
  readonly lo: (daylight: number) => number;
  readonly hi: (daylight: number) => number;
}

export const BALANCE_RULES: readonly BalanceRule[] = [
  {
    kind: 'zombie',
    material: 'grass',
    minSpace: 50,
    spawnProbability: 0.3,
    spawnDistance: 6,
    despawnProbability: 0.4,
    despawnDistance: 0,
    lo: (d) => 3.5 - 3 * d,
    hi: (d) => 3.5 - 3 * d,
  },
  {
    kind: 'skeleton',
    material: 'path',
    minSpace: 6,
    spawnProbability: 0.1,
    spawnDistance: 7,
    despawnProbability: 0.1,
    despawnDistance: 7,
    lo: () => 1,
    hi: () => 2,
  },
  {
    kind: 'cow',
    material: 'grass',
    minSpace: 30,
    spawnProbability: 0.01,
    spawnDistance: 5,
    despawnProbability: 0.1,
    despawnDistance: 5,
    lo: () => 1,
    hi: (d) => 1.5 + d,
  },
];

/**
 * §11: the daylight formula. The deterministic cos (det-math.ts) and |cos|³ written as a product
 * make it the same in every JS engine.
 */
function daylightFormula(t: number): number {
  const progress = (t % 300) / 300 + 0.3;
  const c = Math.abs(cos(Math.PI * progress));
  return 1 - c * c * c;
}

/** Daylight of each step of the day: the formula depends on t only through t mod 300. */
const DAYLIGHT_OF_PHASE = Float64Array.from({ length: 300 }, (_, phase) => daylightFormula(phase));

/** §11: daylight at step t (from the table for whole non-negative steps, the step loop's case). */
export function daylightAt(t: number): number {
  const phase = t % 300;
  return phase >= 0 && Number.isInteger(phase) ? DAYLIGHT_OF_PHASE[phase] : daylightFormula(t);
}

/** §16: Crafter score from success rates in percent. */
export function crafterScore(successRatesPercent: readonly number[]): number {
  let sum = 0;
  for (const s of successRatesPercent) sum += Math.log(1 + s);
  return Math.exp(sum / successRatesPercent.length) - 1;
}
