import { create } from 'zustand';
import type { GameFrame, PlayerView } from './protocol.ts';
import { myPlayer, useGame } from './store.ts';

/**
 * Spectating: the camera follows another player or AI worker instead of this client's own
 * character (by choice, or while dead). `slot` is the followed player's slot; null follows
 * oneself. Only the camera changes: keys still drive the player's own character.
 */
export interface SpectateStore {
  slot: number | null;
  follow(slot: number | null): void;
  /** Steps through the living players other than oneself (+1 next, -1 previous). */
  cycle(step: 1 | -1): void;
}

/** The living players this client can watch, in slot order (not itself). */
export function watchable(frame: GameFrame | null): PlayerView[] {
  if (!frame) return [];
  return frame.players.filter((p) => p.slot !== frame.me && !p.dead).sort((a, b) => a.slot - b.slot);
}

/**
 * The slot the camera centres on: the followed player while the frame has it, else oneself.
 * A followed player who is gone from the frame (dead, left) yields null: the camera stays
 * where it last was rather than jumping.
 */
export function focusSlot(frame: GameFrame, followed: number | null): number | null {
  if (followed === null || followed === frame.me) return frame.me;
  return frame.players.some((p) => p.slot === followed && !p.dead) ? followed : null;
}

/** The slot after `current` among `players` (wrapping), or the first one. */
export function cycleSlot(players: readonly PlayerView[], current: number | null, step: 1 | -1): number | null {
  if (players.length === 0) return null;
  const at = players.findIndex((p) => p.slot === current);
  if (at < 0) return players[step > 0 ? 0 : players.length - 1].slot;
  return players[(at + step + players.length) % players.length].slot;
}

export const useSpectate = create<SpectateStore>()((set, get) => ({
  slot: null,
  follow(slot) {
    set({ slot });
  },
  cycle(step) {
    set({ slot: cycleSlot(watchable(useGame.getState().frame), get().slot, step) });
  },
}));

// A new game, or this player's new life, puts the camera back on its own character.
useGame.subscribe((state, previous) => {
  if (useSpectate.getState().slot === null) return;
  const respawned = myPlayer(previous.frame)?.dead === true && myPlayer(state.frame)?.dead === false;
  if (state.source !== previous.source || respawned) useSpectate.setState({ slot: null });
});
