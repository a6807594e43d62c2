/**
 * The dreamer's side of a peer dream shard: a WebRTC data channel (PeerJS, reliable, raw JSON
 * text) to a lobby member's tab that serves dreams (peer-serve.ts), speaking the same versioned
 * dream protocol as this tab's worker. Every answer is size-capped and zod-validated; one that is
 * not, or comes too late, or a channel that closes, fails the step — and the dream's
 * FailoverShard goes on on the next shard.
 *
 * A serving tab that closes does not close the data channel in a way the dreamer hears at once
 * (the WebRTC connection only times out), so the shard also watches the lobby's offers: the relay
 * withdraws a member's offer the moment its Socket.IO connection drops (a closed tab) or it stops
 * serving, and the shard fails then, without waiting for the step timeout.
 */
import type { DataConnection } from 'peerjs';
import type { PeerOffer } from '@aikon/protocol';
import { DREAM_PROTOCOL_VERSION, type DreamRequest, type DreamResponse, DreamResponseSchema } from '@aikon/world-model';
import type { Prediction } from './dream-frame.ts';
import { DREAM_CHANNEL, type PeerLink, readMessage, sendMessage } from './peer-link.ts';
import type { PeerCandidate, ShardClient } from './shards.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A serving tab may load a dream worker for this dreamer first: resets wait longer than steps. */
const RESET_TIMEOUT_MS = 60_000;
/**
 * A step answered later than this counts as a lost peer (the tick is 66–200 ms; a loaded tab may stall for seconds).
 */
const STEP_TIMEOUT_MS = 10_000;

export class PeerShard implements ShardClient {
  readonly kind = 'peer' as const;
  readonly backend: string;
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { ok: (r: DreamResponse) => void; fail: (e: Error) => void; timer: ReturnType<typeof setTimeout> }
  >();
  private closed: string | null = null;
  private readonly unwatch: () => void;

  private constructor(
    private readonly conn: DataConnection,
    readonly offer: PeerOffer,
    link: PeerLink,
  ) {
    this.backend = `${offer.name}'s tab · ${offer.model} · ${offer.backend}`;
    conn.on('data', (data) => this.receive(data));
    conn.on('close', () => this.fail('the serving peer closed the connection'));
    conn.on('error', (e) => this.fail(`the peer connection failed: ${e.message}`));
    this.unwatch = link.subscribe((offers) => {
      if (!offers.some((o) => o.peerId === offer.peerId))
        this.fail(`${offer.name} stopped serving (left the lobby, closed the tab or withdrew the offer)`);
    });
  }

  static async connect(link: PeerLink, offer: PeerOffer, timeoutMs = 15_000): Promise<PeerShard> {
    const conn = link.peer.connect(offer.peerId, { reliable: true, serialization: 'raw', label: DREAM_CHANNEL });
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => {
        conn.close();
        fail(new Error(`${offer.name}'s tab did not open a data channel`));
      }, timeoutMs);
      conn.once('open', () => {
        clearTimeout(timer);
        ok();
      });
      conn.once('error', (e) => {
        clearTimeout(timer);
        fail(new Error(`${offer.name}'s tab: ${e.message}`));
      });
    });
    return new PeerShard(conn, offer, link);
  }

  private receive(data: unknown): void {
    const read = readMessage(data);
    const parsed = read.ok ? DreamResponseSchema.safeParse(read.value) : null;
    if (!read.ok || !parsed?.success) {
      this.fail(`the serving peer answered garbage (${read.ok ? parsed?.error?.issues[0]?.message : read.why})`);
      return;
    }
    const w = this.waiting.get(parsed.data.id);
    if (!w) {
      this.fail(`the serving peer answered request ${parsed.data.id}, which was not asked`);
      return;
    }
    this.waiting.delete(parsed.data.id);
    clearTimeout(w.timer);
    w.ok(parsed.data as DreamResponse);
  }

  /** Fails every open request and closes the channel: this peer is not trusted again. */
  private fail(why: string): void {
    if (this.closed) return;
    this.closed = why;
    this.unwatch();
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
      w.fail(new Error(why));
    }
    this.waiting.clear();
    this.conn.close();
  }

  private request(msg: DistributiveOmit<DreamRequest, 'v' | 'id'>, timeoutMs: number): Promise<DreamResponse> {
    if (this.closed) return Promise.reject(new Error(this.closed));
    const id = this.nextId++;
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => this.fail(`the serving peer did not answer within ${timeoutMs} ms`), timeoutMs);
      this.waiting.set(id, { ok, fail, timer });
      sendMessage(this.conn, { ...msg, v: DREAM_PROTOCOL_VERSION, id } satisfies DreamRequest);
    });
  }

  async reset(frames: number[][], seed?: number): Promise<void> {
    const r = await this.request({ type: 'reset', frames, ...(seed !== undefined ? { seed } : {}) }, RESET_TIMEOUT_MS);
    if (r.type === 'error') throw new Error(`${this.offer.name}'s tab: ${r.message}`);
    if (r.type !== 'ready') this.fail('the serving peer answered a reset with a frame');
  }

  async step(action: number | null): Promise<Prediction & { ms: number }> {
    const t0 = performance.now();
    const r = await this.request({ type: 'step', action }, STEP_TIMEOUT_MS);
    if (r.type === 'error') throw new Error(`${this.offer.name}'s tab: ${r.message}`);
    if (r.type !== 'frame') {
      this.fail('the serving peer answered a step without a frame');
      throw new Error(this.closed ?? 'no frame');
    }
    return { ...r, ms: performance.now() - t0 };
  }

  dispose(): void {
    this.fail('the dream left this shard');
  }
}

/** The lobby's serving members as shard candidates (fastest first), for chooseShard. */
export function peerCandidates(link: PeerLink): PeerCandidate[] {
  return link.servingPeers().map((offer) => ({
    name: offer.name,
    stepsPerSecond: offer.stepsPerSecond,
    open: () => PeerShard.connect(link, offer),
  }));
}
