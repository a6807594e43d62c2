import { NUM_ITEMS, VIEW_COLS, VIEW_ROWS } from './constants.ts';
import { writeLocalView } from './render/agent-view.ts';
import type { WorldState } from './world-state.ts';

/**
 * The "fair view" of one player: what the 64×64 image shows, as numbers — the layout agents'
 * observation vectors and the world model's token frames share (packages/world-model/src/tokens.ts
 * imports these positions):
 *
 *   0..62  the local 9×7 view, row-major (index j · 9 + i is tile (x + i − 4, y + j − 3)),
 *          semantic ids as in `localSemanticView` (0 = off-world, materials 1..12, objects 13..18)
 *   63     facing (0..3 = left, right, up, down) + 4 while asleep
 *   64..79 the 16 inventory counts in INVENTORY order (health, food, drink, energy first)
 *   80     daylight in [0, 1]
 */
export const FAIR_VIEW_CELLS = VIEW_COLS * VIEW_ROWS; // 63
export const FAIR_VIEW_FACING = FAIR_VIEW_CELLS; // 63
export const FAIR_VIEW_INVENTORY = FAIR_VIEW_FACING + 1; // 64
export const FAIR_VIEW_DAYLIGHT = FAIR_VIEW_INVENTORY + NUM_ITEMS; // 80
export const FAIR_VIEW_SIZE = FAIR_VIEW_DAYLIGHT + 1; // 81

/** Writes the fair view of player `slot` into out[offset … offset + FAIR_VIEW_SIZE). */
export function writeFairView(world: WorldState, slot: number, out: Float32Array, offset = 0): void {
  writeLocalView(world, slot, out, offset);
  const player = world.player(slot);
  out[offset + FAIR_VIEW_FACING] = player.facing + (player.sleeping ? 4 : 0);
  const inventory = player.inventory;
  for (let k = 0; k < NUM_ITEMS; k++) out[offset + FAIR_VIEW_INVENTORY + k] = inventory[k];
  out[offset + FAIR_VIEW_DAYLIGHT] = world.daylight;
}
