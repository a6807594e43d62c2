/**
 * Peer dream shards in the game's state (relay games only): whether this tab shares its dream
 * compute ("Share my dream compute"), what it measured and served, the render loop's frame time
 * while serving (a serving tab's own play must not stutter), and the lobby's serving members for
 * the dream's shard choice. Light: peerjs and the shards load with the first peer action.
 */
import { create } from 'zustand';
import type { PeerOffer } from '@aikon/protocol';
import { useGame } from '../game/store.ts';
import { useLobby } from '../net/lobby-store.ts';
import type { PeerLink } from './peer-link.ts';
import type { PeerDreamServer, ServeStats } from './peer-serve.ts';
import type { PeerCandidate } from './shards.ts';
import { TEST_HOOKS } from '../game/test-build.ts';

export interface FrameTimes {
  /** Median and 95th percentile of the last ≈2 s of animation frames, ms. */
  p50: number;
  p95: number;
}

export interface PeerState {
  serving: 'off' | 'starting' | 'on' | 'error';
  stats: ServeStats | null;
  message: string | null;
  frameTimes: FrameTimes | null;
  /** The lobby's other members serving dreams, fastest first. */
  offers: PeerOffer[];
  toggleServing(): Promise<void>;
}

let server: PeerDreamServer | null = null;
let unsubscribe: (() => void) | null = null;

/** This tab's link to the lobby's peers (signalling on the relay), opened on first use. */
async function link(): Promise<PeerLink> {
  const client = useLobby.getState().client;
  if (!client?.lobby) throw new Error('peer shards need a lobby');
  const { peerLink } = await import('./peer-link.ts');
  const l = await peerLink(client);
  if (!unsubscribe) {
    usePeers.setState({ offers: l.servingPeers() });
    unsubscribe = l.subscribe(() => usePeers.setState({ offers: l.servingPeers() }));
  }
  return l;
}

export const usePeers = create<PeerState>()((set, get) => ({
  serving: 'off',
  stats: null,
  message: null,
  frameTimes: null,
  offers: [],

  async toggleServing() {
    if (get().serving === 'on') {
      server?.stop();
      server = null;
      set({ serving: 'off', frameTimes: null });
      return;
    }
    if (get().serving === 'starting') return;
    set({ serving: 'starting', message: null });
    try {
      const frame = useGame.getState().frame;
      const { tokensFromFrame } = await import('./dream-frame.ts');
      const { PeerDreamServer } = await import('./peer-serve.ts');
      if (!frame) throw new Error('no world to measure the dream on yet');
      const s = await PeerDreamServer.start(await link(), {
        manifestUrl: new URL('models/manifest.json', document.baseURI).href,
        context: [Array.from(tokensFromFrame(frame))],
        model: new URLSearchParams(window.location.search).get('dreamModel'),
      });
      if (get().serving !== 'starting') return s.stop(); // left the lobby meanwhile
      server = s;
      s.onChange = () => set({ stats: { ...s.stats } });
      set({ serving: 'on', stats: { ...s.stats } });
      meterFrames();
    } catch (err) {
      set({ serving: 'error', message: `Could not share: ${(err as Error).message}` });
    }
  },
}));

/** Peer candidates for a dream's shard choice: none outside a lobby or when the link fails. */
export async function peerCandidatesNow(): Promise<PeerCandidate[]> {
  try {
    const l = await link();
    const { peerCandidates } = await import('./peer-shard.ts');
    return peerCandidates(l);
  } catch {
    return [];
  }
}

/** Tells the relay's metrics that a dream moved to another shard. */
export async function reportFailover(): Promise<void> {
  try {
    (await link()).report({ stepsServed: 0, bytesServed: 0, failovers: 1 });
  } catch {
    // outside a lobby: nobody to tell
  }
}

/** The render loop's frame times while serving (requestAnimationFrame deltas, ≈2 s window). */
function meterFrames(): void {
  const deltas: number[] = [];
  let last = performance.now();
  let shown = last;
  const tick = (now: number) => {
    if (usePeers.getState().serving !== 'on') return;
    deltas.push(now - last);
    last = now;
    if (deltas.length > 120) deltas.shift();
    if (now - shown > 500 && deltas.length > 4) {
      shown = now;
      const sorted = [...deltas].sort((a, b) => a - b);
      usePeers.setState({
        frameTimes: { p50: sorted[sorted.length >> 1], p95: sorted[Math.floor(sorted.length * 0.95)] },
      });
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

// Leaving the lobby (or its connection) ends serving and the link.
useLobby.subscribe((s, prev) => {
  if (s.client === prev.client && (s.lobby !== null) === (prev.lobby !== null)) return;
  if (s.client && s.lobby) return;
  server?.stop();
  server = null;
  unsubscribe?.();
  unsubscribe = null;
  if (usePeers.getState().serving !== 'off') usePeers.setState({ serving: 'off', stats: null, frameTimes: null });
  usePeers.setState({ offers: [] });
  void import('./peer-link.ts').then((m) => m.closePeerLink());
});

declare global {
  interface Window {
    __aikonPeer?: { state(): Pick<PeerState, 'serving' | 'stats' | 'message' | 'frameTimes' | 'offers'> };
  }
}

if (TEST_HOOKS && typeof window !== 'undefined')
  window.__aikonPeer = {
    state() {
      const { serving, stats, message, frameTimes, offers } = usePeers.getState();
      return { serving, stats, message, frameTimes, offers };
    },
  };
