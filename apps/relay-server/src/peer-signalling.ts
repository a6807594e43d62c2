/**
 * The relay as PeerJS signalling server for peer dream shards (issue 13), on the relay's own
 * HTTP server at PEER_PATH. PeerJS ids and tokens are issued over the member's authenticated
 * Socket.IO connection (`peer:token`) and only to lobby members; they die with the membership
 * (leave, kick, timeout, lobby closed): the member's signalling socket is closed and the token
 * refused from then on. A WebSocket upgrade without a live id/token pair is refused before
 * PeerJS sees it, and signalling messages (offers, answers, ICE candidates) reach a peer only
 * from a peer of the same lobby: a stranger cannot reach a member's peer at all.
 *
 * The `peer` package's server keeps the realm (ids, queued messages, heartbeats); this module
 * owns the upgrade (Socket.IO and PeerJS both want HTTP upgrades: `routeUpgrade` sends each by
 * path), the credentials, the lobby's offers to serve and the peer metrics.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import express from 'express';
import { ExpressPeerServer } from 'peer';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  PEER_KEY,
  PEER_PATH,
  PEER_PROTOCOL_VERSION,
  type IceServer,
  type PeerCredentials,
  type PeerOffer,
  type PeerOfferRequest,
  type PeerReportRequest,
} from '@aikon/protocol';
import type { RelayMetrics } from './metrics.ts';

/** PeerJS's WebSocket path under PEER_PATH (the client appends `peerjs` to its `path`). */
export const PEER_WS_PATH = `${PEER_PATH}/peerjs`;
/** Signalling messages are SDP and ICE candidates: a few KiB. */
const MAX_SIGNAL_BYTES = 64 * 1024;

export interface PeerSignallingConfig {
  /** STUN/TURN servers handed to clients with their credentials (empty: loopback and LAN only). */
  iceServers: IceServer[];
}

interface Credential {
  readonly peerId: string;
  readonly token: string;
  readonly lobbyId: string;
  readonly memberId: string;
  socket: WebSocket | null;
}

const randomId = (bytes: number): string => randomBytes(bytes).toString('base64url');

export class PeerSignalling {
  private readonly byPeerId = new Map<string, Credential>();
  /** Credentials by `${lobbyId}/${memberId}`. */
  private readonly byMember = new Map<string, Credential>();
  /** Offers to serve, per lobby, by member id. */
  private readonly offers = new Map<string, Map<string, PeerOffer>>();
  /** Started on the first `peer:token` (the PeerJS server keeps timers running for its life). */
  private wss: WebSocketServer | null = null;
  /** Called when a member offers to serve dreams (the relay's own dream shard is their fall-back). */
  onServing: (() => void) | null = null;

  constructor(
    private readonly http: HttpServer,
    private readonly config: PeerSignallingConfig,
    private readonly metrics: RelayMetrics,
    private readonly log: Logger,
  ) {}

