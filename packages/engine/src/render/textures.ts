/**
 * The project's texture atlas (shared/CRAFTER_RULES.md §15.3).
 *
 * Every sprite is a 16×16 RGBA image. The atlas (`public/textures/atlas.png`, written by
 * `packages/engine/scripts/make-textures.ts`) stores them in a grid of ATLAS_COLUMNS columns,
 * row-major, in the order of TEXTURE_NAMES. Material tiles are opaque; players, creatures,
 * arrows, plants, inventory icons and digits have transparent backgrounds.
 *
 * No file system access here: the browser fetches the atlas and calls `decodeAtlas`; Node code
 * uses `loadTextures()` from `@aikon/engine/node`.
 */
import { decode } from 'fast-png';
import { INVENTORY, type ItemName, MATERIALS, type MaterialName } from '../constants.ts';

/** Side of every sprite in source pixels. */
export const TEXTURE_SIZE = 16;
/** Sprites per atlas row. */
export const ATLAS_COLUMNS = 8;

/** Material tile names by material id (MATERIALS order); id 0 ("none") uses 'unknown'. */
export type MaterialTexture = Exclude<MaterialName, 'none'> | 'unknown';
export const MATERIAL_TEXTURES: readonly MaterialTexture[] = MATERIALS.map((m) => (m === 'none' ? 'unknown' : m));

/** Player textures by facing (DIRECTIONS order: left, right, up, down). */
export const PLAYER_TEXTURES = ['player-left', 'player-right', 'player-up', 'player-down'] as const;
/** Arrow textures by flight direction (DIRECTIONS order). */
export const ARROW_TEXTURES = ['arrow-left', 'arrow-right', 'arrow-up', 'arrow-down'] as const;

/** Inventory icon texture of an inventory entry: `icon-<item>`. */
export type IconName = `icon-${ItemName}`;
export const ICON_TEXTURES = INVENTORY.map((item) => `icon-${item}` as IconName);
/** Digit textures: DIGIT_TEXTURES[n − 1] shows n (1..9). */
export const DIGIT_TEXTURES = [
  'digit-1',
  'digit-2',
  'digit-3',
  'digit-4',
  'digit-5',
  'digit-6',
  'digit-7',
  'digit-8',
  'digit-9',
] as const;

/** Every sprite, in atlas order. */
export const TEXTURE_NAMES = [
  ...MATERIAL_TEXTURES,
  ...PLAYER_TEXTURES,
  'player-sleep',
  'cow',
  'zombie',
  'skeleton',
  ...ARROW_TEXTURES,
  'sapling',
  'plant-ripe',
  'icon-health',
  'icon-food',
  'icon-drink',
  'icon-energy',
  'icon-sapling',
  'icon-wood',
  'icon-stone',
  'icon-coal',
  'icon-iron',
  'icon-diamond',
  'icon-wood_pickaxe',
  'icon-stone_pickaxe',
  'icon-iron_pickaxe',
  'icon-wood_sword',
  'icon-stone_sword',
  'icon-iron_sword',
  ...DIGIT_TEXTURES,
] as const;
export type TextureName = (typeof TEXTURE_NAMES)[number];

/** Atlas size in pixels for the current TEXTURE_NAMES. */
export const ATLAS_WIDTH = ATLAS_COLUMNS * TEXTURE_SIZE;
export const ATLAS_ROWS = Math.ceil(TEXTURE_NAMES.length / ATLAS_COLUMNS);
export const ATLAS_HEIGHT = ATLAS_ROWS * TEXTURE_SIZE;

/** Where a sprite lies in the atlas, in pixels (for UV mapping in the 3D client). */
export function atlasRect(name: TextureName): { x: number; y: number; width: number; height: number } {
  const index = textureIndex(name);
  return {
    x: (index % ATLAS_COLUMNS) * TEXTURE_SIZE,
    y: Math.floor(index / ATLAS_COLUMNS) * TEXTURE_SIZE,
    width: TEXTURE_SIZE,
    height: TEXTURE_SIZE,
  };
}

const INDEX = new Map<string, number>(TEXTURE_NAMES.map((name, i) => [name, i]));

