import {
  COLLECT_RULES,
  DIRECTIONS,
  Item,
  MATERIALS,
  OBJECT_KINDS,
  PLANT_RIPE_AFTER,
  WORLD_SIZE,
  type ItemName,
} from '@aikon/engine';
import { O_GROWN, O_KIND, O_X, O_Y, OBJECT_STRIDE, type GameFrame, type PlayerView } from './protocol.ts';

const words = (name: string) => name.replace(/_/g, ' ');
const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * One line about the tile the player faces and what Space would do there, from the engine's
 * rule tables (a hint for new players; the engine decides what really happens).
 */
export function facingHint(frame: GameFrame, me: PlayerView): string | null {
  if (me.dead) return null;
  if (me.sleeping) return 'Asleep. Energy comes back while you sleep.';
  const [dx, dy] = DIRECTIONS[me.facing] ?? DIRECTIONS[3];
  const x = me.x + dx;
  const y = me.y + dy;
  if (x < 0 || y < 0 || x >= WORLD_SIZE || y >= WORLD_SIZE) return 'The edge of the world.';
  const o = frame.objects;
  for (let k = 0; k < o.length; k += OBJECT_STRIDE) {
    if (o[k + O_X] !== x || o[k + O_Y] !== y) continue;
    const kind = OBJECT_KINDS[o[k + O_KIND]];
    if (kind === 'plant') {
      return o[k + O_GROWN] > PLANT_RIPE_AFTER
        ? 'A ripe plant: Space eats it.'
        : 'A sapling, still growing. Keep zombies away from it.';
    }
    if (kind === 'cow') return 'A cow: Space hits it; beat it to eat.';
    if (kind === 'zombie' || kind === 'skeleton') return `A ${kind}! Space attacks. Swords hit harder.`;
    if (kind === 'player') return 'Another player.';
    return null;
  }
  const material = MATERIALS[frame.material[x * WORLD_SIZE + y]];
  if (material === 'lava') return 'Lava! Walking in is deadly.';
  if (material === 'table') return 'A table: with it nearby, 1 and 4 make wood tools (2, 5 with stone).';
  if (material === 'furnace') return 'A furnace: with a table too, 3 and 6 make iron tools.';
  const rule = COLLECT_RULES.find((r) => r.material === material);
  if (!rule) return null;
  const missing = (Object.entries(rule.require) as [ItemName, number][]).filter(
    ([item, n]) => me.inventory[Item[item]] < n,
  );
  if (missing.length > 0)
    return `${cap(words(material))}: needs a ${missing.map(([item]) => words(item)).join(' and ')}.`;
  if (material === 'water') return 'Water: Space drinks.';
  if (material === 'grass') return 'Grass: Space may find a sapling.';
  return `${cap(words(material))}: Space collects ${words(rule.receive)}.`;
}
