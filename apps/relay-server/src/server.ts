import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { ENGINE_VERSION } from '@aikon/engine';
import { pino, type Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import { Adapter, type BroadcastOptions, SessionAwareAdapter } from 'socket.io-adapter';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { z } from 'zod';
import {
  type Ack,
  type ClientEventName,
  ClientEvents,
  type ConfigRequest,
  type ConsentRequest,
  type CreateLobbyRequest,
  type ActionRequest,
  type ErrorCode,
  type ErrorMessage,
  type JoinLobbyRequest,
  type JoinResult,
  type KickRequest,
  type ResumeRequest,
  type UnbanRequest,
  type StructuredGoal,
  type WorkforceApproveRequest,
  type WorkerBrain,
  type WorkforceSettingsRequest,
  type PeerOfferRequest,
  type PeerReportRequest,
  PEER_PROTOCOL_VERSION,
} from '@aikon/protocol';
import { defaultConfig, type RelayConfig } from './config.ts';
import { Lobby, type LobbyContext, type MemberState, RelayError } from './lobby.ts';
import { LobbyStore, restoreLobbies } from './lobby-store.ts';
import { RelayMetrics } from './metrics.ts';
import { type RecoveredSession, recoverSessions } from './recovery.ts';
import { serveStatic } from './static.ts';
import { attachDreamHost, defaultDreamConfig, type DreamHost } from './dream.ts';
import { PeerSignalling } from './peer-signalling.ts';
import { indexPath, RecordingStore } from '@aikon/protocol/node';
import type { DatasetApiHandler } from '@aikon/datasets/api';
import type { PolicyRunner } from '@aikon/agents/policy';

export { parseConfig, defaultConfig, type RelayConfig } from './config.ts';
export { RelayMetrics } from './metrics.ts';
export { Lobby, RelayError } from './lobby.ts';

export interface RelayServer {
  readonly config: RelayConfig;
  readonly http: HttpServer;
  readonly io: Server;
  readonly metrics: RelayMetrics;
  readonly store: RecordingStore;
  readonly log: Logger;
  readonly lobbies: ReadonlyMap<string, Lobby>;
  /** Sessions found unfinished at startup (crash recovery). */
  readonly recovered: RecoveredSession[];
  /** Lobbies brought back from the data directory at startup (durable lobbies). */
  readonly restored: readonly Lobby[];
  /** Server dream shards (`/dream` namespace, `/models/…` files). */
  readonly dream: DreamHost;
  /** PeerJS signalling for peer dream shards (credentials, offers). */
  readonly peers: PeerSignalling;
  /** http://host:port once listening. */
  readonly url: string;
  readonly port: number;
  lobbyByCode(code: string): Lobby | undefined;
  close(): Promise<void>;
}

interface Bucket {
  tokens: number;
  last: number;
  warnedAt: number;
}

/** Size estimate of a decoded payload, stopping early once it passes `limit`. */
export function approxSize(value: unknown, limit: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && total <= limit) {
    const v = stack.pop();
    if (v === null || v === undefined || typeof v === 'boolean') total += 1;
    else if (typeof v === 'number') total += 9;
    else if (typeof v === 'string') total += v.length + 5;
    else if (v instanceof Uint8Array || v instanceof ArrayBuffer) total += v.byteLength + 5;
    else if (Array.isArray(v)) {
      total += 5;
      for (const x of v) stack.push(x);
    } else if (typeof v === 'object') {
      total += 5;
      for (const [k, x] of Object.entries(v as object)) {
        total += k.length + 5;
        stack.push(x);
      }
    } else total += 16;
  }
  return total;
}

