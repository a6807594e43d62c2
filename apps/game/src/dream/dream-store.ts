/**
 * Dream mode's state and its switch (G or the Dream button). Light: the model runtime, the
 * shards and the dream source load on the first dream (their own chunk).
 *
 * Entering: pick a shard (this tab when it steps faster than a tick, else the relay's), hand
 * the store a DreamSource seeded with the last real frames (solo: the real world pauses; a shared
 * relay world goes on without you). Waking: the store gets the real source back where it was.
 */
import { create } from 'zustand';
import type { GameFrame } from '../game/protocol.ts';
import type { GameSource } from '../game/source.ts';
import { myPlayer, useGame } from '../game/store.ts';
import type { DreamGameFrame } from './dream-frame.ts';
import type { DreamSource } from './dream-source.ts';
import type { ShardKind } from './dream-frame.ts';
import type { Failover } from './failover.ts';
import { peerCandidatesNow, reportFailover } from './peer-store.ts';
import { TEST_HOOKS } from '../game/test-build.ts';

/** At or below this health a player is dying: no dream (its world would go on, or wait, without help). */
export const DYING_HEALTH = 3;

/** Why the player cannot dream now (null when it can). */
export function dreamRefusal(frame: GameFrame | null): string | null {
  const me = myPlayer(frame);
  if (!frame || frame.over || !me || me.dead) return 'The dead do not dream.';
  if (me.inventory[0] <= DYING_HEALTH) return 'You are dying: eat, drink or rest before you dream.';
  return null;
}

export interface DreamState {
  status: 'awake' | 'loading' | 'dreaming' | 'error';
  shard: ShardKind | null;
  backend: string;
  /** Why this shard was picked (or why the dream moved to it). */
  reason: string;
  /** The dream's moves to another shard (a serving peer left, closed or answered garbage). */
  failovers: Failover[];
  /** Median browser step latency measured after loading (null when not measured). */
  localMs: number | null;
  message: string | null;
  /** The real world when the dream began and when the player woke (tick and state hash). */
  enteredAt: { t: number; hash: string } | null;
  wokeAt: { t: number; hash: string } | null;
  toggle(): void;
  enter(): Promise<void>;
  wake(): Promise<void>;
  dismiss(): void;
}

let active: DreamSource | null = null;
/** The last real frames (oldest first), the dream's context. */
let recent: GameFrame[] = [];
const KEEP = 4;

function remember(frame: GameFrame | null): void {
  if (!frame || (frame as { dream?: unknown }).dream) return;
  track(frame);
  if (recent.length > 0 && (recent[recent.length - 1].t >= frame.t || recent[recent.length - 1].seed !== frame.seed)) {
    recent = recent.filter((f) => f.seed === frame.seed && f.t < frame.t);
  }
  recent = [...recent, frame].slice(-KEEP);
}

/**
 * The actions of the solo game so far (read from the frames: each tick's frame says which action
 * the player took), so that a copy of the real world can be rebuilt for the split view.
 */
let actionLog: { seed: number; actions: number[]; ok: boolean } | null = null;
function track(frame: GameFrame): void {
  const me = myPlayer(frame);
  if (!actionLog || frame.seed !== actionLog.seed || frame.t < actionLog.actions.length) {
    actionLog = { seed: frame.seed, actions: [], ok: frame.t === 0 };
    return;
  }
  const next = actionLog.actions.length;
  if (frame.t === next) return; // the same tick again (pause, settings)
  if (frame.t === next + 1 && me) actionLog.actions.push(me.action);
  else actionLog.ok = false;
}

/** The real world rebuilt from seed + actions, if it hashes like the real one. */
async function rebuildReal(t: number, hash: string): Promise<import('@aikon/engine').World | null> {
  const log = actionLog;
  if (!log?.ok || log.actions.length !== t) return null;
  const { SoloCore } = await import('../game/solo-core.ts');
  const world = SoloCore.newWorld(log.seed);
  for (const a of log.actions) world.step([a]);
  return world.hash() === hash ? world : null;
}

