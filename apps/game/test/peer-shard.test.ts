/**
 * The dreamer's peer shard (PeerShard) without WebRTC: its data channel is an in-process stand-in
 * whose far end serves the real dream protocol (the shipped world simulator behind
 * `handleDreamRequest`, JSON text both ways, as peer-serve.ts answers), and its link's offers are
 * the lobby's as the relay sends them. A serving tab that closes is heard through the offers: the
 * relay withdraws the offer, and the step waiting on that tab fails at once, not after the 10 s
 * step timeout. (The two-browser run over a real data channel is e2e/peer.test.ts.)
 */
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { World } from '@aikon/engine';
import type { PeerOffer } from '@aikon/protocol';
import { handleDreamRequest, loadSim, SimShard, type SimModel, tokenize } from '@aikon/world-model';
import type { PeerLink } from '../src/dream/peer-link.ts';
import { peerCandidates } from '../src/dream/peer-shard.ts';

const MODELS = join(import.meta.dirname, '../../../models');
let model: SimModel;

const OFFER: PeerOffer = {
  memberId: 'm-sharer',
  name: 'Sharer',
  peerId: 'aikon-0123456789abcdef',
  stepsPerSecond: 500,
  backend: 'world-sim (TypeScript, 1 thread)',
  model: 'world-sim-small',
};

/** The dreamer's end of a data channel; the far end serves dreams until it `stall()`s (a closing tab). */
class FakeChannel extends EventEmitter {
  closed = false;
  private stalled = false;
  private readonly shard = new SimShard(model);
  stall(): void {
    this.stalled = true;
  }
  send(text: string): void {
    if (this.closed || this.stalled) return;
    void handleDreamRequest(this.shard, JSON.parse(text)).then((reply) => {
      if (!this.closed && !this.stalled) this.emit('data', JSON.stringify(reply));
    });
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}

/** A link to a lobby where `OFFER` serves: connect() opens a FakeChannel, `setOffers` is the relay's `peer:offers`. */
function fakeLink() {
  const channels: FakeChannel[] = [];
  const listeners = new Set<(offers: PeerOffer[]) => void>();
  const link = {
    peer: {
      connect: () => {
        const c = new FakeChannel();
        channels.push(c);
        setTimeout(() => c.emit('open'), 1);
        return c;
      },
    },
    servingPeers: () => [OFFER],
    subscribe(l: (offers: PeerOffer[]) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return {
    link: link as unknown as PeerLink,
    channels,
    setOffers: (offers: PeerOffer[]) => {
      for (const l of [...listeners]) l(offers);
    },
  };
}

function startFrames(seed: number): number[][] {
  const world = World.generate({ seed });
  world.addPlayer();
  return [Array.from(tokenize(world, 0))];
}

beforeAll(async () => {
  const manifest = JSON.parse(await readFile(join(MODELS, 'manifest.json'), 'utf8'));
  ({ model } = await loadSim(
    manifest,
    async (f) => new Uint8Array(await readFile(join(MODELS, f))),
    'world-sim-small',
  ));
});

describe('PeerShard', () => {
  it('dreams over the channel, and fails a waiting step at once when the relay withdraws the serving tab', async () => {
    const { link, channels, setOffers } = fakeLink();
    const [candidate] = peerCandidates(link);
    const shard = await candidate.open();
    expect(shard.kind).toBe('peer');
    expect(shard.backend).toBe("Sharer's tab · world-sim-small · world-sim (TypeScript, 1 thread)");
    await shard.reset(startFrames(3), 1);
    for (let k = 1; k <= 3; k++) expect((await shard.step(k)).step).toBe(k);
    // Offers that still hold the serving tab change nothing.
    setOffers([OFFER, { ...OFFER, memberId: 'm-other', peerId: 'aikon-fedcba9876543210' }]);
    expect((await shard.step(0)).step).toBe(4);

    // The serving tab closes: it answers nothing more, and the relay withdraws its offer.
    channels[0].stall();
    const t0 = performance.now();
    const waiting = shard.step(1);
    setTimeout(() => setOffers([]), 50);
    await expect(waiting).rejects.toThrow(/Sharer stopped serving/);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(channels[0].closed).toBe(true);
    // The shard is done: later requests fail without waiting either.
    await expect(shard.step(2)).rejects.toThrow(/Sharer stopped serving/);
  });

  it('fails when the channel closes, and stops watching the offers once disposed', async () => {
    const { link, channels, setOffers } = fakeLink();
    const shard = await peerCandidates(link)[0].open();
    await shard.reset(startFrames(4), 1);
    channels[0].stall();
    const waiting = shard.step(0);
    channels[0].close();
    await expect(waiting).rejects.toThrow(/closed the connection/);

    const other = await peerCandidates(link)[0].open();
    other.dispose();
    expect(channels[1].closed).toBe(true);
    setOffers([]); // no listener left to fail a disposed shard again
    await expect(other.step(0)).rejects.toThrow(/the dream left this shard/);
  });
});
