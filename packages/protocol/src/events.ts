import { z } from 'zod';
import { NUM_ACTIONS } from '@aikon/engine';
import {
  CONTROL_CHARACTER_RE,
  INVITE_CODE_RE,
  PROTOCOL_VERSION,
  RESUME_TOKEN_RE,
  SEATS_MAX,
  TICK_RATE_MAX,
  TICK_RATE_MIN,
} from './constants.ts';

/**
 * Socket events between the game client and the relay server (protocol version 1).
 * Every client → server payload is validated with these schemas at the server boundary;
 * the server answers through the Socket.IO acknowledgement (when the client passes one)
 * with an `Ack`, and additionally emits an `error` event on every refusal.
 */
export {
  PROTOCOL_VERSION,
  TICK_RATE_MIN,
  TICK_RATE_MAX,
  TICK_RATE_DEFAULT,
  SEATS_DEFAULT,
  SEATS_MAX,
  INVITE_CODE_RE,
  RESUME_TOKEN_RE,
  ENTITY_STRIDE,
  invitePath,
  parseInviteCode,
} from './constants.ts';

export const DisplayName = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .max(32, 'name must be at most 32 characters')
  .refine((s) => !CONTROL_CHARACTER_RE.test(s), 'name must not contain control characters');
export const InviteCode = z.string().regex(INVITE_CODE_RE, 'invite code must be 22 URL-safe characters');
export const ResumeToken = z.string().regex(RESUME_TOKEN_RE, 'malformed resume token');
export const Seed = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
export const TickRate = z.int().min(TICK_RATE_MIN).max(TICK_RATE_MAX);
export const Seats = z.int().min(1).max(SEATS_MAX);
export const PlayerKind = z.enum(['human', 'ai']);
export type PlayerKind = z.infer<typeof PlayerKind>;
export const ActionIndex = z
  .int()
  .min(0)
  .max(NUM_ACTIONS - 1);

// ---- client → server ----------------------------------------------------------------

export const CreateLobbyRequest = z.strictObject({
  name: DisplayName,
  kind: PlayerKind.optional(),
  seats: Seats.optional(),
  seed: Seed.optional(),
  tickRate: TickRate.optional(),
  /** false = opt out of dataset export (recorded as consent). Default true. */
  exportConsent: z.boolean().optional(),
});
export type CreateLobbyRequest = z.infer<typeof CreateLobbyRequest>;

export const JoinLobbyRequest = z.strictObject({
  code: InviteCode,
  name: DisplayName,
  kind: PlayerKind.optional(),
  exportConsent: z.boolean().optional(),
  /** Returns to an existing membership (same body and inventory) if still valid. */
  resumeToken: ResumeToken.optional(),
  /** With a resume token: move the membership here even if another connection holds it (that one is told). */
  takeover: z.boolean().optional(),
});
export type JoinLobbyRequest = z.infer<typeof JoinLobbyRequest>;

export const ResumeRequest = z.strictObject({
  resumeToken: ResumeToken,
  /**
   * The membership is still held by another connection (another tab): without `takeover` the
   * resume is refused with `member_connected`; with it the other connection gets `lobby:kicked`.
   */
  takeover: z.boolean().optional(),
});
export type ResumeRequest = z.infer<typeof ResumeRequest>;

export const EmptyRequest = z.strictObject({}).optional();

export const ConfigRequest = z
  .strictObject({
    seats: Seats.optional(),
    seed: Seed.optional(),
    tickRate: TickRate.optional(),
    /** Host pause of a running game: no tick runs until the host resumes (recorded as `pause`). */
    paused: z.boolean().optional(),
  })
  .refine(
    (v) => v.seats !== undefined || v.seed !== undefined || v.tickRate !== undefined || v.paused !== undefined,
    'nothing to change',
  );
export type ConfigRequest = z.infer<typeof ConfigRequest>;

export const KickRequest = z.strictObject({ memberId: z.string().min(1).max(64) });
export type KickRequest = z.infer<typeof KickRequest>;

/** Host: lets a kicked member (listed in `LobbyState.banned`) join again. */
export const UnbanRequest = z.strictObject({ memberId: z.string().min(1).max(64) });
export type UnbanRequest = z.infer<typeof UnbanRequest>;

export const ConsentRequest = z.strictObject({ exportConsent: z.boolean() });
export type ConsentRequest = z.infer<typeof ConsentRequest>;

/** The member's client is loading a dream model (`loading: true`) or has finished (dreaming or not). */
export const DreamLoadingRequest = z.strictObject({ loading: z.boolean() });
export type DreamLoadingRequest = z.infer<typeof DreamLoadingRequest>;

export const ActionRequest = z.strictObject({
  /** Action index 0..16 (ACTIONS order). */
  a: ActionIndex,
  /** Client sequence number, echoed back as `you.ack` in the delta of the tick that applied it. */
  seq: z.int().min(0).max(0xffffffff).optional(),
  /** Optional: the slot the client believes it controls; a different slot is refused. */
  slot: z.int().min(0).max(1023).optional(),
  /**
   * Optional: 'learned' when the client's autopilot (a learned policy) chose the action rather
   * than the player's keys; the recording's tick record lists it like an AI worker's brain.
   */
  brain: z.literal('learned').optional(),
});
export type ActionRequest = z.infer<typeof ActionRequest>;

// ---- server → client ----------------------------------------------------------------