  private start(): WebSocketServer {
    if (this.wss) return this.wss;
    // No HTTP server of its own: upgrades arrive through handleUpgrade, checked first.
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_SIGNAL_BYTES });
    this.wss = wss;
    const app = ExpressPeerServer(this.http, {
      key: PEER_KEY,
      path: '/',
      allow_discovery: false,
      // PeerJS clients send a heartbeat every 5 s; a silent peer is dropped after 30 s.
      alive_timeout: 30_000,
      createWebSocketServer: () => wss as never,
    });
    // ExpressPeerServer builds its realm when mounted into an express app. That app never sees
    // a request: PeerJS's HTTP API (random ids, peer lists) is not served, ids come from `peer:token`.
    express().use(PEER_PATH, app);
    app.on('error', (err: unknown) => this.log.debug({ err }, 'peer signalling error'));
    return wss;
  }

  /** Credentials for a member (the same ones again while its membership lasts). */
  issue(lobbyId: string, memberId: string): PeerCredentials {
    const key = `${lobbyId}/${memberId}`;
    let cred = this.byMember.get(key);
    this.start();
    if (!cred) {
      cred = {
        peerId: `aikon-${randomBytes(8).toString('hex')}`,
        token: randomId(24),
        lobbyId,
        memberId,
        socket: null,
      };
      this.byMember.set(key, cred);
      this.byPeerId.set(cred.peerId, cred);
    }
    return {
      v: PEER_PROTOCOL_VERSION,
      peerId: cred.peerId,
      token: cred.token,
      path: PEER_PATH,
      key: PEER_KEY,
      iceServers: this.config.iceServers,
    };
  }

  /**
   * The membership ended: its token dies, its signalling socket closes, its offer goes.
   * Returns whether the lobby's offers changed.
   */
  revoke(lobbyId: string, memberId: string): boolean {
    const key = `${lobbyId}/${memberId}`;
    const cred = this.byMember.get(key);
    if (cred) {
      this.byMember.delete(key);
      this.byPeerId.delete(cred.peerId);
      cred.socket?.close(4001, 'membership ended');
      cred.socket = null;
    }
    return this.withdraw(lobbyId, memberId);
  }

  /** Starts or stops a member's offer to serve dreams; returns the lobby's offers. */
  offer(lobbyId: string, member: { memberId: string; name: string }, req: PeerOfferRequest): PeerOffer[] {
    if (!req.serving) {
      this.withdraw(lobbyId, member.memberId);
      return this.offersOf(lobbyId);
    }
    const { peerId } = this.issue(lobbyId, member.memberId);
    const lobbyOffers = this.offers.get(lobbyId) ?? new Map<string, PeerOffer>();
    lobbyOffers.set(member.memberId, {
      memberId: member.memberId,
      name: member.name,
      peerId,
      stepsPerSecond: req.stepsPerSecond,
      backend: req.backend,
      model: req.model,
    });
    this.offers.set(lobbyId, lobbyOffers);
    this.updateGauge();
    this.onServing?.();
    return this.offersOf(lobbyId);
  }

  /** A member's offer ends (it stopped serving, or its connection went). Returns whether it had one. */
  withdraw(lobbyId: string, memberId: string): boolean {
    const lobbyOffers = this.offers.get(lobbyId);
    if (!lobbyOffers?.delete(memberId)) return false;
    if (lobbyOffers.size === 0) this.offers.delete(lobbyId);
    this.updateGauge();
    return true;
  }

  /** Fastest first. */
  offersOf(lobbyId: string): PeerOffer[] {
    return [...(this.offers.get(lobbyId)?.values() ?? [])].sort((a, b) => b.stepsPerSecond - a.stepsPerSecond);
  }

  report(r: PeerReportRequest): void {
    this.metrics.peerStepsServed.inc(r.stepsServed);
    this.metrics.peerBytesServed.inc(r.bytesServed);
    this.metrics.peerFailovers.inc(r.failovers);
  }

  /** Peers connected to the signalling server now. */
  get connected(): number {
    let n = 0;
    for (const c of this.byPeerId.values()) if (c.socket) n++;
    return n;
  }

  private updateGauge(): void {
    let n = 0;
    for (const o of this.offers.values()) n += o.size;
    this.metrics.peerShards.set(n);
  }

  /**
   * The PeerJS WebSocket: accepted only with a live id/token pair for the relay's key. Returns
   * false for other paths (not ours to answer).
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://relay');
    if (url.pathname !== PEER_WS_PATH) return false;
    const id = url.searchParams.get('id') ?? '';
    const cred = this.byPeerId.get(id);
    if (url.searchParams.get('key') !== PEER_KEY || !cred || url.searchParams.get('token') !== cred.token) {
      this.metrics.peerRefused.inc();
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    const wss = this.start();
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (this.byPeerId.get(id) !== cred) return void ws.close(4001, 'membership ended');
      cred.socket?.close(4002, 'replaced by a new connection');
      cred.socket = ws;
      this.metrics.peerConnected.set(this.connected);
      ws.on('close', () => {
        if (cred.socket === ws) cred.socket = null;
        this.metrics.peerConnected.set(this.connected);
      });
      // PeerJS relays each message to its `dst`: deliver only those from a peer of the same lobby.
      const send = ws.send.bind(ws);
      ws.send = ((data: unknown, ...rest: unknown[]) => {
        if (this.sameLobby(cred, data)) (send as (...a: unknown[]) => void)(data, ...rest);
      }) as typeof ws.send;
      wss.emit('connection', ws, req);
    });
    return true;
  }

  /** Whether a signalling message for `to` may pass: server messages, or from a peer of its lobby. */
  private sameLobby(to: Credential, data: unknown): boolean {
    if (typeof data !== 'string') return false;
    let src: unknown;
    try {
      src = (JSON.parse(data) as { src?: unknown }).src;
    } catch {
      return false;
    }
    if (src === undefined) return true; // OPEN, ERROR, ID-TAKEN from the server itself
    const from = typeof src === 'string' ? this.byPeerId.get(src) : undefined;
    if (from?.lobbyId === to.lobbyId) return true;
    this.metrics.peerRefused.inc();
    return false;
  }

  close(): void {
    for (const c of this.byPeerId.values()) c.socket?.terminate();
    this.byPeerId.clear();
    this.byMember.clear();
    this.offers.clear();
    this.wss?.close();
  }
}
