import { create } from 'zustand';
import { ACHIEVEMENTS } from '@aikon/engine';
import { clampTickRate, DEFAULT_TICK_RATE, type GameFrame, type PlayerView } from './protocol.ts';
import { WorkerSource, type GameSource } from './source.ts';
import { cameraRelative } from './input.ts';
import { useCameraView } from './camera-store.ts';
import { isMuted, setMuted } from './sound.ts';
import { clearSeedFromAddress, showSeedInAddress } from './address.ts';
import type { SoloSave } from './solo-save.ts';
import { uploadSoloLogs } from './solo-upload.ts';

export interface Toast {
  id: number;
  achievement: string;
}

export interface GameStore {
  screen: 'home' | 'game';
  seed: number | null;
  source: GameSource | null;
  frame: GameFrame | null;
  /** performance.now() when `frame` arrived: the scene interpolates from the previous one. */
  frameAt: number;
  tickRate: number;
  paused: boolean;
  agentViewOn: boolean;
  helpOpen: boolean;
  devOpen: boolean;
  /** A short message shown over the game (e.g. a key pressed while paused). */
  notice: string | null;
  error: string | null;
  /** A message for the home screen (e.g. a bad ?seed= in the link). */
  homeMessage: string | null;
  toasts: Toast[];
  /** Achievement names unlocked this episode, in order. */
  unlockedOrder: string[];
  /** The step at which the solo game was last saved in this browser (null: not saved yet). */
  savedT: number | null;
  /** Why the last save failed (null when it worked). */
  saveError: string | null;
  /** A left solo game writing its last save (the home page reads the save once this settles). */
  leaving: Promise<void> | null;
  /** A new solo game; `record`: the player chose to record it for the datasets (default off). */
  startSolo(seed: number, record?: boolean): void;
  /** Plays on from a saved solo game (checked by solo-save.ts), paused until the player resumes. */
  continueSolo(save: SoloSave): void;
  /**
   * Plays from any game source (the solo worker, a relay connection, a dream): the store, HUD
   * and scene only see the frames it delivers.
   */
  play(source: GameSource, seed: number): void;
  restart(seed: number): void;
  /**
   * Hands the game to another source without restarting anything (dream mode: the dream
   * source and back to the real one); the previous source is neither started nor disposed.
   */
  swapSource(source: GameSource): void;
  goHome(): void;
  press(action: number): void;
  hold(action: number | null): void;
  setTickRate(rate: number): void;
  setPaused(paused: boolean): void;
  toggleAgentView(): void;
  setHelp(open: boolean): void;
  toggleDev(): void;
  muted: boolean;
  toggleMuted(): void;
  notify(message: string | null): void;
  dismissToast(id: number): void;
}

/** What a key pressed while paused is told. */
export function pausedNotice(source: GameSource): string {
  if (source.pausable !== false) return 'Paused: press Esc or Resume to play on.';
  return source.sharedPause
    ? 'You paused the world for everyone: press Esc or Resume.'
    : 'The host paused the world: it goes on when the host resumes.';
}

/** The player this client controls in the frame. */
export function myPlayer(frame: GameFrame | null): PlayerView | undefined {
  return frame?.players.find((p) => p.slot === frame.me);
}

/** The solo engine; a recorded game that ends is uploaded at once (when the relay can be reached). */
function soloSource(record: boolean): WorkerSource {
  const source = new WorkerSource({ record });
  source.onQueued = () => void uploadSoloLogs();
  return source;
}

