/**
 * Several relay processes on one Redis (`REDIS_URL`), on one host or several, sharing the data
 * directory (session logs) and Redis (lobby records, rooms through the streams adapter):
 *
 * - Directory: `aikon:codes` (invite code → lobby id) and `aikon:tokens` (resume token → lobby
 *   id), kept by the lobby's owner, so that a code or token resolves from any process.
 * - Ownership: each lobby ticks on exactly one process, the holder of `aikon:owner:<lobbyId>`,
 *   a lease with expiry (`leaseMs`) that the owner renews three times per lease. A process that
 *   finds a saved lobby without a live owner (the lease expired, or the holder's Redis connection
 *   is gone: killed) takes the lease and brings the lobby back from the store and its session log.
 *   Each such claim counts up `aikon:epoch:<lobbyId>`: the new owner takes the session log over
 *   under that epoch (takeOverLog, @aikon/protocol/node), which fences off the appends of an
 *   earlier owner that was only stalled; that owner stops the lobby when its append is refused.
 * - Forwarding: a client whose lobby is owned by another process stays connected where it is.
 *   Its events go to the owner over `aikon:proc:<processId>` (validated there like any client
 *   event), and the owner drives it through a RemoteMemberSocket: emits and room joins reach it
 *   through the streams adapter, acks come back on the forwarding process's channel.
 */
import { z } from 'zod';
import type { Ack, ErrorMessage } from '@aikon/protocol';
import { encode } from 'notepack.io';
import type { Logger } from 'pino';
import { type FrameSink, writeFrame } from './delta-frames.ts';
import type { LobbySummary } from './http-routes.ts';
import type { MemberSocket, RelayIo, RelaySocket } from './io.ts';
import type { Lobby } from './lobby.ts';
import type { LobbyStore, SavedLobby } from './lobby-store.ts';
import { epochKey, KEY_PREFIX, ownerKey, type RedisClient } from './redis-state.ts';
import type { RelayMetrics } from './metrics.ts';
import type { LobbyRegistry } from './registry.ts';

const CLUSTER_VERSION = 1;
/** Socket.IO's packet type of an event. */
const SOCKET_IO_EVENT = 2;
const CODES = `${KEY_PREFIX}codes`;
const TOKENS = `${KEY_PREFIX}tokens`;
const channelOf = (processId: string): string => `${KEY_PREFIX}proc:${processId}`;

/**
 * Renews the lease while this process holds it, or takes it again if it expired and nobody
 * claimed it since (this process was stalled longer than the lease: the epoch, KEYS[2], is still
 * the one it holds, ARGV[3]); 0: another process holds it now, or held it meanwhile.
 */
