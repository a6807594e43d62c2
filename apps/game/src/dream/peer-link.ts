/**
 * This tab's PeerJS connection for peer dream shards (loaded with the first peer action, in
 * relay games only): credentials from the relay over the lobby's Socket.IO connection
 * (`peer:token`: members only), the PeerJS peer on the relay's signalling server (same origin,
 * `iceServers` as the relay says: none by default), the lobby's offers to serve (`peer:offers`),
 * and the reports for the relay's metrics. One link per lobby connection, shared by serving and
 * dreaming.
 */
import { type DataConnection, Peer } from 'peerjs';
import {
  PeerCredentials,
  type PeerOffer,
  type PeerOfferRequest,
  PeerOffersMessage,
  type PeerReportRequest,
} from '@aikon/protocol';
import type { RelayClient } from '@aikon/protocol/client';
import { MAX_DREAM_MESSAGE_BYTES } from '@aikon/world-model';

/** The data channel's label: a connection under any other label is not a dream and is closed. */
export const DREAM_CHANNEL = 'aikon-dream/1';

export class PeerLink {
  offers: PeerOffer[] = [];
  private credentials: PeerCredentials | null = null;
  private peerJs: Peer | null = null;
  private readonly listeners = new Set<(offers: PeerOffer[]) => void>();
  private readonly onOffers = (m: unknown) => {
    const parsed = PeerOffersMessage.safeParse(m);
    if (!parsed.success) return;
    this.offers = parsed.data.offers;
    for (const l of this.listeners) l(this.offers);
  };

  private constructor(readonly client: RelayClient) {
    // Before asking for the token: the relay sends the lobby's offers with it.
    client.socket.on('peer:offers', this.onOffers);
  }

  static async open(client: RelayClient, origin: string, timeoutMs = 15_000): Promise<PeerLink> {
    const link = new PeerLink(client);
    try {
      const credentials = PeerCredentials.parse(await client.request('peer:token', {}));
      link.credentials = credentials;
      const url = new URL(origin);
      const secure = url.protocol === 'https:';
      const peer = new Peer(credentials.peerId, {
        host: url.hostname,
        port: Number(url.port || (secure ? 443 : 80)),
        secure,
        path: credentials.path,
        key: credentials.key,
        token: credentials.token,
        config: { iceServers: credentials.iceServers },
        debug: 0,
      });
      link.peerJs = peer;
      await new Promise<void>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error('the signalling server did not answer')), timeoutMs);
        peer.once('open', () => {
          clearTimeout(timer);
          ok();
        });
        peer.once('error', (e) => {
          clearTimeout(timer);
          fail(new Error(`signalling: ${e.message}`));
        });
      });
      return link;
    } catch (err) {
      link.close();
      throw err;
    }
  }

  get peer(): Peer {
    if (!this.peerJs) throw new Error('the peer link is not open');
    return this.peerJs;
  }

  get peerId(): string {
    return this.credentials?.peerId ?? '';
  }

  /** The lobby's other members serving dreams, fastest first. */
  servingPeers(): PeerOffer[] {
    return this.offers.filter((o) => o.peerId !== this.peerId);
  }

  subscribe(listener: (offers: PeerOffer[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async offer(req: PeerOfferRequest): Promise<void> {
    await this.client.request('peer:offer', req);
  }

  report(r: PeerReportRequest): void {
    void this.client.request('peer:report', r).catch(() => undefined);
  }

  close(): void {
    this.client.socket.off('peer:offers', this.onOffers);
    this.listeners.clear();
    this.peerJs?.destroy();
  }
}

/** Sends one dream protocol message over a data channel (JSON text). */
export function sendMessage(conn: DataConnection, msg: unknown): number {
  const text = JSON.stringify(msg);
  void conn.send(text);
  return text.length;
}

/** Reads one dream protocol message: text within the size cap, JSON (zod comes after). */
export function readMessage(data: unknown): { ok: true; value: unknown; bytes: number } | { ok: false; why: string } {
  if (typeof data !== 'string') return { ok: false, why: 'not a text message' };
  if (data.length > MAX_DREAM_MESSAGE_BYTES)
    return { ok: false, why: `message of ${data.length} bytes (at most ${MAX_DREAM_MESSAGE_BYTES})` };
  try {
    return { ok: true, value: JSON.parse(data), bytes: data.length };
  } catch {
    return { ok: false, why: 'not JSON' };
  }
}

let shared: { client: RelayClient; link: Promise<PeerLink> } | null = null;

/** This tab's link for the lobby connection `client` (opened once; a new connection opens a new one). */
export function peerLink(client: RelayClient): Promise<PeerLink> {
  if (shared?.client === client) return shared.link;
  const old = shared;
  shared = { client, link: PeerLink.open(client, window.location.origin) };
  void old?.link.then(
    (l) => l.close(),
    () => undefined,
  );
  const mine = shared;
  mine.link.catch(() => {
    if (shared === mine) shared = null; // try again next time
  });
  return mine.link;
}

/** Closes the link (the lobby was left). */
export function closePeerLink(): void {
  const old = shared;
  shared = null;
  void old?.link.then(
    (l) => l.close(),
    () => undefined,
  );
}
