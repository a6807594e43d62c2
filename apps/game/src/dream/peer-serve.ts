/**
 * "Share my dream compute": this tab serves dream steps to other lobby members over WebRTC data
 * channels (PeerJS; the dreamer's side is peer-shard.ts). Requests are size-capped and
 * zod-validated, then run in a dream worker of this tab — one worker per dreamer, off the render
 * loop — and the worker's answers go back as they are (the same dream protocol, whichever model
 * this tab runs). The offer to the lobby states the steps per second measured on this tab's own
 * worker and its backend. Usage goes to the relay's metrics every few seconds.
 */
import type { DataConnection } from 'peerjs';
import { DREAM_PROTOCOL_VERSION, type DreamResponse, DreamRequestSchema } from '@aikon/world-model';
import { DREAM_CHANNEL, type PeerLink, readMessage, sendMessage } from './peer-link.ts';
import { BrowserShard, measureBrowserShard } from './shards.ts';

/** Dreamers served at once (each has its own worker in this tab). */
export const MAX_DREAMERS = 2;
const REPORT_EVERY_MS = 5_000;

export interface ServeStats {
  stepsPerSecond: number;
  backend: string;
  model: string;
  dreamers: number;
  stepsServed: number;
  bytesServed: number;
  /** The last request served, for the e2e check "the dreamer's steps come from this peer". */
  lastStep: number;
}

export class PeerDreamServer {
  readonly stats: ServeStats;
  onChange: (() => void) | null = null;
  private spare: BrowserShard | null;
  private readonly served = new Map<DataConnection, Promise<BrowserShard>>();
  private reported = { steps: 0, bytes: 0 };
  private readonly reportTimer: ReturnType<typeof setInterval>;
  private stopped = false;
  private readonly onConnection = (conn: DataConnection) => this.accept(conn);

  private constructor(
    private readonly link: PeerLink,
    private readonly manifestUrl: string,
    private readonly modelName: string | null,
    measured: { shard: BrowserShard; ms: number },
  ) {
    this.spare = measured.shard;
    const [model, ...backend] = measured.shard.backend.split(' · ');
    this.stats = {
      stepsPerSecond: 1000 / measured.ms,
      backend: backend.join(' · ') || model,
      model,
      dreamers: 0,
      stepsServed: 0,
      bytesServed: 0,
      lastStep: 0,
    };
    link.peer.on('connection', this.onConnection);
    this.reportTimer = setInterval(() => this.report(), REPORT_EVERY_MS);
  }

  /** Measures this tab's dream worker, then offers it to the lobby. */
  static async start(
    link: PeerLink,
    o: { manifestUrl: string; context: number[][]; model?: string | null },
  ): Promise<PeerDreamServer> {
    const measured = await measureBrowserShard(o.manifestUrl, o.context, o.model);
    const server = new PeerDreamServer(link, o.manifestUrl, o.model ?? null, measured);
    try {
      await link.offer({
        serving: true,
        stepsPerSecond: Math.round(server.stats.stepsPerSecond * 10) / 10,
        backend: server.stats.backend.slice(0, 120),
        model: server.stats.model.slice(0, 64),
      });
    } catch (err) {
      server.stop();
      throw err;
    }
    return server;
  }

  private accept(conn: DataConnection): void {
    if (
      this.stopped ||
      conn.label !== DREAM_CHANNEL ||
      conn.serialization !== 'raw' ||
      this.served.size >= MAX_DREAMERS
    ) {
      conn.on('open', () => conn.close());
      return;
    }
    // The measured worker serves the first dreamer; later ones get a fresh worker each.
    const spare = this.spare;
    this.spare = null;
    const shard = spare
      ? Promise.resolve(spare)
      : BrowserShard.load(this.manifestUrl, undefined, this.modelName ?? undefined);
    this.served.set(conn, shard);
    this.stats.dreamers = this.served.size;
    this.onChange?.();
    let queue = Promise.resolve();
    conn.on('data', (data) => {
      queue = queue.then(() => this.serve(conn, shard, data));
    });
    const drop = () => {
      if (this.served.get(conn) !== shard) return;
      this.served.delete(conn);
      this.stats.dreamers = this.served.size;
      void shard.then(
        (s) => s.dispose(),
        () => undefined,
      );
      this.onChange?.();
    };
    conn.on('close', drop);
    conn.on('error', drop);
  }

  /** One request: checked here, run in the dreamer's worker, answered with the worker's reply. */
  private async serve(conn: DataConnection, shard: Promise<BrowserShard>, data: unknown): Promise<void> {
    if (this.stopped || !this.served.has(conn)) return;
    const read = readMessage(data);
    const parsed = read.ok ? DreamRequestSchema.safeParse(read.value) : null;
    if (!read.ok || !parsed?.success) {
      const id =
        read.ok && typeof (read.value as { id?: unknown })?.id === 'number' ? (read.value as { id: number }).id : -1;
      sendMessage(conn, {
        type: 'error',
        v: DREAM_PROTOCOL_VERSION,
        id,
        message: `bad dream request: ${read.ok ? parsed?.error?.issues[0]?.message : read.why}`,
      } satisfies DreamResponse);
      return;
    }
    let reply: DreamResponse;
    try {
      reply = await (await shard).forward(parsed.data);
    } catch (err) {
      reply = {
        type: 'error',
        v: DREAM_PROTOCOL_VERSION,
        id: parsed.data.id,
        message: `the dream worker failed: ${(err as Error).message}`,
      };
    }
    if (this.stopped || !this.served.has(conn)) return;
    const bytes = sendMessage(conn, reply);
    this.stats.bytesServed += bytes;
    if (reply.type === 'frame') {
      this.stats.stepsServed++;
      this.stats.lastStep = reply.step;
    }
    this.onChange?.();
  }

  /** Steps and bytes served since the last report, to the relay's metrics. */
  private report(): void {
    const steps = Math.min(10_000, this.stats.stepsServed - this.reported.steps);
    const bytes = Math.min(64 * 1024 * 1024, this.stats.bytesServed - this.reported.bytes);
    if (steps === 0 && bytes === 0) return;
    this.reported = { steps: this.reported.steps + steps, bytes: this.reported.bytes + bytes };
    this.link.report({ stepsServed: steps, bytesServed: bytes, failovers: 0 });
  }

  /** Stops serving: the offer is withdrawn, the dreamers' channels close (they fail over), workers end. */
  stop(): void {
    if (this.stopped) return;
    this.report();
    this.stopped = true;
    clearInterval(this.reportTimer);
    this.link.peer.off('connection', this.onConnection);
    void this.link.offer({ serving: false }).catch(() => undefined);
    for (const [conn, shard] of this.served) {
      conn.close();
      void shard.then(
        (s) => s.dispose(),
        () => undefined,
      );
    }
    this.served.clear();
    this.spare?.dispose();
    this.spare = null;
    this.stats.dreamers = 0;
    this.onChange?.();
  }
}
