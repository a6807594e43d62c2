/**
 * Names, ids and numbers of the Crafter rule book (shared/CRAFTER_RULES.md §2–§6).
 * Every list here is ordered exactly as the rule book orders it: the index is the id.
 */

export const WORLD_SIZE = 64;
/** Episode length in steps (§2). */
export const EPISODE_LENGTH = 10_000;
/** Objects update only while their Manhattan distance to a (living) player is below this (§2). */
export const UPDATE_RADIUS = 18;
export const DAY_LENGTH = 300;
export const BALANCE_INTERVAL = 10;
export const CHUNK_SIZE = 12;
export const CHUNKS_PER_SIDE = Math.ceil(WORLD_SIZE / CHUNK_SIZE);
/** Balancing chunk of a tile (§12.1): 12×12 blocks, the last row and column narrower. */
export function chunkOf(x: number, y: number): number {
  return Math.floor(x / CHUNK_SIZE) * CHUNKS_PER_SIDE + Math.floor(y / CHUNK_SIZE);
}
/** `chunkOf` of every tile, indexed x * WORLD_SIZE + y: a lookup instead of two divisions on hot paths. */
export const CHUNK_OF_TILE = Uint8Array.from({ length: WORLD_SIZE * WORLD_SIZE }, (_, i) =>
  chunkOf(Math.floor(i / WORLD_SIZE), i % WORLD_SIZE),
);
/** View grid in cells: 9 wide; 7 rows of world, 2 of inventory (§15.1). */
export const VIEW_COLS = 9;
export const VIEW_ROWS = 7;
export const VIEW_ITEM_ROWS = 2;

export const ACTIONS = [
  'noop',
  'move_left',
  'move_right',
  'move_up',
  'move_down',
  'do',
  'sleep',
  'place_stone',
  'place_table',
  'place_furnace',
  'place_plant',
  'make_wood_pickaxe',
  'make_stone_pickaxe',
  'make_iron_pickaxe',
  'make_wood_sword',
  'make_stone_sword',
  'make_iron_sword',
] as const;
export type ActionName = (typeof ACTIONS)[number];
export const Action = Object.freeze(
  Object.fromEntries(ACTIONS.map((name, i) => [name, i])) as { readonly [K in ActionName]: number },
);
export const NUM_ACTIONS = ACTIONS.length;

export const ACHIEVEMENTS = [
  'collect_coal',
  'collect_diamond',
  'collect_drink',
  'collect_iron',
  'collect_sapling',
  'collect_stone',
  'collect_wood',
  'defeat_skeleton',
  'defeat_zombie',
  'eat_cow',
  'eat_plant',
  'make_iron_pickaxe',
  'make_iron_sword',
  'make_stone_pickaxe',
  'make_stone_sword',
  'make_wood_pickaxe',
  'make_wood_sword',
  'place_furnace',
  'place_plant',
  'place_stone',
  'place_table',
  'wake_up',
] as const;
export type AchievementName = (typeof ACHIEVEMENTS)[number];
export const Achievement = Object.freeze(
  Object.fromEntries(ACHIEVEMENTS.map((name, i) => [name, i])) as {
    readonly [K in AchievementName]: number;
  },
);
export const NUM_ACHIEVEMENTS = ACHIEVEMENTS.length;

/** Material names by semantic id; id 0 is "none" (off-world, never present after generation). */
export const MATERIALS = [
  'none',
  'water',
  'grass',
  'stone',
  'path',
  'sand',
  'tree',
  'lava',
  'coal',
  'iron',
  'diamond',
  'table',
  'furnace',
] as const;
export type MaterialName = (typeof MATERIALS)[number];
export const Material = Object.freeze(
  Object.fromEntries(MATERIALS.map((name, i) => [name, i])) as { readonly [K in MaterialName]: number },
);

/** Object kinds; their semantic id is `OBJECT_ID_OFFSET + kind` (player 13 … plant 18). */
export const OBJECT_KINDS = ['player', 'cow', 'zombie', 'skeleton', 'arrow', 'plant'] as const;
export type ObjectKindName = (typeof OBJECT_KINDS)[number];
export const ObjectKind = Object.freeze(
  Object.fromEntries(OBJECT_KINDS.map((name, i) => [name, i])) as {
    readonly [K in ObjectKindName]: number;
  },
);
export const OBJECT_ID_OFFSET = MATERIALS.length;
/** Names of every semantic id (materials then objects), for datasets and tools. */
export const SEMANTIC_NAMES: readonly string[] = [...MATERIALS, ...OBJECT_KINDS];

/** The 16 inventory entries in §6 order (vitals first). */
export const INVENTORY = [
  'health',
  'food',
  'drink',
  'energy',
  'sapling',
  'wood',
  'stone',
  'coal',
  'iron',
  'diamond',
  'wood_pickaxe',
  'stone_pickaxe',
  'iron_pickaxe',
  'wood_sword',
  'stone_sword',
  'iron_sword',
] as const;
export type ItemName = (typeof INVENTORY)[number];
export const Item = Object.freeze(
  Object.fromEntries(INVENTORY.map((name, i) => [name, i])) as { readonly [K in ItemName]: number },
);
export const NUM_ITEMS = INVENTORY.length;
export const ITEM_MAX = 9;
export const VITALS = ['health', 'food', 'drink', 'energy'] as const;
export const INITIAL_INVENTORY: readonly number[] = INVENTORY.map((name) =>
  (VITALS as readonly string[]).includes(name) ? 9 : 0,
);

/** Directions in the canonical order [left, right, up, down] (§1). */
export const DIRECTIONS: readonly (readonly [number, number])[] = [
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
];
export const Direction = Object.freeze({ left: 0, right: 1, up: 2, down: 3 });
/** DIRECTIONS as two lookup tables by direction index, for the step's hot path. */
export const DIRECTION_X = Int8Array.from(DIRECTIONS, ([dx]) => dx);
export const DIRECTION_Y = Int8Array.from(DIRECTIONS, ([, dy]) => dy);

/** Player start tile and facing (§7.1). */
export const START_X = WORLD_SIZE >> 1;
export const START_Y = WORLD_SIZE >> 1;
