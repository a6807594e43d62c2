/**
 * The agent view: Crafter's RGB observation of one player (shared/CRAFTER_RULES.md §15.1–§15.6,
 * §18), drawn in pure TypeScript from the project's texture atlas, and the player's local
 * semantic view.
 *
 * Image layout (size s, unit u = ⌊s / 9⌋, offset o = ⌊(s − 9u) / 2⌋ on both axes):
 *   - local map: 9 × 7 cells of u × u px at rows o … o + 7u − 1, columns o … o + 9u − 1,
 *     cell (i, j) showing world tile (x + i − 4, y + j − 3), the player in cell (4, 3);
 *   - inventory: 9 × 2 cells below it (entry k in cell (k mod 9, ⌊k / 9⌋));
 *   - everything else black.
 * Output: s × s × 3 bytes, RGB, row-major (index (row · s + column) · 3).
 *
 * Rendering reads the world and never changes it: the night noise of §15.4 comes from a hash of
 * (world seed, step, pixel), not from the game PRNG, so rendering or not rendering a frame
 * leaves every later state identical (§14, §18).
 */
import { INVENTORY, MATERIALS, ObjectKind, VIEW_COLS as COLS, VIEW_ROWS as ROWS } from '../constants.ts';
import { exp } from '../det-math.ts';
import type { Entity, Player } from '../entity.ts';
import { PLANT_RIPE_AFTER } from '../rules.ts';
import type { WorldState } from '../world-state.ts';
import {
  ARROW_TEXTURES,
  DIGIT_TEXTURES,
  ICON_TEXTURES,
  MATERIAL_TEXTURES,
  PLAYER_TEXTURES,
  TEXTURE_SIZE,
  scaleNearest,
  type TextureName,
  type Textures,
} from './textures.ts';

// Module-local copies: under loaders that compile modules to CommonJS (tsx, vite-node) every
// read of an imported binding is a getter call.
const VIEW_COLS = COLS;
const VIEW_ROWS = ROWS;
const VIEW_CELLS = COLS * ROWS;
const NUM_ITEMS = INVENTORY.length;
const PLAYER = ObjectKind.player;
const COW = ObjectKind.cow;
const ZOMBIE = ObjectKind.zombie;
const SKELETON = ObjectKind.skeleton;
const ARROW = ObjectKind.arrow;
const PLANT = ObjectKind.plant;
const RIPE_AFTER = PLANT_RIPE_AFTER;
/** Half-extents of the local view: columns x − 4 … x + 4, rows y − 3 … y + 3. */
const HALF_COLS = (VIEW_COLS - 1) >> 1;
const HALF_ROWS = (VIEW_ROWS - 1) >> 1;
/** Whether a Uint32Array stores r | g << 8 | b << 16 as the bytes r, g, b, 0 (every usual platform). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
/** Grey of off-world cells (§15.2). */
const OFF_WORLD = 127;
/** Cell keys: bits per sprite on a cell; material ids start at 1 so that 0 stays unused; off-world. */
const SPRITE_BITS = 5;
const MATERIAL_KEY_BASE = 1;
const OFF_WORLD_KEY = (1 << SPRITE_BITS) - 1;
/** The content-key table (a power of two, well above the 63 cells of a view). */
const TABLE_BITS = 8;
const TABLE_SIZE = 1 << TABLE_BITS;

/** Texture of an entity (§15.3): players by facing or asleep, arrows by direction, plants by ripeness. */
export function entityTexture(entity: Entity): TextureName {
  switch (entity.kind) {
    case PLAYER:
      return (entity as Player).sleeping ? 'player-sleep' : PLAYER_TEXTURES[(entity as Player).facing];
    case COW:
      return 'cow';
    case ZOMBIE:
      return 'zombie';
    case SKELETON:
      return 'skeleton';
    case ARROW:
      return ARROW_TEXTURES[entity.dir];
    case PLANT:
      return entity.grown > RIPE_AFTER ? 'plant-ripe' : 'sapling';
    default:
      throw new RangeError(`no texture for object kind ${entity.kind}`);
  }
}

