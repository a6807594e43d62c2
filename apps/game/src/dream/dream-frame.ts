/**
 * Between game frames and the token dream model: the tokens of what `me` sees in a frame
 * (the same ids as the engine's `localSemanticView`, so solo and relay frames both seed a
 * dream), and the predicted frames drawn back into a GameFrame for the HUD and the 3D scene.
 *
 * The model predicts an egocentric 9×7 view, not a position: where the dreamer stands is
 * dead-reckoned from the action and confirmed by the view itself (a move is taken unless the
 * predicted view matches the last view unshifted better than shifted one tile: a blocked move;
 * on uniform ground, where both match alike, the move is taken).
 */
import {
  Action,
  DIRECTIONS,
  MATERIALS,
  OBJECT_ID_OFFSET,
  ObjectKind,
  VIEW_COLS,
  VIEW_ROWS,
  type Player,
  type World,
} from '@aikon/engine';
import { DAYLIGHT_BUCKETS, type DreamFrameData, VIEW_TOKENS } from '@aikon/world-model';
import { craftOptions } from '../game/craft.ts';
import { semanticGrid, tokensFromFrame } from '../game/frame-tokens.ts';
import { O_ID, O_KIND, O_X, O_Y, OBJECT_STRIDE, type GameFrame, type PlayerView } from '../game/protocol.ts';

const N = 64;
const HALF_COLS = (VIEW_COLS - 1) >> 1;
const HALF_ROWS = (VIEW_ROWS - 1) >> 1;

/** Where a dream runs: this tab's worker, the relay's /dream, or another lobby member's tab. */
export type ShardKind = 'browser' | 'server' | 'peer';

/** What a dream frame carries besides the GameFrame (shown by the HUD overlay and the scene). */
export interface DreamInfo {
  /** Dream steps since entering. */
  step: number;
  shard: ShardKind;
  backend: string;
  /** Latency of the last step as the client saw it (round trip), ms. */
  ms: number;
  /** Top-left tile of the predicted 9×7 window. */
  x0: number;
  y0: number;
  /** The predicted frame's 81 tokens. */
  tokens: number[];
  reward: number;
  doneProbability: number;
  /** The achievement this step unlocked in the dream (world simulator shards). */
  unlocked?: string | null;
  /** The model's probability that the dreamer lives on after this step (world simulator shards). */
  continuation?: number;
  /** Set when the dream ended with this frame: 'death', the model predicted the player died. */
  ended?: 'death';
  /** Split view (solo): the real engine fed the same actions, its 81 tokens, and the share of
   * the 63 view cells where the prediction agrees with it. */
  real?: number[];
  agreement?: number;
}

export type DreamGameFrame = GameFrame & { dream?: DreamInfo };

export { tokensFromFrame };

/** A predicted observation: what either shard answers for one step. */
export type Prediction = Omit<DreamFrameData, 'done' | 'ms'>;

const MOVES: Record<number, number> = {
  [Action.move_left]: 0,
  [Action.move_right]: 1,
  [Action.move_up]: 2,
  [Action.move_down]: 3,
};

/** Fraction of cells where `next` equals `prev` seen after the viewer moved by (dx, dy). */
export function shiftAgreement(prev: ArrayLike<number>, next: ArrayLike<number>, dx: number, dy: number): number {
  let same = 0;
  let total = 0;
  for (let j = 0; j < VIEW_ROWS; j++) {
    for (let i = 0; i < VIEW_COLS; i++) {
      const pi = i + dx;
      const pj = j + dy;
      if (pi < 0 || pj < 0 || pi >= VIEW_COLS || pj >= VIEW_ROWS) continue;
      // the dreamer itself
      if ((i === HALF_COLS && j === HALF_ROWS) || (pi === HALF_COLS && pj === HALF_ROWS)) continue;
      total++;
      if (next[j * VIEW_COLS + i] === prev[pj * VIEW_COLS + pi]) same++;
    }
  }
  return total === 0 ? 0 : same / total;
}

/**
 * Draws predicted frames into GameFrames: the last real frame outside the 9×7 window (as last
 * seen), the prediction inside it, the dreamer at its dead-reckoned position.
 */
export class DreamFrameBuilder {
  private readonly material: Uint8Array;
  private readonly outside: Int32Array;
  private x: number;
  private y: number;
  private view: Uint8Array;
  private inside: { id: number; kind: number; x: number; y: number }[] = [];
  private nextId = 1 << 24;
  private readonly me: PlayerView;

  constructor(private readonly real: GameFrame) {
    const me = real.players.find((p) => p.slot === real.me);
    if (!me) throw new Error('no player of mine in this frame');
    this.me = me;
    this.material = real.material.slice();
    this.x = me.x;
    this.y = me.y;
    const t = tokensFromFrame(real);
    this.view = Uint8Array.from(t.subarray(0, VIEW_TOKENS));
    // Real creatures inside the first window are replaced by predicted ones; the rest stay as last seen.
    const keep: number[] = [];
    const o = real.objects;
    for (let k = 0; k + OBJECT_STRIDE <= o.length; k += OBJECT_STRIDE) {
      if (this.inWindow(o[k + O_X], o[k + O_Y]))
        this.inside.push({ id: o[k + O_ID], kind: o[k + O_KIND], x: o[k + O_X], y: o[k + O_Y] });
      else for (let f = 0; f < OBJECT_STRIDE; f++) keep.push(o[k + f]);
    }
    this.outside = Int32Array.from(keep);
  }

