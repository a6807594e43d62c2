/**
 * The autopilot: one key hands the player's character to the learned policy and the same key,
 * or any action key, takes it back. The policy loads on first use (then stays loaded for the
 * page); while it flies, each tick's frame goes to a Pilot, whose actions go to the game
 * source exactly as key presses do.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { PolicyRunner } from '@aikon/agents/policy/act';
import { type GameStore, useGame } from '../game/store.ts';
import type { GameSource } from '../game/source.ts';
import { Pilot, type PilotStats } from './pilot.ts';
import { WorkerPolicy } from './worker-policy.ts';

/** The key that hands over and takes back (free in the game's controls). */
export const AUTOPILOT_KEY = 'KeyO';
export const AUTOPILOT_KEY_LABEL = 'O';

/** A loaded policy and the name it is shown by. */
export interface LoadedPolicy extends PolicyRunner {
  readonly model: string;
}

export interface AutopilotState {
  status: 'off' | 'loading' | 'on' | 'error';
  /** The policy's manifest name, once loaded. */
  model: string | null;
  /** How it runs, e.g. "onnxruntime-web (wasm, 1 thread)". */
  backend: string | null;
  error: string | null;
  stats: PilotStats | null;
  /** Hand over when off (or failed), take back when loading or flying. */
  toggle(): void;
  engage(): void;
  takeBack(): void;
}

type GameApi = Pick<UseBoundStore<StoreApi<GameStore>>, 'getState' | 'subscribe'>;

export function createAutopilotStore(load: () => Promise<LoadedPolicy>, game: GameApi = useGame) {
  let policy: Promise<LoadedPolicy> | null = null;
  let pilot: Pilot | null = null;
  let flying: GameSource | null = null;

  return create<AutopilotState>()((set, get) => {
    const land = (patch: Partial<AutopilotState>) => {
      pilot?.stop();
      pilot = null;
      flying = null;
      set({ status: 'off', ...patch });
    };

    game.subscribe((g, before) => {
      if (!flying) return;
      // A new game, home, a dream: the autopilot flew the old one only.
      if (g.source !== flying) land({});
      else if (g.frame !== before.frame && g.frame) pilot?.onFrame(g.frame);
    });

    return {
      status: 'off',
      model: null,
      backend: null,
      error: null,
      stats: null,
      toggle() {
        const { status } = get();
        if (status === 'off' || status === 'error') get().engage();
        else get().takeBack();
      },
      engage() {
        const source = game.getState().source;
        if (!source || get().status === 'loading' || get().status === 'on') return;
        flying = source;
        set({ status: 'loading', error: null, stats: null });
        if (!policy) {
          policy = load();
          // A failed load is tried again on the next hand-over.
          policy.catch(() => {
            policy = null;
          });
        }
        policy.then(
          (runner) => {
            if (flying !== source || get().status !== 'loading') return; // taken back while loading
            pilot = new Pilot(
              runner,
              (action) => source.press(action, 'learned'),
              (stats) => set({ stats: { ...stats } }),
              (err) => land({ status: 'error', error: `the policy failed: ${err.message}` }),
              game.getState().seed ?? 0,
            );
            set({ status: 'on', model: runner.model, backend: runner.name, stats: { ...pilot.stats } });
          },
          (err: unknown) => {
            if (flying !== source) return;
            land({
              status: 'error',
              error: `the policy did not load: ${err instanceof Error ? err.message : String(err)}`,
            });
          },
        );
      },
      takeBack() {
        if (get().status === 'off') return;
        land({ error: null });
      },
    };
  });
}

/** The page's autopilot: the manifest's best policy, or ?autopilotModel=NAME. */
export const useAutopilot = createAutopilotStore(() =>
  WorkerPolicy.load(
    new URL('models/manifest.json', document.baseURI).href,
    new URLSearchParams(window.location.search).get('autopilotModel'),
  ),
);
