/**
 * The solo game a newcomer plays in Chromium: saved in the browser and continued after a refresh
 * (same step, inventory and state hash), and a damaged or old-format save refused with a message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { calmSeed, ensureBuild, launchChromium, REPO, serveDist } from './harness.ts';

const ARTIFACTS = join(REPO, 'test-results', 'solo');

let server: Awaited<ReturnType<typeof serveDist>>;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await ensureBuild();
  server = await serveDist();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage(path = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(server.url + path, { timeout: 120_000 });
  return { page, errors };
}

const state = (page: Page) => page.evaluate(() => window.__aikon!.state());

/** Writes a record into the game's save slot, as a damaged browser profile or an old version would have. */
async function plantSave(page: Page, record: Record<string, unknown>): Promise<void> {
  await page.evaluate(
    (record) =>
      new Promise<void>((resolve, reject) => {
        // The game's database at whatever version the page has opened it (stores made if it has not yet).
        const open = indexedDB.open('aikon');
        open.onupgradeneeded = () => open.result.createObjectStore('solo-save');
        open.onsuccess = () => {
          const tx = open.result.transaction('solo-save', 'readwrite');
          const snapshot = record.snapshot === 'bytes' ? new Uint8Array(3000).fill(7) : record.snapshot;
          tx.objectStore('solo-save').put({ ...record, snapshot }, 'current');
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
        open.onerror = () => reject(open.error);
      }),
    record,
  );
}

describe('solo game in Chromium', () => {
  it('is saved while it runs and continued after a refresh at the same step, inventory and hash', async () => {
    const seed = calmSeed(11, 250);
    const { page, errors } = await openPage(`?seed=${seed}`);
    await page.waitForFunction(() => window.__aikon!.state().t >= 1, undefined, { timeout: 90_000 });
    // The page's main thread is slow on a loaded machine while the worker ticks on at 8 steps/s,
    // so the test sets its world with the script hook (a fresh world on the seed stepped with
    // these actions, paused), then lets it run and pauses it.
    const actions = Array.from({ length: 60 }, (_, i) => [3, 3, 5, 5, 1, 4, 2, 0][i % 8]);
    const scripted = await page.evaluate(({ seed, actions }) => window.__aikon!.script(seed, actions), {
      seed,
      actions,
    });
    await page.keyboard.press('Escape'); // resume
    // Saved every few seconds while it runs...
    await page.waitForFunction((t) => (window.__aikon!.state().savedT ?? 0) > t, scripted.t, { timeout: 60_000 });
    // ...and at once when paused; the HUD says which step is saved.
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => window.__aikon!.state().framePaused, undefined, { timeout: 60_000 });
    await page.waitForFunction(() => window.__aikon!.state().savedT === window.__aikon!.state().t, undefined, {
      timeout: 60_000,
    });
    const before = await state(page);
    const hashBefore = await page.evaluate(() => window.__aikon!.hash());
    expect(await page.getByTestId('hud-saved').textContent()).toBe(`saved · step ${before.t}`);

    // A refresh (the seed is still in the address) offers the saved game instead of starting afresh.
    await page.reload();
    const offer = page.getByTestId('continue-solo');
    await offer.waitFor({ timeout: 30_000 });
    expect(await offer.textContent()).toBe(`Continue your solo game (seed ${seed}, step ${before.t})`);
    expect((await state(page)).screen).toBe('home');
    expect(await page.getByTestId('seed-input').inputValue()).toBe(String(seed));
    await page.screenshot({ path: join(ARTIFACTS, 'continue-offer.png') });

    await offer.click();
    await page.waitForFunction(() => window.__aikon!.state().firstFrameAt !== null, undefined, { timeout: 90_000 });
    const after = await state(page);
    expect(after.screen).toBe('game');
    expect(after.paused).toBe(true); // a returning player looks around before anything moves
    expect(after.t).toBe(before.t);
    expect(after.player).toEqual(before.player);
    expect(after.achievements).toEqual(before.achievements);
    expect(await page.evaluate(() => window.__aikon!.hash())).toEqual(hashBefore);
    expect(new URL(page.url()).searchParams.get('seed')).toBe(String(seed));
    await page.screenshot({ path: join(ARTIFACTS, 'continued.png') });

    // It plays on from there.
    await page.keyboard.press('Escape');
    await page.waitForFunction((t0) => window.__aikon!.state().t > t0, before.t, { timeout: 60_000 });
    // Quit with steps played since the last save: leaving saves them, so the offer is for a later
    // step than any save the game had reported.
    await page.waitForFunction(() => window.__aikon!.state().t > (window.__aikon!.state().savedT ?? 0), undefined, {
      timeout: 30_000,
    });
    const played = await state(page);
    await page.getByTestId('quit').dispatchEvent('click');
    const offered = await page.getByTestId('continue-solo').textContent({ timeout: 30_000 });
    const offeredT = Number(/step (\d+)\)/.exec(offered ?? '')?.[1]);
    expect(offeredT).toBeGreaterThanOrEqual(played.t);
    expect(errors).toEqual([]);
    await page.close();
  }, 400_000); // two first frames of the 3D world: minutes on a loaded machine

  it('refuses a damaged or old-format save with a message, loads nothing, and can discard it', async () => {
    const { page, errors } = await openPage();
    await page.getByTestId('play-new').waitFor();
    const base = { seed: 5, t: 40, savedAt: Date.now(), engineVersion: 'test' };

    await plantSave(page, { ...base, version: 1, snapshot: 'bytes' });
    await page.reload();
    const message = page.getByTestId('save-error');
    await message.waitFor({ timeout: 30_000 });
    expect(await message.textContent()).toMatch(/damaged \(invalid world snapshot: .*\); it cannot be continued/);
    expect(await page.getByTestId('continue-solo').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'damaged-save.png') });

    await plantSave(page, { ...base, version: 99, snapshot: 'bytes' });
    await page.reload();
    await message.waitFor({ timeout: 30_000 });
    expect(await message.textContent()).toMatch(/another version of AI-KON \(save format 99/);
    await page.getByTestId('discard-save').click();
    await message.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByTestId('play-new').waitFor();
    await page.waitForTimeout(500);
    expect(await page.getByTestId('save-error').count()).toBe(0);
    expect(await page.getByTestId('continue-solo').count()).toBe(0);
    expect((await state(page)).screen).toBe('home');
    expect(errors).toEqual([]);
    await page.close();
  });
  it('800×500, 15-digit seed: the top bar, the agent view and the Build & craft panel do not overlap', async () => {
    const seed = calmSeed(123456789012345, 300);
    expect(String(seed)).toHaveLength(15);
    const page = await browser.newPage({ viewport: { width: 800, height: 500 } });
    await page.goto(`${server.url}?seed=${seed}`, { timeout: 120_000 });
    await page.waitForFunction(() => window.__aikon!.state().firstFrameAt !== null, undefined, { timeout: 90_000 });
    // Paused, the game is saved at once: the bar shows its widest text (step, seed and "saved · step N").
    await page.keyboard.press('Escape');
    await page.getByTestId('hud-saved').waitFor({ timeout: 60_000 });
    await page.getByTestId('resume').click();
    expect(await page.getByTestId('hud-seed').textContent()).toBe(`seed ${seed}`);
    // The Build & craft panel open (all its recipes) is the widest it gets.
    await page.getByTestId('craft-toggle').click();
    await page.waitForTimeout(300);
    const boxes = await page.evaluate(() =>
      ['hud-top', 'hud-left', 'hud-right'].map((id) => {
        const r = document.querySelector(`[data-testid=${id}]`)!.getBoundingClientRect();
        return { id, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      }),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'long-seed-800x500.png') });
    for (const a of boxes) {
      expect(a.left >= 0 && a.right <= 800, `${a.id} inside the window`).toBe(true);
      for (const b of boxes) {
        if (a.id >= b.id) continue;
        const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
        expect(apart, `${a.id} and ${b.id} overlap: ${JSON.stringify([a, b])}`).toBe(true);
      }
    }
    await page.close();
  }, 240_000);
});