  get position(): { x: number; y: number } {
    return { x: this.x, y: this.y };
  }

  private inWindow(x: number, y: number): boolean {
    return Math.abs(x - this.x) <= HALF_COLS && Math.abs(y - this.y) <= HALF_ROWS;
  }

  /** The frame shown before the first prediction: reality, marked as the dream's start. */
  initial(info: Omit<DreamInfo, 'x0' | 'y0' | 'tokens' | 'step' | 'reward' | 'doneProbability'>): DreamGameFrame {
    const tokens = Array.from(tokensFromFrame(this.real));
    return this.compose(this.me.inventory, this.me.facing, this.me.sleeping, this.real.daylight, this.me.action, {
      ...info,
      step: 0,
      x0: this.x - HALF_COLS,
      y0: this.y - HALF_ROWS,
      tokens,
      reward: 0,
      doneProbability: 0,
    });
  }

  /** Applies one prediction made for `action`; returns the frame to show. */
  apply(p: Prediction, action: number, info: Pick<DreamInfo, 'shard' | 'backend' | 'ms'>): DreamGameFrame {
    const dir = MOVES[action];
    if (dir !== undefined) {
      const [dx, dy] = DIRECTIONS[dir];
      const nx = this.x + dx;
      const ny = this.y + dy;
      if (
        nx >= 0 &&
        ny >= 0 &&
        nx < N &&
        ny < N &&
        shiftAgreement(this.view, p.view, dx, dy) >= shiftAgreement(this.view, p.view, 0, 0)
      ) {
        this.x = nx;
        this.y = ny;
      }
    }
    this.view = Uint8Array.from(p.view);
    const x0 = this.x - HALF_COLS;
    const y0 = this.y - HALF_ROWS;
    const predicted: { kind: number; x: number; y: number }[] = [];
    for (let j = 0; j < VIEW_ROWS; j++) {
      for (let i = 0; i < VIEW_COLS; i++) {
        const x = x0 + i;
        const y = y0 + j;
        if (x < 0 || y < 0 || x >= N || y >= N) continue;
        const id = p.view[j * VIEW_COLS + i];
        if (id < MATERIALS.length) this.material[x * N + y] = id;
        else if (!(i === HALF_COLS && j === HALF_ROWS) && id - OBJECT_ID_OFFSET !== ObjectKind.player)
          predicted.push({ kind: id - OBJECT_ID_OFFSET, x, y });
      }
    }
    // Keep creature ids across steps (the scene interpolates by id): nearest of the same kind.
    const pool = [...this.inside];
    this.inside = predicted.map((q) => {
      let best = -1;
      let bestD = 3;
      pool.forEach((c, k) => {
        const d = Math.abs(c.x - q.x) + Math.abs(c.y - q.y);
        if (c.kind === q.kind && d < bestD) {
          best = k;
          bestD = d;
        }
      });
      const id = best >= 0 ? pool.splice(best, 1)[0].id : this.nextId++;
      return { id, ...q };
    });
    const daylight = (p.daylightBucket + 0.5) / DAYLIGHT_BUCKETS;
    return this.compose(Array.from(p.inventory), p.facing, p.sleeping, daylight, action, {
      ...info,
      step: p.step,
      x0,
      y0,
      tokens: Array.from(p.tokens),
      reward: p.reward,
      doneProbability: p.doneProbability,
      ...(p.unlocked ? { unlocked: p.unlocked } : {}),
      ...(p.ended ? { ended: p.ended } : {}),
      ...(p.continuation !== undefined ? { continuation: p.continuation } : {}),
    });
  }

  private compose(
    inventory: number[],
    facing: number,
    sleeping: boolean,
    daylight: number,
    action: number,
    dream: DreamInfo,
  ): DreamGameFrame {
    const objects = new Int32Array(this.outside.length + this.inside.length * OBJECT_STRIDE);
    objects.set(this.outside);
    let k = this.outside.length;
    for (const c of this.inside) {
      objects.set([c.id, c.kind, c.x, c.y, 3, 3, 1], k);
      k += OBJECT_STRIDE;
    }
    const me: PlayerView = {
      ...this.me,
      x: this.x,
      y: this.y,
      facing,
      sleeping,
      dead: false,
      inventory,
      newAchievements: [],
      action,
      episodeSteps: this.me.episodeSteps + dream.step,
    };
    const players = this.real.players.map((p) => (p.slot === this.real.me ? me : p));
    const frame: DreamGameFrame = {
      ...this.real,
      t: this.real.t + dream.step,
      daylight,
      over: false,
      material: this.material.slice(),
      objects,
      players,
      craft: [],
      agentView: undefined,
      dream,
    };
    frame.craft = craftOptions(frameWorld(frame), me as unknown as Player);
    return frame;
  }
}

/** The subset of World that `craftOptions` reads (materials, who stands where), from a frame. */
function frameWorld(frame: GameFrame): World {
  const sem = semanticGrid(frame);
  return {
    getMaterial: (x: number, y: number) => (x >= 0 && y >= 0 && x < N && y < N ? frame.material[x * N + y] : 0),
    objectAt: (x: number, y: number) => (sem(x, y) >= OBJECT_ID_OFFSET ? {} : null),
  } as unknown as World;
}
