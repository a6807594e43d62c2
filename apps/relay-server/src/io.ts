import type { Server as HttpServer } from 'node:http';
import type { ClientToServerEvents, RelaySocketData, ServerToClientEvents } from '@aikon/protocol';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import { Adapter, type BroadcastOptions, SessionAwareAdapter } from 'socket.io-adapter';
import * as msgpackParser from 'socket.io-msgpack-parser';
import type { RelayConfig } from './config.ts';
import type { FrameSink } from './delta-frames.ts';
import { KEY_PREFIX, type RedisClient } from './redis-state.ts';

/** Events between relay processes (none yet). */
type RelayServerSideEvents = Record<never, never>;

/** The relay's Socket.IO server and sockets, typed by the event contract of @aikon/protocol. */
export type RelayIo = Server<ClientToServerEvents, ServerToClientEvents, RelayServerSideEvents, RelaySocketData>;
export type RelaySocket = Socket<ClientToServerEvents, ServerToClientEvents, RelayServerSideEvents, RelaySocketData>;

/**
 * What a lobby needs of a member's connection: a Socket.IO socket of this process, or a
 * member whose socket is on another relay process (RemoteMemberSocket in cluster.ts).
 */
export type MemberSocket = Pick<RelaySocket, 'id' | 'data' | 'connected' | 'emit' | 'join' | 'leave'> & {
  readonly handshake: { readonly address: string };
  /** Where the member's packets go (a remote member's: to its process, cluster.ts). */
  readonly conn: FrameSink;
};

/** Events kept for connection state recovery; everything else is sent but not stored. */
const RECOVERABLE_EVENTS: ReadonlySet<unknown> = new Set([
  'lobby:state',
  'lobby:kicked',
  'lobby:closed',
] satisfies (keyof ServerToClientEvents)[]);

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
    if (RECOVERABLE_EVENTS.has(packet.data?.[0])) super.broadcast(packet, opts);
    else Adapter.prototype.broadcast.call(this, packet, opts);
  }
}

/**
 * The relay's Socket.IO server on `http`: msgpack, connection state recovery, bounded frames.
 * With Redis, several relay processes share rooms through Socket.IO's Redis streams adapter
 * (which keeps connection state recovery: sessions and packets are in Redis).
 */
export function createRelayIo(http: HttpServer, config: RelayConfig, redis: RedisClient | null): RelayIo {
  return new Server(http, {
    ...relayIoOptions(config),
    ...(redis
      ? {
          adapter: createAdapter(redis, {
            streamName: `${KEY_PREFIX}socket.io`,
            sessionKeyPrefix: `${KEY_PREFIX}sio-session:`,
          }),
        }
      : {}),
  });
}

/** The relay's Socket.IO settings (its benchmarks' plain broadcast runs on the same). */
export function relayIoOptions(config: RelayConfig): Partial<ServerOptions> {
  return {
    parser: msgpackParser,
    maxHttpBufferSize: config.maxHttpBufferSize,
    serveClient: false,
    destroyUpgrade: false, // the relay's own upgrade listener routes by path (PeerJS beside Socket.IO: server.ts)
    cors: { origin: false },
    connectionStateRecovery: { maxDisconnectionDuration: config.reconnectMs, skipMiddlewares: true },
    adapter: RelayAdapter,
  };
}

/**
 * Socket.IO's session-aware adapter (connection state recovery) keeps a cleanup interval that
 * is never cleared, so a closed server stays reachable from it. Only tests and benchmarks
 * start several servers in one process, but cutting the references keeps that bounded.
 */
export function releaseAdapter(io: RelayIo): void {
  const adapter = io.of('/').adapter as unknown as Record<string, unknown> & {
    sessions?: Map<unknown, unknown>;
    rooms?: Map<unknown, unknown>;
    sids?: Map<unknown, unknown>;
  };
  adapter.sessions?.clear();
  adapter.rooms?.clear();
  adapter.sids?.clear();
  adapter.packets = [];
  adapter.nsp = undefined;
  adapter.encoder = undefined;
}