function preferred(): ShardKind | null {
  const q = new URLSearchParams(window.location.search).get('dream');
  return q === 'browser' || q === 'server' || q === 'peer' ? q : null;
}

export const useDream = create<DreamState>()((set, get) => ({
  status: 'awake',
  shard: null,
  backend: '',
  reason: '',
  failovers: [],
  localMs: null,
  message: null,
  enteredAt: null,
  wokeAt: null,

  toggle() {
    const s = get().status;
    if (s === 'dreaming') void get().wake();
    else if (s === 'awake' || s === 'error') void get().enter();
  },

  async enter() {
    const game = useGame.getState();
    const real = game.source;
    if (!real || !game.frame || game.screen !== 'game') return;
    if (game.paused) return game.notify('Paused: resume before you dream.');
    const refusal = dreamRefusal(game.frame);
    if (refusal) return game.notify(refusal);
    set({ status: 'loading', message: null, wokeAt: null, failovers: [] });
    // Solo: the world waits while the model loads (it took 9-14 s on a slow machine, long
    // enough to die under the "Falling asleep" banner); a shared world goes on, and the relay
    // holds this player's body protected until the load is over (dreaming or not).
    const pausable = real.pausable !== false;
    if (pausable) real.setPaused(true);
    else real.dreamLoading?.(true);
    try {
      const { chooseShard } = await import('./shards.ts');
      const { DreamSource } = await import('./dream-source.ts');
      // In a lobby, members who share their dream compute are candidates too.
      const peers = real.pausable === false ? await peerCandidatesNow() : [];
      const choice = await chooseShard({
        peers: () => peers,
        onFailover: (to, f) => {
          if (get().status !== 'dreaming') return;
          set({
            shard: to.kind,
            backend: to.backend,
            reason: `moved from the ${f.from} shard after dream step ${f.step}: ${f.why}`,
            failovers: [...get().failovers, f],
          });
          if (real.pausable === false) void reportFailover();
        },
        manifestUrl: new URL('models/manifest.json', document.baseURI).href,
        origin: window.location.origin,
        tickRate: useGame.getState().tickRate,
        context: [
          Array.from((await import('./dream-frame.ts')).tokensFromFrame(useGame.getState().frame ?? game.frame)),
        ],
        prefer: preferred(),
        model: new URLSearchParams(window.location.search).get('dreamModel'),
      });
      const now = useGame.getState();
      // A shared world went on while loading: a player who died or is dying meanwhile stays awake.
      const lateRefusal = dreamRefusal(now.frame);
      if (now.source !== real || get().status !== 'loading' || lateRefusal) {
        choice.shard.dispose();
        if (pausable && now.source === real) real.setPaused(false);
        if (get().status === 'loading') set({ status: 'awake' });
        if (lateRefusal && now.source === real) now.notify(lateRefusal);
        return;
      }
      const dream = new DreamSource(real, choice.shard, now.tickRate);
      // Catch the real source's frames from here on (the store stops listening once it swaps).
      const storeListener = real.onFrame;
      real.onFrame = (f) => {
        dream.realFrame = f;
        remember(f);
        storeListener?.(f);
      };
      active = dream;
      dream.onRestart = (seed, rate) => {
        void get()
          .wake()
          .then(() => real.start(seed, rate));
      };
      useGame.getState().swapSource(dream);
      real.hold(null); // the real body stands still while its player dreams (a shared world goes on)
      let enteredAt: DreamState['enteredAt'] = null;
      if (real.pausable !== false) {
        real.setPaused(true);
        enteredAt = await real.hash(); // the paused frame arrives before this reply
      }
      remember(dream.realFrame ?? now.frame);
      if (enteredAt && real.kind === 'solo') dream.shadow = await rebuildReal(enteredAt.t, enteredAt.hash);
      set({
        status: 'dreaming',
        shard: choice.shard.kind,
        backend: choice.shard.backend,
        reason: choice.reason,
        localMs: choice.localMs,
        enteredAt,
      });
      await dream.begin(recent.slice(-KEEP), 1);
      set({ backend: choice.shard.backend });
    } catch (err) {
      const game2 = useGame.getState();
      const d = active;
      active = null;
      if (d && game2.source === d) {
        d.stop();
        game2.swapSource(d.real);
        if (d.real.pausable !== false) d.real.setPaused(false);
      } else if (pausable && game2.source === real) real.setPaused(false);
      set({ status: 'error', message: `Could not dream: ${(err as Error).message}` });
    } finally {
      if (!pausable) real.dreamLoading?.(false);
    }
  },

  async wake() {
    const d = active;
    if (!d || get().status !== 'dreaming') return;
    active = null;
    d.stop();
    const real: GameSource = d.real;
    let wokeAt: DreamState['wokeAt'] = null;
    if (real.pausable !== false) wokeAt = await real.hash();
    if (useGame.getState().source === d) {
      useGame.getState().swapSource(real);
      // Show the real world at once, not the last dreamed frame until the next tick (a dream that
      // ended in predicted death would otherwise refuse the next G as "dying").
      if (d.realFrame) real.onFrame?.(d.realFrame);
    }
    set({ status: 'awake', wokeAt });
    if (real.pausable !== false) real.setPaused(false);
  },

  dismiss() {
    set({ status: 'awake', message: null });
  },
}));

