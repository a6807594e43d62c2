/**
 * A phone in Debian's Chromium (390×844, touch and mobile emulation): the home page opens a
 * solo game by taps, the touch controls show, the virtual stick (real touch events through the
 * DevTools protocol) walks the player to a tree and the Act button collects wood. In a lobby on
 * the real relay, the host's phone pauses the world for everyone, opens and closes the help and
 * leaves, all by taps. Screenshots in test-results/touch/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { DIRECTIONS } from '@aikon/engine';
import { startRelayServer } from '@aikon/relay-server';
import { DIST, ensureBuild, keepAlive, launchChromium, REPO, realErrors, seedWithTree, serveDist } from './harness.ts';

const ARTIFACTS = join(REPO, 'test-results', 'touch');
const PHONE = { width: 390, height: 844 };

let server: Awaited<ReturnType<typeof serveDist>>;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await ensureBuild();
  server = await serveDist();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, deviceScaleFactor: 1 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const state = (page: Page) => page.evaluate(() => window.__aikon!.state());

/** Screen offsets that push the stick toward each of DIRECTIONS (left, right, up, down). */
const PUSH: readonly [number, number][] = [
  [-40, 0],
  [40, 0],
  [0, -40],
  [0, 40],
];

/**
 * A real tap (touch start and end through the DevTools protocol) on an element's centre, scrolled into view:
 * Playwright's tap() waits for animation frames, which a software-rendered world starves.
 */
async function tap(page: Page, cdp: CDPSession, testId: string): Promise<void> {
  await page.getByTestId(testId).scrollIntoViewIfNeeded();
  const box = (await page.getByTestId(testId).boundingBox())!;
  const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** Puts a finger on the stick's centre, slides it by `push`, and returns a release function. */
async function holdStick(page: Page, cdp: CDPSession, push: readonly [number, number]): Promise<() => Promise<void>> {
  const box = (await page.getByTestId('touch-stick').boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
  for (const k of [0.5, 1]) {
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchMove',
      touchPoints: [{ x: x + push[0] * k, y: y + push[1] * k }],
    });
  }
  return async () => {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  };
}

