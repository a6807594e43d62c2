/**
 * The fair view of this client's own character from what the client knows (a GameFrame: the solo
 * engine's frame or a lobby's mirror): the 81 tokens (aikon.semantic-tokens/1) that the engine's
 * tokenize() gives on the real World (tested), so that solo and relay frames both seed a dream
 * and feed the autopilot's policy.
 */
import { NUM_ITEMS, OBJECT_ID_OFFSET, ObjectKind, VIEW_COLS, VIEW_ROWS } from '@aikon/engine';
import {
  COUNT_BASE,
  DAYLIGHT_BASE,
  DAYLIGHT_BUCKETS,
  FACING_BASE,
  FRAME_TOKENS,
  INVENTORY_POS,
  MAX_COUNT,
  VIEW_TOKENS,
} from '@aikon/world-model';
import { O_KIND, O_X, O_Y, OBJECT_STRIDE, type GameFrame } from './protocol.ts';

const N = 64;
const HALF_COLS = (VIEW_COLS - 1) >> 1;
const HALF_ROWS = (VIEW_ROWS - 1) >> 1;

/** Semantic id of a world tile in a frame (an object's 13 + kind, else the material; 0 outside). */
export function semanticGrid(frame: GameFrame): (x: number, y: number) => number {
  const at = new Map<number, number>();
  for (const p of frame.players) if (!p.dead) at.set(p.x * N + p.y, OBJECT_ID_OFFSET + ObjectKind.player);
  for (let k = 0; k + OBJECT_STRIDE <= frame.objects.length; k += OBJECT_STRIDE) {
    at.set(frame.objects[k + O_X] * N + frame.objects[k + O_Y], OBJECT_ID_OFFSET + frame.objects[k + O_KIND]);
  }
  return (x, y) => {
    if (x < 0 || y < 0 || x >= N || y >= N) return 0;
    return at.get(x * N + y) ?? frame.material[x * N + y];
  };
}

/** The 81 tokens of what player `me` sees in a frame (aikon.semantic-tokens/1). */
export function tokensFromFrame(frame: GameFrame): Int32Array {
  const me = frame.players.find((p) => p.slot === frame.me);
  if (!me) throw new Error('no player of mine in this frame');
  const sem = semanticGrid(frame);
  const out = new Int32Array(FRAME_TOKENS);
  for (let j = 0; j < VIEW_ROWS; j++)
    for (let i = 0; i < VIEW_COLS; i++) out[j * VIEW_COLS + i] = sem(me.x - HALF_COLS + i, me.y - HALF_ROWS + j);
  out[VIEW_TOKENS] = FACING_BASE + (me.facing & 3) + (me.sleeping ? 4 : 0);
  for (let i = 0; i < NUM_ITEMS; i++)
    out[INVENTORY_POS + i] = COUNT_BASE + Math.max(0, Math.min(MAX_COUNT, me.inventory[i] ?? 0));
  out[INVENTORY_POS + NUM_ITEMS] =
    DAYLIGHT_BASE + Math.max(0, Math.min(DAYLIGHT_BUCKETS - 1, Math.floor(frame.daylight * DAYLIGHT_BUCKETS)));
  return out;
}
