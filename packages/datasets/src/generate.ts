import { randomBytes } from 'node:crypto';
import { ENGINE_VERSION, NUM_ACTIONS, Rng, SNAPSHOT_VERSION, World } from '@aikon/engine';
import {
  ACTING_BRAINS,
  type ActingBrain,
  EpisodeTracker,
  type LogRecord,
  PROTOCOL_VERSION,
  RECORDING_VERSION,
  type SessionRecord,
} from '@aikon/protocol';
import { indexPath, RecordingStore, SessionRecorder } from '@aikon/protocol/node';
import { DatasetError, isSafeSessionId } from './layout.ts';

/** One body's scripted player (an AI agent), created at every join and respawn. */
export interface PlayerPolicy {
  /** The action for the next tick, from the world as it is now. */
  act(world: World): number;
  /**
   * Which brain chose the action `act` just returned (read after each act; AI players only):
   * recorded as the tick's `b`, as the relay records its workers. Absent: no brain record.
   */
  readonly brain?: ActingBrain;
}

/** A policy other than the uniformly random one: its name, and a player per new body. */
export interface PolicySource {
  readonly name: string;
  create(world: World, slot: number): PlayerPolicy;
}

export interface GenerateOptions {
  dataDir: string;
  /** Episodes to record in total (at least; the last session closes the open ones). */
  episodes: number;
  /** 'random' (default) or a scripted player per body (e.g. the workforce, from @aikon/agents). */
  policy?: 'random' | PolicySource;
  seed?: number;
  /** Sessions to spread the episodes over (default 1). */
  sessions?: number;
  /** Players per session (default 2). */
  players?: number;
  /**
   * A player leaves after this many steps of an episode and a new member
   * takes the seat (default: none; the engine truncates at 10,000).
   */
  maxSteps?: number;
  tickRate?: number;
  hashEvery?: number;
  /** Slots whose members opt out of dataset export (tests). */
  optOutSlots?: readonly number[];
  /** Slots recorded as 'human' (tests only: generated play is AI play). */
  humanSlots?: readonly number[];
  /** Start time of each session (default: now). Backfills and tests spread sessions over days with it. */
  startedAt?: (session: number) => Date;
  /** Also record sessions and episodes in `<dataDir>/index.sqlite`, as the relay does (default true). */
  index?: boolean;
  onProgress?: (episodesDone: number, total: number) => void;
}

export interface GeneratedSession {
  sessionId: string;
  path: string;
  ticks: number;
  episodes: number;
  bytes: number;
}

function token(rng: Rng): string {
  const b = Buffer.alloc(9);
  for (let i = 0; i < 9; i++) b[i] = rng.int(256);
  return b.toString('base64url').replace(/^[-_]/, 'g');
}

/**
 * Plays headless sessions with AI players (uniformly random policy) and records them with the
 * relay's own recorder and index (@aikon/protocol/node): the log gets join, tick (non-noop
 * actions), hash every `hashEvery` ticks, respawn after death, leave, and an `end` record with
 * the final hash; `<dataDir>/index.sqlite` gets the session (status 'recording', then
 * 'complete') and each episode as it ends, from the same `EpisodeTracker` the relay runs live.
 */
