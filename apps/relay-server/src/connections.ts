import {
  type Ack,
  type ClientEventName,
  type ClientEventRequests,
  type ClientEventResults,
  ClientEvents,
  type ErrorCode,
  type ErrorMessage,
  isClientEvent,
  type JoinResult,
  PEER_PROTOCOL_VERSION,
} from '@aikon/protocol';
import { z } from 'zod';
import type { ForwardedClientHandlers, RelayCluster } from './cluster.ts';
import type { MemberSocket, RelayIo, RelaySocket } from './io.ts';
import { Lobby, type LobbyContext, type MemberState, RelayError } from './lobby.ts';
import type { PeerSignalling } from './peer-signalling.ts';
import type { LobbyRegistry } from './registry.ts';

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
      for (const [k, x] of Object.entries(v)) {
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

/** One handler per client event: gets the validated payload, returns the ack's data (or throws a RelayError). */
type EventHandlers = {
  [K in ClientEventName]: (
    socket: MemberSocket,
    request: ClientEventRequests[K],
  ) => ClientEventResults[K] | Promise<ClientEventResults[K]>;
};

interface Bucket {
  tokens: number;
  last: number;
  warnedAt: number;
}

/**
 * Handles every client connection of the default namespace: one middleware takes each client
 * event through rate limit → known name → one payload → size → zod schema → handler, and
 * answers refusals with an `error` event and a failed ack. With several relay processes
 * (cluster.ts), an event for a lobby owned by another process is forwarded there after the
 * rate limit and size checks, and the returned handlers serve the events forwarded here.
 */
export function attachConnectionHandlers(
  io: RelayIo,
  registry: LobbyRegistry,
  ctx: LobbyContext,
  publicUrl: () => string,
  peers: PeerSignalling,
  cluster: RelayCluster | null = null,
): ForwardedClientHandlers {
  const { config, metrics, log } = ctx;

  function memberOf(socket: MemberSocket): { lobby: Lobby; member: MemberState } {
    const lobby = registry.byId(socket.data.lobbyId);
    const member = lobby && socket.data.memberId ? lobby.members.get(socket.data.memberId) : undefined;
    if (!lobby || !member || member.socket !== socket) throw new RelayError('not_in_lobby', 'join a lobby first');
    return { lobby, member };
  }

  function notInLobby(socket: MemberSocket): void {
    const lobby = registry.byId(socket.data.lobbyId);
    if (lobby && socket.data.memberId && lobby.members.get(socket.data.memberId)?.socket === socket) {
      throw new RelayError('already_in_lobby', 'leave your current lobby first');
    }
  }

  function joinResult(lobby: Lobby, member: MemberState): JoinResult {
    const state = lobby.state();
    return {
      lobby: state,
      memberId: member.memberId,
      resumeToken: member.resumeToken,
      inviteUrl: `${publicUrl()}${state.invitePath}`,
    };
  }

  function resumeByToken(socket: MemberSocket, token: string, takeover: boolean, lobbyHint?: Lobby): JoinResult {
    const entry = registry.byToken(token);
    if (!entry || (lobbyHint && entry.lobby !== lobbyHint) || entry.lobby.status === 'closed') {
      throw new RelayError('bad_resume_token', 'this membership has expired; join again');
    }
    const holder = entry.member.socket;
    // Another live connection (another tab) holds the membership: never taken silently.
    if (holder && holder !== socket && holder.connected && !takeover) {
      throw new RelayError(
        'member_connected',
        'this membership is in use by another connection (another tab?); resume with takeover to move it here',
      );
    }
    entry.lobby.resume(entry.member, socket);
    return joinResult(entry.lobby, entry.member);
  }

  /** Goals and the kill switch: the host, or every member when the lobby allows it. */
  function requireCommander(lobby: Lobby, member: MemberState): void {
    if (lobby.workforce.settings.commanders === 'host' && lobby.hostId !== member.memberId) {
      throw new RelayError(
        'not_host',
        'only the host may command the AI workers in this lobby (workforce setting: host only)',
      );
    }
  }

  const handlers: EventHandlers = {
    'lobby:create': (socket, req) => {
      notInLobby(socket);
      const address = socket.handshake.address;
      registry.admitCreate(address);
      const lobby = new Lobby(ctx, { seats: req.seats, seed: req.seed, tickRate: req.tickRate });
      registry.add(lobby, address);
      const member = lobby.addMember(socket, { name: req.name, kind: req.kind, exportConsent: req.exportConsent });
      return joinResult(lobby, member);
    },
    'lobby:join': (socket, req) => {
      notInLobby(socket);
      const lobby = registry.byInviteCode(req.code);
      if (!lobby) throw new RelayError('lobby_not_found', 'no open lobby has this invite code');
      if (req.resumeToken && registry.byToken(req.resumeToken)?.lobby === lobby)
        return resumeByToken(socket, req.resumeToken, req.takeover === true, lobby);
      const member = lobby.addMember(socket, { name: req.name, kind: req.kind, exportConsent: req.exportConsent });
      return joinResult(lobby, member);
    },
    'lobby:resume': (socket, req) => {
      const entry = registry.byToken(req.resumeToken);
      if (!entry || entry.member.socket !== socket) notInLobby(socket);
      return resumeByToken(socket, req.resumeToken, req.takeover === true);
    },
    'lobby:leave': (socket) => {
      const { lobby, member } = memberOf(socket);
      lobby.removeMember(member, 'leave');
      return null;
    },
    'lobby:config': (socket, req) => {
      const { lobby, member } = memberOf(socket);
      lobby.requireHost(member, 'change the lobby settings');
      lobby.configure(req);
      return lobby.state();
    },
    'lobby:kick': (socket, req) => {
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
    'lobby:unban': (socket, req) => {
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
    'lobby:consent': (socket, req) => {
      const { lobby, member } = memberOf(socket);
      lobby.setConsent(member, req.exportConsent);
      return null;
    },
    'game:action': (socket, req) => {
      const { lobby, member } = memberOf(socket);
      lobby.setIntent(member, req.a, req.seq, req.slot, req.brain ?? null);
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
    'game:dreamLoading': (socket, req) => {
      const { lobby, member } = memberOf(socket);
      lobby.dreamLoading(member, req.loading);
      return null;
    },
    // ---- the workforce ----
    'workforce:add': (socket, req) => {
      const { lobby, member } = memberOf(socket);
      lobby.requireHost(member, 'add AI workers');
      const worker = lobby.workforce.add(member.name, req.name, req.brain);
      lobby.broadcastState();
      return { workerId: worker.workerId };
    },
    'workforce:remove': (socket, req) => {
      const { lobby, member } = memberOf(socket);
      lobby.requireHost(member, 'remove AI workers');
      lobby.workforce.remove(member.name, req.workerId);
      lobby.broadcastState();
      return null;
    },
    'workforce:goal': (socket, req) => {
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
    'workforce:approve': (socket, req) => {
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
    'workforce:settings': (socket, req) => {
      const { lobby, member } = memberOf(socket);
      lobby.requireHost(member, 'change the workforce settings');
      lobby.workforce.setSettings(member.name, req);
      return lobby.workforce.settings;
    },
    'workforce:audit': (socket) => {
      const { lobby } = memberOf(socket);
      return { lines: lobby.workforce.auditLines() };
    },
    // ---- peer dream shards (peer-signalling.ts) ----
    'peer:token': (socket) => {
      const { lobby, member } = memberOf(socket);
      const credentials = peers.issue(lobby.id, member.memberId);
      socket.emit('peer:offers', { v: PEER_PROTOCOL_VERSION, offers: peers.offersOf(lobby.id) });
      return credentials;
    },
    'peer:offer': (socket, req) => {
      const { lobby, member } = memberOf(socket);
      const offers = peers.offer(lobby.id, member, req);
      io.to(lobby.room).emit('peer:offers', { v: PEER_PROTOCOL_VERSION, offers });
      return { v: PEER_PROTOCOL_VERSION, offers };
    },
    'peer:report': (socket, req) => {
      memberOf(socket);
      peers.report(req);
      return null;
    },
  };

  // ---- the single entry point of client events ---------------------------------------

  /** Validates one known event's payload and runs its handler; the ack gets the result. */
  function handle<K extends ClientEventName>(
    socket: MemberSocket,
    event: K,
    payload: unknown,
    fail: (code: ErrorCode, message: string) => void,
    ack: ((answer: Ack) => void) | undefined,
  ): void {
    const parsed = ClientEvents[event].safeParse(payload);
    if (!parsed.success) {
      fail('invalid_payload', z.prettifyError(parsed.error).slice(0, 500));
      return;
    }
    const done = (data: ClientEventResults[K]): void => {
      metrics.events.inc({ event });
      ack?.({ ok: true, data });
    };
    const failed = (err: unknown): void => {
      if (err instanceof RelayError) fail(err.code, err.message);
      else {
        log.error({ err, event }, 'handler failed');
        fail('server_error', 'internal server error');
      }
    };
    try {
      const data = handlers[event](socket, parsed.data);
      // A few handlers wait on something outside (workforce goals on a language-model endpoint).
      if (data instanceof Promise) data.then(done, failed);
      else done(data);
    } catch (err) {
      failed(err);
    }
  }

  /** Refuses an event: an `error` event to the client (unless `notify` is false) and a failed ack. */
  function refuser(socket: MemberSocket, name: string, ack: ((answer: Ack) => void) | undefined) {
    return (code: ErrorCode, message: string, notify = true): void => {
      metrics.rejected.inc({ reason: code });
      log.debug({ socket: socket.id, event: name, code }, 'event refused');
      const error: ErrorMessage = { code, message, event: name };
      if (notify) socket.emit('error', error);
      ack?.({ ok: false, error });
    };
  }

  function dispatch(socket: RelaySocket, bucket: Bucket, packet: unknown[]): void {
    const args = packet.slice(1);
    const last = args[args.length - 1];
    let ack: ((answer: Ack) => void) | undefined;
    if (typeof last === 'function') {
      args.pop();
      ack = (answer) => last(answer);
    }
    const event = packet[0];
    const name = typeof event === 'string' ? event.slice(0, 64) : `<${typeof event}>`;
    const fail = refuser(socket, name, ack);
    // Rate limit (token bucket). While flooding, the `error` event is sent at most once a second.
    const now = performance.now();
    bucket.tokens = Math.min(
      config.rateLimit.burst,
      bucket.tokens + ((now - bucket.last) / 1000) * config.rateLimit.perSecond,
    );
    bucket.last = now;
    if (bucket.tokens < 1) {
      const notify = now - bucket.warnedAt >= 1000;
      if (notify) bucket.warnedAt = now;
      fail('rate_limited', `too many events: at most ${config.rateLimit.perSecond} per second`, notify);
      return;
    }
    bucket.tokens -= 1;
    if (typeof event !== 'string' || !isClientEvent(event)) {
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
    const here = (): void => handle(socket, event, args[0], fail, ack);
    if (!cluster?.forward(socket, event, args[0], ack, here)) here();
  }

  /** The member's connection went away (a socket of this process, or a forwarded one). */
  function disconnected(socket: MemberSocket): void {
    const lobby = registry.byId(socket.data.lobbyId);
    const member = lobby && socket.data.memberId ? lobby.members.get(socket.data.memberId) : undefined;
    if (lobby && member) lobby.disconnected(member, socket);
    // A serving tab that went away serves no more (its membership may live on for a while).
    if (lobby && member && member.socket === null && peers.withdraw(lobby.id, member.memberId)) {
      io.to(lobby.room).emit('peer:offers', { v: PEER_PROTOCOL_VERSION, offers: peers.offersOf(lobby.id) });
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
        dispatch(socket, bucket, packet);
      } catch (err) {
        log.error({ err }, 'dispatch failed');
      }
    });
    socket.on('disconnect', () => {
      if (!cluster?.disconnected(socket)) disconnected(socket);
    });
    if (socket.recovered && socket.data.lobbyId) {
      // Socket.IO restored the session (rooms and data) after a short drop.
      const lobby = registry.byId(socket.data.lobbyId);
      const member = lobby && socket.data.memberId ? lobby.members.get(socket.data.memberId) : undefined;
      if (lobby && member && lobby.status !== 'closed') lobby.resume(member, socket, false);
      else {
        if (lobby) socket.leave(lobby.room);
        socket.data.lobbyId = undefined;
        socket.data.memberId = undefined;
      }
    }
  });

  return {
    // Forwarded by another relay process after its rate limit and size checks: validated here.
    handle(socket, event, payload, ack) {
      const fail = refuser(socket, event.slice(0, 64), ack);
      if (!isClientEvent(event)) fail('unknown_event', `unknown event ${JSON.stringify(event.slice(0, 64))}`);
      else handle(socket, event, payload, fail, ack);
    },
    disconnected,
  };
}