export const ErrorCode = z.enum([
  'invalid_payload',
  'unknown_event',
  'payload_too_large',
  'rate_limited',
  'not_in_lobby',
  'already_in_lobby',
  'lobby_not_found',
  'lobby_full',
  'not_host',
  'not_running',
  'already_running',
  'not_your_player',
  'no_player',
  'player_dead',
  'player_alive',
  'bad_resume_token',
  'member_not_found',
  'invalid_target',
  'server_busy',
  'bad_config',
  'server_error',
  // workforce (additive)
  'goal_refused',
  'worker_not_found',
  'no_plan',
  'too_many_workers',
  // membership and capacity (issue 14)
  /** The host kicked you (your address) from this lobby; the host can lift it (`lobby:unban`). */
  'banned',
  /** The membership is held by another live connection; resume with `takeover: true` to move it. */
  'member_connected',
  /** Too many open lobbies created from one address. */
  'too_many_lobbies',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorMessage = z.object({
  code: ErrorCode,
  message: z.string(),
  /** The event that was refused, when known. */
  event: z.string().optional(),
});
export type ErrorMessage = z.infer<typeof ErrorMessage>;

export const Member = z.object({
  memberId: z.string(),
  name: z.string(),
  kind: PlayerKind,
  host: z.boolean(),
  connected: z.boolean(),
  /** Player slot in the world once the game runs; null before start. */
  slot: z.int().nullable(),
  exportConsent: z.boolean(),
  /** An AI worker of the lobby's workforce (memberId is its workerId; the host's kick removes it). */
  worker: z.boolean().optional(),
  /**
   * The member's client has drawn the world since it joined or came back (`game:ready`). Until
   * then its body takes no damage, and a new game does not tick (up to the relay's timeout).
   */
  ready: z.boolean().optional(),
});
export type Member = z.infer<typeof Member>;

export const LobbyConfig = z.object({
  seats: Seats,
  seed: Seed,
  tickRate: TickRate,
  /** The host paused the running game (absent: running). */
  paused: z.boolean().optional(),
});
export type LobbyConfig = z.infer<typeof LobbyConfig>;

export const LobbyState = z.object({
  v: z.literal(PROTOCOL_VERSION),
  lobbyId: z.string(),
  code: InviteCode,
  /** Path part of the invite link, e.g. `/?lobby=CODE` (prefix with the server origin). */
  invitePath: z.string(),
  status: z.enum(['waiting', 'running', 'closed']),
  config: LobbyConfig,
  members: z.array(Member),
  hostId: z.string().nullable(),
  /** World tick (0 before start). */
  t: z.int(),
  /**
   * The game started but waits for members to draw their first frame (until every member has,
   * or the relay's timeout): the world does not tick yet.
   */
  awaitingFrames: z.boolean().optional(),
  /** Members the host kicked: they cannot join again from their address until the host lifts it. */
  banned: z.array(z.object({ memberId: z.string(), name: z.string() })).optional(),
});
export type LobbyState = z.infer<typeof LobbyState>;

/** Successful answer to lobby:create / lobby:join / lobby:resume. */
export const JoinResult = z.object({
  lobby: LobbyState,
  memberId: z.string(),
  resumeToken: ResumeToken,
  inviteUrl: z.string(),
});
export type JoinResult = z.infer<typeof JoinResult>;

export type Ack<T = unknown> = { ok: true; data: T } | { ok: false; error: ErrorMessage };

/**
 * Full state on join, rejoin or resync: `world.snapshot()` bytes (restore with `World.restore`).
 * Binary arrives as Uint8Array/Buffer in Node and as ArrayBuffer in a browser.
 */
export const SnapshotMessage = z.object({
  v: z.literal(PROTOCOL_VERSION),
  t: z.int(),
  snapshot: z.custom<Uint8Array | ArrayBuffer>(
    (v) => v instanceof Uint8Array || v instanceof ArrayBuffer,
    'expected bytes',
  ),
  /** The receiver's slot, or null if it has no body in the world. */
  slot: z.int().nullable(),
});
export type SnapshotMessage = z.infer<typeof SnapshotMessage>;

/** The receiver's own player, sent only to that player. */
export const SelfState = z.object({
  slot: z.int(),
  id: z.int(),
  /**
   * 16 inventory entries in INVENTORY order (health, food, drink, energy, ...). In a delta it is
   * omitted when unchanged since the previous message to this player (WorldMirror merges).
   */
  inv: z.array(z.int()),
  /** 22 achievement counters of the current episode in ACHIEVEMENTS order (omitted when unchanged). */
  ach: z.array(z.int()),
  /** Achievement indices unlocked in this tick. */
  fresh: z.array(z.int()).optional(),
  reward: z.number(),
  ret: z.number(),
  steps: z.int(),
  episode: z.int(),
  dead: z.boolean(),
  sleeping: z.boolean(),
  /** Last action `seq` applied by the server (-1 if none). */
  ack: z.int(),
  /** Steps of spawn protection left (0xffff: held until the client has drawn); absent when none. */
  prot: z.int().optional(),
});
export type SelfState = z.infer<typeof SelfState>;

/**
 * One tick's changes. `tiles` is flat [tileIndex, material, ...] (index = x * 64 + y);
 * `ents` is flat, ENTITY_STRIDE numbers per new or changed entity; `gone` lists removed ids.
 * Apply only to a mirror at tick t - 1; on a gap request `game:resync`.
 */
export const DeltaMessage = z.object({
  t: z.int(),
  tiles: z.array(z.int()),
  ents: z.array(z.int()),
  gone: z.array(z.int()),
  you: SelfState.partial({ inv: true, ach: true }).optional(),
});
export type DeltaMessage = z.infer<typeof DeltaMessage>;
