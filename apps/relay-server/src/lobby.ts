import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { PROTECTION_HELD, SNAPSHOT_VERSION, World } from '@aikon/engine';
import type { PolicyRunner } from '@aikon/agents/policy';
import {
  ACTING_BRAINS,
  type ActingBrain,
  DeltaBuilder,
  EpisodeTracker,
  type ErrorCode,
  invitePath,
  type LobbyConfig,
  type LobbyState,
  type LogRecord,
  type Member,
  type PlayerKind,
  PROTOCOL_VERSION,
  RECORDING_VERSION,
  SEATS_DEFAULT,
  deltaSelfState,
  SentSelf,
  type ServerToClientEvents,
  type SnapshotMessage,
  TICK_RATE_DEFAULT,
  type TrackedSlot,
} from '@aikon/protocol';
import type { RelayConfig } from './config.ts';
import { DeltaFrames, type OwnFields, writeFrame } from './delta-frames.ts';
import type { MemberSocket } from './io.ts';
import type { RelayMetrics } from './metrics.ts';
import { type EpisodeIndex, SessionRecorder } from '@aikon/protocol/node';
import { type AiWorker, auditPath, LobbyWorkforce } from './workforce.ts';
import type { BrainThread } from './workforce-brain.ts';

/** A refusal that becomes an `error` event / failed ack; never a crash. */
export class RelayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RelayError';
  }
}

export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

export interface LobbyContext {
  config: RelayConfig;
  metrics: RelayMetrics;
  /** Written without awaiting (the index applies writes in call order); a failed write is logged. */
  store: EpisodeIndex;
  log: Logger;
  engineVersion: string;
  /** Called when the lobby closed and must be forgotten. */
  onClosed(lobby: Lobby): void;
  /** A member's resume token was created or dropped. */
  onToken(token: string, member: MemberState | null, lobby: Lobby): void;
  /** Sends an event to every socket in a room (encoded once; stored for connection recovery). */
  emitToRoom<E extends keyof ServerToClientEvents>(
    room: string,
    event: E,
    ...args: Parameters<ServerToClientEvents[E]>
  ): void;
  /** Optional observer of every tick (benchmarks): its duration and how late it started, in ms. */
  onTick?(ms: number, lobby: Lobby, lateMs: number): void;
  /** Members, settings or the workforce may have changed (durable lobbies save it). */
  onChange?(lobby: Lobby): void;
  /**
   * Another relay process took the lobby's session log over (its append was refused: fenced,
   * see takeOverLog): the lobby no longer ticks here and must be given up. Called once, after the tick.
   */
  onLogLost?(lobby: Lobby): void;
  /** Loads the policy learned and hybrid AI workers run (absent: scripted workers only). */
  policy?: () => Promise<PolicyRunner>;
  /** The thread where the scripted workforce of every lobby thinks (off the tick loop). */
  brains: BrainThread;
}

/** A running lobby's world at one moment (see `Lobby.checkpoint`, lobby-store.ts). */
export interface WorldCheckpoint {
  sessionId: string;
  t: number;
  /** Log length (bytes) that produced this world: the records after it are replayed on top. */
  logBytes: number;
  world: Uint8Array;
  tracked: TrackedSlot[];
}

/** A running lobby's session continued after a relay restart (see lobby-store.ts). */
export interface ContinuedSession {
  sessionId: string;
  world: World;
  tracker: EpisodeTracker;
  recorder: SessionRecorder;
}

/**
 * A member's per-connection fields before a client is attached (a new member, or one restored
 * after a restart): no socket, nothing sent yet, held until its client has drawn the world.
 */
export function unconnectedMemberState() {
  return {
    socket: null,
    intent: -1,
    intentSeq: -1,
    intentBrain: null,
    lastAck: -1,
    disconnectTimer: null,
    sent: new SentSelf(),
    needsSnapshot: false,
    lastSnapshotAt: -Infinity,
    ready: false,
    held: false,
    dreamHoldTimer: null,
  } satisfies Partial<MemberState>;
}

export interface MemberState {
  memberId: string;
  name: string;
  kind: PlayerKind;
  /** Pseudonym used in recordings and the episode index. */
  pid: string;
  resumeToken: string;
  exportConsent: boolean;
  socket: MemberSocket | null;
  /** Client address of the last connection (a kick bans it from this lobby). */
  address: string;
  slot: number | null;
  /** Pending action for the next tick (last intent wins) and its seq. */
  intent: number;
  intentSeq: number;
  /** 'learned': the client's autopilot chose `intent` (recorded in the tick record's brains). */
  intentBrain: 'learned' | null;
  /** Seq of the last applied action (-1 if none). */
  lastAck: number;
  disconnectTimer: NodeJS.Timeout | null;
  /** Inventory and achievements last sent to this member (deltas omit them when unchanged). */
  sent: SentSelf;
  /** Deltas were skipped while the connection was congested: send a snapshot once it drains. */
  needsSnapshot: boolean;
  /** performance.now() of the last snapshot sent (resync requests are limited to one a second). */
  lastSnapshotAt: number;
  /** The client has drawn the world since it joined or came back (`game:ready`). */
  ready: boolean;
  /** The body is protected (PROTECTION_HELD) until the client has drawn the world or loaded its dream. */
  held: boolean;
  /** Ends a hold for a dream model that takes too long to load (see `dreamLoading`). */
  dreamHoldTimer: NodeJS.Timeout | null;
}

