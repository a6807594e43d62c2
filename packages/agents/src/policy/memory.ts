/**
 * A policy's memory of the fair views it has seen: an egocentric map. Every view (the 9×7 local
 * view of a frame's tokens) is written into a map at the player's dead-reckoned position, and the
 * policy reads, for each kind it may need (water, trees, stone, coal, iron, diamond, table,
 * furnace, cows, plants), where the nearest remembered cell of that kind lies relative to it now.
 *
 * Fairness: nothing but the frames and the policy's own actions goes in. The position is dead
 * reckoning — a move action displaces the player by its direction or not at all (blocked, asleep),
 * and which of the two happened is read from the next view (the one whose shifted view agrees with
 * the previous view on more static cells; on a tie, whether the previous view showed the target
 * cell free to walk on). The engine's coordinates are never read. Browser-safe.
 *
 * Features (version MEMORY_FEATURES_VERSION): one slot per kind in MEMORY_KINDS; a slot's value is
 * the bucketed offset (dx, dy) of the nearest remembered cell of that kind (by walking distance,
 * within MEMORY_RADIUS), or "none": MEMORY_BINS² + 1 values per slot.
 */
import {
  Action,
  DIRECTIONS,
  Material,
  OBJECT_ID_OFFSET,
  ObjectKind,
  VIEW_COLS,
  VIEW_ROWS,
  WORLD_SIZE,
} from '@aikon/engine';
import { FACING_BASE, FACING_POS, VIEW_TOKENS } from '@aikon/world-model';

/** Bump when the slots, their order or the bucketing change (models record the version they read). */
export const MEMORY_FEATURES_VERSION = 1;

/** The semantic ids the policy is told the nearest remembered position of, one slot each. */
export const MEMORY_KINDS: readonly number[] = [
  Material.water,
  Material.tree,
  Material.stone,
  Material.coal,
  Material.iron,
  Material.diamond,
  Material.table,
  Material.furnace,
  OBJECT_ID_OFFSET + ObjectKind.cow,
  OBJECT_ID_OFFSET + ObjectKind.plant,
];
export const MEMORY_SLOTS = MEMORY_KINDS.length;

/**
 * Offset buckets per axis: ≤ −9, −8…−5, −4…−3, −2, −1, 0, 1,
 * 2, 3…4, 5…8, ≥ 9 (each bucket's upper bound, the last open).
 */
const BIN_UPPER = [-9, -5, -3, -2, -1, 0, 1, 2, 4, 8];
export const MEMORY_BINS = BIN_UPPER.length + 1;
/** Values per slot: a (dx, dy) bucket pair, or none remembered. */
export const MEMORY_VALUES = MEMORY_BINS * MEMORY_BINS + 1;
export const MEMORY_NONE = MEMORY_VALUES - 1;
/** One-hot width of the memory block (slot s, value v → feature s · MEMORY_VALUES + v). */
export const MEMORY_FEATURES = MEMORY_SLOTS * MEMORY_VALUES;
/** Search radius (walking distance) for the nearest remembered cell. */
export const MEMORY_RADIUS = 32;

/** The bucket of an offset along one axis (0 … MEMORY_BINS − 1). */
export function offsetBin(d: number): number {
  let k = 0;
  while (k < BIN_UPPER.length && d > BIN_UPPER[k]) k++;
  return k;
}

/** Map side: any displacement within one world fits whatever the start. */
const SIDE = 2 * WORLD_SIZE;
const UNKNOWN = 255;
const HALF_COLS = VIEW_COLS >> 1;
const HALF_ROWS = VIEW_ROWS >> 1;
const MATERIAL_END = OBJECT_ID_OFFSET;
const WALKABLE = new Set<number>([Material.grass, Material.sand, Material.path, Material.lava]);

/** Cell offsets within MEMORY_RADIUS, nearest (walking distance) first. */
const RING: Int32Array = (() => {
  const cells: [number, number][] = [];
  for (let dy = -MEMORY_RADIUS; dy <= MEMORY_RADIUS; dy++)
    for (let dx = -MEMORY_RADIUS; dx <= MEMORY_RADIUS; dx++)
      if (Math.abs(dx) + Math.abs(dy) <= MEMORY_RADIUS) cells.push([dx, dy]);
  cells.sort((a, b) => Math.abs(a[0]) + Math.abs(a[1]) - (Math.abs(b[0]) + Math.abs(b[1])));
  return Int32Array.from(cells.flat());
})();

