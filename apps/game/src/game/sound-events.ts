import { ACTIONS, Item, WORLD_SIZE } from '@aikon/engine';
import type { GameFrame } from './protocol.ts';
import type { SoundKind } from './sound.ts';

/** The sounds one tick deserves, from the difference between two frames of the same game. */
export function soundsBetween(prev: GameFrame, next: GameFrame): SoundKind[] {
  if (prev.seed !== next.seed || next.t !== prev.t + 1) return [];
  const a = prev.players.find((p) => p.slot === prev.me);
  const b = next.players.find((p) => p.slot === next.me);
  if (!a || !b) return [];
  const out: SoundKind[] = [];
  if (b.dead && !a.dead) return ['death'];
  if (b.newAchievements.length > 0) out.push('achievement');
  if (b.inventory[Item.health] < a.inventory[Item.health]) out.push('hurt');
  if (b.inventory[Item.drink] > a.inventory[Item.drink]) out.push('drink');
  if (b.inventory[Item.food] > a.inventory[Item.food]) out.push('eat');
  if (b.sleeping && !a.sleeping) out.push('sleep');
  // A tile next to the player changed: mined or placed.
  const action = ACTIONS[b.action] ?? 'noop';
  for (let dx = -1; dx <= 1; dx++) {
    for (let dy = -1; dy <= 1; dy++) {
      const x = b.x + dx;
      const y = b.y + dy;
      if (x < 0 || y < 0 || x >= WORLD_SIZE || y >= WORLD_SIZE) continue;
      const i = x * WORLD_SIZE + y;
      if (prev.material[i] !== next.material[i]) {
        out.push(action.startsWith('place') ? 'place' : 'collect');
        dx = dy = 2;
      }
    }
  }
  if (action.startsWith('make') && b.inventory.some((n, i) => n !== a.inventory[i])) out.push('place');
  if (action === 'do' && out.length === 0) {
    // Hitting a creature: some object's health dropped.
    const before = new Map<number, number>();
    for (let k = 0; k < prev.objects.length; k += 7) before.set(prev.objects[k], prev.objects[k + 4]);
    for (let k = 0; k < next.objects.length; k += 7) {
      const h = before.get(next.objects[k]);
      if (h !== undefined && next.objects[k + 4] < h) {
        out.push('hit');
        break;
      }
    }
  }
  return out;
}
