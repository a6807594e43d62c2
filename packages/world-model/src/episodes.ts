/**
 * Episode files for world-model training: format "aikon.world-model.episode", version 1.
 *
 * One JSON object per file (`*.json`, or gzip-compressed `*.json.gz` when read in Node), one
 * player's trajectory of T steps:
 *
 *   {
 *     "format": "aikon.world-model.episode", "version": 1,
 *     "id": "scripted-000017",            // unique within a dataset; the train/validation split hashes it
 *     "source": "scripted",               // "random" | "scripted" | "recorded" | any label
 *     "seed": 17, "slot": 0,              // optional provenance (world seed, player slot)
 *     "engineVersion": "0.2.0",           // optional: the engine that ran it (absent: 0.1.x or earlier,
 *                                         // whose worlds came from the old simplex-noise terrain)
 *     "view":      [[63 ids], ...],       // T+1 local 9×7 semantic views, row-major (j * 9 + i), ids 0..18
 *     "facing":    [0..3, ...],           // T+1 (left, right, up, down)
 *     "sleeping":  [0|1, ...],            // T+1
 *     "inventory": [[16 counts], ...],    // T+1, INVENTORY order (health, food, drink, energy, ...), 0..9
 *     "daylight":  [0..1, ...],           // T+1, world.daylight
 *     "actions":   [0..16, ...],          // T, the action taken between observation t and t+1
 *     "rewards":   [r, ...],              // T, reward of each step
 *     "terminated": false,                // the player died in the last step
 *     "position":  [[x, y], ...],         // optional, T+1: the player's world tile (dead reckoning)
 *     "events":    [[i, ...], ...]        // optional, T: achievement ids (ACHIEVEMENTS order) whose
 *                                         //   counter rose in each step — repeats included
 *   }
 *
 * Observation t is what the player saw before action t. Browser-safe (no Node imports).
 */
import { ENGINE_VERSION, NUM_ACHIEVEMENTS, NUM_ACTIONS, NUM_ITEMS, type World } from '@aikon/engine';
import { z } from 'zod';
import { daylightBucket, encodeObservation, FRAME_TOKENS, observe, VIEW_TOKENS } from './tokens.ts';

export const EPISODE_FORMAT = 'aikon.world-model.episode';
export const EPISODE_VERSION = 1;

const int = z.number().int();
export const EpisodeFileSchema = z
  .object({
    format: z.literal(EPISODE_FORMAT),
    version: z.literal(EPISODE_VERSION),
    id: z.string().min(1),
    source: z.string().min(1),
    seed: int.optional(),
    engineVersion: z.string().optional(),
    slot: int.min(0).optional(),
    view: z.array(z.array(int.min(0).max(18)).length(VIEW_TOKENS)).min(2),
    facing: z.array(int.min(0).max(3)),
    sleeping: z.array(z.union([z.literal(0), z.literal(1)])),
    inventory: z.array(z.array(int.min(0).max(9)).length(NUM_ITEMS)),
    daylight: z.array(z.number().min(0).max(1)),
    actions: z.array(int.min(0).max(NUM_ACTIONS - 1)),
    rewards: z.array(z.number().finite()),
    terminated: z.boolean(),
    position: z.array(z.tuple([int, int])).optional(),
    events: z.array(z.array(int.min(0).max(NUM_ACHIEVEMENTS - 1))).optional(),
  })
  .superRefine((e, ctx) => {
    const n = e.view.length;
    for (const key of ['facing', 'sleeping', 'inventory', 'daylight'] as const) {
      if (e[key].length !== n)
        ctx.addIssue({ code: 'custom', message: `${key} has ${e[key].length} entries, view has ${n}` });
    }
    if (e.position && e.position.length !== n)
      ctx.addIssue({ code: 'custom', message: `position has ${e.position.length} entries, view has ${n}` });
    if (e.events && e.events.length !== n - 1)
      ctx.addIssue({ code: 'custom', message: `events must have ${n - 1} entries (T), has ${e.events.length}` });
    for (const key of ['actions', 'rewards'] as const) {
      if (e[key].length !== n - 1)
        ctx.addIssue({ code: 'custom', message: `${key} must have ${n - 1} entries (T), has ${e[key].length}` });
    }
  });
