import type { z } from 'zod';
import {
  ActionRequest,
  type Ack,
  ConfigRequest,
  ConsentRequest,
  DreamLoadingRequest,
  CreateLobbyRequest,
  type DeltaMessage,
  EmptyRequest,
  type ErrorMessage,
  JoinLobbyRequest,
  type JoinResult,
  KickRequest,
  type LobbyState,
  ResumeRequest,
  type SnapshotMessage,
  UnbanRequest,
} from './events.ts';
import {
  type AuditLine,
  type WorkforceGoalResult,
  type WorkforceSettings,
  type WorkforceState,
  WorkforceAddRequest,
  WorkforceApproveRequest,
  WorkforceGoalRequest,
  WorkforceRemoveRequest,
  WorkforceSettingsRequest,
} from './workforce.ts';
import {
  type PeerCredentials,
  type PeerOffer,
  PeerOfferRequest,
  type PeerOffersMessage,
  PeerReportRequest,
} from './peer.ts';

/**
 * The relay's Socket.IO event contract (protocol version 1), defined once for both sides:
 * the relay types its server as `Server<ClientToServerEvents, ServerToClientEvents, …>` and the
 * client helper its socket as `Socket<ServerToClientEvents, ClientToServerEvents>`.
 *
 * Client → server: each event carries one payload (validated by `ClientEvents[name]` at the
 * relay's boundary) and optionally an acknowledgement, answered with `Ack<ClientEventResults[name]>`.
 */
const clientEventSchemas = {
  'lobby:create': CreateLobbyRequest,
  'lobby:join': JoinLobbyRequest,
  'lobby:resume': ResumeRequest,
  'lobby:leave': EmptyRequest,
  'lobby:config': ConfigRequest,
  'lobby:kick': KickRequest,
  'lobby:unban': UnbanRequest,
  'lobby:start': EmptyRequest,
  'lobby:consent': ConsentRequest,
  'game:action': ActionRequest,
  'game:respawn': EmptyRequest,
  'game:resync': EmptyRequest,
  /** The client drew its first 3D frame of the world (after each snapshot it answers again). */
  'game:ready': EmptyRequest,
  /**
   * The client loads a dream model (seconds): its body is held protected meanwhile, as while the
   * world loads (at most DREAM_LOAD_HOLD_MS), and goes free with the usual spawn protection.
   */
  'game:dreamLoading': DreamLoadingRequest,
  'workforce:add': WorkforceAddRequest,
  'workforce:remove': WorkforceRemoveRequest,
  'workforce:goal': WorkforceGoalRequest,
  'workforce:approve': WorkforceApproveRequest,
  'workforce:kill': EmptyRequest,
  'workforce:settings': WorkforceSettingsRequest,
  'workforce:audit': EmptyRequest,
  /** Peer dream shards (peer.ts): credentials for the relay's PeerJS server, members only. */
  'peer:token': EmptyRequest,
  'peer:offer': PeerOfferRequest,
  'peer:report': PeerReportRequest,
} as const;

export type ClientEventName = keyof typeof clientEventSchemas;
/** What a client sends with each event (the schema's input). */
export type ClientEventPayloads = { [K in ClientEventName]: z.input<(typeof clientEventSchemas)[K]> };
/** What the relay's handler gets once the payload passed its schema. */
export type ClientEventRequests = { [K in ClientEventName]: z.output<(typeof clientEventSchemas)[K]> };

/** The `data` of a successful acknowledgement, per event. */
export interface ClientEventResults {
  'lobby:create': JoinResult;
  'lobby:join': JoinResult;
  'lobby:resume': JoinResult;
  'lobby:leave': null;
  'lobby:config': LobbyState;
  'lobby:kick': null;
  'lobby:unban': null;
  'lobby:start': LobbyState;
  'lobby:consent': null;
  'game:action': null;
  'game:respawn': null;
  'game:resync': null;
  'game:ready': null;
  'game:dreamLoading': null;
  'workforce:add': { workerId: string };
  'workforce:remove': null;
  'workforce:goal': WorkforceGoalResult;
  /** The installed plan when approved, null when rejected. */
  'workforce:approve': WorkforceGoalResult | null;
  'workforce:kill': null;
  'workforce:settings': WorkforceSettings;
  'workforce:audit': { lines: readonly AuditLine[] };
  'peer:token': PeerCredentials;
  /** The lobby's offers after the change (also sent to the room as `peer:offers`). */
  'peer:offer': { v: 1; offers: PeerOffer[] };
  'peer:report': null;
}

/** Every event a client may send, with its payload schema (typed per event, for generic handlers). */
export const ClientEvents: {
  readonly [K in ClientEventName]: z.ZodType<ClientEventRequests[K], ClientEventPayloads[K]>;
} = clientEventSchemas;

/** True for the name of an event a client may send (anything else is refused as `unknown_event`). */
export function isClientEvent(name: string): name is ClientEventName {
  return Object.hasOwn(clientEventSchemas, name);
}

export type AckCallback<K extends ClientEventName> = (answer: Ack<ClientEventResults[K]>) => void;

/** Client → server: the payload, and an acknowledgement when the client wants the answer. */
export type ClientToServerEvents = {
  [K in ClientEventName]: (
    ...args: [payload: ClientEventPayloads[K]] | [payload: ClientEventPayloads[K], ack: AckCallback<K>]
  ) => void;
};

/** Server → client events (the relay's default namespace). */
export interface ServerToClientEvents {
  'lobby:state': (state: LobbyState) => void;
  /** Removed from the lobby by the host, or (`takenOver`) the membership moved to another connection. */
  'lobby:kicked': (info: { lobbyId: string; reason: string; takenOver?: boolean }) => void;
  'lobby:closed': (info: { lobbyId: string; reason: string }) => void;
  'game:snapshot': (msg: SnapshotMessage) => void;
  'game:delta': (msg: DeltaMessage) => void;
  'workforce:state': (state: WorkforceState) => void;
  /** The lobby's members serving dreams now (on every change, and with `peer:token`). */
  'peer:offers': (msg: PeerOffersMessage) => void;
  /** Every refused event (also answered through its acknowledgement when it had one). */
  error: (err: ErrorMessage) => void;
}

/** Per-connection data the relay keeps on a socket (restored with it by connection state recovery). */
export interface RelaySocketData {
  lobbyId?: string;
  memberId?: string;
}
