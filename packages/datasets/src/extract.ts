import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  ACHIEVEMENTS,
  AgentViewRenderer,
  DIRECTIONS,
  localSemanticView,
  LOCAL_VIEW_SIZE,
  NUM_ACHIEVEMENTS,
  NUM_ITEMS,
  type Textures,
  type World,
} from '@aikon/engine';
import { decodeLog, type EpisodeSummary, type LogRecord, replayRecords, type SessionRecord } from '@aikon/protocol';
import { describeReplayProblem, episodeId } from './catalog.ts';
import { DatasetError } from './layout.ts';

export const OBS_SIZE = 64;
export const FRAME_BYTES = OBS_SIZE * OBS_SIZE * 3;
const ZERO_ACHIEVEMENTS = new Int32Array(NUM_ACHIEVEMENTS);

/** Frames that the open episodes of one extraction may hold in memory together (≈ 50 MB). */
export const FRAME_MEMORY_BUDGET = 4096;

/** How many frames the FrameStores of one extraction may still keep in memory. */
export class FrameBudget {
  constructor(public left = FRAME_MEMORY_BUDGET) {}
}

/**
 * Frames of one episode: kept in memory while the extraction's budget allows (no system calls,
 * and writers read them without a copy), the rest spilled to a scratch file, so that long
 * multi-player sessions do not hold every frame in memory.
 */
export class FrameStore {
  private memory = new Uint8Array(0);
  /** Frames [0, inMemory) are in `memory`; the rest, if any, are in the scratch file. */
  private inMemory = 0;
  private spilled = false;
  private fd = -1;
  count = 0;
  constructor(
    readonly path: string,
    private readonly budget: FrameBudget = new FrameBudget(),
  ) {}
  push(frame: Uint8Array): void {
    if (!this.spilled && this.reserve()) {
      this.memory.set(frame, this.inMemory * FRAME_BYTES);
      this.inMemory++;
    } else {
      this.spilled = true; // once a frame went to the file, every later one does too
      if (this.fd < 0) this.fd = openSync(this.path, 'w+');
      const at = (this.count - this.inMemory) * FRAME_BYTES;
      let off = 0;
      while (off < frame.length) off += writeSync(this.fd, frame, off, frame.length - off, at + off);
    }
    this.count++;
  }
  /** Room in memory for one more frame: grows the buffer (doubling) within the budget. */
  private reserve(): boolean {
    const capacity = this.memory.length / FRAME_BYTES;
    if (this.inMemory < capacity) return true;
    const grow = Math.min(Math.max(capacity, 16), this.budget.left);
    if (grow <= 0) return false;
    this.budget.left -= grow;
    const next = new Uint8Array((capacity + grow) * FRAME_BYTES);
    next.set(this.memory);
    this.memory = next;
    return true;
  }
  /**
   * Frames [start, start + n) as one contiguous buffer: a view of the store's memory when they
   * are all there (valid until the next push or dispose), else read into `out` or a new buffer.
   */
  read(start: number, n: number, out?: Uint8Array): Uint8Array {
    if (start < 0 || n < 0 || start + n > this.count)
      throw new RangeError(`frames ${start}..${start + n} out of 0..${this.count}`);
    if (start + n <= this.inMemory) return this.memory.subarray(start * FRAME_BYTES, (start + n) * FRAME_BYTES);
    const buf =
      out && out.length >= n * FRAME_BYTES ? out.subarray(0, n * FRAME_BYTES) : new Uint8Array(n * FRAME_BYTES);
    const fromMemory = Math.max(0, this.inMemory - start);
    buf.set(this.memory.subarray(start * FRAME_BYTES, (start + fromMemory) * FRAME_BYTES));
    let off = fromMemory * FRAME_BYTES;
    const fileStart = (start + fromMemory - this.inMemory) * FRAME_BYTES;
    while (off < buf.length) {
      const r = readSync(this.fd, buf, off, buf.length - off, fileStart + off - fromMemory * FRAME_BYTES);
      if (r <= 0) throw new Error('frame scratch file is shorter than expected');
      off += r;
    }
    return buf;
  }
  dispose(): void {
    this.budget.left += this.memory.length / FRAME_BYTES;
    this.memory = new Uint8Array(0);
    this.inMemory = 0;
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = -1;
      rmSync(this.path, { force: true });
    }
  }
}