export function textureIndex(name: TextureName): number {
  const index = INDEX.get(name);
  if (index === undefined) throw new RangeError(`unknown texture ${JSON.stringify(name)}`);
  return index;
}

/** Decoded textures: one 16×16 RGBA image (row-major, 4 bytes a pixel) per name. */
export interface Textures {
  readonly size: number;
  /** Sprites by name. */
  readonly sprites: Readonly<Record<TextureName, Uint8Array>>;
  /** Sprites in TEXTURE_NAMES order. */
  readonly list: readonly Uint8Array[];
  /** The whole atlas as RGBA (ATLAS_WIDTH × ATLAS_HEIGHT). */
  readonly atlas: { readonly width: number; readonly height: number; readonly data: Uint8Array };
  get(name: TextureName): Uint8Array;
}

/** Builds Textures from a full RGBA atlas image. */
export function texturesFromAtlas(width: number, height: number, rgba: Uint8Array): Textures {
  if (width !== ATLAS_WIDTH || height < ATLAS_HEIGHT) {
    throw new RangeError(
      `texture atlas is ${width}×${height}, ` +
        `expected ${ATLAS_WIDTH}×${ATLAS_HEIGHT} (${TEXTURE_NAMES.length} sprites)`,
    );
  }
  if (rgba.length !== width * height * 4) throw new RangeError('atlas data does not match its size');
  const S = TEXTURE_SIZE;
  const list: Uint8Array[] = [];
  const sprites = {} as Record<TextureName, Uint8Array>;
  TEXTURE_NAMES.forEach((name, index) => {
    const ox = (index % ATLAS_COLUMNS) * S;
    const oy = Math.floor(index / ATLAS_COLUMNS) * S;
    const sprite = new Uint8Array(S * S * 4);
    for (let y = 0; y < S; y++) {
      const from = ((oy + y) * width + ox) * 4;
      sprite.set(rgba.subarray(from, from + S * 4), y * S * 4);
    }
    list.push(sprite);
    sprites[name] = sprite;
  });
  return {
    size: S,
    sprites,
    list,
    atlas: { width, height, data: rgba },
    get(name: TextureName): Uint8Array {
      return list[textureIndex(name)];
    },
  };
}

/** Decodes the atlas PNG (any colour type fast-png reads, 8-bit) into Textures. */
export function decodeAtlas(png: Uint8Array): Textures {
  const image = decode(png);
  const { width, height, channels } = image;
  if (image.depth !== 8) throw new RangeError(`texture atlas must be 8-bit, got ${image.depth}-bit`);
  let data = image.data as Uint8Array;
  if (image.palette) throw new RangeError('texture atlas must not be palette-indexed');
  if (channels !== 4) {
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      if (channels === 3) {
        rgba[i * 4] = data[i * 3];
        rgba[i * 4 + 1] = data[i * 3 + 1];
        rgba[i * 4 + 2] = data[i * 3 + 2];
        rgba[i * 4 + 3] = 255;
      } else if (channels === 1 || channels === 2) {
        const g = data[i * channels];
        rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = g;
        rgba[i * 4 + 3] = channels === 2 ? data[i * 2 + 1] : 255;
      } else {
        throw new RangeError(`texture atlas has ${channels} channels`);
      }
    }
    data = rgba;
  } else if (!(data instanceof Uint8Array) || data.constructor !== Uint8Array) {
    data = new Uint8Array(data);
  }
  return texturesFromAtlas(width, height, data);
}

/**
 * Nearest-neighbour resize of a square RGBA sprite to size×size, sampling source pixel
 * ⌊(i + ½)·src/size⌋ on each axis (the pixel-centre rule of PIL's NEAREST, as in Crafter).
 */
export function scaleNearest(src: Uint8Array, srcSize: number, size: number): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    const sy = Math.min(srcSize - 1, Math.floor(((y + 0.5) * srcSize) / size));
    for (let x = 0; x < size; x++) {
      const sx = Math.min(srcSize - 1, Math.floor(((x + 0.5) * srcSize) / size));
      const s = (sy * srcSize + sx) * 4;
      const d = (y * size + x) * 4;
      out[d] = src[s];
      out[d + 1] = src[s + 1];
      out[d + 2] = src[s + 2];
      out[d + 3] = src[s + 3];
    }
  }
  return out;
}