const SLOT_OF = new Int8Array(256).fill(-1);
MEMORY_KINDS.forEach((id, s) => {
  SLOT_OF[id] = s;
});

/** One player's map of what its fair views showed, at dead-reckoned positions. */
export class MemoryMap {
  private readonly cells = new Uint8Array(SIDE * SIDE).fill(UNKNOWN);
  private readonly lastView = new Uint8Array(VIEW_TOKENS);
  private started = false;
  /** Dead-reckoned position (the first view's centre is (SIDE/2, SIDE/2)). */
  x = SIDE >> 1;
  y = SIDE >> 1;

  /**
   * Takes the newest frame (81 tokens; the view is its first 63) and the action taken just before
   * it (none at an episode's start).
   */
  observe(frame: ArrayLike<number>, action?: number): void {
    if (this.started && action !== undefined && action >= Action.move_left && action <= Action.move_down) {
      const [dx, dy] = DIRECTIONS[action - Action.move_left];
      // Asleep, actions do nothing (a player who wakes this step does act: the engine wakes it first).
      const asleep = frame[FACING_POS] - FACING_BASE >= 4;
      if (!asleep && this.moved(frame, dx, dy)) {
        this.x = Math.max(HALF_COLS, Math.min(SIDE - 1 - HALF_COLS, this.x + dx));
        this.y = Math.max(HALF_ROWS, Math.min(SIDE - 1 - HALF_ROWS, this.y + dy));
      }
    }
    this.started = true;
    for (let j = 0; j < VIEW_ROWS; j++)
      for (let i = 0; i < VIEW_COLS; i++) {
        const id = frame[j * VIEW_COLS + i];
        this.lastView[j * VIEW_COLS + i] = id;
        this.cells[(this.y + j - HALF_ROWS) * SIDE + this.x + i - HALF_COLS] = id;
      }
  }

  /**
   * Whether a move by (dx, dy) happened between the last view and `frame`: which of "stayed" and
   * "moved" explains more of the new view's static cells, counted over the cells both can explain.
   */
  private moved(frame: ArrayLike<number>, dx: number, dy: number): boolean {
    let stay = 0;
    let move = 0;
    for (let j = Math.max(0, -dy); j < Math.min(VIEW_ROWS, VIEW_ROWS - dy); j++)
      for (let i = Math.max(0, -dx); i < Math.min(VIEW_COLS, VIEW_COLS - dx); i++) {
        const now = frame[j * VIEW_COLS + i];
        const same = this.lastView[j * VIEW_COLS + i];
        const shifted = this.lastView[(j + dy) * VIEW_COLS + i + dx];
        // Creatures and the player move; materials stay (bar a collected or placed one).
        if (now >= MATERIAL_END || same >= MATERIAL_END || shifted >= MATERIAL_END) continue;
        if (same === now) stay++;
        if (shifted === now) move++;
      }
    if (move !== stay) return move > stay;
    return WALKABLE.has(this.lastView[(HALF_ROWS + dy) * VIEW_COLS + HALF_COLS + dx]);
  }

  /** The last seen semantic id at an offset from the player's position (null: never seen). */
  remembered(dx: number, dy: number): number | null {
    const x = this.x + dx;
    const y = this.y + dy;
    if (x < 0 || y < 0 || x >= SIDE || y >= SIDE) return null;
    const id = this.cells[y * SIDE + x];
    return id === UNKNOWN ? null : id;
  }

  /** Writes each slot's feature value (MEMORY_SLOTS values, 0 … MEMORY_NONE) into out[offset …]. */
  features(out: Int32Array, offset = 0): Int32Array {
    out.fill(MEMORY_NONE, offset, offset + MEMORY_SLOTS);
    let missing = MEMORY_SLOTS;
    for (let k = 0; k < RING.length && missing > 0; k += 2) {
      const x = this.x + RING[k];
      const y = this.y + RING[k + 1];
      if (x < 0 || y < 0 || x >= SIDE || y >= SIDE) continue;
      const s = SLOT_OF[this.cells[y * SIDE + x]];
      if (s < 0 || out[offset + s] !== MEMORY_NONE) continue;
      out[offset + s] = offsetBin(RING[k]) * MEMORY_BINS + offsetBin(RING[k + 1]);
      missing--;
    }
    return out;
  }

  reset(): void {
    this.cells.fill(UNKNOWN);
    this.started = false;
    this.x = this.y = SIDE >> 1;
  }
}
