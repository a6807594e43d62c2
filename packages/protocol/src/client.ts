import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { ACTIONS, type ActionName } from '@aikon/engine';
import { WorldMirror } from './delta.ts';
import type {
  ClientEventName,
  ClientEventPayloads,
  ClientEventResults,
  ClientToServerEvents,
  ServerToClientEvents,
} from './contract.ts';
import type {
  Ack,
  ConfigRequest,
  CreateLobbyRequest,
  DeltaMessage,
  ErrorCode,
  ErrorMessage,
  JoinLobbyRequest,
  JoinResult,
  LobbyState,
  SnapshotMessage,
} from './events.ts';

/**
 * Framework-free client for the relay server (browser or Node).
 *
 *   const client = createRelayClient(location.origin);
 *   await client.connect();
 *   const code = parseInviteCode(location.href);
 *   const joined = code ? await client.joinLobby(code, { name }) : await client.createLobby({ name });
 *   client.onDelta((delta, mirror) => render(mirror));
 *   client.sendAction('move_left');
 *
 * The client keeps a WorldMirror current (snapshot + deltas), re-requests a snapshot on a
 * tick gap, and after a reconnect resumes its membership with the resume token (Socket.IO
 * connection state recovery first; the token when the session could not be recovered, e.g.
 * after a page refresh if the game stored the token with `resumeStorage`).
 */
export interface RelayClientOptions {
  /** Extra Socket.IO options (e.g. `path`, `transports`). */
  socket?: Partial<ManagerOptions & SocketOptions>;
  /** Where to keep the resume token across page refreshes (e.g. window.sessionStorage). */
  resumeStorage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** Acknowledgement timeout in ms (default 5000). */
  timeoutMs?: number;
  /**
   * When the client tells the relay it has the world (`game:ready`, which lets a new game tick
   * and ends a held body's protection): 'snapshot' (default: bots, tools) on every snapshot;
   * 'manual' when the app calls `ready()` itself (the game, once it has drawn a frame).
   */
  readyWhen?: 'snapshot' | 'manual';
}

export class RelayRequestError extends Error {
  constructor(readonly error: ErrorMessage) {
    super(`${error.code}: ${error.message}`);
    this.name = 'RelayRequestError';
  }
}

type Listener<A extends unknown[]> = (...args: A) => void;

class Emitter<A extends unknown[]> {
  private readonly listeners = new Set<Listener<A>>();
  on(fn: Listener<A>): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  emit(...args: A): void {
    for (const fn of [...this.listeners]) fn(...args);
  }
}

const STORAGE_KEY = 'aikon.resume';
/** Refusals that may pass once the relay has caught up (after a restart, under load). */
const TRANSIENT_ERRORS: ReadonlySet<ErrorCode> = new Set(['server_error', 'server_busy', 'rate_limited']);
/** Waits between resume attempts after a reconnect (≈ 30 s in all). */
const RESUME_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000, 8000, 8000];