export type EpisodeFile = z.infer<typeof EpisodeFileSchema>;

/** An episode in model tokens: frames (T+1) × 81, actions T, rewards T. */
export interface TokenEpisode {
  readonly id: string;
  readonly source: string;
  readonly frames: Int32Array;
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  readonly terminated: boolean;
  /** T */
  readonly length: number;
  /** (T+1) × 2 world tile of the player, when the file has it. */
  readonly positions?: Int32Array;
  /** T achievement event classes (0 none, 1 + achievement id; the first if several), when the file has them. */
  readonly events?: Int32Array;
}

export function parseEpisode(json: unknown): EpisodeFile {
  return EpisodeFileSchema.parse(json);
}

export function episodeToTokens(e: EpisodeFile): TokenEpisode {
  const n = e.view.length;
  const frames = new Int32Array(n * FRAME_TOKENS);
  for (let t = 0; t < n; t++) {
    encodeObservation(
      {
        view: Uint8Array.from(e.view[t]),
        facing: e.facing[t],
        sleeping: e.sleeping[t] === 1,
        inventory: Uint8Array.from(e.inventory[t]),
        daylightBucket: daylightBucket(e.daylight[t]),
      },
      frames.subarray(t * FRAME_TOKENS, (t + 1) * FRAME_TOKENS),
    );
  }
  return {
    id: e.id,
    source: e.source,
    frames,
    actions: Int32Array.from(e.actions),
    rewards: Float32Array.from(e.rewards),
    terminated: e.terminated,
    length: n - 1,
    ...(e.position ? { positions: Int32Array.from(e.position.flat()) } : {}),
    ...(e.events ? { events: Int32Array.from(e.events, (ids) => (ids.length ? 1 + Math.min(...ids) : 0)) } : {}),
  };
}

/** Records an episode file while a world runs (one player slot). */
export class EpisodeRecorder {
  private readonly e: {
    view: number[][];
    facing: number[];
    sleeping: (0 | 1)[];
    inventory: number[][];
    daylight: number[];
    actions: number[];
    rewards: number[];
    position: [number, number][];
    events: number[][];
  } = {
    view: [],
    facing: [],
    sleeping: [],
    inventory: [],
    daylight: [],
    actions: [],
    rewards: [],
    position: [],
    events: [],
  };
  private achievements: Int32Array;

  constructor(
    private readonly world: World,
    private readonly slot: number,
    private readonly meta: { id: string; source: string; seed?: number },
  ) {
    this.achievements = world.player(slot).achievements.slice();
    this.observe();
  }

  private observe(): void {
    const o = observe(this.world, this.slot);
    this.e.view.push(Array.from(o.view));
    this.e.facing.push(o.facing);
    this.e.sleeping.push(o.sleeping ? 1 : 0);
    this.e.inventory.push(Array.from(o.inventory));
    this.e.daylight.push(this.world.daylight);
    const p = this.world.player(this.slot);
    this.e.position.push([p.x, p.y]);
  }

  /** Call after world.step with the action this slot took. */
  record(action: number): void {
    const p = this.world.player(this.slot);
    this.e.actions.push(action);
    this.e.rewards.push(p.reward);
    const events: number[] = [];
    for (let i = 0; i < NUM_ACHIEVEMENTS; i++) if (p.achievements[i] > this.achievements[i]) events.push(i);
    this.achievements = p.achievements.slice();
    this.e.events.push(events);
    this.observe();
  }

  finish(): EpisodeFile {
    const p = this.world.player(this.slot);
    return {
      format: EPISODE_FORMAT,
      version: EPISODE_VERSION,
      id: this.meta.id,
      source: this.meta.source,
      ...(this.meta.seed !== undefined ? { seed: this.meta.seed } : {}),
      engineVersion: ENGINE_VERSION,
      slot: this.slot,
      ...this.e,
      terminated: p.dead,
    };
  }
}