/** 32-bit integer mix (murmur3 finaliser). */
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The per-frame key of the render noise: a hash of (world seed, step). */
export function renderNoiseKey(seed: number, t: number): number {
  const lo = (seed % 4294967296) >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  let h = fmix(lo ^ 0x52454e44);
  h = fmix(h ^ Math.imul(hi, 0x9e3779b1));
  h = fmix(h ^ (t >>> 0));
  return fmix(h ^ Math.imul(Math.floor(t / 4294967296) >>> 0, 0x27d4eb2f));
}

/** Uniform [0, 1) render noise of one pixel of one frame. */
export function renderNoise(key: number, pixel: number): number {
  return fmix((key ^ Math.imul(pixel + 1, 0x9e3779b1)) >>> 0) / 4294967296;
}

/**
 * Draws agent-view observations at one size. Construct once (it scales every texture to the
 * unit), then call `render` per frame: the per-frame path allocates nothing.
 */
export class AgentViewRenderer {
  readonly size: number;
  /** Pixels per cell. */
  readonly unit: number;
  /** Top-left of the 9 × 9-cell block on both axes. */
  readonly offset: number;
  /** Local map size in pixels (9u × 7u). */
  readonly mapWidth: number;
  readonly mapHeight: number;

  /** Packed-RGB unit × unit material tiles by material id (0 = unknown). */
  private readonly materials: Uint32Array[];
  /** RGBA unit × unit sprites of the objects, and their index in that list by texture name. */
  private readonly sprites: Uint8Array[] = [];
  private readonly spriteIndex = new Map<TextureName, number>();
  private readonly icons: Uint8Array[];
  private readonly iconSize: number;
  private readonly iconOffset: number;
  private readonly digits: Uint8Array[];
  private readonly digitSize: number;
  private readonly digitOffset: number;
  /**
   * The local map at night, one packed r | g << 8 | b << 16 per pixel, `stride` pixels per row:
   * composed, then lit in place. Columns from mapWidth on stay 0.
   */
  private readonly canvas: Uint32Array;
  private readonly stride: number;
  /**
   * By day, where each map pixel lies this frame: pixel (x, y) of cell row j = ⌊y / unit⌋ is
   * `litTiles[tileSource[j · stride + x] + (y − j · unit) · unit]`; columns from mapWidth on point
   * at a tile that stays 0.
   */
  private readonly tileSource: Int32Array;
  /** Whether the map can be written as whole 32-bit words (see `writeCanvas`). */
  private readonly wordAligned: boolean;
  /** Vignette weight per local-map pixel (§15.4), indexed y · mapWidth + x. */
  private readonly vignette: Float64Array;
  /** The inventory rows of the image (full width) as last drawn, and the entries they show. */
  private readonly inventoryRows: Uint8Array;
  private readonly inventoryShown = new Int8Array(NUM_ITEMS).fill(-1);

  // Each distinct cell content of a frame (its material and the sprites drawn on it; a frame has
  // ~5–15 of 63) is composed once. By day (no night noise) a map pixel's colour depends on its
  // composed colour alone, so such a content is also lit once and read by every cell showing it.
  /** Per cell of the view: its content key (see `cellKey`), or -1 when it cannot be keyed. */
  private readonly cellKeys = new Int32Array(VIEW_CELLS);
  /** Sprites in the view this frame, in drawing order: their cell and sprite index. */
  private inViewCell = new Int32Array(32);
  private inViewSprite = new Int32Array(32);
  private inView = 0;
  /** Open-addressing table content key → lit tile slot, valid where `tableFrame` is this frame. */
  private readonly tableKeys = new Int32Array(TABLE_SIZE);
  private readonly tableSlots = new Int32Array(TABLE_SIZE);
  private readonly tableFrame = new Uint32Array(TABLE_SIZE);
  private frame = 0;
  /** Slots handed out this frame (one per distinct content, at most one per cell). */
  private slots = 0;
  /** Whether the last `slotOf` composed a new tile. */
  private fresh = false;
  /** The view's top-left world tile this frame. */
  private x0 = 0;
  private y0 = 0;
  /**
   * This frame's tiles by slot, packed RGB, unit × unit: composed, and lit (by day). One slot more
   * than cells: the last stays 0 (the map's padding columns point there).
   */
  private readonly composedTiles: Uint32Array;
  private readonly litTiles: Uint32Array;

