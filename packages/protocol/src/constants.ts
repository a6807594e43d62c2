/**
 * Protocol constants and invite-link helpers, free of zod so that the browser client
 * (`@aikon/protocol/client`) stays small. `events.ts` re-exports all of them.
 */
export const PROTOCOL_VERSION = 1;

/** 2 ticks/s lets a newcomer read the screen in a shared world (solo play keeps its own 5–15). */
export const TICK_RATE_MIN = 2;
export const TICK_RATE_MAX = 15;
export const TICK_RATE_DEFAULT = 8;
export const SEATS_DEFAULT = 8;
export const SEATS_MAX = 32;
/** Invite codes: 16 random bytes (128 bits) in base64url = 22 characters. */
export const INVITE_CODE_RE = /^[A-Za-z0-9_-]{22}$/;
/** A C0 control character or DEL: names shown to other players must hold none. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose
export const CONTROL_CHARACTER_RE = /[\u0000-\u001f\u007f]/;
export const RESUME_TOKEN_RE = /^[A-Za-z0-9_-]{22,64}$/;

/** Number fields per entity in `DeltaMessage.ents`: see `packEntity`. */
export const ENTITY_STRIDE = 8;

/** Invite link path for a code. The game reads `?lobby=CODE` or `/join/CODE`. */
export function invitePath(code: string): string {
  return `/?lobby=${code}`;
}

/** Extracts an invite code from a URL or path (`?lobby=CODE` or `/join/CODE`); null if none. */
export function parseInviteCode(urlOrPath: string): string | null {
  let url: URL;
  try {
    url = new URL(urlOrPath, 'http://invalid.local');
  } catch {
    return null;
  }
  const q = url.searchParams.get('lobby');
  if (q && INVITE_CODE_RE.test(q)) return q;
  const m = /\/join\/([A-Za-z0-9_-]{22})\/?$/.exec(url.pathname);
  return m ? m[1] : null;
}
