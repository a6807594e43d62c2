/**
 * Peer dream shards end to end (issue 13), two separate Chromium processes on 127.0.0.1 and the
 * real relay: the serving player shares its dream compute; the dreamer (`?dream=peer`) dreams on
 * the serving tab, which both sides confirm (the dreamer's steps come from the peer shard, the
 * server counts them as served, the relay's /dream serves nothing); then the serving page closes
 * and the dream goes on on the relay's shard from the last confirmed state: the dreamer's steps
 * run on without a gap or a repeat. Screenshots in test-results/peer/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, realErrors } from './harness.ts';
import {
  DreamEnded,
  dreamState,
  dreamUntil,
  enterDream,
  peerState,
  type PeerWorld,
  percentile,
  shareCompute,
  startPeerWorld,
} from './peer-harness.ts';

const ARTIFACTS = join(REPO, 'test-results', 'peer');
/**
 * From the serving page's close to the dreamer's peer shard failing, and to the dream running on
 * the relay (its shard connected and reset). A quiet machine takes well under a second; the bounds
 * leave room for a loaded one and still fail a fail-over that waits for the 10 s step timeout.
 */
const DETECT_BOUND_MS = 4_000;
const FAILOVER_BOUND_MS = 8_000;
let w: PeerWorld;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // The world simulator (plain TypeScript) on the serving tab and the relay: the peer shard serves
  // whatever model its tab runs, and this one loads and steps fast on a loaded machine.
  w = await startPeerWorld({
    dreamerQuery: 'dream=peer',
    serverQuery: 'dreamModel=world-sim-small',
    relayModel: 'world-sim-small',
  });
});

afterAll(async () => {
  await w?.close();
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${w.relay.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

describe('peer dream shards', () => {
  it('dreams on the serving tab, then on the relay once that tab closes, with no step lost or repeated', async () => {
    const offered = await shareCompute(w);
    expect(offered.stats!.stepsPerSecond).toBeGreaterThan(0);
    expect(offered.stats!.backend).toMatch(/wasm|webgpu|TypeScript/i);
    expect(await metric('aikon_relay_peer_shards')).toBe(1);

    // ---- the dream runs on the serving peer ----------------------------------------------
    // The world simulator may end a dream early (it predicts the player's death from the real
    // frame it starts from): then the dreamer wakes and dreams again, still on the peer.
    let entered: Awaited<ReturnType<typeof enterDream>> | null = null;
    let onPeer: Awaited<ReturnType<typeof dreamUntil>> | null = null;
    for (let dream = 1; !onPeer; dream++) {
      entered = await enterDream(w.dreamer);
      expect(entered.shard).toBe('peer');
      expect(entered.backend).toMatch(/^Sharer's tab · /);
      try {
        onPeer = await dreamUntil(w.dreamer, 12);
      } catch (err) {
        if (!(err instanceof DreamEnded) || dream === 3) throw err;
        await w.dreamer.evaluate(() => window.__aikonDream!.toggle());
        await w.dreamer.waitForFunction(() => window.__aikonDream!.state().status === 'awake');
      }
    }
    const served = await peerState(w.server);
    // Both sides: every step the dreamer has came from the peer shard, and the server served them.
    expect(onPeer.log.length).toBeGreaterThanOrEqual(12);
    expect(onPeer.failovers, JSON.stringify(onPeer.failovers)).toEqual([]);
    expect(onPeer.log.every((e) => e.shard === 'peer')).toBe(true);
    expect(entered?.backend).toMatch(/world-sim-small/);
    expect(served.stats!.dreamers).toBe(1);
    expect(served.stats!.stepsServed).toBeGreaterThanOrEqual(onPeer.step);
    expect(served.stats!.lastStep).toBeGreaterThanOrEqual(onPeer.step);
    expect(w.relay.dream.sessions).toBe(0);
    expect(served.frameTimes).not.toBeNull();
    await expect(w.server.getByTestId('peer-share-stats').innerText()).resolves.toMatch(/1 dreaming here/);
    await expect(w.dreamer.getByTestId('dream-shard').innerText()).resolves.toBe('peer shard');
    await w.server.screenshot({ path: join(ARTIFACTS, 'serving.png') });
    await w.dreamer.screenshot({ path: join(ARTIFACTS, 'dreaming-on-peer.png') });
    const peerMs = onPeer.log.map((e) => e.ms);
    console.log(
      `peer shard: ${onPeer.log.length} steps, round trip p50 ${percentile(peerMs, 0.5).toFixed(1)} ms, ` +
        `max ${Math.max(...peerMs).toFixed(1)} ms; serving tab frame time p50 ` +
        `${served.frameTimes!.p50.toFixed(1)} ms, p95 ${served.frameTimes!.p95.toFixed(1)} ms`,
    );

    // ---- the serving page closes: the dream goes on on the relay at once -------------------
    // Not after the 10 s step timeout: the relay withdraws the closed tab's offer the moment its
    // connection drops, and the dreamer's peer shard fails over on that.
    const closedAt = Date.now();
    await w.server.close();
    await w.dreamer.waitForFunction(
      () => window.__aikonDream!.state().failovers.length > 0 || window.__aikonDream!.state().status === 'error',
      null,
      { timeout: 60_000, polling: 50 },
    );
    const failoverMs = Date.now() - closedAt;
    const moved = await dreamState(w.dreamer);
    expect(moved.status).toBe('dreaming');
    expect(moved.failovers[0]).toMatchObject({ from: 'peer', to: 'server' });
    expect(moved.failovers[0].why).toMatch(/stopped serving|closed the connection/);
    // Detected (page closed → the peer shard failed), then switched (the relay's shard connected and reset).
    const detectMs = failoverMs - moved.failovers[0].switchMs;
    console.log(
      `fail-over: detected ${detectMs} ms after the close, on the relay ${moved.failovers[0].switchMs} ms later`,
    );
    expect(detectMs).toBeLessThan(DETECT_BOUND_MS);
    expect(failoverMs).toBeLessThan(FAILOVER_BOUND_MS);
    const after = await dreamUntil(w.dreamer, moved.failovers[0].step + 8);
    expect(after.shard).toBe('server');
    expect(w.relay.dream.sessions).toBe(1);
    // No step lost or repeated: the dreamer's steps are 1, 2, 3, … across the switch.
    const steps = after.log.map((e) => e.step);
    expect(steps).toEqual(steps.map((_, i) => i + 1));
    const switchAt = after.log.findIndex((e) => e.shard === 'server');
    expect(after.log[switchAt].step).toBe(moved.failovers[0].step + 1);
    expect(after.log.slice(0, switchAt).every((e) => e.shard === 'peer')).toBe(true);
    expect(after.log.slice(switchAt).every((e) => e.shard === 'server')).toBe(true);
    await expect(w.dreamer.getByTestId('dream-shard').innerText()).resolves.toBe('server shard');
    await w.dreamer.screenshot({ path: join(ARTIFACTS, 'dream-moved-to-relay.png') });
    console.log(
      `fail-over after dream step ${moved.failovers[0].step}, ` +
        `${failoverMs} ms after the page closed: ${moved.failovers[0].why}`,
    );
    await expect.poll(() => metric('aikon_relay_peer_failovers_total'), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => metric('aikon_relay_peer_shards'), { timeout: 10_000 }).toBe(0);
    expect(realErrors(w.errors.dreamer)).toEqual([]);
    expect(realErrors(w.errors.server)).toEqual([]);
  }, 420_000);
});
