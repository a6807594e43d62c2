/**
 * Dream shards as the game sees them: one in this tab (a Web Worker running the world simulator,
 * or the token dream model on onnxruntime-web), one on the relay (Socket.IO namespace /dream), or
 * one in another lobby member's tab (peer-shard.ts, over WebRTC). All take real frames' tokens,
 * then one action per step, and answer with the predicted observation.
 */
import { io, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import {
  DREAM_NAMESPACE,
  DREAM_PROTOCOL_VERSION,
  DREAM_WIRE_VERSION,
  type DreamAck,
  type DreamFrame,
  type DreamLoadMessage,
  type DreamRequest,
  type DreamResetResult,
  type DreamResponse,
  type DreamWorkerReply,
} from '@aikon/world-model';
import type { Prediction, ShardKind } from './dream-frame.ts';
import { FailoverShard, type Failover } from './failover.ts';

export interface ShardClient {
  readonly kind: ShardKind;
  /** Model name and inference backend, e.g. "world-sim-small · world-sim (TypeScript, 1 thread)". */
  readonly backend: string;
  reset(frames: number[][], seed?: number): Promise<void>;
  step(action: number | null): Promise<Prediction & { ms: number }>;
  dispose(): void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The shard in this tab. */
export class BrowserShard implements ShardClient {
  readonly kind = 'browser' as const;
  backend = '';
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { ok: (r: DreamWorkerReply) => void; fail: (e: Error) => void }>();
  private loaded: { ok: (r: DreamWorkerReply) => void; fail: (e: Error) => void } | null = null;

  private constructor() {
    this.worker = new Worker(new URL('./dream.worker.ts', import.meta.url), { type: 'module', name: 'aikon-dream' });
    this.worker.onmessage = (e: MessageEvent<DreamWorkerReply>) => {
      const m = e.data;
      if (m.type === 'loaded') {
        this.loaded?.ok(m);
        this.loaded = null;
        return;
      }
      if (m.type === 'error' && m.id === -1 && this.loaded) {
        this.loaded.fail(new Error(m.message));
        this.loaded = null;
        return;
      }
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.type === 'error') w.fail(new Error(m.message));
      else w.ok(m);
    };
    this.worker.onerror = (e) => {
      const err = new Error(`the dream worker stopped: ${e.message || 'unknown error'}`);
      this.loaded?.fail(err);
      for (const w of this.waiting.values()) w.fail(err);
      this.waiting.clear();
    };
  }

  /**
   * Starts the worker and loads the model from `manifestUrl` (sha256 checked): the manifest's
   * world simulator unless `model` names another entry (e.g. token-dream-small).
   */
  static async load(manifestUrl: string, timeoutMs = 60_000, model?: string): Promise<BrowserShard> {
    const shard = new BrowserShard();
    try {
      const r = await new Promise<DreamWorkerReply>((ok, fail) => {
        shard.loaded = { ok, fail };
        setTimeout(() => fail(new Error('the dream model took too long to load')), timeoutMs);
        const load: DreamLoadMessage = { type: 'load', manifestUrl, seed: 1, ...(model ? { name: model } : {}) };
        shard.worker.postMessage(load);
      });
      if (r.type === 'loaded') shard.backend = `${r.model} · ${r.backend}`;
      return shard;
    } catch (err) {
      shard.dispose();
      throw err;
    }
  }

  /** Sends one shard-protocol request (its version and id filled in) and waits for the answer. */
  private request(msg: DistributiveOmit<DreamRequest, 'v' | 'id'>): Promise<DreamWorkerReply> {
    const id = this.nextId++;
    return new Promise((ok, fail) => {
      this.waiting.set(id, { ok, fail });
      const req: DreamRequest = { ...msg, v: DREAM_PROTOCOL_VERSION, id };
      this.worker.postMessage(req);
    });
  }

  async reset(frames: number[][], seed?: number): Promise<void> {
    await this.request({ type: 'reset', frames, ...(seed !== undefined ? { seed } : {}) });
  }

  /** Serves another tab's request (a peer shard): its answer carries the request's own id. */
  async forward(req: DreamRequest): Promise<DreamResponse> {
    const { id, v: _v, ...msg } = req;
    try {
      const r = await this.request(msg);
      if (r.type === 'loaded') throw new Error('the dream worker answered out of turn');
      return { ...r, id };
    } catch (err) {
      return { type: 'error', v: 1, id, message: (err as Error).message };
    }
  }

  async step(action: number | null): Promise<Prediction & { ms: number }> {
    const t0 = performance.now();
    const r = await this.request({ type: 'step', action });
    if (r.type !== 'frame') throw new Error('the dream worker did not answer with a frame');
    return { ...r, ms: performance.now() - t0 };
  }

  dispose(): void {
    this.worker.terminate();
    for (const w of this.waiting.values()) w.fail(new Error('the dream shard was closed'));
    this.waiting.clear();
  }
}

/** The shard on the relay server (same origin unless `url` says otherwise). */
export class ServerShard implements ShardClient {
  readonly kind = 'server' as const;
  backend = '';
  private session: number | null = null;

  private constructor(private readonly socket: Socket) {}

  static async connect(origin: string, timeoutMs = 10_000): Promise<ServerShard> {
    // Its own connection (forceNew): in a relay game the lobby's socket already holds a manager for
    // this origin, and a namespace multiplexed onto it never connected (the dream server did not answer).
    const socket = io(`${origin}${DREAM_NAMESPACE}`, {
      parser: msgpackParser,
      transports: ['websocket'],
      reconnection: false,
      timeout: timeoutMs,
      forceNew: true,
    });
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('the dream server did not answer')), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        ok();
      });
      socket.once('connect_error', (e) => {
        clearTimeout(timer);
        socket.close();
        fail(new Error(`no dream server here: ${e.message}`));
      });
    });
    return new ServerShard(socket);
  }

  private async call<T>(event: string, payload: unknown): Promise<T> {
    const a = (await this.socket.timeout(30_000).emitWithAck(event, payload)) as DreamAck<T>;
    if (!a.ok) throw new Error(`${a.error.message} (${a.error.code})`);
    return a.data;
  }

  async reset(frames: number[][], seed?: number): Promise<void> {
    const r = await this.call<DreamResetResult>('dream:reset', {
      v: DREAM_WIRE_VERSION,
      frames,
      ...(seed !== undefined ? { seed } : {}),
      ...(this.session !== null ? { session: this.session } : {}),
    });
    this.session = r.session;
    this.backend = `${r.model} · ${r.backend}`;
  }

  async step(action: number | null): Promise<Prediction & { ms: number }> {
    if (this.session === null) throw new Error('reset the dream first');
    const t0 = performance.now();
    const r = await this.call<DreamFrame>('dream:step', { v: DREAM_WIRE_VERSION, session: this.session, action });
    return { ...r, ms: performance.now() - t0 };
  }

  dispose(): void {
    this.socket.close(); // the server frees the session with the connection
  }
}