  constructor(textures: Textures, size = 64) {
    if (!Number.isInteger(size) || size < VIEW_COLS) {
      throw new RangeError(`observation size must be an integer ≥ ${VIEW_COLS}, got ${size}`);
    }
    this.size = size;
    const unit = Math.floor(size / VIEW_COLS);
    this.unit = unit;
    this.offset = Math.floor((size - VIEW_COLS * unit) / 2);
    this.mapWidth = VIEW_COLS * unit;
    this.mapHeight = VIEW_ROWS * unit;
    const src = textures.size;
    if (src !== TEXTURE_SIZE) throw new RangeError(`textures must be ${TEXTURE_SIZE} px, got ${src}`);

    this.materials = MATERIAL_TEXTURES.map((name) => {
      const rgba = scaleNearest(textures.get(name), src, unit);
      const packed = new Uint32Array(unit * unit);
      for (let i = 0; i < unit * unit; i++) packed[i] = pack(rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2]);
      return packed;
    });
    if (this.materials.length !== MATERIALS.length) throw new Error('material textures out of step with MATERIALS');
    const objectTextures: TextureName[] = [
      ...PLAYER_TEXTURES,
      'player-sleep',
      'cow',
      'zombie',
      'skeleton',
      ...ARROW_TEXTURES,
      'sapling',
      'plant-ripe',
    ];
    for (const name of objectTextures) {
      this.spriteIndex.set(name, this.sprites.length);
      this.sprites.push(scaleNearest(textures.get(name), src, unit));
    }
    if (this.sprites.length >= 1 << SPRITE_BITS || this.materials.length >= 1 << SPRITE_BITS)
      throw new Error('too many textures for the cell keys');
    this.composedTiles = new Uint32Array((VIEW_CELLS + 1) * unit * unit);
    this.litTiles = new Uint32Array((VIEW_CELLS + 1) * unit * unit);

    // §15.6: ⌊0.8·unit⌋ icons at ⌊0.1·unit⌋, ⌊0.6·unit⌋ digits at ⌊0.4·unit⌋.
    this.iconSize = Math.floor(0.8 * unit);
    this.iconOffset = Math.floor(0.1 * unit);
    this.digitSize = Math.floor(0.6 * unit);
    this.digitOffset = Math.floor(0.4 * unit);
    this.icons = ICON_TEXTURES.map((name) => scaleNearest(textures.get(name), src, this.iconSize));
    this.digits = DIGIT_TEXTURES.map((name) => scaleNearest(textures.get(name), src, this.digitSize));
    this.inventoryRows = new Uint8Array(2 * unit * size * 3);