/** Bytes and packets queued for a socket that the client has not read yet. */
export function socketBacklog(socket: MemberSocket): { bytes: number; packets: number } {
  const conn = socket.conn as unknown as {
    writeBuffer?: unknown[];
    transport?: { socket?: { bufferedAmount?: number } };
  };
  return { bytes: conn.transport?.socket?.bufferedAmount ?? 0, packets: conn.writeBuffer?.length ?? 0 };
}

/** Above this backlog a client gets no deltas (only a snapshot once it has caught up). */
export const CONGESTED_BYTES = 512 * 1024;
export const CONGESTED_PACKETS = 256;
/** The longest a body is held protected while its client loads a dream model. */
export const DREAM_LOAD_HOLD_MS = 30_000;

function congested(socket: MemberSocket): boolean {
  const b = socketBacklog(socket);
  return b.bytes > CONGESTED_BYTES || b.packets > CONGESTED_PACKETS;
}

export type LeaveReason = 'leave' | 'kick' | 'timeout' | 'close';

/**
 * One lobby: members, host controls, and once started the authoritative world ticking at the
 * lobby's rate, recorded to an append-only log. All methods run on the event loop between
 * ticks, so joins/leaves/respawns are naturally ordered with ticks in the log.
 */
export class Lobby {
  readonly id: string;
  readonly code: string;
  status: 'waiting' | 'running' | 'closed' = 'waiting';
  readonly config: LobbyConfig;
  readonly members = new Map<string, MemberState>();
  hostId: string | null = null;
  world: World | null = null;
  sessionId: string | null = null;
  private recorder: SessionRecorder | null = null;
  /** Another relay process took the session log over: this lobby stops here (see loseLog). */
  private logLost = false;
  private tracker: EpisodeTracker | null = null;
  private readonly deltas = new DeltaBuilder();
  /** This tick's delta packets: the shared part encoded once, each member's own fields spliced in. */
  private readonly frames = new DeltaFrames();
  private timer: NodeJS.Timeout | null = null;
  private nextTickAt = 0;
  /** Started, but waiting for members' first frames before the first tick. */
  private awaitingFrames = false;
  private firstFrameTimer: NodeJS.Timeout | null = null;
  private emptyTimer: NodeJS.Timeout | null = null;
  private emptyDue = 0;
  private readonly actions = new Map<number, number>();
  /** Who chose each AI worker's action this tick. */
  private readonly acting = new Map<number, ActingBrain>();
  private readonly log: Logger;
  /** AI workers, their commander, the approval gate, kill switch and audit log. */
  readonly workforce: LobbyWorkforce;
  /** How this lobby came back after a restart (world from a checkpoint at t, then ticks replayed), if it did. */
  restoredFrom: { checkpointT: number; replayedTicks: number; ms: number } | null = null;
  /** Kicked members (by memberId): joins from their address are refused until the host lifts it. */
  readonly bans = new Map<string, { memberId: string; name: string; address: string }>();

  constructor(
    private readonly ctx: LobbyContext,
    options: { seats?: number; seed?: number; tickRate?: number; paused?: boolean; id?: string; code?: string },
  ) {
    // A lobby restored after a restart keeps its id and invite code.
    this.id = options.id ?? randomToken(9);
    this.code = options.code ?? randomToken(16);
    this.config = {
      seats: options.seats ?? SEATS_DEFAULT,
      seed: options.seed ?? randomBytes(6).readUIntLE(0, 6) % Number.MAX_SAFE_INTEGER,
      tickRate: options.tickRate ?? TICK_RATE_DEFAULT,
      ...(options.paused ? { paused: true } : {}),
    };
    this.log = ctx.log.child({ lobby: this.id });
    const lobby = this;
    this.workforce = new LobbyWorkforce(
      {
        lobbyId: this.id,
        get world() {
          return lobby.world;
        },
        get running() {
          return lobby.status === 'running';
        },
        spawn: (w) => this.spawnWorker(w),
        despawn: (w) => this.despawnWorker(w),
        respawn: (w) => this.respawnWorker(w),
        broadcast: (state) => {
          this.ctx.emitToRoom(this.room, 'workforce:state', state);
          this.ctx.onChange?.(this);
        },
        seatsLeft: () => this.config.seats - this.members.size - this.workforce.workers.size,
      },
      this.ctx.brains,
      this.ctx.metrics,
      this.ctx.config.languageModel,
      this.ctx.policy ?? null,
    );
  }

  get room(): string {
    return `lobby:${this.id}`;
  }