export interface ShardChoice {
  /** The dream's shard: the chosen one, moving on to the next candidate when it fails. */
  shard: FailoverShard;
  /** Median step latency measured right after loading (ms). */
  localMs: number | null;
  reason: string;
}

/** A lobby member's tab offering to serve dreams (only in a relay game; peer-shard.ts opens it). */
export interface PeerCandidate {
  readonly name: string;
  readonly stepsPerSecond: number;
  open(): Promise<ShardClient>;
}

/** Whether this browser hands out a WebGPU adapter (onnxruntime-web falls back to wasm without one). */
export async function webGpuAdapter(): Promise<boolean> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Loads this tab's shard and measures its median step after a warm-up (ms). */
export async function measureBrowserShard(
  manifestUrl: string,
  context: number[][],
  model?: string | null,
): Promise<{ shard: BrowserShard; ms: number }> {
  const shard = await BrowserShard.load(manifestUrl, undefined, model ?? undefined);
  try {
    const gpu = await webGpuAdapter();
    if (/webgpu/.test(shard.backend)) shard.backend += gpu ? ' · WebGPU adapter' : ' · no WebGPU adapter → wasm';
    await shard.reset(context, 0);
    // A dream from a weak player's frame may end (the model predicts death) within the ten steps:
    // that is the dream's story, not a fault of the shard, so measuring goes on from the start.
    const step = async () => {
      const p = await shard.step(0);
      if (p.ended) await shard.reset(context, 0);
      return p.ms;
    };
    for (let i = 0; i < 3; i++) await step(); // warm-up (first runs allocate, compile)
    const ms: number[] = [];
    for (let i = 0; i < 7; i++) ms.push(await step());
    return { shard, ms: median(ms) };
  } catch (err) {
    shard.dispose();
    throw err;
  }
}

interface Candidate {
  kind: ShardKind;
  label: string;
  open(): Promise<ShardClient>;
}