    const W = this.mapWidth;
    const H = this.mapHeight;
    // Words: 4 pixels are 3 words, so every map row must start on a word and the row rounded up
    // to 4 pixels must fit in the image row (the extra pixels are black there anyway).
    this.stride = (W + 3) & ~3;
    this.wordAligned = LITTLE_ENDIAN && size % 4 === 0 && this.offset % 4 === 0 && this.offset + this.stride <= size;
    this.canvas = new Uint32Array(this.stride * H);
    // The padding columns of tileSource stay on the zero tile; the rest is set per frame.
    this.tileSource = new Int32Array(VIEW_ROWS * this.stride).fill(VIEW_CELLS * unit * unit);
    this.vignette = new Float64Array(W * H);
    for (let y = 0; y < H; y++) {
      const v = H > 1 ? -1 + (2 * y) / (H - 1) : 0;
      for (let x = 0; x < W; x++) {
        const u = W > 1 ? -1 + (2 * x) / (W - 1) : 0;
        this.vignette[y * W + x] = 1 - exp((-0.5 * (u * u + v * v)) / (0.5 * 0.5));
      }
    }
  }

  /**
   * Renders the observation of the player in `slot` into `out` (allocated when omitted) and
   * returns it: size × size × 3 bytes, RGB, row-major.
   */
  render(world: WorldState, slot: number, out?: Uint8Array): Uint8Array {
    const size = this.size;
    const bytes = size * size * 3;
    if (out !== undefined && out.length !== bytes) {
      throw new RangeError(`out must hold ${bytes} bytes, got ${out.length}`);
    }
    const player = world.player(slot);
    // A new array is all black already; one passed in is cleared.
    if (out === undefined) out = new Uint8Array(bytes);
    else out.fill(0);
    this.keyCells(world, player);
    if (world.daylight < 0.5) {
      this.drawCanvas(world);
      this.lightAtNight(world, player.sleeping);
      this.writeCanvas(out);
    } else {
      this.drawLit(world, player.sleeping);
      this.writeLit(out);
    }
    this.drawInventory(out, player.inventory);
    return out;
  }

  /**
   * §15.2 per cell of the view: its content key (the material id, or OFF_WORLD_KEY, then
   * SPRITE_BITS per sprite drawn on it; -1 when that does not fit) and the sprites in the view in
   * drawing order (players, then objects, each in update order) with their cells.
   */
  private keyCells(world: WorldState, player: Player): void {
    const x0 = player.x - HALF_COLS;
    const y0 = player.y - HALF_ROWS;
    this.x0 = x0;
    this.y0 = y0;
    const N = world.size;
    const material = world.material;
    const keys = this.cellKeys;
    const known = this.materials.length;
    for (let j = 0; j < VIEW_ROWS; j++) {
      const wy = y0 + j;
      for (let i = 0; i < VIEW_COLS; i++) {
        const wx = x0 + i;
        let key = OFF_WORLD_KEY;
        if (wx >= 0 && wy >= 0 && wx < N && wy < N) {
          // The tile's index (unknown ids show tile 0) plus MATERIAL_KEY_BASE.
          const id = material[wx * N + wy];
          key = (id < known ? id : 0) + MATERIAL_KEY_BASE;
        }
        keys[j * VIEW_COLS + i] = key;
      }
    }
    this.inView = 0;
    const players = world.players;
    for (let k = 0; k < players.length; k++) {
      const p = players[k];
      if (!p.removed) this.noteSprite(p);
    }
    const objects = world.objects;
    for (let k = 0; k < objects.length; k++) {
      const o = objects[k];
      if (!o.removed) this.noteSprite(o);
    }
    for (let e = 0; e < this.inView; e++) {
      const c = this.inViewCell[e];
      const key = keys[c];
      keys[c] = key < 0 || key >= 1 << (31 - SPRITE_BITS) ? -1 : (key << SPRITE_BITS) | (this.inViewSprite[e] + 1);
    }
    this.frame = (this.frame + 1) >>> 0 || 1;
    this.slots = 0;
  }

  private noteSprite(entity: Entity): void {
    const i = entity.x - this.x0;
    const j = entity.y - this.y0;
    if (i < 0 || j < 0 || i >= VIEW_COLS || j >= VIEW_ROWS) return;
    if (this.inView === this.inViewCell.length) {
      const cells = new Int32Array(this.inView * 2);
      const sprites = new Int32Array(this.inView * 2);
      cells.set(this.inViewCell);
      sprites.set(this.inViewSprite);
      this.inViewCell = cells;
      this.inViewSprite = sprites;
    }
    this.inViewCell[this.inView] = j * VIEW_COLS + i;
    this.inViewSprite[this.inView] = this.spriteIndex.get(entityTexture(entity))!;
    this.inView++;
  }

  /**
   * The tile slot of cell `c`'s content this frame. A content seen first is composed into
   * `composedTiles` (its material, then its sprites) and `fresh` is set; cells with the same
   * key share the slot.
   */
  private slotOf(world: WorldState, c: number): number {
    const key = this.cellKeys[c];
    const frame = this.frame;
    let h = 0;
    if (key >= 0) {
      h = Math.imul(key, 0x9e3779b1) >>> (32 - TABLE_BITS);
      while (this.tableFrame[h] === frame) {
        if (this.tableKeys[h] === key) {
          this.fresh = false;
          return this.tableSlots[h];
        }
        h = (h + 1) & (TABLE_SIZE - 1);
      }
    }
    const slot = this.slots++;
    this.composeCell(world, c, slot);
    this.fresh = true;
    if (key >= 0) {
      this.tableFrame[h] = frame;
      this.tableKeys[h] = key;
      this.tableSlots[h] = slot;
    }
    return slot;
  }

  /** One cell of the view before lighting into tile `slot`: its material, then its sprites alpha-blended. */
  private composeCell(world: WorldState, c: number, slot: number): void {
    // The tiles stack as one image `unit` wide: slot s is its rows s·unit … (s + 1)·unit − 1.
    const unit = this.unit;
    const tiles = this.composedTiles;
    const start = slot * unit * unit;
    const i = c % VIEW_COLS;
    const j = (c - i) / VIEW_COLS;
    const wx = this.x0 + i;
    const wy = this.y0 + j;
    const N = world.size;
    if (wx < 0 || wy < 0 || wx >= N || wy >= N)
      tiles.fill(pack(OFF_WORLD, OFF_WORLD, OFF_WORLD), start, start + unit * unit);
    else {
      const id = world.material[wx * N + wy];
      tiles.set(this.materials[id < this.materials.length ? id : 0], start);
    }
    for (let e = 0; e < this.inView; e++)
      if (this.inViewCell[e] === c) blendPacked(tiles, unit, 0, slot * unit, this.sprites[this.inViewSprite[e]], unit);
  }

  /**
   * Daylight ≥ 0.5 (no night noise): each distinct cell content is composed and lit once
   * (§15.4–15.5), and `tileSource` points every cell's pixels at its lit tile.
   */
  private drawLit(world: WorldState, sleeping: boolean): void {
    const unit = this.unit;
    const uu = unit * unit;
    const stride = this.stride;
    const composed = this.composedTiles;
    const lit = this.litTiles;
    const source = this.tileSource;
    const D = world.daylight;
    for (let j = 0, c = 0; j < VIEW_ROWS; j++) {
      const row = j * stride;
      for (let i = 0; i < VIEW_COLS; i++, c++) {
        const from = this.slotOf(world, c) * uu;
        if (this.fresh) for (let p = from; p < from + uu; p++) lit[p] = shadeByDay(composed[p], D, sleeping);
        // The cell's columns: the tile's first row.
        for (let k = 0, x = i * unit; k < unit; k++, x++) source[row + x] = from + k;
      }
    }
  }

  /**
   * Daylight ≥ 0.5: the lit tiles straight into the image's map rows (no canvas), as words where
   * `wordsOf` allows (see `writeCanvas` for the layout).
   */
  private writeLit(out: Uint8Array): void {
    const W = this.mapWidth;
    const unit = this.unit;
    const stride = this.stride;
    const size = this.size;
    const off = this.offset;
    const lit = this.litTiles;
    const source = this.tileSource;
    const words = this.wordsOf(out);
    for (let j = 0, y = 0; j < VIEW_ROWS; j++) {
      for (let k = 0, row = j * stride; k < unit; k++, y++) {
        const down = k * unit;
        if (words !== null) {
          let w = (off + y) * ((size * 3) >> 2) + ((off * 3) >> 2);
          for (let x = row, end = row + stride; x < end; x += 4, w += 3) {
            const p1 = lit[source[x + 1] + down];
            const p2 = lit[source[x + 2] + down];
            words[w] = lit[source[x] + down] | (p1 << 24);
            words[w + 1] = (p1 >>> 8) | (p2 << 16);
            words[w + 2] = (p2 >>> 16) | (lit[source[x + 3] + down] << 8);
          }
          continue;
        }
        let o = ((off + y) * size + off) * 3;
        for (let x = row, end = row + W; x < end; x++, o += 3) {
          const v = lit[source[x] + down];
          out[o] = v;
          out[o + 1] = v >>> 8;
          out[o + 2] = v >>> 16;
        }
      }
    }
  }

  /** Copies tile `from` of `tiles` (unit × unit, packed) into cell `c` of the canvas. */
  private putTile(tiles: Uint32Array, from: number, c: number): void {
    const unit = this.unit;
    const stride = this.stride;
    const canvas = this.canvas;
    const i = c % VIEW_COLS;
    const j = (c - i) / VIEW_COLS;
    let t = from;
    for (let r = 0, d = j * unit * stride + i * unit; r < unit; r++, d += stride)
      for (let k = 0; k < unit; k++) canvas[d + k] = tiles[t++];
  }

  /** Daylight < 0.5: the composed local map into the canvas, for lighting pixel by pixel. */
  private drawCanvas(world: WorldState): void {
    const uu = this.unit * this.unit;
    for (let c = 0; c < VIEW_CELLS; c++) this.putTile(this.composedTiles, this.slotOf(world, c) * uu, c);
  }

  /** Daylight < 0.5: §15.4 with night noise and vignette and §15.5 sleeping, pixel by pixel, in place. */
  private lightAtNight(world: WorldState, sleeping: boolean): void {
    const W = this.mapWidth;
    const H = this.mapHeight;
    const stride = this.stride;
    const canvas = this.canvas;
    const vignette = this.vignette;
    const D = world.daylight;
    const amount = 2 * (0.5 - D);
    const key = renderNoiseKey(world.seed, world.t);
    for (let y = 0; y < H; y++) {
      // p: the pixel's index in the map (noise, vignette); c: its place in the canvas.
      for (let x = 0, p = y * W, c = y * stride; x < W; x++, p++, c++) {
        const v = canvas[c];
        const r = v & 255;
        const g = (v >>> 8) & 255;
        const b = v >>> 16;
        const m = amount * vignette[p];
        const grey = 32 + 95 * renderNoise(key, p);
        canvas[c] = shade(r, g, b, (1 - m) * r + m * grey, (1 - m) * g + m * grey, (1 - m) * b + m * grey, D, sleeping);
      }
    }
  }

  /**
   * Daylight < 0.5: the lit canvas into the image's map rows. (Night frames keep the canvas: read
   * through `tileSource` like `writeLit`, they measured ≈ 6–9 % slower.) Where rows start on a
   * word (64 × 64: offset 0), 4 pixels go out as 3 little-endian words — bytes r0 g0 b0 r1 |
   * g1 b1 r2 g2 | b2 r3 g3 b3 — instead of 12 byte writes; the canvas's padding columns are 0, as
   * the image is there.
   */
  private writeCanvas(out: Uint8Array): void {
    const W = this.mapWidth;
    const H = this.mapHeight;
    const stride = this.stride;
    const canvas = this.canvas;
    const size = this.size;
    const off = this.offset;
    const words = this.wordsOf(out);
    for (let y = 0; y < H; y++) {
      if (words !== null) {
        let w = (off + y) * ((size * 3) >> 2) + ((off * 3) >> 2);
        for (let c = y * stride, end = c + stride; c < end; c += 4, w += 3) {
          const p1 = canvas[c + 1];
          const p2 = canvas[c + 2];
          words[w] = canvas[c] | (p1 << 24);
          words[w + 1] = (p1 >>> 8) | (p2 << 16);
          words[w + 2] = (p2 >>> 16) | (canvas[c + 3] << 8);
        }
        continue;
      }
      let o = ((off + y) * size + off) * 3;
      for (let c = y * stride, end = c + W; c < end; c++, o += 3) {
        const v = canvas[c];
        out[o] = v;
        out[o + 1] = v >>> 8;
        out[o + 2] = v >>> 16;
      }
    }
  }

  /** `out` as 32-bit words when the map rows can be written as words (little-endian, rows on a word), else null. */
  private wordsOf(out: Uint8Array): Uint32Array | null {
    if (!this.wordAligned || out.byteOffset % 4 !== 0) return null;
    return new Uint32Array(out.buffer, out.byteOffset, (this.size * this.size * 3) >> 2);
  }

  /**
   * §15.6: black rows; entry k in cell (k mod 9, ⌊k / 9⌋), icon then count digit, not darkened.
   * The rows depend on the shown entries alone (counts clamped to 9): they are redrawn only when
   * those change since the last frame, else copied as they were.
   */
  private drawInventory(out: Uint8Array, inventory: Int32Array): void {
    const unit = this.unit;
    const size = this.size;
    const top = this.offset + VIEW_ROWS * unit;
    const rows = this.inventoryRows;
    const shown = this.inventoryShown;
    let changed = false;
    for (let k = 0; k < NUM_ITEMS; k++) {
      const count = inventory[k];
      const entry = count < 1 ? 0 : Math.min(count, 9);
      if (shown[k] !== entry) {
        shown[k] = entry;
        changed = true;
      }
    }
    if (changed) {
      // Drawn into `rows`, whose row 0 is the image's row `top`.
      rows.fill(0);
      const left = this.offset;
      for (let k = 0; k < NUM_ITEMS; k++) {
        const entry = shown[k];
        if (entry === 0) continue;
        const cx = left + (k % VIEW_COLS) * unit;
        const cy = Math.floor(k / VIEW_COLS) * unit;
        blend(rows, size, cx + this.iconOffset, cy + this.iconOffset, this.icons[k], this.iconSize);
        blend(rows, size, cx + this.digitOffset, cy + this.digitOffset, this.digits[entry - 1], this.digitSize);
      }
    }
    out.set(rows, top * size * 3);
  }
}