function packetBytes(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/** Events kept for connection state recovery; everything else is sent but not stored. */
const RECOVERABLE_EVENTS = new Set(['lobby:state', 'lobby:kicked', 'lobby:closed']);

/**
 * With connection state recovery, Socket.IO stores every emitted packet for the whole
 * recovery window (2 min, purged once a minute) to replay it after a reconnect. Per-tick deltas
 * and snapshots would make that hundreds of MB at a few hundred players, and a recovered client
 * gets a fresh snapshot anyway: only the small lobby events are stored. (The client's recovery
 * offset is the last stored packet it saw; the server re-broadcasts each lobby's state every
 * 30 s to keep offsets inside the window.)
 */
export class RelayAdapter extends SessionAwareAdapter {
  override broadcast(packet: { type: number; data?: unknown[]; id?: number }, opts: BroadcastOptions): void {
    const event = packet.data?.[0];
    if (typeof event === 'string' && RECOVERABLE_EVENTS.has(event)) super.broadcast(packet as never, opts);
    else Adapter.prototype.broadcast.call(this, packet as never, opts);
  }
}

/**
 * Socket.IO's session-aware adapter (connection state recovery) keeps a cleanup interval that
 * is never cleared, so a closed server stays reachable from it. Only tests and benchmarks
 * start several servers in one process, but cutting the references keeps that bounded.
 */
function releaseAdapter(io: Server): void {
  const adapter = io.of('/').adapter as unknown as Record<string, unknown> & { sessions?: Map<unknown, unknown>; rooms?: Map<unknown, unknown>; sids?: Map<unknown, unknown> };
  adapter.sessions?.clear();
  adapter.rooms?.clear();
  adapter.sids?.clear();
  adapter.packets = [];
  adapter.nsp = undefined;
  adapter.encoder = undefined;
}

/** Starts a relay server listening on config.host:config.port (port 0 = any free port). */
export interface RelayHooks {
  /** Called after every lobby tick with its duration and its start delay in ms. */
  onTick?(ms: number, lobby: Lobby, lateMs: number): void;
}

export async function startRelayServer(overrides: Partial<RelayConfig> = {}, hooks: RelayHooks = {}): Promise<RelayServer> {
  const config: RelayConfig = { ...defaultConfig(), ...overrides };
  const log = pino({ level: config.logLevel, base: { service: 'relay' } });
  mkdirSync(join(config.dataDir, 'recordings'), { recursive: true });
  mkdirSync(join(config.dataDir, 'exports'), { recursive: true });
  const store = new RecordingStore(indexPath(config.dataDir));
  const lobbyStore = config.durableLobbies ? new LobbyStore(config.dataDir, log) : null;
  const metrics = new RelayMetrics();
  const lobbies = new Map<string, Lobby>();
  const byCode = new Map<string, Lobby>();
  const tokens = new Map<string, { lobby: Lobby; member: MemberState }>();
  /** Open lobbies per creator address (capped: config.maxLobbiesPerAddress). */
  const openByAddress = new Map<string, Set<Lobby>>();
  /** Lobby-creation token buckets per client address (bounded: stale entries are dropped). */
  const createBuckets = new Map<string, { tokens: number; last: number }>();
  function allowCreate(address: string): boolean {
    const now = performance.now();
    const cap = config.lobbyCreatesPerMinute;
    if (createBuckets.size > 10_000) {
      for (const [k, b] of createBuckets) if (now - b.last > 60_000) createBuckets.delete(k);
    }
    const b = createBuckets.get(address) ?? { tokens: cap, last: now };
    b.tokens = Math.min(cap, b.tokens + ((now - b.last) / 60_000) * cap);
    b.last = now;
    createBuckets.set(address, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
  let publicUrl = config.publicUrl ?? '';

  // The learned workers' policy: loaded on first use, one onnxruntime-node session for the relay.
  let workerPolicy: Promise<PolicyRunner> | undefined;
  const ctx: LobbyContext = {
    config,
    metrics,
    store,
    log,
    engineVersion: ENGINE_VERSION,
    onTick: hooks.onTick,
    onClosed(lobby) {
      for (const [address, open] of openByAddress) if (open.delete(lobby) && open.size === 0) openByAddress.delete(address);
      lobbies.delete(lobby.id);
      byCode.delete(lobby.code);
      lobbyStore?.remove(lobby);
    },
    emitToRoom(room, event, payload) {
      io.to(room).emit(event as never, payload as never);
    },
    onToken(token, member, lobby) {
      if (member) tokens.set(token, { lobby, member });
      else {
        // The membership ended: its PeerJS credentials and its offer to serve die with it.
        const ended = tokens.get(token);
        tokens.delete(token);
        if (ended && peers.revoke(lobby.id, ended.member.memberId)) emitPeerOffers(lobby);
      }
    },
    onChange(lobby) {
      lobbyStore?.save(lobby);
    },
    policy: () => (workerPolicy ??= import('@aikon/agents/policy/node').then(({ OrtPolicy }) => OrtPolicy.load(config.modelsDir, config.policy))),
  };

  const http = createServer((req, res) => {
    try {
      handleHttp(req, res);
    } catch (err) {
      log.error({ err }, 'http handler failed');
      if (!res.headersSent) res.writeHead(500).end('internal error');
    }
  });

  // PeerJS signalling (peer dream shards): WebSocket upgrades at PEER_PATH, members only.
  const peers = new PeerSignalling(http, { iceServers: config.iceServers }, metrics, log);
  function emitPeerOffers(lobby: Lobby): void {
    io.to(lobby.room).emit('peer:offers', { v: PEER_PROTOCOL_VERSION, offers: peers.offersOf(lobby.id) });
  }
  // Socket.IO (engine.io at /socket.io/) and PeerJS both take HTTP upgrades: each by its path;
  // engine.io leaves other paths alone (destroyUpgrade: false) and this ends unknown ones.
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (peers.handleUpgrade(req, socket, head)) return;
    if ((req.url ?? '').startsWith('/socket.io/')) return;
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  // The dataset API (episodes, exports) over the same data directory; its module is heavy
  // (HDF5, Parquet writers), so it loads on the first request.
  let datasets: Promise<DatasetApiHandler> | null = null;
  function datasetApi(): Promise<DatasetApiHandler> {
    datasets ??= import('@aikon/datasets/api').then((m) => m.createDatasetApi({ dataDir: config.dataDir }));
    return datasets;
  }

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (dream.handleHttp(req, res, path)) return; // /models/manifest.json and its .onnx files
    if (config.datasetsApi && (path === '/api/datasets' || path.startsWith('/api/datasets/'))) {
      datasetApi().then(
        (handler) => handler(req, res, () => res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found' }))),
        (err: unknown) => {
          log.error({ err }, 'dataset API unavailable');
          if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'unavailable' }));
        },
      );
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ status: 'ok', uptimeS: Math.round(process.uptime()), lobbies: lobbies.size, sockets: io.engine.clientsCount }),
      );
      return;
    }
    if (path === '/metrics') {
      updateGauges();
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: unknown) => {
          log.error({ err }, 'metrics failed');
          res.writeHead(500).end();
        },
      );
      return;
    }
    const audit = /^\/api\/lobbies\/([A-Za-z0-9_-]{22})\/audit$/.exec(path);
    if (audit) {
      serveAudit(req, res, audit[1]);
      return;
    }
    const m = /^\/api\/lobbies\/([A-Za-z0-9_-]{22})$/.exec(path);
    if (m) {
      const lobby = byCode.get(m[1]);
      if (!lobby) res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'lobby_not_found' }));
      else {
        const s = lobby.state();
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ status: s.status, members: s.members.length, seats: s.config.seats, tickRate: s.config.tickRate }),
        );
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    serveStatic(config.staticDir, req, res);
  }

  /**
   * The workforce audit log as JSON lines, for members only: the member's resume token as
   * `Authorization: Bearer TOKEN` (or `?token=TOKEN`).
   */
  function serveAudit(req: IncomingMessage, res: ServerResponse, code: string): void {
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method !== 'GET' && req.method !== 'HEAD') return void json(405, { error: 'method_not_allowed' });
    const lobby = byCode.get(code);
    if (!lobby) return void json(404, { error: 'lobby_not_found' });
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = auth ?? new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '';
    const entry = tokens.get(token);
    if (!entry || entry.lobby !== lobby) return void json(403, { error: 'not_a_member', message: 'only members of this lobby may read its audit log' });
    const body = lobby.workforce.auditJsonl();
    res.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="aikon-audit-${lobby.id}.jsonl"`,
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  function updateGauges(): void {
    metrics.lobbies.reset();
    metrics.players.reset();
    let waiting = 0;
    let running = 0;
    let connected = 0;
    let away = 0;
    for (const l of lobbies.values()) {
      if (l.status === 'running') running++;
      else waiting++;
      for (const m of l.members.values()) {
        if (m.socket) connected++;
        else away++;
      }
    }
    metrics.lobbies.set({ status: 'waiting' }, waiting);
    metrics.lobbies.set({ status: 'running' }, running);
    metrics.players.set({ state: 'connected' }, connected);
    metrics.players.set({ state: 'disconnected' }, away);
    metrics.sockets.set(io.engine.clientsCount);
    metrics.peerConnected.set(peers.connected);
  }

  const io = new Server(http, {
    parser: msgpackParser,
    maxHttpBufferSize: config.maxHttpBufferSize,
    serveClient: false,
    destroyUpgrade: false, // the relay's own upgrade listener routes by path (PeerJS beside Socket.IO)
    cors: { origin: false },
    connectionStateRecovery: { maxDisconnectionDuration: config.reconnectMs, skipMiddlewares: true },
    adapter: RelayAdapter as never,
  });
  // Keeps every member's recovery offset fresh (see RelayAdapter); one stored packet per lobby.
  const stateRefresh = setInterval(() => {
    for (const lobby of lobbies.values()) if (lobby.status !== 'closed') io.to(lobby.room).emit('lobby:state', lobby.state());
  }, Math.max(1000, Math.min(30_000, config.reconnectMs / 4)));
  stateRefresh.unref();
  // World checkpoints of durable lobbies (a restart replays only the log after them).
  const checkpoints = lobbyStore ? setInterval(() => lobbyStore.checkpointDue(lobbies.values(), config.checkpointMs), 250) : null;
  checkpoints?.unref();
  // Server dream shards (namespace /dream; the model loads on the first reset).
  const dream: DreamHost = attachDreamHost(io, { ...defaultDreamConfig(config.modelsDir), ...config.dream }, log);

  // Lobbies first: a continued session's log is held again, and recovery finishes the others.
  const restored = lobbyStore ? restoreLobbies(lobbyStore, ctx, store, log) : [];
  for (const lobby of restored) {
    lobbies.set(lobby.id, lobby);
    byCode.set(lobby.code, lobby);
  }
  const recovered = recoverSessions(store, config.dataDir, log);

  // ---- event handlers (payloads already validated) -----------------------------------

  function memberOf(socket: Socket): { lobby: Lobby; member: MemberState } {
    const lobby = socket.data.lobbyId ? lobbies.get(socket.data.lobbyId as string) : undefined;
    const member = lobby && socket.data.memberId ? lobby.members.get(socket.data.memberId as string) : undefined;
    if (!lobby || !member || member.socket !== socket) throw new RelayError('not_in_lobby', 'join a lobby first');
    return { lobby, member };
  }

  function notInLobby(socket: Socket): void {
    const lobby = socket.data.lobbyId ? lobbies.get(socket.data.lobbyId as string) : undefined;
    if (lobby && lobby.members.get(socket.data.memberId as string)?.socket === socket) {
      throw new RelayError('already_in_lobby', 'leave your current lobby first');
    }
  }

  function joinResult(lobby: Lobby, member: MemberState): JoinResult {
    const state = lobby.state();
    return { lobby: state, memberId: member.memberId, resumeToken: member.resumeToken, inviteUrl: `${publicUrl}${state.invitePath}` };
  }

  function resumeByToken(socket: Socket, token: string, takeover: boolean, lobbyHint?: Lobby): JoinResult {
    const entry = tokens.get(token);
    if (!entry || (lobbyHint && entry.lobby !== lobbyHint) || entry.lobby.status === 'closed') {
      throw new RelayError('bad_resume_token', 'this membership has expired; join again');
    }
    const holder = entry.member.socket;
    // Another live connection (another tab) holds the membership: never taken silently.
    if (holder && holder !== socket && holder.connected && !takeover) {
      throw new RelayError('member_connected', 'this membership is in use by another connection (another tab?); resume with takeover to move it here');
    }
    entry.lobby.resume(entry.member, socket);
    return joinResult(entry.lobby, entry.member);
  }

  const handlers: { [K in ClientEventName]: (socket: Socket, payload: never) => unknown } = {
    'lobby:create': (socket, req: CreateLobbyRequest) => {
      notInLobby(socket);
      if (lobbies.size >= config.maxLobbies) throw new RelayError('server_busy', 'too many lobbies on this server');
      const address = socket.handshake.address;
      const open = openByAddress.get(address) ?? new Set<Lobby>();
      if (open.size >= config.maxLobbiesPerAddress) {
        throw new RelayError('too_many_lobbies', `at most ${config.maxLobbiesPerAddress} open lobbies created from one address`);
      }
      if (!allowCreate(address)) {
        throw new RelayError('rate_limited', `at most ${config.lobbyCreatesPerMinute} new lobbies per minute from one address`);
      }
      const lobby = new Lobby(ctx, { seats: req.seats, seed: req.seed, tickRate: req.tickRate });
      open.add(lobby);
      openByAddress.set(address, open);
      lobbies.set(lobby.id, lobby);
      byCode.set(lobby.code, lobby);
      const member = lobby.addMember(socket, { name: req.name, kind: req.kind, exportConsent: req.exportConsent });
      return joinResult(lobby, member);
    },
    'lobby:join': (socket, req: JoinLobbyRequest) => {
      notInLobby(socket);
      const lobby = byCode.get(req.code);
      if (!lobby) throw new RelayError('lobby_not_found', 'no open lobby has this invite code');
      if (req.resumeToken && tokens.get(req.resumeToken)?.lobby === lobby) return resumeByToken(socket, req.resumeToken, req.takeover === true, lobby);
      const member = lobby.addMember(socket, { name: req.name, kind: req.kind, exportConsent: req.exportConsent });
      return joinResult(lobby, member);
    },
    'lobby:resume': (socket, req: ResumeRequest) => {
      const entry = tokens.get(req.resumeToken);
      if (!entry || entry.member.socket !== socket) notInLobby(socket);
      return resumeByToken(socket, req.resumeToken, req.takeover === true);
    },
    'lobby:leave': (socket) => {
      const { lobby, member } = memberOf(socket);
      lobby.removeMember(member, 'leave');
      return null;
    },
    'lobby:config': (socket, req: ConfigRequest) => {
      const { lobby, member } = memberOf(socket);
      lobby.requireHost(member, 'change the lobby settings');
      lobby.configure(req);
      return lobby.state();
    },
    'lobby:kick': (socket, req: KickRequest) => {
      const { lobby, member } = memberOf(socket);
      lobby.requireHost(member, 'kick members');
      const target = lobby.members.get(req.memberId);
      if (!target && lobby.workforce.workers.has(req.memberId)) {
        lobby.workforce.remove(member.name, req.memberId);
        lobby.broadcastState();
        return null;
      }
      if (!target) throw new RelayError('member_not_found', 'no such member in this lobby');
      if (target === member) throw new RelayError('invalid_target', 'the host cannot kick itself; leave instead');
      lobby.kick(target);
      return null;
    },
    'lobby:unban': (socket, req: UnbanRequest) => {
      const { lobby, member } = memberOf(socket);
      lobby.requireHost(member, 'let kicked members back in');
      lobby.unban(req.memberId);
      return null;
    },
    'lobby:start': (socket) => {
      const { lobby, member } = memberOf(socket);
      lobby.requireHost(member, 'start the game');
      lobby.start();
      return lobby.state();
    },
    'lobby:consent': (socket, req: ConsentRequest) => {
      const { lobby, member } = memberOf(socket);
      lobby.setConsent(member, req.exportConsent);
      return null;
    },
    'game:action': (socket, req: ActionRequest) => {
      const { lobby, member } = memberOf(socket);
      lobby.setIntent(member, req.a, req.seq, req.slot);
      return null;
    },
    'game:respawn': (socket) => {
      const { lobby, member } = memberOf(socket);
      lobby.respawn(member);
      return null;
    },
    'game:resync': (socket) => {
      const { lobby, member } = memberOf(socket);
      lobby.resync(member);
      return null;
    },
    'game:ready': (socket) => {
      const { lobby, member } = memberOf(socket);
      lobby.ready(member);
      return null;
    },
    // ---- the workforce ----
    'workforce:add': (socket, req: { name: string; brain?: WorkerBrain }) => {
      const { lobby, member } = memberOf(socket);
      lobby.requireHost(member, 'add AI workers');
      const worker = lobby.workforce.add(member.name, req.name, req.brain);
      lobby.broadcastState();
      return { workerId: worker.workerId };
    },
    'workforce:remove': (socket, req: { workerId: string }) => {
      const { lobby, member } = memberOf(socket);
      lobby.requireHost(member, 'remove AI workers');
      lobby.workforce.remove(member.name, req.workerId);
      lobby.broadcastState();
      return null;
    },
    'workforce:goal': (socket, req: { text: string } | { goal: StructuredGoal }) => {
      const { lobby, member } = memberOf(socket);
      requireCommander(lobby, member);
      // Asked again after a language-model endpoint answered: the member may have left or lost the right.
      const mayStill = (): void => {
        const now = memberOf(socket);
        if (now.lobby !== lobby) throw new RelayError('not_in_lobby', 'you left the lobby before the goal was read');
        requireCommander(lobby, now.member);
      };
      return lobby.workforce.goal(member.name, req, mayStill);
    },
    'workforce:approve': (socket, req: WorkforceApproveRequest) => {
      const { lobby, member } = memberOf(socket);
      lobby.requireHost(member, 'approve or reject plans');
      return lobby.workforce.approve(member.name, req.planId, req.approve);
    },
    'workforce:kill': (socket) => {
      const { lobby, member } = memberOf(socket);
      requireCommander(lobby, member);
      lobby.workforce.kill(member.name);
      return null;
    },
    'workforce:settings': (socket, req: WorkforceSettingsRequest) => {
      const { lobby, member } = memberOf(socket);
      lobby.requireHost(member, 'change the workforce settings');
      lobby.workforce.setSettings(member.name, req);
      return lobby.workforce.settings;
    },
    'workforce:audit': (socket) => {
      const { lobby } = memberOf(socket);
      return { lines: lobby.workforce.auditLines() };
    },
    // ---- peer dream shards ----
    'peer:token': (socket) => {
      const { lobby, member } = memberOf(socket);
      const credentials = peers.issue(lobby.id, member.memberId);
      socket.emit('peer:offers', { v: PEER_PROTOCOL_VERSION, offers: peers.offersOf(lobby.id) });
      return credentials;
    },
    'peer:offer': (socket, req: PeerOfferRequest) => {
      const { lobby, member } = memberOf(socket);
      const offers = peers.offer(lobby.id, member, req);
      emitPeerOffers(lobby);
      return { v: PEER_PROTOCOL_VERSION, offers };
    },
    'peer:report': (socket, req: PeerReportRequest) => {
      memberOf(socket);
      peers.report(req);
      return null;
    },
  };

  /** Goals and the kill switch: the host, or every member when the lobby allows it. */
  function requireCommander(lobby: Lobby, member: MemberState): void {
    if (lobby.workforce.settings.commanders === 'host' && lobby.hostId !== member.memberId) {
      throw new RelayError('not_host', 'only the host may command the AI workers in this lobby (workforce setting: host only)');
    }
  }

  // ---- the single entry point of client events ---------------------------------------

  function dispatch(socket: Socket, bucket: Bucket, packet: unknown[]): void {
    const args = packet.slice(1);
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (a: Ack) => void) : undefined;
    const event = packet[0];
    const name = typeof event === 'string' ? event.slice(0, 64) : `<${typeof event}>`;
    const fail = (code: ErrorCode, message: string, notify = true): void => {
      metrics.rejected.inc({ reason: code });
      log.debug({ socket: socket.id, event: name, code }, 'event refused');
      const error: ErrorMessage = { code, message, event: name };
      if (notify) socket.emit('error', error);
      ack?.({ ok: false, error });
    };
    // Rate limit (token bucket). While flooding, the `error` event is sent at most once a second.
    const now = performance.now();
    bucket.tokens = Math.min(config.rateLimit.burst, bucket.tokens + ((now - bucket.last) / 1000) * config.rateLimit.perSecond);
    bucket.last = now;
    if (bucket.tokens < 1) {
      const notify = now - bucket.warnedAt >= 1000;
      if (notify) bucket.warnedAt = now;
      fail('rate_limited', `too many events: at most ${config.rateLimit.perSecond} per second`, notify);
      return;
    }
    bucket.tokens -= 1;
    if (typeof event !== 'string' || !Object.hasOwn(ClientEvents, event)) {
      fail('unknown_event', `unknown event ${JSON.stringify(name)}`);
      return;
    }
    if (args.length > 1) {
      fail('invalid_payload', 'send one payload object per event');
      return;
    }
    if (approxSize(args[0], config.maxEventBytes) > config.maxEventBytes) {
      fail('payload_too_large', `payload larger than ${config.maxEventBytes} bytes`);
      return;
    }
    const key = event as ClientEventName;
    const parsed = (ClientEvents[key] as z.ZodType).safeParse(args[0]);
    if (!parsed.success) {
      fail('invalid_payload', z.prettifyError(parsed.error).slice(0, 500));
      return;
    }
    const done = (data: unknown): void => {
      metrics.events.inc({ event: key });
      ack?.({ ok: true, data: data ?? null });
    };
    const failed = (err: unknown): void => {
      if (err instanceof RelayError) fail(err.code, err.message);
      else {
        log.error({ err, event: key }, 'handler failed');
        fail('server_error', 'internal server error');
      }
    };
    try {
      const data = (handlers[key] as (s: Socket, p: unknown) => unknown)(socket, parsed.data);
      // A few handlers wait on something outside (workforce goals on a language-model endpoint).
      if (data instanceof Promise) data.then(done, failed);
      else done(data);
    } catch (err) {
      failed(err);
    }
  }

  io.on('connection', (socket) => {
    const bucket: Bucket = { tokens: config.rateLimit.burst, last: performance.now(), warnedAt: -Infinity };
    socket.conn.on('packetCreate', (packet: { data?: unknown }) => metrics.bytesSent.inc(packetBytes(packet.data)));
    socket.conn.on('packet', (packet: { data?: unknown }) => metrics.bytesReceived.inc(packetBytes(packet.data)));
    // Every client event goes through this middleware, which handles it and never calls next():
    // nothing a client sends can reach Socket.IO's own listeners (e.g. a forged 'disconnect').
    socket.use((packet) => {
      try {
        dispatch(socket, bucket, packet as unknown[]);
      } catch (err) {
        log.error({ err }, 'dispatch failed');
      }
    });
    socket.on('disconnect', () => {
      const lobby = socket.data.lobbyId ? lobbies.get(socket.data.lobbyId as string) : undefined;
      const member = lobby?.members.get(socket.data.memberId as string);
      if (lobby && member) lobby.disconnected(member, socket);
      // A serving tab that went away serves no more (its membership may live on for a while).
      if (lobby && member && member.socket === null && peers.withdraw(lobby.id, member.memberId)) emitPeerOffers(lobby);
    });
    if (socket.recovered && socket.data.lobbyId) {
      // Socket.IO restored the session (rooms and data) after a short drop.
      const lobby = lobbies.get(socket.data.lobbyId as string);
      const member = lobby?.members.get(socket.data.memberId as string);
      if (lobby && member && lobby.status !== 'closed') lobby.resume(member, socket, false);
      else {
        if (lobby) socket.leave(lobby.room);
        socket.data.lobbyId = undefined;
        socket.data.memberId = undefined;
      }
    }
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl}:${address.port}`;
  if (!publicUrl) publicUrl = url;
  log.info({ url, dataDir: config.dataDir, staticDir: config.staticDir, recovered: recovered.length, restored: restored.length }, 'relay server listening');

  let closing: Promise<void> | null = null;
  return {
    config,
    http,
    io,
    metrics,
    store,
    log,
    lobbies,
    recovered,
    restored,
    dream,
    peers,
    url,
    port: address.port,
    lobbyByCode: (code) => byCode.get(code),
    close() {
      closing ??= (async () => {
        clearInterval(stateRefresh);
        if (checkpoints) clearInterval(checkpoints);
        await dream.close();
        peers.close();
        if (lobbyStore) {
          // Durable lobbies outlive a restart: suspended (log synced, no end record), not closed,
          // with a fresh checkpoint so that the next start replays nothing.
          lobbyStore.checkpointDue(lobbies.values(), 0, Infinity);
          for (const lobby of lobbies.values()) lobby.suspend();
          await lobbyStore.flush({ close: true });
          lobbies.clear();
          byCode.clear();
          tokens.clear();
        } else for (const lobby of [...lobbies.values()]) lobby.close('shutdown', { sync: true });
        await new Promise<void>((resolve) => io.close(() => resolve()));
        releaseAdapter(io);
        if (datasets) await datasets.then((d) => d.close()).catch(() => {});
        store.close();
        log.info('relay server stopped');
      })();
      return closing;
    },
  };
}
