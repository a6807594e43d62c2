import { decodeAtlas, type TextureName } from '@aikon/engine';
import type { BlockTile, SpriteSource } from './atlas.ts';

const NAMES: Partial<Record<BlockTile, TextureName>> = {
  grass: 'grass',
  sand: 'sand',
  path: 'path',
  water: 'water',
  lava: 'lava',
  stone: 'stone',
  coal: 'coal',
  iron: 'iron',
  diamond: 'diamond',
  table: 'table',
  furnace: 'furnace',
  unknown: 'unknown',
  sapling: 'sapling',
  'plant-ripe': 'plant-ripe',
};

/** The project's pixel-art tiles for the block atlas, or null when the atlas is unavailable. */
export async function loadEngineSprites(): Promise<SpriteSource | null> {
  try {
    const response = await fetch(new URL('textures/atlas.png', document.baseURI));
    if (!response.ok) return null;
    const textures = decodeAtlas(new Uint8Array(await response.arrayBuffer()));
    return (name) => {
      const texture = NAMES[name];
      return texture ? textures.get(texture) : null;
    };
  } catch {
    return null;
  }
}
