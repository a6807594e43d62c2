/**
 * Batched imagination on the world simulator (browser-safe): B dreams stepped together, each
 * with its dreamed map (dead-reckoned), its current frame, the ages of its vitals and the
 * achievements it has unlocked (reward = new unlocks + 0.1 × the change of health, as in
 * Crafter). Used by the policy trainer (`imagine`), the dream shard and the evaluation.
 */
import { NUM_ACHIEVEMENTS, NUM_ACTIONS, NUM_ITEMS, Rng } from '@aikon/engine';
import {
  COUNT_BASE,
  DAYLIGHT_BASE,
  DAYLIGHT_POS,
  decodeObservation,
  FACING_BASE,
  FACING_POS,
  FRAME_TOKENS,
  INVENTORY_POS,
  MAX_COUNT,
  VIEW_TOKENS,
} from '../tokens.ts';
import { inferMove } from './data.ts';
import {
  AGES,
  advanceAges,
  DELTAS,
  EVENTS,
  G_ACTIVE,
  G_OUT,
  globalRows,
  MOVES,
  O_CHANGE,
  O_DAY,
  O_DELTA,
  O_DONE,
  O_EVENT,
  O_FACING,
  O_MOVE,
  PRIOR_CELLS,
  T_OUT,
  VITALS,
} from './layout.ts';
import { DreamMap } from './map.ts';
import { priorRowCodes, SimInference, type SimModel } from './model.ts';

/** Where one dream starts. */
export interface SimStart {
  /** 1..n real frames of 81 tokens, oldest first; the last is the current observation. Earlier
   * frames fill the dreamed map (moves inferred from how the view shifted) and the vitals' ages. */
  readonly frames: readonly ArrayLike<number>[];
  /** Moves between consecutive frames (frames.length − 1 move classes), when known; else inferred. */
  readonly moves?: ArrayLike<number>;
  /** Steps since health, food, drink, energy last changed, when known (else from the frames). */
  readonly ages?: ArrayLike<number>;
  /** Achievements already unlocked (NUM_ACHIEVEMENTS flags or counts), when known. */
  readonly unlocked?: ArrayLike<number>;
}

export interface SimSampling {
  /** 0 = greedy (argmax of every head); otherwise softmax temperature. */
  readonly temperature: number;
  readonly seed: number;
}

/** What one batched step returns (buffers owned by the dreams, overwritten by the next step). */
export interface SimStepResult {
  /** B × 81: the new frames. */
  readonly tokens: Int32Array;
  /** B: new unlocks + 0.1 × Δhealth. */
  readonly reward: Float32Array;
  /** B: 1 − P(death in this step). */
  readonly continuation: Float32Array;
  /** B: 1 where the model predicts death (P > 0.5). */
  readonly done: Uint8Array;
  /** B: event class (0 none, 1 + achievement id). */
  readonly event: Int32Array;
  /** B: the event head's probability of that event (of no event, for 0). */
  readonly eventProbability: Float32Array;
  /** B: the achievement newly unlocked by this step (id), or −1. */
  readonly unlock: Int32Array;
  /** B: move class taken (0 stayed, 1 + direction). */
  readonly move: Int32Array;
}

export class SimDreams {
  readonly size: number;
  readonly frames: Int32Array;
  private readonly maps: DreamMap[];
  private readonly ages: Uint8Array;
  private readonly unlocked: Uint8Array;
  private readonly rng: Rng;
  private readonly temperature: number;
  private readonly eventThreshold: number;
  private readonly rows = new Int32Array(G_ACTIVE);
  private readonly net: SimInference;
  private readonly out = new Float32Array(G_OUT);
  private readonly prior = new Uint8Array(PRIOR_CELLS);
  private readonly priorCodes = new Int32Array(PRIOR_CELLS);
  private readonly result: SimStepResult;
  private readonly probs = new Float64Array(32);
  /** The frame a step started from. */
  private readonly before = new Int32Array(FRAME_TOKENS);

  constructor(
    readonly model: SimModel,
    size: number,
    sampling: Partial<SimSampling> = {},
  ) {
    this.size = size;
    this.frames = new Int32Array(size * FRAME_TOKENS);
    this.maps = Array.from({ length: size }, () => new DreamMap());
    this.ages = new Uint8Array(size * VITALS);
    this.unlocked = new Uint8Array(size * NUM_ACHIEVEMENTS);
    this.temperature = sampling.temperature ?? 0;
    this.rng = new Rng(sampling.seed ?? 0);
    this.net = new SimInference(model, size);
    this.eventThreshold = model.calibration?.eventThreshold ?? 0;
    this.result = {
      tokens: this.frames,
      reward: new Float32Array(size),
      continuation: new Float32Array(size),
      done: new Uint8Array(size),
      event: new Int32Array(size),
      eventProbability: new Float32Array(size),
      unlock: new Int32Array(size),
      move: new Int32Array(size),
    };
  }

