/**
 * Two players in two separate Chromium processes on 127.0.0.1 against the real relay serving a
 * private build: one creates a lobby and shares its dream compute, the other joins and dreams
 * (peer dream shards, issue 13). Shared by e2e/peer.test.ts and bench/dream-shards.bench.ts.
 * Headless Chromium hides local addresses behind mDNS names, which a loopback ICE exchange cannot
 * resolve: both run with --disable-features=WebRtcHideLocalIpsWithMdns.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startRelayServer, type RelayServer } from '@aikon/relay-server';
import { buildPrivateDist, CHROMIUM, CHROMIUM_ARGS, keepAlive } from './harness.ts';

export const PEER_CHROMIUM_ARGS = [...CHROMIUM_ARGS, '--disable-features=WebRtcHideLocalIpsWithMdns'];

export type DreamHookState = NonNullable<Window['__aikonDream']> extends { state(): infer S } ? S : never;
export type PeerHookState = NonNullable<Window['__aikonPeer']> extends { state(): infer S } ? S : never;
export const dreamState = (page: Page) => page.evaluate(() => window.__aikonDream!.state()) as Promise<DreamHookState>;
export const peerState = (page: Page) => page.evaluate(() => window.__aikonPeer!.state()) as Promise<PeerHookState>;

export interface PeerWorld {
  relay: RelayServer;
  /** The serving player's page (lobby host) and the dreamer's, each in its own Chromium. */
  server: Page;
  dreamer: Page;
  serverBrowser: Browser;
  dreamerBrowser: Browser;
  errors: { server: string[]; dreamer: string[] };
  close(): Promise<void>;
}

function watch(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/** Builds, starts the relay, opens both browsers, and brings both players into a running lobby game. */
export async function startPeerWorld(
  o: { dreamerQuery?: string; serverQuery?: string; relayModel?: string } = {},
): Promise<PeerWorld> {
  const tmp = mkdtempSync(join(tmpdir(), 'aikon-peer-'));
  const dist = join(tmp, 'dist');
  await buildPrivateDist(dist);
  const relay = await startRelayServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(tmp, 'data'),
    staticDir: dist,
    logLevel: 'silent',
    datasetsApi: false,
    durableLobbies: false,
    ...(o.relayModel ? { dream: { model: o.relayModel } } : {}),
  });
  const launch = () =>
    chromium.launch({ executablePath: CHROMIUM, headless: true, args: PEER_CHROMIUM_ARGS, timeout: 60_000 });
  const [serverBrowser, dreamerBrowser] = await Promise.all([launch(), launch()]);
  const server = await serverBrowser.newPage({ viewport: { width: 1000, height: 680 } });
  const dreamer = await dreamerBrowser.newPage({ viewport: { width: 1000, height: 680 } });
  const errors = { server: watch(server), dreamer: watch(dreamer) };
  let stopKeepAlive = () => {};
  const close = async () => {
    stopKeepAlive();
    await Promise.all([serverBrowser.close().catch(() => {}), dreamerBrowser.close().catch(() => {})]);
    await relay.close();
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    await server.goto(`${relay.url}/${o.serverQuery ? `?${o.serverQuery}` : ''}`);
    await server.getByTestId('display-name').fill('Sharer');
    await server.getByTestId('create-lobby').dispatchEvent('click');
    await server.getByTestId('lobby').waitFor({ timeout: 15_000 });
    const code = new URL(await server.getByTestId('invite-link').inputValue()).searchParams.get('lobby')!;
    await dreamer.goto(`${relay.url}/join/${code}${o.dreamerQuery ? `?${o.dreamerQuery}` : ''}`);
    await dreamer.getByTestId('join-prompt').waitFor({ timeout: 15_000 });
    await dreamer.getByTestId('join-name').fill('Dreamer');
    await dreamer.getByTestId('join-submit').dispatchEvent('click');
    await dreamer.getByTestId('lobby').waitFor({ timeout: 15_000 });
    await server.waitForFunction(() => document.querySelectorAll('[data-testid=member]').length === 2, null, {
      timeout: 15_000,
    });
    await server.getByTestId('start-game').dispatchEvent('click');
    stopKeepAlive = keepAlive(relay.lobbyByCode(code)!, new Set([0, 1]));
    for (const page of [server, dreamer])
      await page.waitForFunction(() => (window.__aikon?.state().t ?? -1) >= 2, null, { timeout: 120_000 });
    return { relay, server, dreamer, serverBrowser, dreamerBrowser, errors, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The serving player shares its dream compute; resolves once the lobby has its offer. */
export async function shareCompute(w: PeerWorld): Promise<PeerHookState> {
  await w.server.getByTestId('peer-share-toggle').dispatchEvent('click');
  await w.server.waitForFunction(() => ['on', 'error'].includes(window.__aikonPeer!.state().serving), null, {
    timeout: 120_000,
  });
  const s = await peerState(w.server);
  if (s.serving !== 'on') throw new Error(`sharing failed: ${s.message}`);
  return s;
}

/** Presses G and waits for the dream to run; a refused G (the game's notice says why) fails at once. */
export async function enterDream(page: Page, timeoutMs = 120_000): Promise<DreamHookState> {
  await page.keyboard.press('g');
  // A G that is taken leaves 'awake' in the same key event; a refused one stays there with a notice.
  const refusal = await page.evaluate(() => {
    const { notice } = window.__aikon!.state();
    return window.__aikonDream!.state().status === 'awake' ? (notice ?? 'no notice') : null;
  });
  if (refusal !== null) {
    const me = await page.evaluate(() => window.__aikon!.state().player);
    throw new Error(`G was refused: ${refusal} (player ${JSON.stringify(me)})`);
  }
  await page.waitForFunction(() => ['dreaming', 'error'].includes(window.__aikonDream!.state().status), null, {
    timeout: timeoutMs,
  });
  const s = await dreamState(page);
  if (s.status !== 'dreaming') throw new Error(`the dream did not start: ${s.message}`);
  return s;
}

/** The world simulator ended the dream (it predicted the player's death) before the step waited for. */
export class DreamEnded extends Error {
  constructor(readonly step: number) {
    super(`the dream ended at step ${step}: the world simulator predicted the player's death`);
  }
}

/** Waits until the dream's step counter reaches `step` (DreamEnded when the dream ends before). */
export async function dreamUntil(page: Page, step: number, timeoutMs = 120_000): Promise<DreamHookState> {
  try {
    await page.waitForFunction(
      (n) => {
        const s = window.__aikonDream!.state();
        return s.step >= n || s.status === 'error' || s.ended !== null;
      },
      step,
      { timeout: timeoutMs, polling: 100 },
    );
  } catch (err) {
    const s = await dreamState(page);
    const last = s.log.slice(-3).map((e) => `${e.step}@${e.shard} ${e.ms.toFixed(0)} ms`);
    throw new Error(
      `the dream did not reach step ${step}: ${s.status} on the ${s.shard} shard at ` +
        `step ${s.step}, last steps [${last.join(', ')}], failovers ` +
        `${JSON.stringify(s.failovers)}, message ${s.message} (${(err as Error).message})`,
    );
  }
  const s = await dreamState(page);
  if (s.status === 'error') throw new Error(`the dream stopped: ${s.message}`);
  if (s.step < step) throw new DreamEnded(s.step);
  return s;
}

export function percentile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
