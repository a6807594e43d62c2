/**
 * One log record applied to a world: the step of a replay, kept free of the schemas (zod) so
 * that a thread that only follows a live lobby's records (the relay's workforce brain) loads
 * the engine and nothing more.
 */
import type { World } from '@aikon/engine';
import type { LogRecord, SessionRecord } from './recording.ts';

export interface ReplayMismatch {
  t: number;
  what: 'hash' | 'join' | 'respawn' | 'end';
  expected: string;
  actual: string;
}

/**
 * Applies one record (not the session header) to a world at `record.t`: joins, leaves,
 * respawns and protection change the players, a tick steps the world with its joint action,
 * hash and end records are checked. Returns what did not match the recording (placement or
 * hash), or null; throws when the record cannot apply. Replays and the relay's workforce
 * brain (a mirror of a running lobby's world) share it.
 */
export function applyRecord(
  world: World,
  rec: Exclude<LogRecord, SessionRecord>,
  actions: Map<number, number> = new Map(),
): ReplayMismatch | null {
  switch (rec.k) {
    case 'join': {
      const p = world.addPlayer({ slot: rec.slot });
      if (p.id !== rec.id || p.x !== rec.x || p.y !== rec.y)
        return { t: rec.t, what: 'join', expected: `${rec.id}@${rec.x},${rec.y}`, actual: `${p.id}@${p.x},${p.y}` };
      return null;
    }
    case 'leave':
      world.removePlayer(rec.slot);
      return null;
    case 'respawn': {
      const p = world.respawn(rec.slot);
      if (p.id !== rec.id || p.x !== rec.x || p.y !== rec.y)
        return { t: rec.t, what: 'respawn', expected: `${rec.id}@${rec.x},${rec.y}`, actual: `${p.id}@${p.x},${p.y}` };
      return null;
    }
    case 'protect':
      world.protect(rec.slot, rec.ticks);
      return null;
    case 'tick': {
      actions.clear();
      const a = rec.a;
      for (let j = 0; j + 1 < a.length; j += 2) actions.set(a[j], a[j + 1]);
      world.step(actions);
      return null;
    }
    case 'hash':
    case 'end': {
      const h = world.hash();
      return h === rec.h ? null : { t: rec.t, what: rec.k, expected: rec.h, actual: h };
    }
    case 'consent':
    case 'config':
    case 'pause':
      return null;
  }
}
