/**
 * Solo recording in Debian's Chromium against the real relay (in-process, 127.0.0.1, serving a
 * private build): the record box is off by default; a game played with keys after ticking it is
 * kept while the relay cannot be reached (the home page says it waits), uploaded on the next visit,
 * and listed in /api/datasets/sessions as a verified solo session whose human episode has the
 * steps the game ran; games played without ticking it upload nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startRelayServer, type RelayServer } from '@aikon/relay-server';
import { buildPrivateDist, calmSeed, launchChromium, realErrors, REPO } from './harness.ts';

const ARTIFACTS = join(REPO, 'test-results', 'solo-recording');
const tmp = mkdtempSync(join(tmpdir(), 'aikon-solorec-e2e-'));
const DIST = join(tmp, 'dist');

let relay: RelayServer;
let browser: Browser;

interface SessionsAnswer {
  sessions: { id: string; kind: string; ticks: number; verified: boolean; complete: boolean; episodes: number }[];
}
const sessions = async () =>
  ((await (await fetch(`${relay.url}/api/datasets/sessions`)).json()) as SessionsAnswer).sessions;

const state = (page: Page) => page.evaluate(() => window.__aikon!.state());

/** Starts a solo game from the home page on `seed`, with the record box as the player leaves it or ticks it. */
async function playSeed(page: Page, seed: number, tick: boolean): Promise<void> {
  const box = page.getByTestId('record-solo');
  await box.waitFor({ timeout: 60_000 });
  expect(await box.isChecked()).toBe(false); // off unless the player ticks it
  if (tick) await box.check();
  await page.getByTestId('seed-input').fill(String(seed));
  await page.getByTestId('play-seed').click();
  await page.waitForFunction(() => window.__aikon!.state().t >= 1, undefined, { timeout: 180_000 });
}

/** Plays a few steps with keys, pauses (which saves at once) and returns the step the game stopped at. */
async function playAndPause(page: Page, minSteps: number): Promise<number> {
  for (const key of ['KeyD', 'KeyD', 'KeyS', 'KeyA', 'Space', 'KeyW']) await page.keyboard.press(key);
  await page.waitForFunction((n) => window.__aikon!.state().t >= n, minSteps, { timeout: 120_000 });
  await page.keyboard.press('Escape');
  try {
    await page.waitForFunction(
      () => window.__aikon!.state().framePaused && window.__aikon!.state().savedT === window.__aikon!.state().t,
      undefined,
      { timeout: 60_000 },
    );
  } catch (error) {
    await page.screenshot({ path: join(ARTIFACTS, 'not-saved.png') });
    const saved = page.getByTestId('hud-saved');
    const why = (await saved.count()) > 0 ? await saved.getAttribute('title') : 'no save reported';
    throw new Error(`the paused game was not saved (${why}; ${JSON.stringify(await state(page))})`, { cause: error });
  }
  return (await state(page)).t;
}

/** The recorded games waiting in this browser's upload queue (IndexedDB). */
const queued = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('aikon');
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('solo-logs')) {
            db.close();
            return resolve(0);
          }
          const request = db.transaction('solo-logs').objectStore('solo-logs').count();
          request.onsuccess = () => {
            db.close();
            resolve(request.result);
          };
          request.onerror = () => reject(request.error);
        };
        open.onerror = () => reject(open.error);
      }),
  );

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await buildPrivateDist(DIST);
  relay = await startRelayServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(tmp, 'data'),
    staticDir: DIST,
    logLevel: 'silent',
  });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await relay?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('solo recording in Chromium', () => {
  it('a recorded game waits offline, uploads as a solo session next visit; an unrecorded one does not', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    // The relay cannot be reached at first: the upload fails as it would offline.
    await page.route('**/api/solo-logs', (route) => route.abort('internetdisconnected'));
    await page.goto(relay.url);
    await page.getByTestId('record-solo').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'home-record-box.png') });

    // 1. Recorded: played with keys, paused, left.
    await playSeed(page, calmSeed(21, 300), true);
    const recordedT = await playAndPause(page, 30);
    await page.screenshot({ path: join(ARTIFACTS, 'recorded-game-paused.png') });
    await page.getByTestId('quit').dispatchEvent('click');
    await page.getByTestId('continue-solo').waitFor({ timeout: 30_000 });
    expect(await page.getByText('recorded: uploads when it ends').count()).toBe(1);
    expect(await sessions()).toEqual([]); // a saved game is not over: nothing is sent yet

    // 2. A new game, not recorded, replaces it: the recorded game ends there and joins the upload queue.
    await playSeed(page, calmSeed(40, 300), false);
    const unrecordedT = await playAndPause(page, 5);
    expect(unrecordedT).toBeGreaterThanOrEqual(5);
    await page.getByTestId('quit').dispatchEvent('click');
    const waiting = page.getByTestId('solo-uploads');
    await page.waitForFunction(
      () =>
        /1 recorded solo game waits to upload: the relay could not be reached/.test(
          document.querySelector('[data-testid=solo-uploads]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 30_000 },
    );
    await page.screenshot({ path: join(ARTIFACTS, 'waiting-offline.png') });
    expect(await queued(page)).toBe(1);
    expect(await sessions()).toEqual([]);

    // 3. Online again: the next visit uploads it and the queue empties.
    await page.unroute('**/api/solo-logs');
    await page.reload();
    await page.getByTestId('record-solo').waitFor({ timeout: 60_000 });
    // The notice is absent until the page has read its queue, so its absence alone proves nothing:
    // wait for the queue to empty, then for the notice to be gone.
    await expect.poll(() => queued(page), { timeout: 60_000, interval: 250 }).toBe(0);
    await waiting.waitFor({ state: 'detached', timeout: 30_000 });
    const listed = await sessions();
    expect(listed).toEqual([
      expect.objectContaining({ kind: 'solo', ticks: recordedT, verified: true, complete: true, episodes: 1 }),
    ]);
    const episodes = (await (await fetch(`${relay.url}/api/datasets/episodes?sessions=${listed[0].id}`)).json()) as {
      episodes: { kind: string; length: number; endReason: string }[];
    };
    expect(episodes.episodes).toEqual([expect.objectContaining({ kind: 'human', length: recordedT })]);

    // 4. Opt-out: the unrecorded game is replaced in turn by another unrecorded one; nothing is queued or sent.
    await page.getByTestId('continue-solo').waitFor({ timeout: 30_000 });
    await playSeed(page, calmSeed(60, 300), false);
    await playAndPause(page, 3);
    await page.getByTestId('quit').dispatchEvent('click');
    await page.getByTestId('continue-solo').waitFor({ timeout: 30_000 });
    expect(await queued(page)).toBe(0);
    expect(await page.getByTestId('solo-uploads').count()).toBe(0);
    expect((await sessions()).length).toBe(1);
    expect(realErrors(errors)).toEqual([]);
    await page.close();
  }, 900_000); // three first frames of the 3D world: minutes on a loaded machine
});