export function generateSessions(options: GenerateOptions): GeneratedSession[] {
  const total = options.episodes;
  if (!Number.isInteger(total) || total < 1 || total > 100_000)
    throw new DatasetError('bad_request', `--episodes must be an integer in 1..100000, got ${total}`);
  const sessionsN = options.sessions ?? 1;
  if (!Number.isInteger(sessionsN) || sessionsN < 1 || sessionsN > total)
    throw new DatasetError('bad_request', `--sessions must be an integer in 1..${total}`);
  const players = options.players ?? 2;
  if (!Number.isInteger(players) || players < 1 || players > 32)
    throw new DatasetError('bad_request', `--players must be an integer in 1..32`);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new DatasetError('bad_request', `--seed must be a non-negative integer`);
  const source = typeof options.policy === 'object' ? options.policy : null;
  if (!source && (options.policy ?? 'random') !== 'random')
    throw new DatasetError('bad_request', `unknown policy ${String(options.policy)} (known: random)`);
  const maxSteps = options.maxSteps;
  if (maxSteps !== undefined && (!Number.isInteger(maxSteps) || maxSteps < 1))
    throw new DatasetError('bad_request', '--max-steps must be a positive integer');
  const tickRate = options.tickRate ?? 8;
  const hashEvery = options.hashEvery ?? 100;
  const out: GeneratedSession[] = [];
  const rng = new Rng(seed);
  let done = 0;
  for (let s = 0; s < sessionsN; s++) {
    const quota = Math.floor(total / sessionsN) + (s < total % sessionsN ? 1 : 0);
    const worldSeed = rng.nextUint32() * 65536 + rng.int(65536);
    const startedAt = (options.startedAt?.(s) ?? new Date()).toISOString();
    const stamp = startedAt.replace(/[-:]/g, '').replace(/\..*/, '');
    const sessionId = `${stamp}-${token(rng)}${randomBytes(2).toString('hex')}`;
    const header: SessionRecord = {
      k: 'session',
      v: RECORDING_VERSION,
      sessionId,
      lobbyId: token(rng),
      engineVersion: ENGINE_VERSION,
      snapshotVersion: SNAPSHOT_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      seed: worldSeed,
      mode: 'persistent',
      config: { seats: Math.max(players, 1), tickRate, hashEvery },
      startedAt,
      t: 0,
    };
    if (!isSafeSessionId(sessionId)) throw new DatasetError('bad_request', `invalid session id ${sessionId}`);
    const log = SessionRecorder.create(options.dataDir, header, { bufferBytes: 1 << 16 });
    const store = options.index === false ? null : new RecordingStore(indexPath(options.dataDir));
    const world = World.generate({ seed: worldSeed, mode: 'persistent' });
    const policy = new Rng(seed ^ (0x5eed + s));
    const scripted = new Map<number, PlayerPolicy>();
    let finished = 0;
    let endedAt: string | null = null;
    try {
      store?.insertSession({
        id: sessionId,
        lobby_id: header.lobbyId,
        path: log.path,
        seed: worldSeed,
        engine_version: header.engineVersion,
        config: JSON.stringify(header.config),
        started_at: startedAt,
      });
      const tracker = new EpisodeTracker((ep) => store?.insertEpisode(sessionId, ep));
      const record = (r: LogRecord): void => {
        log.append(r);
        if (log.failed) throw new DatasetError('io', `cannot write ${log.path}: ${log.failed.message}`);
      };
      const join = (slot: number): void => {
        const p = world.addPlayer({ slot });
        const meta = {
          pid: token(rng),
          kind: options.humanSlots?.includes(slot) ? ('human' as const) : ('ai' as const),
          consent: !options.optOutSlots?.includes(slot),
        };
        record({ k: 'join', t: world.t, slot, ...meta, id: p.id, x: p.x, y: p.y });
        tracker.join(world, slot, meta);
        if (source) scripted.set(slot, source.create(world, slot));
      };
      const leave = (slot: number, reason: 'leave' | 'close'): void => {
        tracker.leave(world, slot, reason);
        record({ k: 'leave', t: world.t, slot, reason });
        world.removePlayer(slot);
      };
      for (let slot = 0; slot < players; slot++) join(slot);
      const actions = new Map<number, number>();
      while (finished < quota) {
        actions.clear();
        const flat: number[] = [];
        const brains: number[] = [];
        for (const p of world.players) {
          if (p.dead || p.removed) continue;
          const player = scripted.get(p.slot);
          const a = player ? player.act(world) : policy.int(NUM_ACTIONS);
          actions.set(p.slot, a);
          if (a !== 0) flat.push(p.slot, a);
          if (player?.brain !== undefined && !options.humanSlots?.includes(p.slot))
            brains.push(p.slot, ACTING_BRAINS.indexOf(player.brain));
        }
        world.step(actions);
        record({ k: 'tick', t: world.t, a: flat, ...(brains.length > 0 ? { b: brains } : {}) });
        if (world.t % hashEvery === 0) record({ k: 'hash', t: world.t, h: world.hash() });
        tracker.afterStep(world);
        for (const p of [...world.players]) {
          if (p.dead) {
            finished++;
            if (finished >= quota) break;
            const q = world.respawn(p.slot);
            record({ k: 'respawn', t: world.t, slot: q.slot, id: q.id, x: q.x, y: q.y });
            tracker.respawn(world, q.slot);
            if (source) scripted.set(q.slot, source.create(world, q.slot));
          } else if (p.truncated) {
            finished++;
          } else if (maxSteps !== undefined && p.episodeSteps >= maxSteps) {
            finished++;
            leave(p.slot, 'leave');
            if (finished < quota) join(p.slot);
          }
          if (finished >= quota) break;
        }
        options.onProgress?.(done + Math.min(finished, quota), total);
      }
      for (const p of [...world.players]) leave(p.slot, 'close');
      const end = new Date().toISOString();
      record({ k: 'end', t: world.t, reason: 'generated', h: world.hash(), endedAt: end });
      endedAt = end;
    } finally {
      // Closing syncs the log to stable storage before the index calls the session complete.
      log.close({ sync: true });
      const failed = log.failed;
      try {
        store?.finishSession(sessionId, {
          status: endedAt && !failed ? 'complete' : 'incomplete',
          endedAt,
          ticks: world.t,
          note: failed ? `recording failed: ${failed.message}` : endedAt ? null : 'generation stopped by an error',
        });
      } finally {
        store?.close();
      }
    }
    // Reached only when generation ran to its end (an error thrown above passes the finally block unchanged).
    if (log.failed) throw new DatasetError('io', `cannot write ${log.path}: ${log.failed.message}`);
    done += quota;
    out.push({ sessionId, path: log.path, ticks: world.t, episodes: quota, bytes: log.bytes });
  }
  return out;
}
