import type { SpriteSource } from './atlas.ts';

/** The project's pixel-art tiles for the block atlas, or null while they are not available. */
export async function loadEngineSprites(): Promise<SpriteSource | null> {
  return null;
}