/**
 * §15.4–15.5 for one pixel of composed colour (r, g, b), (nr, ng, nb) after the night noise (the
 * same colour by day), at daylight D, as packed RGB.
 */
function shade(
  r: number,
  g: number,
  b: number,
  nr: number,
  ng: number,
  nb: number,
  D: number,
  sleeping: boolean,
): number {
  // Desaturate to 40 % colour, then tint halfway toward (0, 16, 64).
  const gray = 0.299 * nr + 0.587 * ng + 0.114 * nb;
  nr = 0.5 * (0.4 * nr + 0.6 * gray);
  ng = 0.5 * (0.4 * ng + 0.6 * gray) + 8;
  nb = 0.5 * (0.4 * nb + 0.6 * gray) + 32;
  const E = 1 - D;
  let fr = D * r + E * nr;
  let fg = D * g + E * ng;
  let fb = D * b + E * nb;
  if (sleeping) {
    const s = 0.299 * fr + 0.587 * fg + 0.114 * fb;
    fr = 0.5 * s;
    fg = 0.5 * s;
    fb = 0.5 * s + 8;
  }
  // Every value lies in [0, 255] (convex mixes of bytes, plus tints that stay below); `& 255`
  // truncates as a store into a byte array does (§15.5).
  return (fr & 255) | ((fg & 255) << 8) | ((fb & 255) << 16);
}

