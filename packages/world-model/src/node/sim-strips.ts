/**
 * Side-by-side strips a person can judge: for a few held-out episodes, the real local view (top
 * row) and the dreamed one (bottom row) over N open-loop steps, each frame drawn by the engine's
 * own agent-view renderer from a world rebuilt around the tokens. Written as PNG.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AgentViewRenderer,
  Material,
  NUM_ITEMS,
  OBJECT_ID_OFFSET,
  OBJECT_KINDS,
  type ObjectKindName,
  VIEW_COLS,
  VIEW_ROWS,
  World,
} from '@aikon/engine';
import { loadTextures } from '@aikon/engine/node';
import { encode } from 'fast-png';
import type { TokenEpisode } from '../episodes.ts';
import { SimDreams } from '../sim/dream.ts';
import type { SimModel } from '../sim/model.ts';
import { decodeObservation, FRAME_TOKENS } from '../tokens.ts';
import { startAt } from './sim-evaluate.ts';

const SIZE = 64;

/** A world whose player sees exactly `tokens` (materials, creatures, inventory, facing, daylight). */
export function worldOfTokens(tokens: ArrayLike<number>): World {
  const o = decodeObservation(tokens);
  const world = World.blank({ seed: 0 });
  const p = world.addPlayer();
  const cx = 32,
    cy = 32;
  world.moveEntity(p, cx, cy);
  for (let j = 0; j < VIEW_ROWS; j++) {
    for (let i = 0; i < VIEW_COLS; i++) {
      const id = o.view[j * VIEW_COLS + i];
      const x = cx + i - (VIEW_COLS - 1) / 2,
        y = cy + j - (VIEW_ROWS - 1) / 2;
      world.setMaterial(x, y, id < OBJECT_ID_OFFSET ? id : Material.grass);
      const kind = OBJECT_KINDS[id - OBJECT_ID_OFFSET];
      if (id > OBJECT_ID_OFFSET && kind && !(x === cx && y === cy))
        world.spawn(kind as Exclude<ObjectKindName, 'player'>, x, y);
    }
  }
  p.facing = o.facing;
  p.sleeping = o.sleeping;
  for (let i = 0; i < NUM_ITEMS; i++) p.inventory[i] = o.inventory[i];
  world.daylight = (o.daylightBucket + 0.5) / 8;
  return world;
}

/** Writes `count` strips of `steps` steps; returns the file names (relative to `dir`). */
export function writeStrips(
  model: SimModel,
  episodes: readonly TokenEpisode[],
  o: { dir: string; prefix: string; count: number; steps: number },
): string[] {
  const renderer = new AgentViewRenderer(loadTextures(), SIZE);
  const long = episodes.filter((e) => e.length > o.steps + 40);
  const files: string[] = [];
  for (let s = 0; s < Math.min(o.count, long.length); s++) {
    const ep = long[Math.floor((s * long.length) / o.count)];
    const t0 = 40;
    const dreams = new SimDreams(model, 1);
    dreams.reset([startAt(ep, t0)]);
    const W = SIZE * o.steps,
      Hh = SIZE * 2;
    const img = new Uint8Array(W * Hh * 3);
    const blit = (rgb: Uint8Array, col: number, row: number) => {
      for (let y = 0; y < SIZE; y++)
        img.set(rgb.subarray(y * SIZE * 3, (y + 1) * SIZE * 3), ((row * SIZE + y) * W + col * SIZE) * 3);
    };
    for (let k = 0; k < o.steps; k++) {
      const r = dreams.step([ep.actions[t0 + k]]);
      blit(
        renderer.render(worldOfTokens(ep.frames.subarray((t0 + k + 1) * FRAME_TOKENS, (t0 + k + 2) * FRAME_TOKENS)), 0),
        k,
        0,
      );
      blit(renderer.render(worldOfTokens(r.tokens.subarray(0, FRAME_TOKENS)), 0), k, 1);
    }
    const file = `${o.prefix}-strip-${s}.png`;
    writeFileSync(join(o.dir, file), encode({ width: W, height: Hh, data: img, channels: 3 }));
    files.push(file);
  }
  return files;
}
