import {
  DIRECTIONS,
  INVENTORY,
  Item,
  MAKE_RULES,
  Material,
  PLACE_RULES,
  Action,
  nearby,
  type ItemAmounts,
  type ItemName,
  type Player,
  type World,
} from '@aikon/engine';
import type { CraftOption } from './protocol.ts';

function missingItems(inventory: ArrayLike<number>, cost: ItemAmounts): string[] {
  const missing: string[] = [];
  for (const [name, amount] of Object.entries(cost) as [ItemName, number][]) {
    const have = inventory[Item[name]];
    if (have < amount) missing.push(`${amount - have} ${name.replace(/_/g, ' ')}`);
  }
  return missing;
}

/**
 * Every placement and recipe of the rule tables, checked against the player's inventory,
 * the tile it faces and the stations near it: possible now, or what is missing.
 */
export function craftOptions(world: World, player: Player): CraftOption[] {
  const options: CraftOption[] = [];
  const inv = player.inventory;
  const [dx, dy] = DIRECTIONS[player.facing];
  const tx = player.x + dx;
  const ty = player.y + dy;
  const target = world.getMaterial(tx, ty);
  const occupied = world.objectAt(tx, ty) !== null;
  for (const rule of PLACE_RULES) {
    const missing = missingItems(inv, rule.cost);
    const targetOk = rule.targets.some((name) => Material[name] === target) && !occupied;
    if (!targetOk) missing.push(`face ${rule.targets.slice(0, 3).join('/')}${rule.targets.length > 3 ? '/…' : ''}`);
    options.push({ action: Action[rule.action], kind: 'place', name: rule.name, ok: missing.length === 0, missing });
  }
  for (const rule of MAKE_RULES) {
    const missing = missingItems(inv, rule.cost);
    for (const station of rule.nearby) {
      if (!nearby(world, player.x, player.y, Material[station])) missing.push(`near a ${station}`);
    }
    options.push({ action: Action[rule.action], kind: 'make', name: rule.item, ok: missing.length === 0, missing });
  }
  return options;
}

export const ITEM_LABELS: Record<string, string> = Object.fromEntries(
  INVENTORY.map((name) => [name, name.replace(/_/g, ' ')]),
);