  /** Starts dream b (or all, with one start each) from real frames. */
  reset(starts: readonly SimStart[]): void {
    if (starts.length !== this.size)
      throw new RangeError(`${this.size} dreams need ${this.size} starts, got ${starts.length}`);
    for (const [b, s] of starts.entries()) this.resetOne(b, s);
  }

  resetOne(b: number, s: SimStart): void {
    if (s.frames.length === 0) throw new RangeError('a dream start needs at least one frame');
    for (const f of s.frames) {
      if (f.length !== FRAME_TOKENS) throw new RangeError(`a frame has ${FRAME_TOKENS} tokens, got ${f.length}`);
      decodeObservation(f); // validates every token
    }
    const map = this.maps[b];
    map.clear();
    const ages = this.ages.subarray(b * VITALS, (b + 1) * VITALS).fill(0);
    map.write(s.frames[0], 0);
    for (let k = 1; k < s.frames.length; k++) {
      const prev = s.frames[k - 1];
      const cur = s.frames[k];
      const pair = new Int32Array(2 * FRAME_TOKENS);
      pair.set(prev as ArrayLike<number>, 0);
      pair.set(cur as ArrayLike<number>, FRAME_TOKENS);
      map.move(s.moves ? s.moves[k - 1] : inferMove(pair, 0, FRAME_TOKENS));
      map.write(cur, 0);
      advanceAges(prev, 0, cur, 0, ages, 0);
    }
    if (s.ages) for (let v = 0; v < VITALS; v++) ages[v] = Math.min(AGES - 1, Math.max(0, Math.round(s.ages[v])));
    const u = this.unlocked.subarray(b * NUM_ACHIEVEMENTS, (b + 1) * NUM_ACHIEVEMENTS).fill(0);
    if (s.unlocked) for (let i = 0; i < NUM_ACHIEVEMENTS; i++) u[i] = s.unlocked[i] ? 1 : 0;
    this.frames.set(s.frames[s.frames.length - 1] as ArrayLike<number>, b * FRAME_TOKENS);
    this.net.restart(b);
    this.result.done[b] = 0;
  }

  /** Achievements dream b has unlocked (flags). */
  unlockedOf(b: number): Uint8Array {
    return this.unlocked.subarray(b * NUM_ACHIEVEMENTS, (b + 1) * NUM_ACHIEVEMENTS);
  }

  /** The dreamed map of dream b. */
  mapOf(b: number): DreamMap {
    return this.maps[b];
  }

  private pick(logits: Float32Array, o: number, n: number): number {
    let best = 0;
    for (let k = 1; k < n; k++) if (logits[o + k] > logits[o + best]) best = k;
    if (this.temperature <= 0) return best;
    let z = 0;
    for (let k = 0; k < n; k++) z += this.probs[k] = Math.exp((logits[o + k] - logits[o + best]) / this.temperature);
    let u = this.rng.uniform() * z;
    for (let k = 0; k < n; k++) {
      u -= this.probs[k];
      if (u <= 0) return k;
    }
    return n - 1;
  }

  /** A binary outcome of a logit: > 0 when greedy, else sampled at the temperature. */
  private chance(logit: number): boolean {
    if (this.temperature <= 0) return logit > 0;
    return this.rng.uniform() < 1 / (1 + Math.exp(-logit / this.temperature));
  }