/** The relay's default namespace, typed by the event contract. */
export type RelaySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface RelayClient {
  readonly socket: RelaySocket;
  readonly mirror: WorldMirror;
  /** Latest lobby state (null when not in a lobby). */
  readonly lobby: LobbyState | null;
  readonly memberId: string | null;
  readonly resumeToken: string | null;
  /** Full invite URL as built by the server (uses its public origin). */
  readonly inviteUrl: string | null;
  connect(): Promise<void>;
  createLobby(request: CreateLobbyRequest): Promise<JoinResult>;
  /**
   * Joins by invite code. With a resume token (given, or stored in resumeStorage by an earlier
   * join in this tab) that is still valid for this lobby, returns to the same membership and body.
   */
  joinLobby(code: string, request: Omit<JoinLobbyRequest, 'code'>): Promise<JoinResult>;
  /**
   * Returns to a membership after a refresh (token from resumeStorage when omitted). Refused
   * with `member_connected` while another connection holds it, unless `takeover` (that one is told).
   */
  resume(resumeToken?: string, options?: { takeover?: boolean }): Promise<JoinResult>;
  leave(): Promise<void>;
  /**
   * Sends any client event of the contract and resolves with its acknowledgement's data
   * (rejects with RelayRequestError on a refusal, or an Error on timeout).
   */
  request<K extends ClientEventName>(event: K, payload: ClientEventPayloads[K]): Promise<ClientEventResults[K]>;
  setConfig(config: ConfigRequest): Promise<LobbyState>;
  kick(memberId: string): Promise<void>;
  start(): Promise<LobbyState>;
  setExportConsent(exportConsent: boolean): Promise<void>;
  respawn(): Promise<void>;
  resync(): Promise<void>;
  /** Tells the relay this client has drawn the world (`game:ready`; send again after each snapshot). */
  ready(): void;
  /** Tells the relay this client is loading a dream model (its body is held protected) or has done so. */
  dreamLoading(loading: boolean): Promise<void>;
  /**
   * Queues this tick's action (last one before the tick wins). Returns its sequence number.
   * `brain: 'learned'`: the client's autopilot chose it (recorded as such).
   */
  sendAction(action: number | ActionName, o?: { brain?: 'learned' }): number;
  onDelta(fn: (delta: DeltaMessage, mirror: WorldMirror) => void): () => void;
  onSnapshot(fn: (msg: SnapshotMessage, mirror: WorldMirror) => void): () => void;
  onLobby(fn: (state: LobbyState) => void): () => void;
  onError(fn: (error: ErrorMessage) => void): () => void;
  /** Kicked by the host or the lobby closed. */
  onRemoved(fn: (info: { lobbyId: string; reason: string; kicked: boolean; takenOver?: boolean }) => void): () => void;
  /** Connection up/down (for a "reconnecting…" banner). */
  onConnection(fn: (connected: boolean) => void): () => void;
  readonly connected: boolean;
  close(): void;
}

