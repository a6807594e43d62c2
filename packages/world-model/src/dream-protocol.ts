/**
 * Messages between a game client and a dream shard that lives elsewhere, defined once here:
 * - the shard protocol (reset/step/dispose by request id), spoken to a Web Worker in the
 *   player's tab (dream-worker.ts, which also takes a `load` message first);
 * - the relay's `/dream` Socket.IO namespace (the same shard on the server, by session id).
 * Versioned; validated with zod where they arrive. Browser-safe.
 */
import { ACHIEVEMENTS, NUM_ACTIONS } from '@aikon/engine';
import { z } from 'zod';
import type { DreamSession, DreamStep } from './dream-shard.ts';
import { FRAME_TOKENS } from './tokens.ts';

export const DREAM_PROTOCOL_VERSION = 1;

const Frame = z.array(z.number().int().min(0)).length(FRAME_TOKENS);

export const DreamRequestSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('reset'),
    v: z.literal(DREAM_PROTOCOL_VERSION),
    id: z.number().int(),
    frames: z.array(Frame).min(1),
    seed: z.number().int().optional(),
  }),
  z.object({
    type: z.literal('step'),
    v: z.literal(DREAM_PROTOCOL_VERSION),
    id: z.number().int(),
    action: z
      .number()
      .int()
      .min(0)
      .max(NUM_ACTIONS - 1)
      .nullable(),
  }),
  z.object({ type: z.literal('dispose'), v: z.literal(DREAM_PROTOCOL_VERSION), id: z.number().int() }),
]);
export type DreamRequest = z.infer<typeof DreamRequestSchema>;

/** A predicted frame: the shard's step as plain data (what both transports send back). */
export interface DreamFrameData {
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
  /** Time the shard took for this step (ms). */
  ms: number;
  // Optional (v1 readers ignore them), sent by world-simulator shards:
  /** Achievement event class of the step: 0 none, 1 + achievement id (ACHIEVEMENTS order). */
  event?: number;
  /** Name of the achievement this step unlocked in the dream, or null. */
  unlocked?: string | null;
  /** 1 − the predicted probability of death in this step. */
  continuation?: number;
  /** Set on the last frame of a dream: 'death' when the model predicted the player died. */
  ended?: 'death' | null;
}

/** The frame fields as a zod schema, for clients that validate what arrives (extra fields pass). */
export const DreamFrameDataSchema = z.looseObject({
  step: z.number().int().min(0),
  tokens: z.array(z.number().int().min(0)).length(FRAME_TOKENS),
  view: z.array(z.number().int().min(0)),
  facing: z.number().int().min(0).max(3),
  sleeping: z.boolean(),
  inventory: z.array(z.number().int().min(0)),
  daylightBucket: z.number().int().min(0),
  reward: z.number(),
  done: z.boolean(),
  doneProbability: z.number().min(0).max(1),
  ms: z.number().min(0),
  event: z.number().int().min(0).optional(),
  unlocked: z.string().nullable().optional(),
  continuation: z.number().min(0).max(1).optional(),
  ended: z.literal('death').nullable().optional(),
});

export function frameData(s: DreamStep, ms: number): DreamFrameData {
  const o = s.observation;
  return {
    step: s.step,
    tokens: Array.from(s.tokens),
    view: Array.from(o.view),
    facing: o.facing,
    sleeping: o.sleeping,
    inventory: Array.from(o.inventory),
    daylightBucket: o.daylightBucket,
    reward: s.reward,
    done: s.done,
    doneProbability: s.doneProbability,
    ms,
    ...(s.event !== undefined
      ? {
          event: s.event,
          unlocked: s.unlock !== undefined && s.unlock >= 0 ? ACHIEVEMENTS[s.unlock] : null,
          continuation: 1 - s.doneProbability,
          ended: s.ended ?? null,
        }
      : {}),
  };
}

export type DreamResponse =
  | { type: 'ready'; v: 1; id: number }
  | ({ type: 'frame'; v: 1; id: number } & DreamFrameData)
  | { type: 'error'; v: 1; id: number; message: string };

