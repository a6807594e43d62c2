/**
 * The dreamed map: what a dreamer has seen, kept by dead-reckoned position (browser-safe).
 * A torus of MAP_SIZE² cells (larger than the 64×64 world plus a view, so nothing within reach
 * wraps onto itself); UNKNOWN where nothing was seen. The player's own cell is never written
 * (it shows the player, not the ground under it).
 */
import { DIRECTIONS, VIEW_COLS, VIEW_ROWS } from '@aikon/engine';
import { VIEW_TOKENS } from '../tokens.ts';
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
    for (let p = 0; p < VIEW_TOKENS; p++) {
      if (p === CENTER) continue;
      this.cells[this.index((p % VIEW_COLS) - HALF_COLS, Math.floor(p / VIEW_COLS) - HALF_ROWS)] = view[o + p];
    }
  }

  /** The 11×9 prior window around the current position into `out` at `o`. */
  readPrior(out: Uint8Array, o: number): void {
    for (let j = 0; j < PRIOR_ROWS; j++) {
      for (let i = 0; i < PRIOR_COLS; i++)
        out[o + j * PRIOR_COLS + i] = this.cells[this.index(i - HALF_COLS - 1, j - HALF_ROWS - 1)];
    }
  }

  /** The remembered cell at offset (dx, dy) from the current position. */
  at(dx: number, dy: number): number {
    return this.cells[this.index(dx, dy)];
  }
}
