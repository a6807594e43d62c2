import { z } from 'zod';

/**
 * Peer dream shards (issue 13): a lobby member's browser serves dream steps to another member
 * over a WebRTC data channel; PeerJS makes the connection and the relay is its signalling
 * server. These are the relay events around it (protocol version 1): credentials for the
 * relay's PeerJS server (members only), the lobby's offers to serve, and usage reports for the
 * relay's metrics. What travels over the data channel itself is the dream protocol of
 * `@aikon/world-model` (dream-protocol.ts).
 */
export const PEER_PROTOCOL_VERSION = 1;
/** Where the relay's PeerJS server listens (its WebSocket is `${PEER_PATH}/peerjs`). */
export const PEER_PATH = '/peerjs';
/** The PeerJS "key" (the server's realm name); the relay accepts no other. */
export const PEER_KEY = 'aikon';
/**
 * A relay-issued PeerJS id. Letters and digits only after the prefix: PeerJS refuses ids with a
 * separator at the end or two in a row (`aikon-_x…`, `…-`), which base64url ids produced now and then.
 */
export const PEER_ID_RE = /^aikon-[A-Za-z0-9]{16}$/;

/** One STUN/TURN server as RTCPeerConnection takes it. */
export const IceServer = z.strictObject({
  urls: z.union([z.string().min(1).max(512), z.array(z.string().min(1).max(512)).min(1).max(8)]),
  username: z.string().max(256).optional(),
  credential: z.string().max(256).optional(),
});
export type IceServer = z.infer<typeof IceServer>;
export const IceServers = z.array(IceServer).max(8);

// ---- client → server ----------------------------------------------------------------

/**
 * Start or stop serving dreams to the lobby ("share my dream compute"). The offer states what
 * the member measured on its own dream worker: steps per second and the inference backend.
 */
export const PeerOfferRequest = z.discriminatedUnion('serving', [
  z.strictObject({
    serving: z.literal(true),
    stepsPerSecond: z.number().min(0).max(100_000),
    backend: z.string().min(1).max(120),
    model: z.string().min(1).max(64),
  }),
  z.strictObject({ serving: z.literal(false) }),
]);
export type PeerOfferRequest = z.infer<typeof PeerOfferRequest>;

/**
 * Usage since the member's previous report, for the relay's metrics (the data channel is
 * peer to peer: the relay sees none of it). Serving members report steps and bytes served;
 * dreamers report fail-overs (a serving peer that left, closed or answered garbage).
 */
export const PeerReportRequest = z.strictObject({
  stepsServed: z.int().min(0).max(10_000),
  bytesServed: z
    .int()
    .min(0)
    .max(64 * 1024 * 1024),
  failovers: z.int().min(0).max(100),
});
export type PeerReportRequest = z.infer<typeof PeerReportRequest>;

// ---- server → client ----------------------------------------------------------------

/** The answer to `peer:token`: valid while the membership lasts (revoked when it ends). */
export const PeerCredentials = z.object({
  v: z.literal(PEER_PROTOCOL_VERSION),
  peerId: z.string().regex(PEER_ID_RE),
  token: z.string().min(16).max(64),
  /** PeerJS `path` on the relay's origin (PEER_PATH) and `key` (PEER_KEY). */
  path: z.string(),
  key: z.string(),
  /** RTCPeerConnection `iceServers`: empty by default (loopback and LAN need none). */
  iceServers: IceServers,
});
export type PeerCredentials = z.infer<typeof PeerCredentials>;

export const PeerOffer = z.object({
  memberId: z.string(),
  name: z.string(),
  peerId: z.string().regex(PEER_ID_RE),
  stepsPerSecond: z.number(),
  backend: z.string(),
  model: z.string(),
});
export type PeerOffer = z.infer<typeof PeerOffer>;

/** `peer:offers`: the lobby's members that serve dreams now (to the room on every change, and on `peer:token`). */
export const PeerOffersMessage = z.object({ v: z.literal(PEER_PROTOCOL_VERSION), offers: z.array(PeerOffer) });
export type PeerOffersMessage = z.infer<typeof PeerOffersMessage>;