/** Per-step info rows; every array holds T + 1 entries (the reset observation's info first). */
export interface EpisodeInfos {
  t: number[];
  /** Achievement counters of the episode, 22 per step (Crafter's info['achievements']). */
  achievements: Int32Array;
  /** 1 where the achievement unlocked (first time this episode) in this step, 22 per step. */
  unlocked: Uint8Array;
  /** The 16 inventory entries (vitals first), per step. */
  inventory: Int32Array;
  /** Player position (x, y). */
  position: Int32Array;
  /** Facing direction as (dx, dy). */
  facing: Int32Array;
  sleeping: Uint8Array;
  daylight: Float32Array;
  /** Local semantic view, 9 × 7 ids row-major (like the image), per step. */
  semantic: Uint8Array;
}

export interface ExtractedEpisode {
  id: string;
  sessionId: string;
  header: SessionRecord;
  slot: number;
  pid: string;
  kind: 'human' | 'ai';
  startT: number;
  endT: number;
  length: number;
  return: number;
  achievements: string[];
  endReason: string;
  /** Steps taken under spawn protection (nothing could damage the player; 0 without it). */
  protectedSteps: number;
  /** Tick rate in force when the episode started. */
  tickRate: number;
  /** The T + 1 rendered observations; empty when extracted without textures. */
  frames: FrameStore;
  actions: Int32Array;
  rewards: Float64Array;
  terminations: Uint8Array;
  truncations: Uint8Array;
  /**
   * Which brain chose each action (T): an index into ACTING_BRAINS (0 scripted, 1 learned), from
   * the tick records' `b`; -1 where none was recorded (a human, or an AI without brain records).
   */
  brains: Int8Array;
  infos: EpisodeInfos;
}