/** `shade` of a packed composed colour without night noise. */
function shadeByDay(v: number, D: number, sleeping: boolean): number {
  const r = v & 255;
  const g = (v >>> 8) & 255;
  const b = v >>> 16;
  return shade(r, g, b, r, g, b, D, sleeping);
}

function pack(r: number, g: number, b: number): number {
  return (r | (g << 8) | (b << 16)) >>> 0;
}

/** `blend` onto a packed-RGB image. */
function blendPacked(dst: Uint32Array, width: number, x0: number, y0: number, sprite: Uint8Array, n: number): void {
  for (let y = 0; y < n; y++) {
    let d = (y0 + y) * width + x0;
    let s = y * n * 4;
    for (let x = 0; x < n; x++, d++, s += 4) {
      const a = sprite[s + 3];
      if (a === 0) continue;
      if (a === 255) {
        dst[d] = pack(sprite[s], sprite[s + 1], sprite[s + 2]);
      } else {
        const ia = 255 - a;
        const v = dst[d];
        dst[d] = pack(
          ((a * sprite[s] + ia * (v & 255)) / 255) | 0,
          ((a * sprite[s + 1] + ia * ((v >>> 8) & 255)) / 255) | 0,
          ((a * sprite[s + 2] + ia * (v >>> 16)) / 255) | 0,
        );
      }
    }
  }
}