export const useGame = create<GameStore>()((set, get) => {
  // The store's own bookkeeping, private to it (not module state): the next toast's id, the
  // notice's timer, and whether opening the help paused the game (closing it then resumes).
  let toastId = 1;
  let noticeTimer: ReturnType<typeof setTimeout> | null = null;
  let pausedForHelp = false;
  const attach = (source: GameSource): void => {
    source.onFrame = (frame) => {
      const state = get();
      if (state.source !== source) return;
      const me = myPlayer(frame);
      const fresh = me?.newAchievements ?? [];
      let toasts = state.toasts;
      let unlockedOrder = state.unlockedOrder;
      if (fresh.length > 0) {
        toasts = [...toasts, ...fresh.map((i) => ({ id: toastId++, achievement: ACHIEVEMENTS[i] }))].slice(-4);
        unlockedOrder = [
          ...unlockedOrder,
          ...fresh.map((i) => ACHIEVEMENTS[i]).filter((n) => !unlockedOrder.includes(n)),
        ];
      }
      set({ frame, frameAt: performance.now(), toasts, unlockedOrder, paused: frame.paused });
    };
    source.onError = (message) => set({ error: message });
    // Only a live worker reports saves (a dropped source is disposed), also while a dream stands in front of it.
    source.onSaved = (t, error) => {
      if (error) set({ saveError: error });
      else set({ savedT: t, saveError: null });
    };
  };

  /** Shows the game screen for a new source (nothing started yet). */
  const show = (source: GameSource, seed: number): void => {
    const previous = get().source;
    if (previous && previous !== source) previous.dispose();
    pausedForHelp = false;
    attach(source);
    set({
      screen: 'game',
      seed,
      source,
      frame: null,
      paused: false,
      toasts: [],
      unlockedOrder: [],
      savedT: null,
      saveError: null,
      error: null,
      notice: null,
      helpOpen: false,
    });
  };

  return {
    screen: 'home',
    seed: null,
    source: null,
    frame: null,
    frameAt: 0,
    tickRate: DEFAULT_TICK_RATE,
    paused: false,
    agentViewOn: true,
    helpOpen: false,
    devOpen: false,
    notice: null,
    error: null,
    homeMessage: null,
    toasts: [],
    unlockedOrder: [],
    savedT: null,
    saveError: null,
    leaving: null,

    startSolo(seed, record = false) {
      get().play(soloSource(record), seed);
      showSeedInAddress(seed);
    },
    continueSolo(save) {
      // A recorded game goes on recorded (its log is in the save), and so does "play again" after it.
      const source = soloSource(save.recording !== undefined);
      show(source, save.seed);
      set({ savedT: save.t });
      source.resume(save, get().tickRate);
      source.setAgentView(get().agentViewOn);
      showSeedInAddress(save.seed);
    },
    play(source, seed) {
      show(source, seed);
      source.start(seed, get().tickRate);
      source.setAgentView(get().agentViewOn);
    },
    restart(seed) {
      const source = get().source;
      if (!source) return get().startSolo(seed);
      set({
        seed,
        frame: null,
        paused: false,
        toasts: [],
        unlockedOrder: [],
        savedT: null,
        saveError: null,
        error: null,
        notice: null,
      });
      source.start(seed, get().tickRate);
      if (source.kind === 'solo') showSeedInAddress(seed);
    },
    swapSource(source) {
      attach(source);
      set({ source, notice: null });
    },
    goHome() {
      const source = get().source;
      if (source?.kind === 'solo') clearSeedFromAddress();
      let leaving: Promise<void> | null = null;
      if (source?.leave) leaving = source.leave();
      else source?.dispose();
      set({ screen: 'home', source: null, frame: null, paused: false, toasts: [], helpOpen: false, leaving });
    },
    press(action) {
      const { source, paused, frame } = get();
      if (!source || !frame) return;
      if (paused) {
        get().notify(pausedNotice(source));
        return;
      }
      if (frame.over) return;
      source.press(cameraRelative(action, useCameraView.getState().quadrant));
    },
    hold(action) {
      get().source?.hold(action === null ? null : cameraRelative(action, useCameraView.getState().quadrant));
    },
    setTickRate(rate) {
      const tickRate = clampTickRate(rate);
      set({ tickRate });
      get().source?.setTickRate(tickRate);
    },
    setPaused(paused) {
      const source = get().source;
      if (source?.pausable === false) {
        // A shared world pauses only for everyone, by its host: the paused flag comes back in frames.
        if (source.sharedPause) source.setPaused(paused);
        else if (paused) get().notify('Only the host can pause a shared world.');
        return;
      }
      set({ paused, notice: null });
      get().source?.setPaused(paused);
    },
    toggleAgentView() {
      const on = !get().agentViewOn;
      set({ agentViewOn: on });
      get().source?.setAgentView(on);
    },
    setHelp(open) {
      const { helpOpen, paused, frame, source } = get();
      if (open === helpOpen) return;
      if (open) {
        // The world waits while the player reads (a shared world goes on).
        pausedForHelp = source?.pausable !== false && !paused && frame !== null && !frame.over;
        if (pausedForHelp) get().setPaused(true);
      } else if (pausedForHelp) {
        pausedForHelp = false;
        get().setPaused(false);
      }
      set({ helpOpen: open });
    },
    toggleDev() {
      set({ devOpen: !get().devOpen });
    },
    muted: isMuted(),
    toggleMuted() {
      const muted = !get().muted;
      setMuted(muted);
      set({ muted });
    },
    notify(message) {
      if (noticeTimer) clearTimeout(noticeTimer);
      set({ notice: message });
      if (message) noticeTimer = setTimeout(() => set({ notice: null }), 2500);
    },
    dismissToast(id) {
      set({ toasts: get().toasts.filter((t) => t.id !== id) });
    },
  };
});