  /** Steps every dream with its action (0..16; −1 = no action, stepped as noop). */
  step(actions: ArrayLike<number>): SimStepResult {
    if (actions.length !== this.size)
      throw new RangeError(`${this.size} dreams need ${this.size} actions, got ${actions.length}`);
    const net = this.net;
    const r = this.result;
    const { rows, out, prior, priorCodes, before } = this;
    const greedy = this.temperature <= 0;
    for (let b = 0; b < this.size; b++) {
      let action = actions[b];
      if (action === -1) action = 0;
      if (!Number.isInteger(action) || action < 0 || action >= NUM_ACTIONS)
        throw new RangeError(`unknown action ${actions[b]}`);
      const fo = b * FRAME_TOKENS;
      const F = this.frames;
      const ao = b * VITALS;
      globalRows(F, fo, action, this.ages, ao, rows);
      net.global(b, rows, 0, out);
      const move = this.pick(out, O_MOVE, MOVES);
      const facingNext = this.pick(out, O_FACING, 8);
      let event = this.pick(out, O_EVENT, EVENTS);
      let pEvent = softmaxAt(out, O_EVENT, EVENTS, event);
      if (greedy && event > 0 && pEvent < this.eventThreshold) {
        event = 0; // calibrated: too unsure of the achievement to dream it
        pEvent = softmaxAt(out, O_EVENT, EVENTS, 0);
      }
      const day = this.pick(out, O_DAY, 8);
      const pDone = 1 / (1 + Math.exp(-out[O_DONE]));
      const facing = (F[fo + FACING_POS] - FACING_BASE) & 3;
      const dayNow = F[fo + DAYLIGHT_POS] - DAYLIGHT_BASE;
      const healthBefore = F[fo + INVENTORY_POS] - COUNT_BASE;
      before.set(F.subarray(fo, fo + FRAME_TOKENS));
      // Tiles: the prior view at the new position, then each cell's prediction.
      const map = this.maps[b];
      map.move(move);
      map.readPrior(prior, 0);
      priorRowCodes(prior, 0, priorCodes);
      for (let p = 0; p < VIEW_TOKENS; p++) {
        const slot = net.tileOf(prior, 0, priorCodes, p, facing, action, event, dayNow, move);
        F[fo + p] = greedy ? net.tileArgmax[slot] : this.pick(net.tileLogits, slot * T_OUT, T_OUT);
      }
      map.write(F, fo);
      F[fo + FACING_POS] = FACING_BASE + facingNext;
      for (let i = 0; i < NUM_ITEMS; i++) {
        const cur = F[fo + INVENTORY_POS + i] - COUNT_BASE;
        let next = cur;
        if (this.chance(out[O_CHANGE + i])) {
          net.delta(i, out);
          out[O_DELTA + i * DELTAS + MAX_COUNT] = -Infinity; // it changes: not by 0
          next = Math.max(0, Math.min(MAX_COUNT, cur + this.pick(out, O_DELTA + i * DELTAS, DELTAS) - MAX_COUNT));
        }
        F[fo + INVENTORY_POS + i] = COUNT_BASE + next;
      }
      F[fo + DAYLIGHT_POS] = DAYLIGHT_BASE + day;
      advanceAges(before, 0, F, fo, this.ages, ao);
      let unlock = -1;
      if (event > 0 && !this.unlocked[b * NUM_ACHIEVEMENTS + event - 1]) {
        unlock = event - 1;
        this.unlocked[b * NUM_ACHIEVEMENTS + unlock] = 1;
      }
      r.reward[b] = (unlock >= 0 ? 1 : 0) + (F[fo + INVENTORY_POS] - COUNT_BASE - healthBefore) / 10;
      r.continuation[b] = 1 - pDone;
      r.done[b] = pDone > 0.5 ? 1 : 0;
      r.event[b] = event;
      r.eventProbability[b] = pEvent;
      r.unlock[b] = unlock;
      r.move[b] = move;
    }
    return r;
  }
}

/** Softmax probability of class k among logits[o, o + n). */
function softmaxAt(logits: Float32Array, o: number, n: number, k: number): number {
  let mx = -Infinity;
  for (let i = 0; i < n; i++) if (logits[o + i] > mx) mx = logits[o + i];
  let z = 0;
  for (let i = 0; i < n; i++) z += Math.exp(logits[o + i] - mx);
  return Math.exp(logits[o + k] - mx) / z;
}

/** A policy for imagination: actions (B) from the current frames (B × 81) at dream step t. */
export type ImaginationPolicy = (frames: Int32Array, t: number) => ArrayLike<number>;

export interface Imagination {
  /** (H+1) × B × 81: the start frames, then each step's prediction. */
  readonly tokens: Int32Array;
  /** H × B */
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  readonly continuation: Float32Array;
  readonly events: Int32Array;
  readonly unlocks: Int32Array;
}

/**
 * Dreams `horizon` steps from each start with `policy` choosing the actions: the batched
 * imagination a policy trains in. Every array is time-major (step t, then dream b).
 */
export function imagine(
  model: SimModel,
  starts: readonly SimStart[],
  policy: ImaginationPolicy,
  horizon: number,
  sampling: Partial<SimSampling> = {},
): Imagination {
  const B = starts.length;
  const dreams = new SimDreams(model, B, sampling);
  dreams.reset(starts);
  const out: Imagination = {
    tokens: new Int32Array((horizon + 1) * B * FRAME_TOKENS),
    actions: new Int32Array(horizon * B),
    rewards: new Float32Array(horizon * B),
    continuation: new Float32Array(horizon * B),
    events: new Int32Array(horizon * B),
    unlocks: new Int32Array(horizon * B),
  };
  out.tokens.set(dreams.frames, 0);
  for (let t = 0; t < horizon; t++) {
    const a = policy(dreams.frames, t);
    out.actions.set(
      Array.from({ length: B }, (_, b) => a[b]),
      t * B,
    );
    const r = dreams.step(out.actions.subarray(t * B, (t + 1) * B));
    out.tokens.set(r.tokens, (t + 1) * B * FRAME_TOKENS);
    out.rewards.set(r.reward, t * B);
    out.continuation.set(r.continuation, t * B);
    out.events.set(r.event, t * B);
    out.unlocks.set(r.unlock, t * B);
  }
  return out;
}
