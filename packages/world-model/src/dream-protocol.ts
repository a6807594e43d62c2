/**
 * Messages between a game client and a dream shard that lives elsewhere — a Web Worker in the
 * player's tab today; the relay server (onnxruntime-node) or a lobby peer later, over the same
 * shapes. Version 1; validated with zod at the boundary. Browser-safe.
 */
import { NUM_ACTIONS } from '@aikon/engine';
import { z } from 'zod';
import type { DreamShard } from './dream-shard.ts';
import { FRAME_TOKENS } from './tokens.ts';

export const DREAM_PROTOCOL_VERSION = 1;

const Frame = z.array(z.number().int().min(0)).length(FRAME_TOKENS);

export const DreamRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('reset'), v: z.literal(DREAM_PROTOCOL_VERSION), id: z.number().int(), frames: z.array(Frame).min(1), seed: z.number().int().optional() }),
  z.object({ type: z.literal('step'), v: z.literal(DREAM_PROTOCOL_VERSION), id: z.number().int(), action: z.number().int().min(0).max(NUM_ACTIONS - 1).nullable() }),
  z.object({ type: z.literal('dispose'), v: z.literal(DREAM_PROTOCOL_VERSION), id: z.number().int() }),
]);
export type DreamRequest = z.infer<typeof DreamRequestSchema>;

export type DreamResponse =
  | { type: 'ready'; v: 1; id: number }
  | {
      type: 'frame';
      v: 1;
      id: number;
      step: number;
      tokens: number[];
      view: number[];
      facing: number;
      sleeping: boolean;
      inventory: number[];
      daylightBucket: number;
      reward: number;
      done: boolean;
      doneProbability: number;
      ms: number;
    }
  | { type: 'error'; v: 1; id: number; message: string };

/** Serves protocol requests with one shard (the body of a worker's or server's message handler). */
export async function handleDreamRequest(shard: DreamShard, raw: unknown): Promise<DreamResponse> {
  const parsed = DreamRequestSchema.safeParse(raw);
  const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
  if (!parsed.success) return { type: 'error', v: 1, id, message: `bad dream request: ${parsed.error.message}` };
  const req = parsed.data;
  try {
    switch (req.type) {
      case 'reset':
        shard.reset({ frames: req.frames.map((f) => Int32Array.from(f)) }, req.seed);
        return { type: 'ready', v: 1, id: req.id };
      case 'step': {
        const t0 = performance.now();
        const s = await shard.step(req.action);
        const o = s.observation;
        return {
          type: 'frame', v: 1, id: req.id, step: s.step, tokens: Array.from(s.tokens), view: Array.from(o.view), facing: o.facing,
          sleeping: o.sleeping, inventory: Array.from(o.inventory), daylightBucket: o.daylightBucket, reward: s.reward, done: s.done,
          doneProbability: s.doneProbability, ms: performance.now() - t0,
        };
      }
      case 'dispose':
        await shard.dispose();
        return { type: 'ready', v: 1, id: req.id };
    }
  } catch (err) {
    return { type: 'error', v: 1, id: req.id, message: (err as Error).message };
  }
}