/**
 * Picks where to dream: this tab when it dreams in real time (median step latency after load
 * below one tick), else the fastest lobby member offering to serve, else the relay's shard, and
 * this tab's slow shard when nothing else answers. `prefer` forces one kind first (?dream=browser,
 * ?dream=peer, ?dream=server). The returned shard fails over down the same list: when the shard
 * in use fails, the dream goes on on the next one from its last confirmed state.
 */
export async function chooseShard(o: {
  manifestUrl: string;
  origin: string;
  tickRate: number;
  context: number[][];
  prefer?: ShardKind | null;
  /** Model for the browser shard (default: the manifest's world simulator; ?dreamModel=token-dream-small). */
  model?: string | null;
  /** Lobby members serving dreams (relay games only), fastest first. */
  peers?: () => PeerCandidate[];
  /** A fail-over happened: the dream runs on `to` from now on. */
  onFailover?: (to: ShardClient, f: Failover) => void;
}): Promise<ShardChoice> {
  const budget = 1000 / o.tickRate;
  let local: BrowserShard | null = null;
  let localMs: number | null = null;
  let localError = '';
  if (o.prefer !== 'server' && o.prefer !== 'peer') {
    try {
      ({ shard: local, ms: localMs } = await measureBrowserShard(o.manifestUrl, o.context, o.model));
    } catch (err) {
      localError = (err as Error).message;
    }
  }
  const fast = local !== null && localMs !== null && (localMs < budget || o.prefer === 'browser');
  const browser: Candidate = {
    kind: 'browser',
    label: 'this tab',
    open: async () => {
      if (local) {
        const s = local;
        local = null; // handed out once; a later fall-back loads a fresh worker
        return s;
      }
      return (await measureBrowserShard(o.manifestUrl, o.context, o.model)).shard;
    },
  };
  const server: Candidate = { kind: 'server', label: 'the relay', open: () => ServerShard.connect(o.origin) };
  const peers = (o.peers?.() ?? []).map<Candidate>((p) => ({
    kind: 'peer',
    label: `${p.name}'s tab (${p.stepsPerSecond.toFixed(0)} steps/s)`,
    open: () => p.open(),
  }));
  const order: Candidate[] =
    o.prefer === 'server'
      ? [server, ...peers, browser]
      : o.prefer === 'peer'
        ? [...peers, server, browser]
        : fast
          ? [browser, ...peers, server]
          : [...peers, server, browser];
  const errors: string[] = localError ? [`this tab: ${localError}`] : [];
  let i = 0;
  const openNext = async (): Promise<{ shard: ShardClient; c: Candidate } | null> => {
    while (i < order.length) {
      const c = order[i++];
      try {
        return { shard: await c.open(), c };
      } catch (err) {
        errors.push(`${c.label}: ${(err as Error).message}`);
      }
    }
    return null;
  };
  const first = await openNext();
  if (!first) {
    (local as BrowserShard | null)?.dispose();
    throw new Error(`no dream shard: ${errors.join('; ')}`);
  }
  if (first.c !== browser) {
    local?.dispose(); // measured too slow (or not asked for): its worker goes
    local = null;
  }
  const shard = new FailoverShard(first.shard, async () => (await openNext())?.shard ?? null, o.onFailover);
  const ms = localMs;
  const notHere =
    o.prefer === 'peer'
      ? 'asked for a peer shard'
      : ms !== null
        ? `this device needs ${ms.toFixed(0)} ms per step (a tick is ${budget.toFixed(0)} ms)`
        : localError
          ? `the browser shard failed (${localError})`
          : 'no browser shard here';
  const reason =
    first.c === browser
      ? ms !== null && ms < budget
        ? `this device dreams in ${ms.toFixed(1)} ms per step (a tick is ${budget.toFixed(0)} ms)`
        : o.prefer === 'browser'
          ? `asked for the browser shard (${ms?.toFixed(1) ?? '?'} ms per step)`
          : `nothing else answered (${errors.join('; ')}); dreaming here, slower than real time`
      : first.c.kind === 'peer'
        ? `${notHere}: dreaming in ${first.c.label}`
        : ms !== null
          ? `this device needs ${ms.toFixed(0)} ms per step (a tick is ${budget.toFixed(0)} ms)`
          : o.prefer === 'server'
            ? 'asked for the server shard'
            : `the browser shard failed: ${localError}`;
  return { shard, localMs: ms, reason };
}
