import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import type { PolicyRunner } from '@aikon/agents/policy';
import { ENGINE_VERSION } from '@aikon/engine';
import { PEER_PROTOCOL_VERSION } from '@aikon/protocol';
import { type EpisodeIndex, openEpisodeIndex, redactedUrl } from '@aikon/protocol/node';
import { type Logger, pino } from 'pino';
import { defaultConfig, type RelayConfig } from './config.ts';
import { RelayCluster } from './cluster.ts';
import { attachConnectionHandlers } from './connections.ts';
import { attachDreamHost, type DreamHost, defaultDreamConfig } from './dream.ts';
import { createHttpRoutes, type HttpRoutes } from './http-routes.ts';
import { createRelayIo, type RelayIo, releaseAdapter } from './io.ts';
import { type Lobby, type LobbyContext, randomToken } from './lobby.ts';
import { FileLobbyBackend, LobbyStore, restoreLobbies, restoreSavedLobby } from './lobby-store.ts';
import { RelayMetrics } from './metrics.ts';
import { PeerSignalling } from './peer-signalling.ts';
import { type RecoveredSession, recoverSessions } from './recovery.ts';
import { connectRedis, RedisLobbyBackend } from './redis-state.ts';
import { LobbyRegistry } from './registry.ts';
import { BrainThread } from './workforce-brain.ts';

export { parseConfig, defaultConfig, type RelayConfig } from './config.ts';
export { RelayMetrics } from './metrics.ts';
export { Lobby, RelayError } from './lobby.ts';
export { approxSize } from './connections.ts';
export { RelayAdapter, type RelayIo, type RelaySocket, relayIoOptions } from './io.ts';

export interface RelayServer {
  readonly config: RelayConfig;
  readonly http: HttpServer;
  readonly io: RelayIo;
  readonly metrics: RelayMetrics;
  /** The episode index: `<dataDir>/index.sqlite`, or PostgreSQL with `databaseUrl`. */
  readonly store: EpisodeIndex;
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
  /** With Redis: this process's id among the relay processes (lobby owner leases). */
  readonly processId: string | null;
  /** http://host:port once listening. */
  readonly url: string;
  readonly port: number;
  lobbyByCode(code: string): Lobby | undefined;
  close(): Promise<void>;
}

export interface RelayHooks {
  /** Called after every lobby tick with its duration and its start delay in ms. */
  onTick?(ms: number, lobby: Lobby, lateMs: number): void;
}