  get connectedCount(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.socket) n++;
    return n;
  }

  // ---- membership ---------------------------------------------------------------------

  addMember(socket: MemberSocket, info: { name: string; kind?: PlayerKind; exportConsent?: boolean }): MemberState {
    if (this.status === 'closed') throw new RelayError('lobby_not_found', 'this lobby has closed');
    for (const ban of this.bans.values()) {
      if (ban.address === socket.handshake.address)
        throw new RelayError('banned', 'the host removed you from this lobby; only the host can let you back in');
    }
    if (this.members.size + this.workforce.workers.size >= this.config.seats)
      throw new RelayError('lobby_full', `the lobby is full (${this.config.seats} seats)`);
    const member: MemberState = {
      memberId: randomToken(9),
      name: info.name,
      kind: info.kind ?? 'human',
      pid: randomToken(9),
      resumeToken: randomToken(24),
      exportConsent: info.exportConsent ?? true,
      address: socket.handshake.address,
      slot: null,
      ...unconnectedMemberState(),
    };
    this.members.set(member.memberId, member);
    this.ctx.onToken(member.resumeToken, member, this);
    if (this.hostId === null) this.hostId = member.memberId;
    this.attach(member, socket);
    if (this.status === 'running') this.spawnMember(member);
    this.log.info({ member: member.memberId, kind: member.kind, members: this.members.size }, 'member joined');
    this.broadcastState();
    socket.emit('workforce:state', this.workforce.state());
    return member;
  }

  /** Binds a (new or recovered) socket to a member; a previous socket of that member is detached. */
  attach(member: MemberState, socket: MemberSocket): void {
    if (member.socket && member.socket !== socket) {
      const old = member.socket;
      old.leave(this.room);
      old.data.lobbyId = undefined;
      old.data.memberId = undefined;
      old.emit('lobby:kicked', {
        lobbyId: this.id,
        reason: 'taken over by another connection with your resume token',
        takenOver: true,
      });
    }
    member.socket = socket;
    member.address = socket.handshake.address;
    socket.data.lobbyId = this.id;
    socket.data.memberId = member.memberId;
    socket.join(this.room);
    if (member.disconnectTimer) {
      clearTimeout(member.disconnectTimer);
      member.disconnectTimer = null;
    }
    if (this.emptyTimer) {
      clearTimeout(this.emptyTimer);
      this.emptyTimer = null;
    }
  }

  /**
   * Resume after a refresh/drop: same member, same body. Sends state and a snapshot. After a
   * new connection (`fresh`: a refresh, not Socket.IO's recovery) the page may be loading the
   * world again: its body is held protected until the client says it has drawn.
   */
  resume(member: MemberState, socket: MemberSocket, fresh = true): void {
    this.attach(member, socket);
    if (fresh) {
      member.ready = false;
      this.hold(member);
    }
    this.log.info({ member: member.memberId }, 'member resumed');
    this.broadcastState();
    socket.emit('workforce:state', this.workforce.state());
    this.sendSnapshot(member);
  }

  /** The socket went away without leaving: keep the body for the reconnection window. */
  disconnected(member: MemberState, socket: MemberSocket): void {
    if (member.socket !== socket) return;
    member.socket = null;
    member.intent = -1;
    this.awaitReconnect(member);
    this.log.info({ member: member.memberId }, 'member disconnected');
    if (this.awaitingFrames) this.checkAllReady();
    this.checkEmpty();
    this.broadcastState();
  }

  /** The member keeps its body for the reconnection window, then leaves ('timeout'). */
  private awaitReconnect(member: MemberState): void {
    member.disconnectTimer = setTimeout(() => {
      member.disconnectTimer = null;
      if (this.members.get(member.memberId) === member && member.socket === null) this.removeMember(member, 'timeout');
    }, this.ctx.config.reconnectMs);
    member.disconnectTimer.unref();
  }

  removeMember(member: MemberState, reason: LeaveReason): void {
    if (this.members.get(member.memberId) !== member) return;
    if (member.disconnectTimer) clearTimeout(member.disconnectTimer);
    member.disconnectTimer = null;
    if (member.slot !== null && this.world) {
      this.tracker?.leave(this.world, member.slot, reason === 'close' ? 'close' : 'leave');
      this.record({ k: 'leave', t: this.world.t, slot: member.slot, reason });
      this.world.removePlayer(member.slot);
      member.slot = null;
    }
    const socket = member.socket;
    if (socket) {
      socket.leave(this.room);
      socket.data.lobbyId = undefined;
      socket.data.memberId = undefined;
      if (reason === 'kick') socket.emit('lobby:kicked', { lobbyId: this.id, reason: 'kicked by the host' });
      if (reason === 'close') socket.emit('lobby:closed', { lobbyId: this.id, reason: 'lobby closed' });
    }
    member.socket = null;
    this.members.delete(member.memberId);
    this.ctx.onToken(member.resumeToken, null, this);
    this.log.info({ member: member.memberId, reason, members: this.members.size }, 'member left');
    if (reason === 'close') return;
    if (this.awaitingFrames) this.checkAllReady();
    if (this.hostId === member.memberId) this.handOver();
    this.checkEmpty();
    this.broadcastState();
  }

  /** The host left: the longest-present connected member (else any member) becomes host. */
  private handOver(): void {
    let next: MemberState | undefined;
    for (const m of this.members.values()) {
      if (m.socket) {
        next = m;
        break;
      }
    }
    next ??= this.members.values().next().value;
    this.hostId = next ? next.memberId : null;
    if (next) this.log.info({ host: next.memberId }, 'host handed over');
  }

  private checkEmpty(): void {
    if (this.status === 'closed') return;
    if (this.connectedCount > 0) return;
    // Nobody connected: close after the grace period. With no members at all nobody can
    // resume, so a shorter grace applies (this also bounds create/leave floods).
    const grace =
      this.members.size === 0
        ? Math.min(this.ctx.config.emptyLobbyGraceMs, this.ctx.config.abandonedLobbyGraceMs)
        : this.ctx.config.emptyLobbyGraceMs;
    const due = performance.now() + grace;
    if (this.emptyTimer) {
      if (this.emptyDue <= due) return;
      clearTimeout(this.emptyTimer);
    }
    this.emptyDue = due;
    this.emptyTimer = setTimeout(() => {
      this.emptyTimer = null;
      if (this.connectedCount === 0) this.close('empty');
    }, grace);
    this.emptyTimer.unref();
  }

  // ---- host controls ------------------------------------------------------------------

  requireHost(member: MemberState, what: string): void {
    if (this.hostId !== member.memberId) throw new RelayError('not_host', `only the host may ${what}`);
  }

  configure(change: { seats?: number; seed?: number; tickRate?: number; paused?: boolean }): void {
    if (change.paused !== undefined && (this.status !== 'running' || !this.world)) {
      throw new RelayError('not_running', 'only a running game can pause');
    }
    const present = this.members.size + this.workforce.workers.size;
    if (change.seats !== undefined && change.seats < present) {
      throw new RelayError(
        'bad_config',
        `seats (${change.seats}) cannot be fewer than the members and AI workers present (${present})`,
      );
    }
    if (change.seed !== undefined && this.status !== 'waiting') {
      throw new RelayError('already_running', 'the world seed cannot change after the game started');
    }
    if (change.seats !== undefined) this.config.seats = change.seats;
    if (change.seed !== undefined) this.config.seed = change.seed;
    if (change.tickRate !== undefined && change.tickRate !== this.config.tickRate) {
      this.config.tickRate = change.tickRate;
      if (this.world) this.record({ k: 'config', t: this.world.t, tickRate: change.tickRate });
    }
    if (change.paused !== undefined && change.paused !== (this.config.paused === true)) this.setPaused(change.paused);
    this.broadcastState();
  }

  /**
   * Host pause: no tick runs (intents wait for the next tick after the resume, spawn protection
   * and every timer counted in ticks wait too); the log notes both edges as `pause` records.
   */
  private setPaused(paused: boolean): void {
    const world = this.world!;
    this.record({ k: 'pause', t: world.t, paused });
    if (paused) {
      this.config.paused = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
    } else {
      delete this.config.paused;
      // While the first frames are awaited, the first tick is scheduled once they are drawn.
      if (!this.awaitingFrames) {
        this.nextTickAt = performance.now() + 1000 / this.config.tickRate;
        this.schedule();
      }
    }
    this.log.info({ paused, t: world.t }, paused ? 'host paused the game' : 'host resumed the game');
  }

  /** Removes the member and bans its address from this lobby (for the lobby's life, or until lifted). */
  kick(target: MemberState): void {
    this.bans.set(target.memberId, { memberId: target.memberId, name: target.name, address: target.address });
    this.removeMember(target, 'kick');
  }

  unban(memberId: string): void {
    if (!this.bans.delete(memberId)) throw new RelayError('member_not_found', 'no kicked member with this id');
    this.broadcastState();
  }

  start(): void {
    if (this.status !== 'waiting') throw new RelayError('already_running', 'the game is already running');
    const spawnProtection = this.ctx.config.spawnProtectionTicks;
    const world = World.generate({ seed: this.config.seed, mode: 'persistent', spawnProtection });
    this.sessionId = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${this.id}`;
    const startedAt = new Date().toISOString();
    this.recorder = SessionRecorder.create(
      this.ctx.config.dataDir,
      {
        k: 'session',
        v: RECORDING_VERSION,
        sessionId: this.sessionId,
        lobbyId: this.id,
        engineVersion: this.ctx.engineVersion,
        snapshotVersion: SNAPSHOT_VERSION,
        protocolVersion: PROTOCOL_VERSION,
        seed: this.config.seed,
        mode: 'persistent',
        spawnProtection,
        config: { seats: this.config.seats, tickRate: this.config.tickRate, hashEvery: this.ctx.config.hashEvery },
        startedAt,
        t: 0,
      },
      {
        fsyncMs: this.ctx.config.fsyncMs,
        onError: (err) => {
          this.ctx.metrics.recordErrors.inc();
          this.log.error({ err }, 'recording failed; the session continues unrecorded');
        },
        onBytes: (n) => this.ctx.metrics.recordBytes.inc(n),
      },
    );
    this.ctx.store
      .insertSession({
        id: this.sessionId,
        lobby_id: this.id,
        path: this.recorder.path,
        seed: this.config.seed,
        engine_version: this.ctx.engineVersion,
        config: JSON.stringify({ ...this.config, hashEvery: this.ctx.config.hashEvery }),
        started_at: startedAt,
      })
      .catch((err) => this.log.error({ err }, 'session index write failed'));
    const sessionId = this.sessionId;
    this.tracker = new EpisodeTracker((ep) => {
      this.ctx.store.insertEpisode(sessionId, ep).catch((err) => this.log.error({ err }, 'episode index write failed'));
    });
    this.world = world;
    this.status = 'running';
    // No tick before every member has drawn the world: nobody meets it on the death screen.
    this.awaitingFrames = true;
    for (const m of this.members.values()) this.spawnMember(m, false);
    this.workforce.start(auditPath(this.ctx.config.dataDir, this.sessionId));
    this.deltas.reset(world);
    for (const m of this.members.values()) this.sendSnapshot(m);
    this.firstFrameTimer = setTimeout(() => this.stopAwaitingFrames(), this.ctx.config.firstFrameTimeoutMs);
    this.firstFrameTimer.unref();
    this.log.info({ session: this.sessionId, seed: this.config.seed, members: this.members.size }, 'game started');
    this.broadcastState();
    this.checkAllReady();
  }

  /** A member's client drew the world: the first tick may come, or its held body goes free. */
  ready(member: MemberState): void {
    if (this.status !== 'running' || !this.world) throw new RelayError('not_running', 'the game has not started');
    const changed = !member.ready || member.held;
    member.ready = true;
    this.release(member);
    if (this.awaitingFrames) this.checkAllReady();
    if (changed) this.broadcastState();
  }

  /**
   * A member's client loads a dream model (it took 9-14 s on a slow machine) while the shared
   * world goes on: its body is held protected, as while its page loads, until the client says the
   * load is over (dreaming or not) or DREAM_LOAD_HOLD_MS have passed.
   */
  dreamLoading(member: MemberState, loading: boolean): void {
    if (this.status !== 'running' || !this.world) throw new RelayError('not_running', 'the game has not started');
    if (member.dreamHoldTimer) clearTimeout(member.dreamHoldTimer);
    member.dreamHoldTimer = null;
    if (loading && member.ready) {
      this.hold(member);
      if (member.held) {
        member.dreamHoldTimer = setTimeout(() => {
          member.dreamHoldTimer = null;
          this.release(member);
        }, DREAM_LOAD_HOLD_MS);
        member.dreamHoldTimer.unref();
      }
    } else if (!loading && member.ready) this.release(member);
  }

  /** A held body goes free with the usual spawn protection, so the player has time to look around. */
  private release(member: MemberState): void {
    if (member.held && member.slot !== null && this.world?.findPlayer(member.slot)) {
      this.protect(member.slot, this.world.spawnProtection);
    }
    member.held = false;
  }

  private checkAllReady(): void {
    for (const m of this.members.values()) if (m.socket && m.slot !== null && !m.ready) return;
    this.stopAwaitingFrames();
  }

  /** The first tick is scheduled; members still loading stand held (protected) meanwhile. */
  private stopAwaitingFrames(): void {
    if (!this.awaitingFrames || this.status !== 'running') return;
    this.awaitingFrames = false;
    if (this.firstFrameTimer) clearTimeout(this.firstFrameTimer);
    this.firstFrameTimer = null;
    for (const m of this.members.values()) if (!m.ready) this.hold(m);
    this.log.info({ held: [...this.members.values()].filter((m) => m.held).length }, 'first tick');
    this.nextTickAt = performance.now() + 1000 / this.config.tickRate;
    this.schedule();
    this.broadcastState();
  }

  /** Protects a member's body until its client has drawn the world (`ready`). */
  private hold(member: MemberState): void {
    if (member.held || member.slot === null || !this.world) return;
    const p = this.world.findPlayer(member.slot);
    if (!p || p.dead) return;
    this.protect(member.slot, PROTECTION_HELD);
    member.held = true;
  }

  private protect(slot: number, ticks: number): void {
    const world = this.world!;
    world.protect(slot, ticks);
    this.record({ k: 'protect', t: world.t, slot, ticks });
  }

  // ---- game ---------------------------------------------------------------------------

  private spawnMember(member: MemberState, snapshot = true): void {
    const world = this.world!;
    const p = world.addPlayer();
    member.slot = p.slot;
    member.intent = -1;
    this.record({
      k: 'join',
      t: world.t,
      slot: p.slot,
      pid: member.pid,
      kind: member.kind,
      consent: member.exportConsent,
      id: p.id,
      x: p.x,
      y: p.y,
    });
    this.tracker!.join(world, p.slot, { pid: member.pid, kind: member.kind, consent: member.exportConsent });
    // A late joiner is still loading the world: held until its client has drawn it.
    if (!this.awaitingFrames && !member.ready) this.hold(member);
    if (snapshot) this.sendSnapshot(member);
  }

  private spawnWorker(worker: AiWorker): number {
    const world = this.world!;
    const p = world.addPlayer();
    this.record({
      k: 'join',
      t: world.t,
      slot: p.slot,
      pid: worker.pid,
      kind: 'ai',
      consent: true,
      id: p.id,
      x: p.x,
      y: p.y,
    });
    this.tracker!.join(world, p.slot, { pid: worker.pid, kind: 'ai', consent: true });
    this.log.info({ worker: worker.workerId, slot: p.slot }, 'AI worker joined');
    this.broadcastState();
    return p.slot;
  }

  private despawnWorker(worker: AiWorker, reason: LeaveReason = 'leave'): void {
    const world = this.world;
    if (!world || worker.slot === null) return;
    this.tracker?.leave(world, worker.slot, reason === 'close' ? 'close' : 'leave');
    this.record({ k: 'leave', t: world.t, slot: worker.slot, reason });
    world.removePlayer(worker.slot);
    worker.slot = null;
    if (reason !== 'close') this.broadcastState();
  }

  private respawnWorker(worker: AiWorker): void {
    const world = this.world!;
    const p = world.respawn(worker.slot!);
    this.record({ k: 'respawn', t: world.t, slot: p.slot, id: p.id, x: p.x, y: p.y });
    this.tracker!.respawn(world, p.slot);
  }

  setIntent(
    member: MemberState,
    action: number,
    seq: number | undefined,
    slot: number | undefined,
    brain: 'learned' | null = null,
  ): void {
    if (this.status !== 'running' || !this.world) throw new RelayError('not_running', 'the game has not started');
    if (member.slot === null) throw new RelayError('no_player', 'you have no player in this world');
    if (slot !== undefined && slot !== member.slot) {
      throw new RelayError('not_your_player', `slot ${slot} is not your player (yours is ${member.slot})`);
    }
    const p = this.world.findPlayer(member.slot);
    if (!p || p.dead || p.removed) throw new RelayError('player_dead', 'your player is dead: respawn first');
    member.intent = action;
    member.intentSeq = seq ?? -1;
    member.intentBrain = brain;
  }

  respawn(member: MemberState): void {
    if (this.status !== 'running' || !this.world) throw new RelayError('not_running', 'the game has not started');
    if (member.slot === null) throw new RelayError('no_player', 'you have no player in this world');
    const world = this.world;
    const old = world.findPlayer(member.slot);
    if (!old?.dead) throw new RelayError('player_alive', 'only a dead player can respawn');
    const p = world.respawn(member.slot);
    this.record({ k: 'respawn', t: world.t, slot: p.slot, id: p.id, x: p.x, y: p.y });
    this.tracker!.respawn(world, p.slot);
    member.intent = -1;
    member.held = false;
    this.log.info({ member: member.memberId, slot: p.slot }, 'player respawned');
  }

  setConsent(member: MemberState, consent: boolean): void {
    member.exportConsent = consent;
    if (this.world && member.slot !== null) {
      this.record({ k: 'consent', t: this.world.t, slot: member.slot, consent });
      this.tracker!.setConsent(member.slot, consent);
    }
    this.broadcastState();
  }

  /** A client's explicit resync request: at most one snapshot a second. */
  resync(member: MemberState): void {
    if (this.status !== 'running') throw new RelayError('not_running', 'the game has not started');
    if (performance.now() - member.lastSnapshotAt < 1000) {
      // The snapshot is sent once the second is over (as after a congestion), not dropped.
      member.needsSnapshot = true;
      return;
    }
    this.sendSnapshot(member);
  }

  sendSnapshot(member: MemberState): void {
    if (!member.socket || !this.world) return;
    member.needsSnapshot = false;
    member.lastSnapshotAt = performance.now();
    const bytes = this.world.snapshot();
    // A Node Buffer, not a plain Uint8Array: notepack.io encodes Buffers as msgpack `bin`
    // (ArrayBuffer in browsers), but other typed arrays as an `ext` that browsers decode as
    // [type, ArrayBuffer].
    const snapshot = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const msg: SnapshotMessage = { v: PROTOCOL_VERSION, t: this.world.t, snapshot, slot: member.slot };
    member.socket.emit('game:snapshot', msg);
    member.sent = new SentSelf();
  }

  private schedule(): void {
    if (this.config.paused || this.logLost) return;
    const now = performance.now();
    // Far behind (e.g. after a long pause): skip missed ticks rather than bursting.
    if (this.nextTickAt < now - 1000) this.nextTickAt = now;
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.nextTickAt - now));
  }

  private tick(): void {
    this.timer = null;
    if (this.status !== 'running' || !this.world || this.logLost) return;
    const scheduled = this.nextTickAt;
    const start = performance.now();
    try {
      this.step(scheduled);
    } catch (err) {
      // The engine validates its input; reaching here is a server bug. Keep the lobby alive.
      this.log.error({ err }, 'tick failed');
    }
    const took = performance.now() - start;
    this.ctx.metrics.tickDuration.observe(took / 1000);
    this.ctx.metrics.ticks.inc();
    this.ctx.onTick?.(took, this, start - scheduled);
    this.nextTickAt = scheduled + 1000 / this.config.tickRate;
    this.schedule();
  }

  private step(scheduled: number): void {
    const world = this.world!;
    const actions = this.actions;
    actions.clear();
    const flat: number[] = [];
    // Members whose client's autopilot chose this tick's action.
    const piloted: number[] = [];
    for (const m of this.members.values()) {
      if (m.slot === null || m.intent < 0) continue;
      const p = world.findPlayer(m.slot);
      if (p && !p.dead && !p.removed) {
        actions.set(m.slot, m.intent);
        m.lastAck = m.intentSeq;
        if (m.intentBrain) piloted.push(m.slot);
      }
      m.intent = -1;
      m.intentBrain = null;
    }
    // AI workers: one action each from their brains, through the same path.
    const acting = this.acting;
    acting.clear();
    try {
      this.workforce.actions(actions, acting);
    } catch (err) {
      // A workforce bug must not stall the world: the workers stop, the humans play on.
      this.log.error({ err }, 'workforce failed; AI workers stopped');
      for (const w of this.workforce.workers.values()) if (w.slot !== null) actions.delete(w.slot);
      acting.clear();
      this.workforce.fail(err instanceof Error ? err.message : String(err));
    }
    for (const slot of piloted) acting.set(slot, 'learned');
    for (const [slot, a] of [...actions].sort((x, y) => x[0] - y[0])) if (a !== 0) flat.push(slot, a);
    world.step(actions);
    if (acting.size > 0) {
      // Which brain chose each AI worker's (and autopiloted member's) action (recording.ts TickRecord.b).
      const b: number[] = [];
      for (const [slot, who] of [...acting].sort((x, y) => x[0] - y[0])) b.push(slot, ACTING_BRAINS.indexOf(who));
      this.record({ k: 'tick', t: world.t, a: flat, b });
    } else this.record({ k: 'tick', t: world.t, a: flat });
    if (world.t % this.ctx.config.hashEvery === 0) this.record({ k: 'hash', t: world.t, h: world.hash() });
    // A tick the log refused was never played: nobody sees it.
    if (this.logLost) return;
    this.tracker!.afterStep(world);
    const frames = this.frames;
    frames.begin(this.deltas.next(world));
    const stamp = this.ctx.config.stampDeltas ? performance.timeOrigin + scheduled : undefined;
    for (const m of this.members.values()) {
      if (!m.socket) continue;
      // A client that does not read (slow link, stalled tab, hostile) gets no more deltas:
      // the server's memory stays bounded; it resumes with a snapshot once it has drained.
      if (congested(m.socket)) {
        m.needsSnapshot = true;
        continue;
      }
      if (m.needsSnapshot) {
        if (performance.now() - m.lastSnapshotAt >= 1000) this.sendSnapshot(m);
        continue;
      }
      const p = m.slot !== null ? world.findPlayer(m.slot) : undefined;
      // Inventory and achievements only when they changed (per body, so a respawn resends).
      const you = p ? deltaSelfState(p, m.lastAck, m.sent) : undefined;
      let own: OwnFields | null = you ? { you } : null;
      if (stamp !== undefined) own = you ? { you, ts: stamp } : { ts: stamp };
      writeFrame(m.socket, frames.frame(own));
    }
  }

  private record(record: LogRecord): void {
    const recorder = this.recorder;
    recorder?.append(record);
    if (recorder?.fenced) {
      this.loseLog();
      return;
    }
    // The workforce brain's mirror of the world follows the same records.
    this.workforce.observe(record);
  }

  /** The session log was taken over by another relay process: nothing more is ticked here. */
  private loseLog(): void {
    if (this.logLost) return;
    this.logLost = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    setImmediate(() => this.ctx.onLogLost?.(this));
  }

  // ---- state --------------------------------------------------------------------------

  state(): LobbyState {
    const members: Member[] = [];
    for (const m of this.members.values()) {
      members.push({
        memberId: m.memberId,
        name: m.name,
        kind: m.kind,
        host: m.memberId === this.hostId,
        connected: m.socket !== null,
        slot: m.slot,
        exportConsent: m.exportConsent,
        ready: m.ready,
      });
    }
    // AI workers are listed like members (kind 'ai'; the host's kick removes them).
    for (const w of this.workforce.workers.values()) {
      members.push({
        memberId: w.workerId,
        name: w.name,
        kind: 'ai',
        host: false,
        connected: true,
        slot: w.slot,
        exportConsent: true,
        worker: true,
      });
    }
    return {
      v: PROTOCOL_VERSION,
      lobbyId: this.id,
      code: this.code,
      invitePath: invitePath(this.code),
      status: this.status,
      config: { ...this.config },
      members,
      hostId: this.hostId,
      t: this.world?.t ?? 0,
      ...(this.awaitingFrames ? { awaitingFrames: true } : {}),
      banned: [...this.bans.values()].map((b) => ({ memberId: b.memberId, name: b.name })),
    };
  }

  broadcastState(): void {
    this.ctx.emitToRoom(this.room, 'lobby:state', this.state());
    this.ctx.onChange?.(this);
  }

  // ---- durable lobbies (lobby-store.ts) ----------------------------------------------

  /**
   * Continues this lobby after a relay restart: the members come back without a connection
   * (each has the reconnection window to resume with its token), and a running lobby ticks on
   * from its restored world, appending to the same session log.
   */
  continueAfterRestart(members: readonly MemberState[], hostId: string | null, session: ContinuedSession | null): void {
    for (const m of members) {
      this.members.set(m.memberId, m);
      this.ctx.onToken(m.resumeToken, m, this);
      this.awaitReconnect(m);
    }
    this.hostId = hostId;
    if (session) {
      this.sessionId = session.sessionId;
      this.world = session.world;
      this.tracker = session.tracker;
      this.recorder = session.recorder;
      this.status = 'running';
      this.deltas.reset(session.world);
      this.nextTickAt = performance.now() + 1000 / this.config.tickRate;
      this.schedule();
    }
    this.checkEmpty();
    this.log.info(
      { session: this.sessionId, t: this.world?.t ?? 0, members: this.members.size },
      'lobby restored after a restart',
    );
  }

  /**
   * After a restart, members and bodies agree again when the crash fell between a change and
   * its lobby file: a body nobody owns (a join the log has, the file not) leaves ('timeout'),
   * and a member without a body gets a fresh one.
   */
  reconcileBodies(): void {
    const world = this.world;
    if (this.status !== 'running' || !world) return;
    const owned = new Set<number>();
    for (const m of this.members.values()) if (m.slot !== null) owned.add(m.slot);
    for (const w of this.workforce.workers.values()) if (w.slot !== null) owned.add(w.slot);
    for (const p of [...world.players]) {
      if (owned.has(p.slot)) continue;
      this.tracker?.leave(world, p.slot, 'leave');
      this.record({ k: 'leave', t: world.t, slot: p.slot, reason: 'timeout' });
      world.removePlayer(p.slot);
      this.log.warn({ slot: p.slot }, 'restored body without a member removed');
    }
    for (const m of this.members.values()) if (m.slot === null) this.spawnMember(m, false);
  }

  /**
   * The running world as it is now, with the log length it corresponds to (every record
   * written so far) and the episode tracker's slots: a restart replays only the records after
   * it. Taken between ticks.
   */
  checkpoint(): WorldCheckpoint | null {
    if (
      this.status !== 'running' ||
      !this.world ||
      !this.recorder ||
      !this.tracker ||
      !this.sessionId ||
      this.recorder.failed
    )
      return null;
    return {
      sessionId: this.sessionId,
      t: this.world.t,
      logBytes: this.recorder.bytes,
      world: this.world.snapshot(),
      tracked: this.tracker.tracked(),
    };
  }

  /**
   * Server shutdown with durable lobbies: stops ticking and syncs the log, without an end
   * record, so that the next start continues the lobby (a deploy is a short pause).
   */
  suspend(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.firstFrameTimer) clearTimeout(this.firstFrameTimer);
    this.firstFrameTimer = null;
    if (this.emptyTimer) clearTimeout(this.emptyTimer);
    this.emptyTimer = null;
    for (const m of this.members.values()) {
      if (m.disconnectTimer) clearTimeout(m.disconnectTimer);
      m.disconnectTimer = null;
    }
    this.workforce.close();
    this.recorder?.close({ sync: true });
    this.recorder = null;
    this.log.info({ session: this.sessionId }, 'lobby suspended for a restart');
  }

  /**
   * Ends the lobby: members' episodes end, the log gets its end record and is closed (synced
   * asynchronously, then the index marks the session complete; `sync` for server shutdown).
   */
  close(reason: string, options: { sync?: boolean } = {}): void {
    if (this.status === 'closed') return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.firstFrameTimer) clearTimeout(this.firstFrameTimer);
    this.firstFrameTimer = null;
    this.awaitingFrames = false;
    if (this.emptyTimer) clearTimeout(this.emptyTimer);
    this.emptyTimer = null;
    for (const m of [...this.members.values()]) this.removeMember(m, 'close');
    for (const w of this.workforce.workers.values()) this.despawnWorker(w, 'close');
    this.workforce.close();
    this.status = 'closed';
    const recorder = this.recorder;
    const sessionId = this.sessionId;
    if (this.world && recorder && sessionId) {
      const endedAt = new Date().toISOString();
      const ticks = this.world.t;
      this.record({ k: 'end', t: ticks, reason, h: this.world.hash(), endedAt });
      recorder.close({
        sync: options.sync,
        onDone: (failed) => {
          this.ctx.store
            .finishSession(sessionId, {
              status: failed ? 'incomplete' : 'complete',
              endedAt,
              ticks,
              note: failed ? `recording failed: ${failed.message}` : null,
            })
            .catch((err) => this.log.error({ err }, 'session index update failed'));
        },
      });
    }
    this.log.info({ reason, session: this.sessionId }, 'lobby closed');
    this.ctx.onClosed(this);
  }
}