const RENEW = `local owner = redis.call('get', KEYS[1])
if owner == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if not owner and (redis.call('get', KEYS[2]) or '0') == ARGV[3] then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;
/** Claims the lease of a lobby nobody holds; answers the claim's epoch (nil: somebody holds it). */
const CLAIM = `if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return redis.call('incr', KEYS[2]) end
return false`;
/** Lets the lease go only if the given process (this one, or a dead one) holds it. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** How long a process found alive is believed alive without asking Redis again (ms). */
const ALIVE_FOR_MS = 500;
const ProcessId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const ClusterMessage = z.discriminatedUnion('k', [
  /** A client event for a lobby this process owns, from the process the client is connected to. */
  z.object({
    v: z.literal(CLUSTER_VERSION),
    k: z.literal('event'),
    from: ProcessId,
    sid: z.string().max(64),
    address: z.string().max(100),
    event: z.string().max(64),
    payload: z.unknown(),
    ack: z.int().min(0).nullable(),
  }),
  /** The owner's answer to a forwarded event's ack. */
  z.object({ v: z.literal(CLUSTER_VERSION), k: z.literal('ack'), ack: z.int().min(0), answer: z.unknown() }),
  /** Packets for a forwarded client (its owner's emits and deltas, encoded), base64. */
  z.object({ v: z.literal(CLUSTER_VERSION), k: z.literal('packet'), sid: z.string().max(64), data: z.string() }),
  /** The forwarded client disconnected from its process. */
  z.object({ v: z.literal(CLUSTER_VERSION), k: z.literal('gone'), sid: z.string().max(64) }),
]);
type ClusterMessage = z.infer<typeof ClusterMessage>;

/** What the connection handlers (connections.ts) do with a forwarded client. */
export interface ForwardedClientHandlers {
  /** Handles one client event of a remote member socket exactly like a local one's. */
  handle(socket: MemberSocket, event: string, payload: unknown, ack: ((answer: Ack) => void) | undefined): void;
  /** The socket went away. */
  disconnected(socket: MemberSocket): void;
}

/**
 * A member connected to another relay process, as the owner of its lobby sees it. Its packets
 * (events, deltas) are encoded here exactly as Socket.IO's msgpack parser would and sent, in
 * order, to its process, which writes them to the member's connection; room changes go
 * through the Socket.IO adapter (Redis streams).
 */
export class RemoteMemberSocket implements MemberSocket {
  readonly data: MemberSocket['data'] = {};
  connected = true;
  readonly handshake: { address: string };
  readonly conn: FrameSink;

  constructor(
    private readonly io: RelayIo,
    readonly id: string,
    address: string,
    send: (frame: Buffer) => void,
  ) {
    this.handshake = { address };
    this.conn = { readyState: 'open', write: send };
  }

  readonly emit: MemberSocket['emit'] = (event, ...args) => {
    this.conn.write(encode({ type: SOCKET_IO_EVENT, data: [event, ...args], nsp: '/' }));
    return true;
  };

  join(room: string): void {
    this.io.in(this.id).socketsJoin(room);
  }

  leave(room: string): void {
    this.io.in(this.id).socketsLeave(room);
  }
}

export interface ClusterOptions {
  /** This relay process's id (its lobby leases, its channel, its fenced writes). */
  processId: string;
  leaseMs: number;
  metrics: RelayMetrics;
  /** A forwarded event without an answer from the owner after this fails with server_error. */
  forwardTimeoutMs: number;
}

export class RelayCluster {
  get processId(): string {
    return this.options.processId;
  }
  private readonly sub: RedisClient;
  private handlers: ForwardedClientHandlers | null = null;
  /** Members of this process's lobbies whose sockets are on other processes, by socket id. */
  private readonly remotes = new Map<string, RemoteMemberSocket>();
  /** Forwarded events waiting for the owner's ack. */
  private readonly pending = new Map<number, { answer: (a: Ack) => void; timer: NodeJS.Timeout }>();
  private nextAck = 0;
  private timers: NodeJS.Timeout[] = [];
  private takingOver: Promise<void> | null = null;
  /** Takeovers in progress, by lobby id. */
  private readonly restoring = new Map<string, Promise<void>>();
  /** The epoch of each lobby this process took over (a lobby opened here has none: 0). */
  private readonly epochs = new Map<string, number>();
  /** Other relay processes found alive, until when (performance.now()) that is believed. */
  private readonly seenAlive = new Map<string, number>();
  private closed = false;

  private constructor(
    private readonly redis: RedisClient,
    private readonly io: RelayIo,
    private readonly registry: LobbyRegistry,
    private readonly store: LobbyStore,
    private readonly restore: (saved: SavedLobby, epoch: number) => Promise<Lobby | null>,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error'>,
    private readonly options: ClusterOptions,
  ) {
    this.sub = redis.duplicate();
  }

  /** Joins the cluster: listens on this process's channel, renews leases, takes over orphans. */
  static async join(
    redis: RedisClient,
    io: RelayIo,
    registry: LobbyRegistry,
    store: LobbyStore,
    restore: (saved: SavedLobby, epoch: number) => Promise<Lobby | null>,
    log: Pick<Logger, 'info' | 'warn' | 'error'>,
    options: ClusterOptions,
  ): Promise<RelayCluster> {
    const cluster = new RelayCluster(redis, io, registry, store, restore, log, options);
    cluster.sub.on('error', (err: Error) => log.warn({ err: err.message }, 'redis subscriber error (retrying)'));
    await cluster.sub.connect();
    await cluster.sub.subscribe(channelOf(cluster.processId), (text) => cluster.receive(text));
    const renew = setInterval(() => void cluster.renewLeases(), Math.max(100, options.leaseMs / 3));
    const scan = setInterval(() => void cluster.takeOverOrphans(), Math.max(100, options.leaseMs / 3));
    renew.unref();
    scan.unref();
    cluster.timers = [renew, scan];
    return cluster;
  }

  /** The connection handlers that forwarded clients go through (set once they exist). */
  attach(handlers: ForwardedClientHandlers): void {
    this.handlers = handlers;
  }

  // ---- the directory (called by the registry) ------------------------------------------

  /** A lobby opened or came back on this process: it holds the lease and its code resolves. */
  added(lobby: Lobby): void {
    this.run(
      this.redis
        .multi()
        .set(ownerKey(lobby.id), this.processId, { PX: this.options.leaseMs })
        .hSet(CODES, lobby.code, lobby.id)
        .exec(),
      'lobby directory write',
    );
  }

  /** The lobby closed (its code goes) or stopped here (lease lost): its lease goes. */
  removed(lobby: Lobby): void {
    if (lobby.status === 'closed')
      this.run(this.redis.multi().hDel(CODES, lobby.code).del(epochKey(lobby.id)).exec(), 'lobby directory write');
    this.epochs.delete(lobby.id);
    this.releaseLease(lobby.id);
  }

  /** A resume token was created (lobby) or dropped (null). */
  token(token: string, lobby: Lobby | null): void {
    this.run(
      lobby ? this.redis.hSet(TOKENS, token, lobby.id) : this.redis.hDel(TOKENS, token),
      'token directory write',
    );
  }

  private releaseLease(lobbyId: string): void {
    this.run(this.redis.eval(RELEASE, { keys: [ownerKey(lobbyId)], arguments: [this.processId] }), 'lease release');
  }

  private run(p: Promise<unknown>, what: string): void {
    p.catch((err: unknown) => this.log.error({ err }, `${what} failed`));
  }

  // ---- forwarding (the process the client is connected to) -----------------------------

  /**
   * Sends a client event to its lobby's owner when that is another process, and answers the
   * client's ack with the owner's. False: this process handles it (its own lobby, a new lobby,
   * or no lobby at all).
   */
  forward(
    socket: RelaySocket,
    event: string,
    payload: unknown,
    ack: ((answer: Ack) => void) | undefined,
    handleHere: () => void,
  ): boolean {
    const lobbyId = this.remoteLobbyOf(socket, event, payload);
    if (lobbyId === null) return false;
    void (async () => {
      const id = await lobbyId;
      let owner = id ? await this.liveOwner(id) : null;
      if (id && !owner && !this.closed) {
        // Its owner died (or it has none): bring it back here at once rather than after the lease.
        await this.takeOver(id);
        owner = await this.redis.get(ownerKey(id));
      }
      if (!owner || owner === this.processId || this.closed) {
        handleHere();
        return;
      }
      let ackId: number | null = null;
      if (ack) {
        ackId = this.nextAck++;
        const timer = setTimeout(() => {
          this.pending.delete(ackId!);
          const error: ErrorMessage = { code: 'server_error', message: 'the lobby did not answer in time', event };
          ack({ ok: false, error });
        }, this.options.forwardTimeoutMs);
        this.pending.set(ackId, {
          timer,
          answer: (answer) => {
            this.followMembership(socket, event, answer);
            ack(answer);
          },
        });
      }
      this.options.metrics.forwarded.inc({ direction: 'out' });
      await this.publish(owner, {
        v: CLUSTER_VERSION,
        k: 'event',
        from: this.processId,
        sid: socket.id,
        address: socket.handshake.address,
        event,
        payload,
        ack: ackId,
      });
    })().catch((err: unknown) => {
      this.log.error({ err, event }, 'forwarding failed');
      ack?.({ ok: false, error: { code: 'server_error', message: 'internal server error', event } });
    });
    return true;
  }

  /**
   * The lobby (id, or a promise of it from the directory) of another process this event is for;
   * null when it is for this process.
   */
  private remoteLobbyOf(socket: RelaySocket, event: string, payload: unknown): Promise<string | null> | null {
    const field = (name: string): string | null => {
      const v = payload && typeof payload === 'object' ? (payload as Record<string, unknown>)[name] : undefined;
      return typeof v === 'string' && v.length <= 64 ? v : null;
    };
    if (event === 'lobby:create') return null;
    if (event === 'lobby:join') {
      const code = field('code');
      if (!code || this.registry.byInviteCode(code)) return null;
      return this.lookUp(CODES, code);
    }
    if (event === 'lobby:resume') {
      const token = field('resumeToken');
      if (!token || this.registry.byToken(token)) return null;
      return this.lookUp(TOKENS, token);
    }
    const id = socket.data.lobbyId;
    return id && !this.registry.byId(id) ? Promise.resolve(id) : null;
  }

  /**
   * The lobby id of a code or token in the directory. The owner writes it while it answers the
   * client that created it (no waiting on Redis), so a miss is asked again once, a moment later.
   */
  private async lookUp(hash: string, key: string): Promise<string | null> {
    const id = await this.redis.hGet(hash, key);
    if (id) return id;
    await new Promise((r) => setTimeout(r, 250));
    return (await this.redis.hGet(hash, key)) ?? null;
  }

  /** This process keeps the socket's lobby and member id (its later events, its disconnect). */
  private followMembership(socket: RelaySocket, event: string, answer: Ack): void {
    if (!answer.ok) return;
    if (event === 'lobby:join' || event === 'lobby:resume') {
      const joined = answer.data as { lobby: { lobbyId: string }; memberId: string };
      socket.data.lobbyId = joined.lobby.lobbyId;
      socket.data.memberId = joined.memberId;
    } else if (event === 'lobby:leave') {
      socket.data.lobbyId = undefined;
      socket.data.memberId = undefined;
    }
  }

  /** A socket of this process disconnected: true when its lobby is another process's (told). */
  disconnected(socket: RelaySocket): boolean {
    const id = socket.data.lobbyId;
    if (!id || this.registry.byId(id)) return false;
    void this.redis
      .get(ownerKey(id))
      .then((owner) => {
        if (owner && owner !== this.processId)
          return this.publish(owner, { v: CLUSTER_VERSION, k: 'gone', sid: socket.id });
      })
      .catch((err: unknown) => this.log.error({ err }, 'disconnect forwarding failed'));
    return true;
  }

  private async publish(processId: string, message: ClusterMessage): Promise<void> {
    await this.redis.publish(channelOf(processId), JSON.stringify(message));
  }

  // ---- receiving (the owner) -----------------------------------------------------------

  private receive(text: string): void {
    let message: ClusterMessage;
    try {
      message = ClusterMessage.parse(JSON.parse(text));
    } catch (err) {
      this.log.warn({ err }, 'unreadable cluster message ignored');
      return;
    }
    if (message.k === 'packet') {
      const socket = this.io.of('/').sockets.get(message.sid);
      if (socket) writeFrame(socket, Buffer.from(message.data, 'base64'));
      return;
    }
    if (message.k === 'ack') {
      const waiting = this.pending.get(message.ack);
      if (!waiting) return;
      this.pending.delete(message.ack);
      clearTimeout(waiting.timer);
      waiting.answer(message.answer as Ack);
      return;
    }
    const handlers = this.handlers;
    if (!handlers) return;
    if (message.k === 'gone') {
      const socket = this.remotes.get(message.sid);
      if (!socket) return;
      this.remotes.delete(message.sid);
      socket.connected = false;
      handlers.disconnected(socket);
      return;
    }
    const from = message.from;
    let socket = this.remotes.get(message.sid);
    if (!socket) {
      const sid = message.sid;
      socket = new RemoteMemberSocket(this.io, sid, message.address, (frame) =>
        this.publish(from, { v: CLUSTER_VERSION, k: 'packet', sid, data: frame.toString('base64') }).catch(
          (err: unknown) => this.log.warn({ err }, 'packet forwarding failed'),
        ),
      );
      this.remotes.set(message.sid, socket);
    }
    const ackId = message.ack;
    const ack =
      ackId === null
        ? undefined
        : (answer: Ack) =>
            void this.publish(from, { v: CLUSTER_VERSION, k: 'ack', ack: ackId, answer }).catch(() => {});
    this.options.metrics.forwarded.inc({ direction: 'in' });
    handlers.handle(socket, message.event, message.payload, ack);
    // A remote socket that is in no lobby of this process is not kept.
    if (!socket.data.lobbyId) this.remotes.delete(message.sid);
  }

  // ---- leases ----------------------------------------------------------------------------

  private async renewLeases(): Promise<void> {
    for (const lobby of [...this.registry.lobbies.values()]) {
      if (this.closed) return;
      try {
        const renewed = await this.redis.eval(RENEW, {
          keys: [ownerKey(lobby.id), epochKey(lobby.id)],
          arguments: [this.processId, String(this.options.leaseMs), String(this.epochs.get(lobby.id) ?? 0)],
        });
        if (renewed === 0) this.leaseLost(lobby, 'its lease is held by another process');
      } catch (err) {
        this.log.warn({ err, lobby: lobby.id }, 'lease renewal failed');
      }
    }
  }

  /**
   * Another process took the lobby over (this one stalled past the lease): it stops here at once,
   * suspended (no end record: the session goes on over there) and forgotten.
   */
  leaseLost(lobby: Lobby, why: string): void {
    if (this.registry.byId(lobby.id) !== lobby) return;
    this.log.error({ lobby: lobby.id, why }, 'lobby lost to another process: lobby stopped here');
    lobby.suspend();
    this.registry.remove(lobby);
  }

  /** Brings back every saved lobby that has no owner (at start, and whenever an owner died). */
  takeOverOrphans(): Promise<void> {
    this.takingOver ??= this.scanOrphans().finally(() => {
      this.takingOver = null;
    });
    return this.takingOver;
  }

  private async scanOrphans(): Promise<void> {
    let ids: string[];
    try {
      ids = [...(await this.store.backend.lobbies()).keys()];
    } catch (err) {
      this.log.warn({ err }, 'orphan scan failed');
      return;
    }
    for (const id of ids) {
      if (this.closed) return;
      await this.takeOver(id);
    }
  }

  /**
   * Brings the saved lobby back on this process if nobody live owns it; one attempt per lobby
   * at a time (a forwarded event and the scan may ask together).
   */
  private takeOver(lobbyId: string): Promise<void> {
    let attempt = this.restoring.get(lobbyId);
    if (!attempt) {
      attempt = this.claimAndRestore(lobbyId)
        .catch((err: unknown) => this.log.warn({ err, lobby: lobbyId }, 'lobby takeover failed'))
        .finally(() => this.restoring.delete(lobbyId));
      this.restoring.set(lobbyId, attempt);
    }
    return attempt;
  }

  private async claimAndRestore(id: string): Promise<void> {
    if (this.registry.byId(id) || (await this.liveOwner(id)) !== null) return;
    const saved = await this.store.load(id);
    if (!saved) return;
    const epoch = await this.redis.eval(CLAIM, {
      keys: [ownerKey(id), epochKey(id)],
      arguments: [this.processId, String(this.options.leaseMs)],
    });
    if (typeof epoch !== 'number') return;
    const lobby = await this.restore(saved, epoch);
    if (!lobby) {
      this.releaseLease(id);
      return;
    }
    this.epochs.set(id, epoch);
    this.registry.add(lobby);
    this.options.metrics.takeovers.inc();
    this.log.info({ lobby: id }, 'lobby taken over from a process that is gone');
    // Members connected here (their events were forwarded to the dead owner) play on at once.
    for (const socket of this.io.of('/').sockets.values()) {
      if (socket.data.lobbyId !== id || !socket.data.memberId) continue;
      const member = lobby.members.get(socket.data.memberId);
      if (member && lobby.status !== 'closed') lobby.resume(member, socket);
    }
  }

  /**
   * The process holding the lobby's lease, or null when none does or the holder is gone. A relay
   * process is alive while its channel has a subscriber: Redis drops the subscription the moment
   * the process's connection closes (kill -9 included), long before its lease would expire. A
   * stalled but living process keeps its connection, so only the lease expiry takes its lobbies.
   */
  private async liveOwner(lobbyId: string): Promise<string | null> {
    const owner = await this.redis.get(ownerKey(lobbyId));
    if (!owner || owner === this.processId) return owner;
    // Every forwarded event (each remote member's action) asks: a process seen alive is believed
    // for a moment instead of asking Redis again each time.
    if ((this.seenAlive.get(owner) ?? 0) > performance.now()) return owner;
    const channel = channelOf(owner);
    const subscribers = (await this.redis.pubSubNumSub(channel))[channel] ?? 0;
    if (subscribers > 0) {
      this.seenAlive.set(owner, performance.now() + ALIVE_FOR_MS);
      return owner;
    }
    this.seenAlive.delete(owner);
    // Drops the dead holder's lease (only if it still holds it), so that a claim can follow.
    await this.redis.eval(RELEASE, { keys: [ownerKey(lobbyId)], arguments: [owner] });
    return null;
  }

  /** `/api/lobbies/<code>` of a lobby that another process owns (from its saved record). */
  async describe(code: string): Promise<LobbySummary | null> {
    const id = await this.redis.hGet(CODES, code);
    const saved = id ? await this.store.load(id) : null;
    if (!saved) return null;
    return {
      status: saved.status,
      members: saved.members.length + saved.workforce.workers.length,
      seats: saved.config.seats,
      tickRate: saved.config.tickRate,
    };
  }

  /**
   * The session of a lobby another process owns, for its audit download: members only (a resume
   * token of its saved record).
   */
  async auditSession(
    code: string,
    token: string,
  ): Promise<{ lobbyId: string; sessionId: string | null } | 'not_found' | 'forbidden'> {
    const id = await this.redis.hGet(CODES, code);
    const saved = id ? await this.store.load(id) : null;
    if (!saved) return 'not_found';
    if (!token || !saved.members.some((m) => m.resumeToken === token)) return 'forbidden';
    return { lobbyId: saved.id, sessionId: saved.sessionId };
  }

  /** Saved lobby ids owned by a live process (their session logs are theirs, not recovery's). */
  async ownedElsewhere(saved: readonly SavedLobby[]): Promise<SavedLobby[]> {
    const out: SavedLobby[] = [];
    for (const s of saved) {
      const owner = await this.redis.get(ownerKey(s.id));
      if (owner && owner !== this.processId) out.push(s);
    }
    return out;
  }

  /**
   * Stops renewing and forwarding, and lets go of the leases of the lobbies still here (called
   * once they are suspended and saved: another process brings them back at once).
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.takingOver;
    await Promise.all(this.restoring.values());
    await Promise.all(
      [...this.registry.lobbies.keys()].map((id) =>
        this.redis.eval(RELEASE, { keys: [ownerKey(id)], arguments: [this.processId] }).catch(() => 0),
      ),
    );
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    await this.sub.close();
  }
}