/** Starts a relay server listening on config.host:config.port (port 0 = any free port). */
export async function startRelayServer(
  overrides: Partial<RelayConfig> = {},
  hooks: RelayHooks = {},
): Promise<RelayServer> {
  const config: RelayConfig = { ...defaultConfig(), ...overrides };
  const log = pino({ level: config.logLevel, base: { service: 'relay' } });
  mkdirSync(join(config.dataDir, 'recordings'), { recursive: true });
  mkdirSync(join(config.dataDir, 'exports'), { recursive: true });
  const store = await openEpisodeIndex({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, log) : null;
  // With Redis, this process is one of several (cluster.ts): its id fences its lobby writes.
  const processId = randomToken(9);
  const lobbyStore = config.durableLobbies
    ? new LobbyStore(
        redis
          ? new RedisLobbyBackend(redis, redactedUrl(config.redisUrl!), processId)
          : new FileLobbyBackend(config.dataDir),
        log,
      )
    : null;
  const metrics = new RelayMetrics();
  const registry = new LobbyRegistry(config);
  let publicUrl = config.publicUrl ?? '';

  // The HTTP handler must be in place before Socket.IO attaches (it wraps the existing
  // listeners); the routes themselves need the Socket.IO server, so they are set just below.
  let routes: HttpRoutes | null = null;
  const http = createServer((req, res) => {
    if (routes) routes.handle(req, res);
    else res.writeHead(503).end();
  });
  const io = createRelayIo(http, config, redis);
  // PeerJS signalling (peer dream shards) on the same HTTP server. Socket.IO (engine.io at
  // /socket.io/) and PeerJS both take HTTP upgrades: each by its path; engine.io leaves other
  // paths alone (destroyUpgrade: false) and this listener ends unknown ones.
  const peers = new PeerSignalling(http, { iceServers: config.iceServers }, metrics, log);
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (peers.handleUpgrade(req, socket, head)) return;
    if ((req.url ?? '').startsWith('/socket.io/')) return;
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  // The learned workers' policy: loaded on first use, one onnxruntime-node session for the relay.
  let workerPolicy: Promise<PolicyRunner> | undefined;
  const brains = BrainThread.acquire(log);
  const ctx: LobbyContext = {
    config,
    metrics,
    brains,
    store,
    log,
    engineVersion: ENGINE_VERSION,
    onTick: hooks.onTick,
    onClosed(lobby) {
      registry.remove(lobby);
      lobbyStore?.remove(lobby);
    },
    emitToRoom(room, event, ...args) {
      io.to(room).emit(event, ...args);
    },
    onToken(token, member, lobby) {
      // The membership ended: its PeerJS credentials and its offer to serve die with it.
      const ended = member ? undefined : registry.byToken(token);
      registry.setToken(token, member, lobby);
      if (ended && peers.revoke(lobby.id, ended.member.memberId)) {
        io.to(lobby.room).emit('peer:offers', { v: PEER_PROTOCOL_VERSION, offers: peers.offersOf(lobby.id) });
      }
    },
    onChange(lobby) {
      lobbyStore?.save(lobby);
    },
    onLogLost(lobby) {
      cluster?.leaseLost(lobby, 'its session log was taken over');
    },
    policy: () =>
      (workerPolicy ??= import('@aikon/agents/policy/node').then(({ OrtPolicy }) =>
        OrtPolicy.load(config.modelsDir, config.policy),
      )),
  };

  // Keeps every member's recovery offset fresh (see RelayAdapter); one stored packet per lobby.
  const stateRefresh = setInterval(
    () => {
      for (const lobby of registry.lobbies.values())
        if (lobby.status !== 'closed') io.to(lobby.room).emit('lobby:state', lobby.state());
    },
    Math.max(1000, Math.min(30_000, config.reconnectMs / 4)),
  );
  stateRefresh.unref();
  // World checkpoints of durable lobbies (a restart replays only the log after them).
  const checkpoints = lobbyStore
    ? setInterval(() => lobbyStore.checkpointDue(registry.lobbies.values(), config.checkpointMs), 250)
    : null;
  checkpoints?.unref();
  // Server dream shards (namespace /dream; the model loads on the first reset).
  const dream: DreamHost = attachDreamHost(io, { ...defaultDreamConfig(config.modelsDir), ...config.dream }, log);
  // A dream on a peer shard fails over to this relay: have the model ready when a peer serves.
  peers.onServing = () => dream.warm();

  // Lobbies first: a continued session's log is held again, and recovery finishes the others.
  // With Redis, this process is one of several: it brings back only the lobbies nobody owns,
  // and recovery leaves alone the sessions of the others' lobbies.
  let restored: Lobby[] = [];
  const othersSessions = new Set<string>();
  const cluster =
    redis && lobbyStore
      ? await RelayCluster.join(
          redis,
          io,
          registry,
          lobbyStore,
          (saved, epoch) => restoreSavedLobby(lobbyStore, saved, ctx, store, epoch),
          log,
          {
            processId,
            leaseMs: config.ownerLeaseMs,
            metrics,
            forwardTimeoutMs: 5000,
          },
        )
      : null;
  if (cluster && lobbyStore) {
    registry.directory = cluster;
    await cluster.takeOverOrphans();
    restored = [...registry.lobbies.values()];
    for (const saved of await lobbyStore.loadAll())
      if (!registry.byId(saved.id) && saved.sessionId) othersSessions.add(saved.sessionId);
    metrics.registry.setDefaultLabels({ relay: cluster.processId });
  } else if (lobbyStore) {
    restored = await restoreLobbies(lobbyStore, ctx, store);
    for (const lobby of restored) registry.add(lobby);
  }
  const recovered = await recoverSessions(store, config.dataDir, log, othersSessions);
  routes = createHttpRoutes({
    config,
    log,
    metrics,
    registry,
    dream,
    io,
    index: store,
    otherProcessLobby: cluster ? (code) => cluster.describe(code) : undefined,
    otherProcessAudit: cluster ? (code, token) => cluster.auditSession(code, token) : undefined,
  });

  const handlers = attachConnectionHandlers(io, registry, ctx, () => publicUrl, peers, cluster);
  cluster?.attach(handlers);

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
  log.info(
    {
      url,
      dataDir: config.dataDir,
      episodeIndex: store.where,
      lobbyState: lobbyStore?.backend.where ?? null,
      staticDir: config.staticDir,
      recovered: recovered.length,
      restored: restored.length,
      process: cluster?.processId ?? null,
    },
    'relay server listening',
  );

  let closing: Promise<void> | null = null;
  return {
    config,
    http,
    io,
    metrics,
    store,
    log,
    lobbies: registry.lobbies,
    recovered,
    restored,
    processId: cluster?.processId ?? null,
    dream,
    peers,
    url,
    port: address.port,
    lobbyByCode: (code) => registry.byInviteCode(code),
    close() {
      closing ??= (async () => {
        clearInterval(stateRefresh);
        if (checkpoints) clearInterval(checkpoints);
        await dream.close();
        peers.close();
        if (lobbyStore) {
          // Durable lobbies outlive a restart: suspended (log synced, no end record), not closed,
          // with a fresh checkpoint so that the next start replays nothing.
          lobbyStore.checkpointDue(registry.lobbies.values(), 0, Infinity);
          for (const lobby of registry.lobbies.values()) lobby.suspend();
          await lobbyStore.close();
          // Their leases go now: another relay process brings them back at once.
          await cluster?.close();
          registry.clear();
        } else for (const lobby of [...registry.lobbies.values()]) lobby.close('shutdown', { sync: true });
        await new Promise<void>((resolve) => io.close(() => resolve()));
        releaseAdapter(io);
        await routes?.close();
        await brains.release();
        await store.close();
        await redis?.close();
        log.info('relay server stopped');
      })();
      return closing;
    },
  };
}