/** Every answer of a shard, validated where it arrives from another machine (a peer shard). */
export const DreamResponseSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), v: z.literal(DREAM_PROTOCOL_VERSION), id: z.number().int() }),
  DreamFrameDataSchema.extend({ type: z.literal('frame'), v: z.literal(DREAM_PROTOCOL_VERSION), id: z.number().int() }),
  z.strictObject({
    type: z.literal('error'),
    v: z.literal(DREAM_PROTOCOL_VERSION),
    id: z.number().int(),
    message: z.string().max(2000),
  }),
]);

/**
 * Size cap of one dream protocol message between machines (JSON text): a reset with 8 frames
 * is ≈ 2.5 KB and a frame ≈ 1.5 KB; anything far larger is refused unread.
 */
export const MAX_DREAM_MESSAGE_BYTES = 16 * 1024;

/** The worker's first message: which model to fetch (next to the manifest) and how to run it. */
export interface DreamLoadMessage {
  type: 'load';
  manifestUrl: string;
  /** Which family to run (default: the token dream model, or the family of the model `name`d). */
  family?: 'world-sim' | 'token-dream';
  name?: string;
  wasmPaths?: string;
  numThreads?: number;
  seed?: number;
}

/** The worker's answer to `load` (a failure comes as an `error` with id -1). */
export interface DreamLoadedMessage {
  type: 'loaded';
  v: 1;
  model: string;
  version: string;
  backend: string;
  sampler: { steps: number; temperature: number };
}

/** Everything a dream worker posts back. */
export type DreamWorkerReply = DreamResponse | DreamLoadedMessage;

/** Serves protocol requests with one shard (the body of a worker's or server's message handler). */
export async function handleDreamRequest(shard: DreamSession, raw: unknown): Promise<DreamResponse> {
  const parsed = DreamRequestSchema.safeParse(raw);
  const id =
    typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number'
      ? (raw as { id: number }).id
      : -1;
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
        return { type: 'frame', v: 1, id: req.id, ...frameData(s, performance.now() - t0) };
      }
      case 'dispose':
        await shard.dispose();
        return { type: 'ready', v: 1, id: req.id };
    }
  } catch (err) {
    return { type: 'error', v: 1, id: req.id, message: (err as Error).message };
  }
}

// ---- the relay's /dream namespace ----------------------------------------------------------
//   dream:reset   { v, frames: 1..8 frames of FRAME_TOKENS tokens, seed?, session? } → DreamResetResult
//   dream:step    { v, session, action: 0..16 | null } → DreamFrame
//   dream:dispose { v, session } → null
// Every event is acknowledged with a DreamAck.

export const DREAM_NAMESPACE = '/dream';
export const DREAM_WIRE_VERSION = 1;

const WireFrame = z.array(z.number().int().min(0).max(255)).length(FRAME_TOKENS);
const SessionId = z.number().int().min(1);
export const DreamWireEvents = {
  'dream:reset': z.strictObject({
    v: z.literal(DREAM_WIRE_VERSION),
    frames: z.array(WireFrame).min(1).max(8),
    seed: z.number().int().min(0).max(0xffffffff).optional(),
    session: SessionId.optional(),
  }),
  'dream:step': z.strictObject({
    v: z.literal(DREAM_WIRE_VERSION),
    session: SessionId,
    action: z
      .number()
      .int()
      .min(0)
      .max(NUM_ACTIONS - 1)
      .nullable(),
  }),
  'dream:dispose': z.strictObject({ v: z.literal(DREAM_WIRE_VERSION), session: SessionId }),
} as const;
export type DreamWireEventName = keyof typeof DreamWireEvents;

export type DreamErrorCode =
  | 'invalid_payload'
  | 'unknown_event'
  | 'payload_too_large'
  | 'rate_limited'
  | 'session_limit'
  | 'server_busy'
  | 'no_session'
  | 'step_in_flight'
  | 'bad_context'
  | 'model_unavailable'
  | 'server_error';

export interface DreamResetResult {
  session: number;
  model: string;
  version: string;
  backend: string;
  context: number;
  sampler: { steps: number; temperature: number };
}

/** One predicted frame from the relay, with its session id. */
export type DreamFrame = DreamFrameData & { session: number };

export type DreamAck<T> =
  | { ok: true; data: T }
  | { ok: false; error: { code: DreamErrorCode; message: string; event: string } };
