/**
 * The dream camera's data: (tokens, engine render) pairs played headless with the engine. Half
 * the episodes uniform-random, half the scripted explorer (explorer.ts, the workforce-like
 * stand-in); a frame every `every` steps from a seeded offset, so day and night both appear
 * (daylight cycles every 300 steps). Deterministic in its options; held-out sets use other seeds.
 */
import { AgentViewRenderer, NUM_ACTIONS, Rng, World } from '@aikon/engine';
import { loadTextures } from '@aikon/engine/node';
import { ScriptedExplorer } from '../explorer.ts';
import { FRAME_TOKENS, tokenize } from '../tokens.ts';
import { IMAGE } from '../camera/camera.ts';

export const IMAGE_BYTES = IMAGE * IMAGE * 3;

export interface CameraData {
  readonly count: number;
  /** [count, 81] the frame's tokens (the condition). */
  readonly tokens: Int32Array;
  /** [count, 64·64·3] the engine's render of the same state. */
  readonly images: Uint8Array;
  /** [count] the world's daylight (night: < 0.5, when the render adds its noise). */
  readonly daylight: Float32Array;
  /** [count] 0 random, 1 scripted. */
  readonly source: Uint8Array;
}

export interface CameraDataOptions {
  readonly episodes: number;
  /** World seed of episode 0; episode i uses seed + i (even i random, odd i scripted). */
  readonly seed: number;
  readonly maxSteps: number;
  readonly every: number;
}

/** Train and held-out defaults: disjoint world seeds. */
export const CAMERA_TRAIN_DATA: CameraDataOptions = { episodes: 240, seed: 50_000, maxSteps: 600, every: 5 };
export const CAMERA_HELDOUT_DATA: CameraDataOptions = { episodes: 24, seed: 90_000, maxSteps: 600, every: 11 };

export function generateCameraData(o: CameraDataOptions): CameraData {
  const renderer = new AgentViewRenderer(loadTextures(), IMAGE);
  const tokens: Int32Array[] = [];
  const images: Uint8Array[] = [];
  const daylight: number[] = [];
  const source: number[] = [];
  for (let e = 0; e < o.episodes; e++) {
    const seed = o.seed + e;
    const world = World.generate({ seed });
    world.addPlayer();
    const rng = new Rng(seed ^ 0xca3e);
    const scripted = e % 2 === 1;
    const explorer = new ScriptedExplorer(seed + 1);
    const offset = rng.int(o.every);
    for (let t = 0; t < o.maxSteps && !world.over && !world.player(0).dead; t++) {
      if (t % o.every === offset) {
        tokens.push(tokenize(world, 0));
        images.push(renderer.render(world, 0));
        daylight.push(world.daylight);
        source.push(scripted ? 1 : 0);
      }
      world.step([scripted ? explorer.act(world, 0) : rng.int(NUM_ACTIONS)]);
    }
  }
  const count = tokens.length;
  const out = {
    count,
    tokens: new Int32Array(count * FRAME_TOKENS),
    images: new Uint8Array(count * IMAGE_BYTES),
    daylight: Float32Array.from(daylight),
    source: Uint8Array.from(source),
  };
  for (let i = 0; i < count; i++) {
    out.tokens.set(tokens[i], i * FRAME_TOKENS);
    out.images.set(images[i], i * IMAGE_BYTES);
  }
  return out;
}