// The dream's context: the last real frames. And the dream ends when its source is dropped
// (home screen, a new game).
useGame.subscribe((s, prev) => {
  if (s.frame !== prev.frame) remember(s.frame);
  if (active && s.source !== active && useDream.getState().status === 'dreaming') {
    active.stop();
    active = null;
    useDream.setState({ status: 'awake' });
  }
});

declare global {
  interface Window {
    __aikonDream?: {
      state(): {
        status: DreamState['status'];
        shard: DreamState['shard'];
        backend: string;
        reason: string;
        localMs: number | null;
        step: number;
        ms: number;
        tokens: number[] | null;
        /** Split view: the real engine's tokens after the same actions, and the view agreement. */
        real: number[] | null;
        agreement: number | null;
        /** World simulator shards: the last step's unlocked achievement, P(alive), and why the dream ended. */
        unlocked: string | null;
        continuation: number | null;
        ended: 'death' | null;
        enteredAt: DreamState['enteredAt'];
        wokeAt: DreamState['wokeAt'];
        message: string | null;
        failovers: Failover[];
        /**
         * The dream's steps as they arrived, with the shard that
         * answered each and its round trip in ms (the last 2,000).
         */
        log: Array<{ step: number; shard: ShardKind; ms: number }>;
      };
      toggle(): void;
      /** Wakes and says what the player sees at that moment: a dreamed frame or a real one, and its step. */
      wake(): Promise<{ dreamed: boolean; t: number }>;
    };
  }
}

if (TEST_HOOKS && typeof window !== 'undefined')
  window.__aikonDream = {
    state() {
      const d = useDream.getState();
      const frame = useGame.getState().frame as DreamGameFrame | null;
      return {
        status: d.status,
        shard: d.shard,
        backend: d.backend,
        reason: d.reason,
        localMs: d.localMs,
        step: frame?.dream?.step ?? 0,
        ms: frame?.dream?.ms ?? 0,
        tokens: frame?.dream?.tokens ?? null,
        real: frame?.dream?.real ?? null,
        agreement: frame?.dream?.agreement ?? null,
        unlocked: frame?.dream?.unlocked ?? null,
        continuation: frame?.dream?.continuation ?? null,
        ended: frame?.dream?.ended ?? null,
        enteredAt: d.enteredAt,
        wokeAt: d.wokeAt,
        message: d.message,
        failovers: d.failovers,
        log: active?.log.slice() ?? [],
      };
    },
    toggle: () => useDream.getState().toggle(),
    async wake() {
      await useDream.getState().wake();
      const frame = useGame.getState().frame as DreamGameFrame | null;
      return { dreamed: frame?.dream !== undefined, t: frame?.t ?? -1 };
    },
  };
