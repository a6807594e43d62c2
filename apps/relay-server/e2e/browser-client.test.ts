import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { connectClient, startTestServer, waitFor } from '../test/helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const CLIENT = fileURLToPath(new URL('../../../packages/protocol/src/client.ts', import.meta.url));

// The framework-free client helper in a real browser: msgpack binary arrives as ArrayBuffer,
// snapshots restore, deltas apply, actions are acknowledged.
describe.skipIf(!existsSync(CHROMIUM))('@aikon/protocol/client in Chromium', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  let bundle: string;
  beforeAll(async () => {
    server = await startTestServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    const out = await build({
      entryPoints: [CLIENT],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'AikonRelay',
      platform: 'browser',
      target: 'es2022',
    });
    bundle = out.outputFiles[0].text;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  it('creates a lobby, restores the snapshot, applies deltas, has actions acked; a Node client joins too', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/healthz`);
    await page.addScriptTag({ content: bundle });
    const result = await page.evaluate(async (url) => {
      const { createRelayClient } = (
        window as unknown as { AikonRelay: typeof import('../../../packages/protocol/src/client.ts') }
      ).AikonRelay;
      const client = createRelayClient(url, { resumeStorage: window.sessionStorage });
      await client.connect();
      const joined = await client.createLobby({ name: 'Browser' });
      await client.start();
      const until = (f: () => boolean) =>
        new Promise<void>((resolve, reject) => {
          const t0 = Date.now();
          const poll = () =>
            f() ? resolve() : Date.now() - t0 > 10_000 ? reject(new Error('timeout')) : setTimeout(poll, 20);
          poll();
        });
      await until(() => client.mirror.self !== null);
      const seqs: number[] = [];
      for (let i = 0; i < 6; i++) {
        seqs.push(client.sendAction(i % 2 ? 'move_left' : 'move_down'));
        await new Promise((r) => setTimeout(r, 140));
      }
      await until(() => (client.mirror.self?.ack ?? -1) >= seqs[seqs.length - 1]);
      (window as unknown as { relay: unknown }).relay = client;
      return {
        code: joined.lobby.code,
        token: window.sessionStorage.getItem('aikon.resume'),
        t: client.mirror.t,
        players: client.mirror.players().length,
        materialTiles: client.mirror.material.length,
        me: client.mirror.me(),
      };
    }, server.url);
    expect(errors).toEqual([]);
    expect(result.players).toBe(1);
    expect(result.materialTiles).toBe(4096);
    expect(result.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(result.t).toBeGreaterThan(3);
    const lobby = server.lobbyByCode(result.code)!;
    const body = lobby.world!.findPlayer(0)!;
    expect(result.me!.id).toBe(body.id);
    const node = await connectClient(server.url);
    await node.joinLobby(result.code, { name: 'Node' });
    await waitFor(() => node.mirror.player(0), 5000, 'node sees the browser player');
    expect(node.mirror.player(0)!.id).toBe(body.id);
    // The browser sees the Node player arrive through its deltas.
    await page.waitForFunction(
      () => (window as unknown as { relay: { mirror: { players(): unknown[] } } }).relay.mirror.players().length === 2,
      null,
      { timeout: 10_000 },
    );
    node.close();
    await page.close();
  });
});
