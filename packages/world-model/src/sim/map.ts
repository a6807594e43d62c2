/**
 * The dreamed map: what a dreamer has seen, kept by dead-reckoned position (browser-safe).
 * A torus of MAP_SIZE² cells (larger than the 64×64 world plus a view, so nothing within reach
 * wraps onto itself); UNKNOWN where nothing was seen. The player's own cell is never written
 * (it shows the player, not the ground under it).
 */
import { DIRECTIONS, VIEW_COLS, VIEW_ROWS } from '@aikon/engine';
import { CENTER, PRIOR_COLS, PRIOR_ROWS, UNKNOWN } from './layout.ts';

export const MAP_SIZE = 160;
const HALF_COLS = (VIEW_COLS - 1) / 2;
const HALF_ROWS = (VIEW_ROWS - 1) / 2;

export class DreamMap {
  readonly cells = new Uint8Array(MAP_SIZE * MAP_SIZE).fill(UNKNOWN);
  x = MAP_SIZE / 2;
  y = MAP_SIZE / 2;

  clear(): void {
    this.cells.fill(UNKNOWN);
  }

  /** Moves the dead-reckoned position by a move class (0 stays). */
  move(m: number): void {
    if (m <= 0) return;
    const [dx, dy] = DIRECTIONS[m - 1];
    this.x = (this.x + dx + MAP_SIZE) % MAP_SIZE;
    this.y = (this.y + dy + MAP_SIZE) % MAP_SIZE;
  }

  private index(dx: number, dy: number): number {
    return ((this.y + dy + MAP_SIZE) % MAP_SIZE) * MAP_SIZE + ((this.x + dx + MAP_SIZE) % MAP_SIZE);
  }

  /** Remembers a view (the first 63 tokens at `o`) around the current position. */
  write(view: ArrayLike<number>, o: number): void {
    const cells = this.cells;
    const x0 = this.x - HALF_COLS;
    for (let j = 0; j < VIEW_ROWS; j++) {
      const row = wrap(this.y + j - HALF_ROWS) * MAP_SIZE;
      for (let i = 0; i < VIEW_COLS; i++) {
        const p = j * VIEW_COLS + i;
        if (p !== CENTER) cells[row + wrap(x0 + i)] = view[o + p];
      }
    }
  }

  /** The 11×9 prior window around the current position into `out` at `o`. */
  readPrior(out: Uint8Array, o: number): void {
    const cells = this.cells;
    const x0 = this.x - HALF_COLS - 1;
    for (let j = 0; j < PRIOR_ROWS; j++) {
      const row = wrap(this.y + j - HALF_ROWS - 1) * MAP_SIZE;
      const oj = o + j * PRIOR_COLS;
      if (x0 >= 0 && x0 + PRIOR_COLS <= MAP_SIZE)
        for (let i = 0; i < PRIOR_COLS; i++) out[oj + i] = cells[row + x0 + i];
      else for (let i = 0; i < PRIOR_COLS; i++) out[oj + i] = cells[row + wrap(x0 + i)];
    }
  }

  /** The remembered cell at offset (dx, dy) from the current position. */
  at(dx: number, dy: number): number {
    return this.cells[this.index(dx, dy)];
  }
}

/** A coordinate on the torus (within one lap of it). */
function wrap(v: number): number {
  return v < 0 ? v + MAP_SIZE : v >= MAP_SIZE ? v - MAP_SIZE : v;
}
