/**
 * The tech tree, derived from the engine's own rule tables (COLLECT_RULES, PLACE_RULES,
 * MAKE_RULES, SWORD_DAMAGE). Nothing here restates a recipe: every cost, tool and station
 * comes from packages/engine/src/rules.ts.
 */
import {
  ACHIEVEMENTS,
  type AchievementName,
  COLLECT_RULES,
  type CollectRule,
  INVENTORY,
  type ItemName,
  MAKE_RULES,
  type MakeRule,
  type MaterialName,
  PLACE_RULES,
  type PlaceRule,
  SWORD_DAMAGE,
  VITALS,
} from '@aikon/engine';

export type Placeable = PlaceRule['name'];

/** How an item comes into an inventory: collected from a material, or made. */
export type ItemSource = { type: 'collect'; rule: CollectRule } | { type: 'make'; rule: MakeRule };

export function sourceOf(item: ItemName): ItemSource | null {
  const make = MAKE_RULES.find((r) => r.item === item);
  if (make) return { type: 'make', rule: make };
  const collect = COLLECT_RULES.find((r) => r.receive === item);
  if (collect) return { type: 'collect', rule: collect };
  return null;
}

export function collectRuleForMaterial(material: MaterialName): CollectRule | undefined {
  return COLLECT_RULES.find((r) => r.material === material);
}

export function placeRule(name: string): PlaceRule | undefined {
  return PLACE_RULES.find((r) => r.name === name);
}

export function makeRule(item: string): MakeRule | undefined {
  return MAKE_RULES.find((r) => r.item === item);
}

/** Items never consumed by use: anything a collect rule requires, and swords. */
export const TOOLS: ReadonlySet<ItemName> = new Set<ItemName>([
  ...COLLECT_RULES.flatMap((r) => Object.keys(r.require) as ItemName[]),
  ...SWORD_DAMAGE.map((s) => s.item),
]);

/** Materials that a placement or a recipe needs nearby ("stations"). */
export const STATIONS: ReadonlySet<MaterialName> = new Set(MAKE_RULES.flatMap((r) => r.nearby));

/** Every item an inventory can hold that is not a vital. */
export const ITEMS: readonly ItemName[] = INVENTORY.filter((i) => !(VITALS as readonly string[]).includes(i));

/** What achieving each achievement takes, as a task description. */
export type AchievementTask =
  | { kind: 'collect'; rule: CollectRule }
  | { kind: 'place'; rule: PlaceRule }
  | { kind: 'make'; rule: MakeRule }
  | { kind: 'defeat'; creature: 'zombie' | 'skeleton' }
  | { kind: 'eat'; food: 'cow' | 'plant' }
  | { kind: 'sleep' };

export function achievementTask(name: AchievementName): AchievementTask {
  const collect = COLLECT_RULES.find((r) => r.achievement === name);
  if (collect) return { kind: 'collect', rule: collect };
  const place = PLACE_RULES.find((r) => r.achievement === name);
  if (place) return { kind: 'place', rule: place };
  const make = MAKE_RULES.find((r) => r.achievement === name);
  if (make) return { kind: 'make', rule: make };
  switch (name) {
    case 'defeat_zombie':
      return { kind: 'defeat', creature: 'zombie' };
    case 'defeat_skeleton':
      return { kind: 'defeat', creature: 'skeleton' };
    case 'eat_cow':
      return { kind: 'eat', food: 'cow' };
    case 'eat_plant':
      return { kind: 'eat', food: 'plant' };
    case 'wake_up':
      return { kind: 'sleep' };
  }
  throw new Error(`no rule unlocks ${name}`);
}

export const ALL_ACHIEVEMENTS: readonly AchievementName[] = ACHIEVEMENTS;

/** Best sword damage first; used to decide when a worker is armed. */
export const SWORDS: readonly ItemName[] = SWORD_DAMAGE.map((s) => s.item);