class Growable {
  private buf: Int32Array | Int8Array | Uint8Array | Float32Array | Float64Array;
  length = 0;
  constructor(private readonly make: (n: number) => Int32Array | Int8Array | Uint8Array | Float32Array | Float64Array) {
    this.buf = make(256);
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = this.make(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  pushAll(vs: ArrayLike<number>): void {
    for (let i = 0; i < vs.length; i++) this.push(vs[i]);
  }
  take<T>(): T {
    return this.buf.slice(0, this.length) as T;
  }
}

interface Open {
  slot: number;
  pid: string;
  kind: 'human' | 'ai';
  startT: number;
  tickRate: number;
  frames: FrameStore;
  actions: Growable;
  rewards: Growable;
  terminations: Growable;
  truncations: Growable;
  brains: Growable;
  t: number[];
  achievements: Growable;
  unlocked: Growable;
  inventory: Growable;
  position: Growable;
  facing: Growable;
  sleeping: Growable;
  daylight: Growable;
  semantic: Growable;
  steps: number;
  summary: EpisodeSummary | null;
}

export interface ExtractOptions {
  /**
   * Textures to render each step's observation with; absent: nothing is rendered and every
   * episode's `frames` stays empty (readers of the info rows only: rendering is most of a replay's cost).
   */
  textures?: Textures;
  /** Episode ids (`<sessionId>:<slot>:<startT>`) to extract; the others are replayed but not rendered. */
  wanted: ReadonlySet<string>;
  /** Scratch directory for frame files. */
  scratchDir: string;
  /**
   * Called synchronously for every extracted episode, in the
   * order episodes end. The frames are disposed after it returns.
   */
  onEpisode: (episode: ExtractedEpisode) => void;
  /** Called every few hundred ticks with ticks replayed so far. */
  onTicks?: (ticks: number) => void;
}

/**
 * Deterministically replays one session log and rebuilds, for every wanted episode, the
 * Gymnasium-style trajectory: T + 1 rendered observations (the state each player saw before
 * each action, then the final state), T actions, rewards and flags, and T + 1 info rows.
 * Throws DatasetError('mismatch') if the replay does not reproduce the recorded hashes.
 */
export function extractEpisodes(
  sessionId: string,
  bytes: Uint8Array,
  options: ExtractOptions,
): { ticks: number; episodes: number } {
  const renderer = options.textures ? new AgentViewRenderer(options.textures, OBS_SIZE) : null;
  const frame = new Uint8Array(FRAME_BYTES);
  const sem = new Uint8Array(LOCAL_VIEW_SIZE);
  const open = new Map<number, Open>();
  /** Slots whose next episode starts at the next tick (joined, respawned, or truncated). */
  const starting = new Map<number, { pid: string; kind: 'human' | 'ai' }>();
  const members = new Map<number, { pid: string; kind: 'human' | 'ai' }>();
  const records = decodeLog(bytes).records;
  const first = records[0];
  if (first?.k !== 'session')
    throw new DatasetError('corrupt', `session ${sessionId}: the log does not start with a session header`);
  const header: SessionRecord = first;
  let tickRate = header.config.tickRate;
  /** An error thrown by our own callbacks (a writer failing): the replay would only report it as a replay error. */
  let callbackError: unknown = null;
  const guard =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A): void => {
      if (callbackError) throw callbackError;
      try {
        fn(...args);
      } catch (err) {
        callbackError ??= err;
        throw err;
      }
    };
  let emitted = 0;
  let scratchSeq = 0;
  const all: FrameStore[] = [];
  const budget = new FrameBudget();

  const pushInfo = (o: Open, world: World): void => {
    const p = world.player(o.slot);
    o.t.push(world.t);
    // A truncated body's next episode starts before the engine resets its counters (next step).
    o.achievements.pushAll(o.steps === 0 && p.truncated ? ZERO_ACHIEVEMENTS : p.achievements);
    const unl = new Uint8Array(NUM_ACHIEVEMENTS);
    if (o.steps > 0) for (const i of p.newAchievements) unl[i] = 1;
    o.unlocked.pushAll(unl);
    o.inventory.pushAll(p.inventory);
    o.position.push(p.x);
    o.position.push(p.y);
    const d = DIRECTIONS[p.facing];
    o.facing.push(d[0]);
    o.facing.push(d[1]);
    o.sleeping.push(p.sleeping ? 1 : 0);
    o.daylight.push(world.daylight);
    o.semantic.pushAll(localSemanticView(world, o.slot, sem));
    if (renderer) o.frames.push(renderer.render(world, o.slot, frame));
  };

  const begin = (world: World, slot: number, who: { pid: string; kind: 'human' | 'ai' }): void => {
    const p = world.findPlayer(slot);
    if (!p || p.dead || p.removed) return;
    if (!options.wanted.has(episodeId(sessionId, slot, world.t))) return;
    const frames = new FrameStore(join(options.scratchDir, `frames-${process.pid}-${scratchSeq++}.raw`), budget);
    all.push(frames);
    const o: Open = {
      slot,
      pid: who.pid,
      kind: who.kind,
      startT: world.t,
      tickRate,
      frames,
      actions: new Growable((n) => new Int32Array(n)),
      rewards: new Growable((n) => new Float64Array(n)),
      terminations: new Growable((n) => new Uint8Array(n)),
      truncations: new Growable((n) => new Uint8Array(n)),
      brains: new Growable((n) => new Int8Array(n)),
      t: [],
      achievements: new Growable((n) => new Int32Array(n)),
      unlocked: new Growable((n) => new Uint8Array(n)),
      inventory: new Growable((n) => new Int32Array(n)),
      position: new Growable((n) => new Int32Array(n)),
      facing: new Growable((n) => new Int32Array(n)),
      sleeping: new Growable((n) => new Uint8Array(n)),
      daylight: new Growable((n) => new Float32Array(n)),
      semantic: new Growable((n) => new Uint8Array(n)),
      steps: 0,
      summary: null,
    };
    pushInfo(o, world);
    open.set(slot, o);
  };

  const finish = (o: Open, summary: EpisodeSummary): void => {
    open.delete(o.slot);
    if (o.steps !== summary.length) {
      o.frames.dispose();
      throw new DatasetError(
        'corrupt',
        `episode ${episodeId(sessionId, o.slot, o.startT)}: rebuilt ` +
          `${o.steps} steps, the replay counted ${summary.length}`,
      );
    }
    // A leave or session end is an external cut-off: the last step is truncated (Gymnasium semantics).
    const truncations = o.truncations.take<Uint8Array>();
    if (o.steps > 0 && summary.endReason !== 'death') truncations[o.steps - 1] = 1;
    const ep: ExtractedEpisode = {
      id: episodeId(sessionId, o.slot, o.startT),
      sessionId,
      header,
      slot: o.slot,
      pid: o.pid,
      kind: o.kind,
      startT: o.startT,
      endT: summary.endT,
      length: o.steps,
      return: summary.return,
      achievements: summary.achievements,
      endReason: summary.endReason,
      protectedSteps: summary.protectedSteps,
      tickRate: o.tickRate,
      frames: o.frames,
      actions: o.actions.take<Int32Array>(),
      rewards: o.rewards.take<Float64Array>(),
      terminations: o.terminations.take<Uint8Array>(),
      truncations,
      brains: o.brains.take<Int8Array>(),
      infos: {
        t: o.t,
        achievements: o.achievements.take<Int32Array>(),
        unlocked: o.unlocked.take<Uint8Array>(),
        inventory: o.inventory.take<Int32Array>(),
        position: o.position.take<Int32Array>(),
        facing: o.facing.take<Int32Array>(),
        sleeping: o.sleeping.take<Uint8Array>(),
        daylight: o.daylight.take<Float32Array>(),
        semantic: o.semantic.take<Uint8Array>(),
      },
    };
    emitted++;
    try {
      options.onEpisode(ep);
    } finally {
      o.frames.dispose();
    }
  };

  let ticks = 0;
  try {
    const report = replayRecords(records, {
      stopOnMismatch: true,
      onRecord: guard((rec: LogRecord, world: World) => {
        switch (rec.k) {
          case 'join':
            members.set(rec.slot, { pid: rec.pid, kind: rec.kind });
            starting.set(rec.slot, { pid: rec.pid, kind: rec.kind });
            break;
          case 'respawn': {
            const m = members.get(rec.slot);
            if (m) starting.set(rec.slot, m);
            break;
          }
          case 'leave':
            starting.delete(rec.slot);
            members.delete(rec.slot);
            break;
          case 'config':
            tickRate = rec.tickRate;
            break;
          case 'tick':
            // The state every player sees before acting: the first observation of new episodes.
            for (const [slot, who] of starting) begin(world, slot, who);
            starting.clear();
            break;
          default:
            break;
        }
      }),
      onTick: guard(({ world, actions, record }) => {
        ticks++;
        if (options.onTicks && ticks % 256 === 0) options.onTicks(ticks);
        const brains = new Map<number, number>();
        for (let i = 0; i + 1 < (record.b?.length ?? 0); i += 2) brains.set(record.b![i], record.b![i + 1]);
        for (const o of [...open.values()]) {
          const p = world.findPlayer(o.slot);
          if (!p) continue;
          o.actions.push(actions.get(o.slot) ?? 0);
          o.brains.push(brains.get(o.slot) ?? -1);
          o.rewards.push(p.reward);
          o.terminations.push(p.dead ? 1 : 0);
          o.truncations.push(p.truncated ? 1 : 0);
          o.steps++;
          pushInfo(o, world);
          if (o.summary) finish(o, o.summary);
        }
        // A truncated body goes on with a new episode from the next tick.
        for (const p of world.players) {
          if (p.truncated && !p.dead) {
            const m = members.get(p.slot);
            if (m) starting.set(p.slot, m);
          }
        }
      }),
      onEpisode: guard((summary: EpisodeSummary) => {
        const o = open.get(summary.slot);
        if (!o || o.startT !== summary.startT) return;
        // Death and truncation are reported before onTick of the same tick records the step.
        if ((summary.endReason === 'death' || summary.endReason === 'truncated') && o.steps < summary.length)
          o.summary = summary;
        else finish(o, summary);
      }),
    });
    if (callbackError) throw callbackError;
    if (!report.ok) {
      throw new DatasetError(
        'mismatch',
        `session ${sessionId}: ${describeReplayProblem(report.mismatches, report.error)}; the log is refused`,
      );
    }
  } finally {
    for (const f of all) f.dispose();
  }
  options.onTicks?.(ticks);
  return { ticks, episodes: emitted };
}

export { ACHIEVEMENTS, NUM_ITEMS };