describe('touch controls on a phone', () => {
  it('taps into a solo game, walks with the stick and collects wood with the Act button', async () => {
    const target = seedWithTree();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(server.url);
    await page.getByTestId('seed-input').tap();
    await page.getByTestId('seed-input').fill(String(target.seed));
    await page.getByTestId('play-seed').tap();
    await page.getByTestId('touch-stick').waitFor({ timeout: 90_000 });
    await page.waitForFunction(() => window.__aikon!.state().firstFrameAt !== null, undefined, { timeout: 90_000 });
    // The world runs in real time (thirst included): walk at once, look around afterwards.
    // Hold the stick toward the tree until the player stands next to it, facing it (the tree
    // blocks the way, so holding on is safe). The camera starts unrotated: up is north.
    const cdp = await context.newCDPSession(page);
    const [dx, dy] = DIRECTIONS[target.dir];
    const start = (await state(page)).player!;
    const tree = { x: start.x + dx * target.distance, y: start.y + dy * target.distance };
    const release = await holdStick(page, cdp, PUSH[target.dir]);
    try {
      await page.waitForFunction(
        ({ tree, dx, dy, dir }) => {
          const p = window.__aikon!.state().player;
          return p !== null && p.x + dx === tree.x && p.y + dy === tree.y && p.facing === dir;
        },
        { tree, dx, dy, dir: target.dir },
        { timeout: 60_000, polling: 50 },
      );
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, 'phone-failed.png') });
      const s = await state(page);
      throw new Error(`the stick did not bring the player next to the tree ${JSON.stringify({ target, start, s })}`, {
        cause: err,
      });
    }
    await release();
    const moved = (await state(page)).player!;
    expect(Math.abs(moved.x - start.x) + Math.abs(moved.y - start.y)).toBe(target.distance - 1);

    // Tap Act until the wood is in the inventory.
    for (let i = 0; i < 40 && !(await state(page)).achievements.includes('collect_wood'); i++) {
      const t = (await state(page)).t;
      await tap(page, cdp, 'touch-do');
      await page.waitForFunction((t0) => window.__aikon!.state().t > t0, t, { timeout: 20_000 });
    }
    const s = await state(page);
    expect(s.achievements).toContain('collect_wood');
    expect(s.player!.inventory[5]).toBeGreaterThan(0);
    await page.waitForTimeout(500);
    // The controls sit inside the phone's screen.
    for (const id of ['touch-stick', 'touch-do', 'touch-sleep']) {
      const box = (await page.getByTestId(id).boundingBox())!;
      expect(box.x >= 0 && box.y >= 0 && box.x + box.width <= PHONE.width && box.y + box.height <= PHONE.height).toBe(
        true,
      );
    }

    // Nothing covers the stick's lower edge (the Dream button sits below it).
    const onStick = await page.evaluate(() => {
      const r = document.querySelector('[data-testid=touch-stick]')!.getBoundingClientRect();
      return document
        .elementFromPoint(r.left + r.width / 2, r.bottom - 4)
        ?.closest('[data-testid]')
        ?.getAttribute('data-testid');
    });
    expect(onStick).toBe('touch-stick');
    await page.screenshot({ path: join(ARTIFACTS, 'phone-wood.png') });
    expect(realErrors(errors)).toEqual([]);
    await page.close();
  }, 240_000);

  it("in a lobby, the host's phone pauses for everyone, opens the help and leaves, by taps", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aikon-touch-e2e-'));
    const relay = await startRelayServer({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      staticDir: DIST,
      logLevel: 'silent',
      datasetsApi: false,
      firstFrameTimeoutMs: 180_000,
    });
    const phone = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, deviceScaleFactor: 1 });
    let stopKeepAlive = () => {};
    try {
      const page = await phone.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      const cdp = await phone.newCDPSession(page);
      await page.goto(`${relay.url}/`);
      await page.getByTestId('display-name').fill('Pia');
      await tap(page, cdp, 'create-lobby');
      await page.getByTestId('lobby').waitFor({ timeout: 30_000 });
      const code = new URL(page.url()).searchParams.get('lobby')!;
      const lobby = relay.lobbyByCode(code)!;
      // The test is about the buttons, not survival: the host's vitals stay full on the server.
      stopKeepAlive = keepAlive(lobby, new Set([0]));
      await tap(page, cdp, 'start-game');
      await page.waitForFunction(() => window.__aikon!.state().firstFrameAt !== null, undefined, { timeout: 120_000 });
      await page.getByTestId('touch-stick').waitFor({ timeout: 30_000 });
      await page.waitForTimeout(500);

      // Pause, Help and Leave: inside the screen, and nothing covers their centres.
      const reachable = () =>
        page.evaluate(
          ({ ids, width, height }) =>
            ids.map((id) => {
              const el = document.querySelector(`[data-testid=${id}]`);
              if (!el) return `${id}: missing`;
              const r = el.getBoundingClientRect();
              if (r.left < 0 || r.top < 0 || r.right > width || r.bottom > height) return `${id}: off screen`;
              if (r.height < 28) return `${id}: ${r.height}px tall, too small for a finger`;
              const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
              return el.contains(top) ? 'ok' : `${id}: covered by ${top?.outerHTML.slice(0, 80)}`;
            }),
          { ids: ['pause', 'help-open', 'quit'], ...PHONE },
        );
      expect(await reachable()).toEqual(['ok', 'ok', 'ok']);
      expect(await page.getByTestId('quit').textContent()).toBe('Leave');
      await page.screenshot({ path: join(ARTIFACTS, 'phone-lobby.png') });

      // Pause: the server's world stops for everyone; Resume starts it again.
      await tap(page, cdp, 'pause');
      await expect.poll(() => lobby.state().config.paused === true, { timeout: 15_000 }).toBe(true);
      await page.getByTestId('paused').waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('paused').textContent()).toBe('Paused by the host');
      const pausedAt = lobby.world!.t;
      await page.waitForTimeout(1000);
      expect(lobby.world!.t).toBe(pausedAt);
      await page.screenshot({ path: join(ARTIFACTS, 'phone-lobby-paused.png') });
      await tap(page, cdp, 'resume');
      await expect.poll(() => lobby.state().config.paused === true, { timeout: 15_000 }).toBe(false);
      await expect.poll(() => lobby.world!.t, { timeout: 15_000 }).toBeGreaterThan(pausedAt);

      // Help: it fits the phone's width, and its button closes it.
      await tap(page, cdp, 'help-open');
      const help = page.getByTestId('help');
      await help.waitFor({ timeout: 15_000 });
      const box = (await help.boundingBox())!;
      expect(box.x >= 0 && box.x + box.width <= PHONE.width).toBe(true);
      expect(await page.getByTestId('help-touch').textContent()).toMatch(/stick/);
      await page.screenshot({ path: join(ARTIFACTS, 'phone-lobby-help.png') });
      await tap(page, cdp, 'help-close');
      await help.waitFor({ state: 'detached', timeout: 15_000 });

      // Leave: back on the home page, and the server has let the member go.
      await tap(page, cdp, 'quit');
      await page.getByTestId('play-new').waitFor({ timeout: 30_000 });
      await expect.poll(() => lobby.state().members.length, { timeout: 15_000 }).toBe(0);
      expect(realErrors(errors)).toEqual([]);
    } finally {
      stopKeepAlive();
      await phone.close();
      await relay.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
