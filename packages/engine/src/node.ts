/**
 * Node-only helpers of the engine (`@aikon/engine/node`): reading the texture atlas from disk,
 * and VecEnv over worker threads.
 * The browser build never imports this file; it fetches `/textures/atlas.png` and calls
 * `decodeAtlas` from `@aikon/engine`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeAtlas, type Textures } from './render/textures.ts';

export { VecEnvWorkers } from './vec-env-workers.ts';

/** The repository's atlas: `public/textures/atlas.png` at the repo root. */
export const DEFAULT_ATLAS_PATH = fileURLToPath(new URL('../../../public/textures/atlas.png', import.meta.url));

const cache = new Map<string, Textures>();

/**
 * Reads and decodes a texture atlas synchronously (default: the repository's), once per path.
 * Throws with the path in the message when the file is missing (run
 * `npx tsx packages/engine/scripts/make-textures.ts` to write it).
 */
export function loadTextures(path: string = DEFAULT_ATLAS_PATH): Textures {
  let textures = cache.get(path);
  if (!textures) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new Error(
        `cannot read the texture atlas at ${path} ` +
          `(make it with: npx tsx packages/engine/scripts/make-textures.ts): ${(error as Error).message}`,
      );
    }
    textures = decodeAtlas(bytes);
    cache.set(path, textures);
  }
  return textures;
}
