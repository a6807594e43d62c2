/**
 * Spectating in Debian's Chromium against the real relay (in-process, random 127.0.0.1 port)
 * serving a private build: the host follows an AI worker from the workforce dock while alive,
 * returns the camera, then dies and watches the worker from the folded death dialog; the 3D
 * camera's focus (the tile it centres on) moves with the worker. Screenshots in
 * test-results/spectate/.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startRelayServer, type RelayServer } from '@aikon/relay-server';
import { keepAlive, launchChromium, realErrors, REPO } from './harness.ts';

const ARTIFACTS = join(REPO, 'test-results', 'spectate');
const tmp = mkdtempSync(join(tmpdir(), 'aikon-spectate-e2e-'));
const DIST = join(tmp, 'dist');

let relay: RelayServer;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const { build } = await import('vite');
  await build({
    configFile: join(REPO, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: DIST, emptyOutDir: true },
  });
  relay = await startRelayServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(tmp, 'data'),
    staticDir: DIST,
    logLevel: 'silent',
    datasetsApi: false,
  });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
});

afterAll(async () => {
  await browser?.close();
  await relay?.close();
  rmSync(tmp, { recursive: true, force: true });
});

type Tile = { x: number; y: number };
const distance = (a: Tile, b: Tile) => Math.hypot(a.x - b.x, a.y - b.y);

/** The camera's focus and where this client last saw `slot` (both in map tiles). */
function look(slot: number): Promise<{ camera: Tile | null; following: number | null; seen: Tile | null }> {
  return page.evaluate((s) => {
    const state = window.__aikon!.state();
    const body = window.__aikonNet!.state().mirror?.players.find((p) => p.slot === s) ?? null;
    return { camera: state.camera, following: state.following, seen: body && { x: body.x, y: body.y } };
  }, slot);
}

/**
 * Samples the camera while `slot` moves: it keeps catching up with where the client last saw
 * the body (within a tile and a half, each time within 10 s: rendering is slow on a loaded
 * machine), and between the first and the last catch-up it travelled at least 3 tiles.
 */
async function expectCameraFollows(slot: number, label: string): Promise<void> {
  const caught: Tile[] = [];
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    let last = '';
    const until = Date.now() + 10_000;
    for (;;) {
      const { camera, following, seen } = await look(slot);
      expect(following, label).toBe(slot);
      last = `camera ${JSON.stringify(camera)}, body ${JSON.stringify(seen)}`;
      if (camera && seen && distance(camera, seen) <= 1.5) {
        caught.push(camera);
        break;
      }
      if (Date.now() > until) throw new Error(`${label}: the camera did not catch up within 10 s: ${last}`);
      await page.waitForTimeout(100);
    }
    if (distance(caught[0], caught[caught.length - 1]) >= 3) return;
    await page.waitForTimeout(500);
  }
  throw new Error(`${label}: the camera did not move 3 tiles with slot ${slot}: ${JSON.stringify(caught)}`);
}

describe('spectate in Chromium', () => {
  it('the host follows a worker from the dock, and again while dead; the camera moves with it', async () => {
    await page.goto(`${relay.url}/`);
    await page.getByTestId('display-name').fill('Hana');
    await page.getByTestId('create-lobby').click();
    await page.getByTestId('lobby').waitFor({ timeout: 15_000 });
    const code = new URL(await page.getByTestId('invite-link').inputValue()).searchParams.get('lobby')!;
    const lobby = relay.lobbyByCode(code)!;
    lobby.configure({ seed: 3 });
    await page.getByTestId('worker-name').fill('Ada');
    await page.getByTestId('add-worker').click();
    await page.locator('[data-testid=worker][data-name=Ada]').waitFor({ timeout: 10_000 });
    await page.getByTestId('start-game').click();
    await page.getByTestId('game').waitFor({ timeout: 20_000 });
    const slotOf = (name: string) => lobby.state().members.find((m) => m.name === name)!.slot!;
    await expect.poll(() => lobby.world !== null && slotOf('Ada') !== null, { timeout: 30_000 }).toBe(true);
    const host = slotOf('Hana');
    const ada = slotOf('Ada');
    const alive = new Set([host, ada]);
    onTestFinished(keepAlive(lobby, alive));
    await page.waitForFunction(() => window.__aikon!.state().camera !== null, null, { timeout: 60_000 });

    // Alive, by choice: "follow" on the worker's row in the dock, then a goal that walks it to trees.
    await page.getByTestId('workforce-toggle').click();
    await page.getByTestId('follow-worker-Ada').click();
    await page.getByTestId('spectate-bar').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('spectate-name').textContent()).toBe('Ada');
    await page.getByTestId('goal-text').fill('collect wood 5');
    await page.getByTestId('goal-submit').click();
    await page.getByTestId('workforce-toggle').click(); // folded: the dock would hide the middle of the view
    await expectCameraFollows(ada, 'alive, following Ada');
    await page.screenshot({ path: join(ARTIFACTS, 'following-worker.png') });

    // Back to me: the camera returns to the host's own body.
    await page.getByTestId('spectate-stop').click();
    await expect
      .poll(
        async () => {
          const { camera, following, seen } = await look(host);
          return following === null && camera !== null && seen !== null && distance(camera, seen) <= 1.5;
        },
        { timeout: 15_000 },
      )
      .toBe(true);

    // Dead: the death dialog offers to watch; it folds into the bar and the camera follows Ada.
    alive.delete(host);
    lobby.world!.findPlayer(host)!.inventory[0] = 0;
    await page.getByTestId('respawn-screen').waitFor({ timeout: 45_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'death-dialog.png') });
    await page.getByTestId('spectate-start').click();
    await page.getByTestId('respawn-screen').waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.getByTestId('spectate-bar').textContent()).toMatch(/You are down.*Watching Ada/);
    if (lobby.workforce.state().workers.find((w) => w.name === 'Ada')?.status !== 'working') {
      await page.getByTestId('workforce-toggle').click();
      await page.getByTestId('goal-text').fill('collect wood 9');
      await page.getByTestId('goal-submit').click();
      await page.getByTestId('workforce-toggle').click();
    }
    await expectCameraFollows(ada, 'dead, watching Ada');
    await page.screenshot({ path: join(ARTIFACTS, 'dead-watching-worker.png') });

    // Respawn from the bar: a new life brings the camera home.
    alive.add(host);
    await page.getByTestId('respawn').click();
    await expect.poll(async () => (await look(host)).following, { timeout: 45_000 }).toBeNull();
    await page.getByTestId('spectate-bar').waitFor({ state: 'detached', timeout: 10_000 });
    expect(realErrors(errors)).toEqual([]);
  }, 240_000);
});