export function createRelayClient(url: string, options: RelayClientOptions = {}): RelayClient {
  const timeoutMs = options.timeoutMs ?? 5000;
  const socket: RelaySocket = io(url, {
    parser: msgpackParser,
    transports: ['websocket'],
    autoConnect: false,
    reconnectionDelay: 250,
    reconnectionDelayMax: 2000,
    ...options.socket,
  });
  const mirror = new WorldMirror();
  const deltaEvents = new Emitter<[DeltaMessage, WorldMirror]>();
  const snapshotEvents = new Emitter<[SnapshotMessage, WorldMirror]>();
  const lobbyEvents = new Emitter<[LobbyState]>();
  const errorEvents = new Emitter<[ErrorMessage]>();
  const removedEvents = new Emitter<[{ lobbyId: string; reason: string; kicked: boolean; takenOver?: boolean }]>();
  const connectionEvents = new Emitter<[boolean]>();
  let lobby: LobbyState | null = null;
  let memberId: string | null = null;
  let resumeToken: string | null = options.resumeStorage?.getItem(STORAGE_KEY) ?? null;
  let inviteUrl: string | null = null;
  let seq = 0;
  let resyncPending = false;
  let wasConnected = false;

  /**
   * One sender per event, each a concrete (fully type-checked) call of the typed socket, so that
   * `request` can stay generic over the event name: Socket.IO's emit types cannot be forwarded
   * generically.
   */
  const t = () => socket.timeout(timeoutMs);
  const send: {
    [K in ClientEventName]: (
      payload: ClientEventPayloads[K],
      ack: (err: Error | null, answer: Ack<ClientEventResults[K]>) => void,
    ) => void;
  } = {
    'lobby:create': (p, ack) => t().emit('lobby:create', p, ack),
    'lobby:join': (p, ack) => t().emit('lobby:join', p, ack),
    'lobby:resume': (p, ack) => t().emit('lobby:resume', p, ack),
    'lobby:leave': (p, ack) => t().emit('lobby:leave', p, ack),
    'lobby:config': (p, ack) => t().emit('lobby:config', p, ack),
    'lobby:kick': (p, ack) => t().emit('lobby:kick', p, ack),
    'lobby:unban': (p, ack) => t().emit('lobby:unban', p, ack),
    'lobby:start': (p, ack) => t().emit('lobby:start', p, ack),
    'lobby:consent': (p, ack) => t().emit('lobby:consent', p, ack),
    'game:action': (p, ack) => t().emit('game:action', p, ack),
    'game:respawn': (p, ack) => t().emit('game:respawn', p, ack),
    'game:resync': (p, ack) => t().emit('game:resync', p, ack),
    'game:ready': (p, ack) => t().emit('game:ready', p, ack),
    'game:dreamLoading': (p, ack) => t().emit('game:dreamLoading', p, ack),
    'workforce:add': (p, ack) => t().emit('workforce:add', p, ack),
    'workforce:remove': (p, ack) => t().emit('workforce:remove', p, ack),
    'workforce:goal': (p, ack) => t().emit('workforce:goal', p, ack),
    'workforce:approve': (p, ack) => t().emit('workforce:approve', p, ack),
    'workforce:kill': (p, ack) => t().emit('workforce:kill', p, ack),
    'workforce:settings': (p, ack) => t().emit('workforce:settings', p, ack),
    'workforce:audit': (p, ack) => t().emit('workforce:audit', p, ack),
    'peer:token': (p, ack) => t().emit('peer:token', p, ack),
    'peer:offer': (p, ack) => t().emit('peer:offer', p, ack),
    'peer:report': (p, ack) => t().emit('peer:report', p, ack),
  };

  function request<K extends ClientEventName>(
    event: K,
    payload: ClientEventPayloads[K],
  ): Promise<ClientEventResults[K]> {
    return new Promise((resolve, reject) => {
      send[event](payload, (err, ack) => {
        if (err) reject(err);
        else if (ack.ok) resolve(ack.data);
        else reject(new RelayRequestError(ack.error));
      });
    });
  }

  function joined(result: JoinResult): JoinResult {
    lobby = result.lobby;
    memberId = result.memberId;
    resumeToken = result.resumeToken;
    inviteUrl = result.inviteUrl;
    options.resumeStorage?.setItem(STORAGE_KEY, result.resumeToken);
    lobbyEvents.emit(result.lobby);
    return result;
  }

  function forget(): void {
    lobby = null;
    memberId = null;
    resumeToken = null;
    inviteUrl = null;
    mirror.t = -1;
    mirror.entities.clear();
    mirror.self = null;
    mirror.slot = null;
    options.resumeStorage?.removeItem(STORAGE_KEY);
  }

  socket.on('lobby:state', (state: LobbyState) => {
    lobby = state;
    lobbyEvents.emit(state);
  });
  socket.on('game:snapshot', (msg: SnapshotMessage) => {
    resyncPending = false;
    try {
      mirror.applySnapshot(msg);
    } catch (err) {
      errorEvents.emit({ code: 'server_error', message: `bad snapshot: ${(err as Error).message}` });
      return;
    }
    snapshotEvents.emit(msg, mirror);
    if (options.readyWhen !== 'manual') socket.emit('game:ready', {});
  });
  socket.on('game:delta', (delta: DeltaMessage) => {
    if (!mirror.applyDelta(delta)) {
      if (!resyncPending) {
        resyncPending = true;
        socket.emit('game:resync', {});
      }
      return;
    }
    deltaEvents.emit(delta, mirror);
  });
  socket.on('error', (error: ErrorMessage) => errorEvents.emit(error));
  socket.on('lobby:kicked', (info: { lobbyId: string; reason: string; takenOver?: boolean }) => {
    forget();
    removedEvents.emit({ ...info, kicked: true });
  });
  socket.on('lobby:closed', (info: { lobbyId: string; reason: string }) => {
    forget();
    removedEvents.emit({ ...info, kicked: false });
  });
  socket.on('disconnect', () => connectionEvents.emit(false));
  socket.on('connect', () => {
    connectionEvents.emit(true);
    if (wasConnected && !socket.recovered && resumeToken && memberId) resumeAfterReconnect(resumeToken, 0);
    wasConnected = true;
  });

  /**
   * The server could not restore the session (e.g. it restarted): resume by token. Its own
   * previous connection may not have timed out on the server yet: take it over. While the relay
   * is still bringing the lobby back (busy, no answer in time) it is asked again with backoff;
   * a refusal (the membership expired, the lobby closed) forgets the membership.
   */
  function resumeAfterReconnect(token: string, attempt: number): void {
    request('lobby:resume', { resumeToken: token, takeover: true }).then(joined, (err: unknown) => {
      if (resumeToken !== token || !socket.connected) return; // left, or the next connect resumes
      const refusal = err instanceof RelayRequestError && !TRANSIENT_ERRORS.has(err.error.code);
      if (!refusal && attempt < RESUME_DELAYS_MS.length) {
        setTimeout(() => resumeAfterReconnect(token, attempt + 1), RESUME_DELAYS_MS[attempt]);
        return;
      }
      if (err instanceof RelayRequestError) errorEvents.emit(err.error);
      if (refusal) forget();
    });
  }

  const client: RelayClient = {
    socket,
    mirror,
    get lobby() {
      return lobby;
    },
    get memberId() {
      return memberId;
    },
    get resumeToken() {
      return resumeToken;
    },
    get inviteUrl() {
      return inviteUrl;
    },
    connect() {
      if (socket.connected) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const onConnect = () => {
          socket.off('connect_error', onError);
          resolve();
        };
        const onError = (err: Error) => {
          socket.off('connect', onConnect);
          reject(err);
        };
        socket.once('connect', onConnect);
        socket.once('connect_error', onError);
        socket.connect();
      });
    },
    async createLobby(req) {
      return joined(await request('lobby:create', req));
    },
    async joinLobby(code, req) {
      // After a page refresh the stored token brings the player back to the same body.
      const token = req.resumeToken ?? resumeToken ?? undefined;
      return joined(await request('lobby:join', { ...req, code, ...(token ? { resumeToken: token } : {}) }));
    },
    async resume(token, options = {}) {
      const t = token ?? resumeToken;
      if (!t) throw new Error('no resume token');
      return joined(await request('lobby:resume', { resumeToken: t, ...(options.takeover ? { takeover: true } : {}) }));
    },
    request,
    async leave() {
      await request('lobby:leave', {});
      forget();
    },
    async setConfig(config) {
      return request('lobby:config', config);
    },
    async kick(id) {
      await request('lobby:kick', { memberId: id });
    },
    async start() {
      return request('lobby:start', {});
    },
    async setExportConsent(exportConsent) {
      await request('lobby:consent', { exportConsent });
    },
    async respawn() {
      await request('game:respawn', {});
    },
    async resync() {
      await request('game:resync', {});
    },
    ready() {
      socket.emit('game:ready', {});
    },
    async dreamLoading(loading) {
      await request('game:dreamLoading', { loading });
    },
    sendAction(action, o = {}) {
      const a = typeof action === 'number' ? action : ACTIONS.indexOf(action);
      if (a < 0) throw new RangeError(`unknown action ${String(action)}`);
      seq = (seq + 1) >>> 0;
      // Volatile: an action typed while disconnected is dropped, not replayed late.
      socket.volatile.emit('game:action', o.brain ? { a, seq, brain: o.brain } : { a, seq });
      return seq;
    },
    onDelta: (fn) => deltaEvents.on(fn),
    onSnapshot: (fn) => snapshotEvents.on(fn),
    onLobby: (fn) => lobbyEvents.on(fn),
    onError: (fn) => errorEvents.on(fn),
    onRemoved: (fn) => removedEvents.on(fn),
    onConnection: (fn) => connectionEvents.on(fn),
    get connected() {
      return socket.connected;
    },
    close() {
      socket.close();
    },
  };
  return client;
}

export { parseInviteCode, invitePath, INVITE_CODE_RE } from './constants.ts';
export { WorldMirror } from './delta.ts';
export type { EntityView } from './delta.ts';
