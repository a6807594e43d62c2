import type { Player, World } from '@aikon/engine';
import type { PlayerKind } from './events.ts';

/**
 * Per-player episodes of a persistent lobby world: an episode starts when a player joins or
 * respawns (or right after a truncation) and ends at death, leave, the 10,000-step limit
 * (truncated) or when the session stops. The same tracker runs live in the relay server and
 * in replay, so the index built live and the one rebuilt from a log agree.
 */
export type EpisodeEndReason = 'death' | 'truncated' | 'leave' | 'close' | 'crash';

export interface EpisodeSummary {
  slot: number;
  /** Member pseudonym (random per membership). */
  pid: string;
  kind: PlayerKind;
  /** The engine's episode counter for this slot (1 for the first). */
  episode: number;
  /** world.t when the episode began (its first step is startT + 1). */
  startT: number;
  /** world.t of its last step. */
  endT: number;
  length: number;
  return: number;
  /** Names of the achievements unlocked in this episode. */
  achievements: string[];
  endReason: EpisodeEndReason;
  /** False if the player opted out of dataset export at any time during the episode. */
  consent: boolean;
  /** Steps taken under spawn protection (no damage; 0 in worlds without it). */
  protectedSteps: number;
}

/** One player's episode state in a tracker (kept in relay checkpoints; plain JSON). */
export interface TrackedSlot {
  slot: number;
  pid: string;
  kind: PlayerKind;
  consent: boolean;
  currentConsent: boolean;
  startT: number;
  open: boolean;
}

interface Open {
  pid: string;
  kind: PlayerKind;
  consent: boolean;
  /** Consent at this moment (carried into the next episode). */
  currentConsent: boolean;
  startT: number;
  open: boolean;
}

export class EpisodeTracker {
  private readonly slots = new Map<number, Open>();

  constructor(private readonly onEpisode: (episode: EpisodeSummary) => void) {}

  join(world: World, slot: number, meta: { pid: string; kind: PlayerKind; consent: boolean }): void {
    this.slots.set(slot, {
      pid: meta.pid,
      kind: meta.kind,
      consent: meta.consent,
      currentConsent: meta.consent,
      startT: world.t,
      open: true,
    });
  }

  setConsent(slot: number, consent: boolean): void {
    const s = this.slots.get(slot);
    if (!s) return;
    s.currentConsent = consent;
    if (!consent) s.consent = false;
  }

  respawn(world: World, slot: number): void {
    const s = this.slots.get(slot);
    if (!s) return;
    s.open = true;
    s.startT = world.t;
    s.consent = s.currentConsent;
  }

  /** Call after every world.step: closes episodes that ended by death or truncation. */
  afterStep(world: World): void {
    for (const p of world.players) {
      const s = this.slots.get(p.slot);
      if (!s?.open) continue;
      if (p.dead) {
        this.finish(world, p, s, 'death');
        s.open = false;
      } else if (p.truncated) {
        this.finish(world, p, s, 'truncated');
        // The same body starts a new episode with the next step.
        s.startT = world.t;
        s.consent = s.currentConsent;
      }
    }
  }

  /** Call before world.removePlayer. */
  leave(world: World, slot: number, reason: EpisodeEndReason = 'leave'): void {
    const s = this.slots.get(slot);
    if (!s) return;
    const p = world.findPlayer(slot);
    // A truncated episode was already reported by afterStep; its successor has no steps yet.
    if (s.open && p && !p.truncated && !p.dead) this.finish(world, p, s, reason);
    this.slots.delete(slot);
  }

  /** Every tracked slot, for a checkpoint (see `restore`). */
  tracked(): TrackedSlot[] {
    return [...this.slots].map(([slot, s]) => ({ slot, ...s }));
  }

  /** Takes over the slots of a checkpoint (a tracker that tracks nothing yet). */
  restore(slots: readonly TrackedSlot[]): void {
    for (const { slot, ...s } of slots) this.slots.set(slot, { ...s });
  }

  /** Ends every open episode (session stop or crash). */
  closeAll(world: World, reason: EpisodeEndReason): void {
    for (const slot of [...this.slots.keys()]) this.leave(world, slot, reason);
  }

  private finish(world: World, p: Player, s: Open, reason: EpisodeEndReason): void {
    this.onEpisode({
      slot: p.slot,
      pid: s.pid,
      kind: s.kind,
      episode: p.episode,
      startT: s.startT,
      endT: world.t,
      length: p.episodeSteps,
      return: Math.round(p.episodeReturn * 1e6) / 1e6,
      achievements: p.unlockedNames(),
      endReason: reason,
      consent: s.consent,
      protectedSteps: p.protectedSteps,
    });
  }
}