/**
 * Alpha-blends an n × n RGBA sprite onto an RGB image of width `width` at (x0, y0):
 * result = ⌊(a·src + (255 − a)·dst) / 255⌋ per channel.
 */
function blend(dst: Uint8Array, width: number, x0: number, y0: number, sprite: Uint8Array, n: number): void {
  for (let y = 0; y < n; y++) {
    let d = ((y0 + y) * width + x0) * 3;
    let s = y * n * 4;
    for (let x = 0; x < n; x++, d += 3, s += 4) {
      const a = sprite[s + 3];
      if (a === 0) continue;
      if (a === 255) {
        dst[d] = sprite[s];
        dst[d + 1] = sprite[s + 1];
        dst[d + 2] = sprite[s + 2];
      } else {
        const ia = 255 - a;
        dst[d] = ((a * sprite[s] + ia * dst[d]) / 255) | 0;
        dst[d + 1] = ((a * sprite[s + 1] + ia * dst[d + 1]) / 255) | 0;
        dst[d + 2] = ((a * sprite[s + 2] + ia * dst[d + 2]) / 255) | 0;
      }
    }
  }
}

/** Cells of the local semantic view. */
export const LOCAL_VIEW_SIZE = VIEW_COLS * VIEW_ROWS;

/**
 * The semantic ids (§15.7) of the 9 × 7 tiles the player in `slot` sees, row-major like the
 * image: index j · 9 + i holds tile (x + i − 4, y + j − 3) for column i = 0..8 (left to right)
 * and row j = 0..6 (top to bottom), so the player itself is at index 3 · 9 + 4 = 31.
 * Off-world tiles are 0 ("none"); every player is 13. (The whole-world `semanticMap()` is
 * indexed x · 64 + y instead.)
 */
export function localSemanticView(
  world: WorldState,
  slot: number,
  out: Uint8Array = new Uint8Array(LOCAL_VIEW_SIZE),
): Uint8Array {
  if (out.length !== LOCAL_VIEW_SIZE) throw new RangeError(`out must hold ${LOCAL_VIEW_SIZE} ids, got ${out.length}`);
  writeLocalView(world, slot, out, 0);
  return out;
}

/** The ids of `localSemanticView` written into any numeric array from `offset` (no checks). */
export function writeLocalView(world: WorldState, slot: number, out: Uint8Array | Float32Array, offset: number): void {
  const player = world.player(slot);
  const x0 = player.x - HALF_COLS;
  const y0 = player.y - HALF_ROWS;
  for (let j = 0; j < VIEW_ROWS; j++) {
    for (let i = 0; i < VIEW_COLS; i++) out[offset + j * VIEW_COLS + i] = world.semanticAt(x0 + i, y0 + j);
  }
}
