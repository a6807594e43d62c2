/**
 * The autopilot in Debian's Chromium: a solo game, O hands the character to the learned policy
 * (onnxruntime-web in a Web Worker), it acts with no key pressed, an arrow key takes it back at
 * once; a policy that cannot load says why.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedPolicy, parseManifest } from '@aikon/world-model';
import { calmSeed, ensureBuild, launchChromium, REPO, realErrors, serveDist } from './harness.ts';

const ARTIFACTS = join(REPO, 'test-results', 'autopilot');
const MANIFEST = join(REPO, 'models', 'manifest.json');
type HookState = ReturnType<NonNullable<Window['__aikon']>['state']>;

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

/**
 * Opens a solo game and pauses it at once: on a loaded machine the page and the policy can take
 * minutes to load, and a character left standing that long dies of thirst.
 */
async function openSolo(seed: number, query = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 800, height: 500 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`${server.url}?seed=${seed}${query}`, { timeout: 120_000 });
  await page.waitForFunction(() => (window.__aikon?.state().t ?? -1) >= 0, undefined, { timeout: 120_000 });
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.__aikon!.state().framePaused, undefined, { timeout: 30_000 });
  return { page, errors };
}

const state = (page: Page): Promise<HookState> => page.evaluate(() => window.__aikon!.state());

/** Waits for a tick after `after`; a timeout says where the game stood. */
async function waitForTick(page: Page, after: number, ms = 60_000): Promise<void> {
  try {
    await page.waitForFunction((t) => window.__aikon!.state().t > t, after, { timeout: ms });
  } catch {
    throw new Error(`no tick after ${after} within ${ms / 1000} s: ${JSON.stringify(await state(page))}`);
  }
}

describe('autopilot in Chromium', () => {
  it('O hands the character to the policy, which acts without keys; an arrow key takes it back at once', async () => {
    const seed = calmSeed(300, 200);
    const { page, errors } = await openSolo(seed);
    await page.keyboard.press('KeyO');
    const badge = page.getByTestId('autopilot');
    await badge.waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="autopilot"][data-status="on"]').waitFor({ timeout: 240_000 });
    // Paused: the autopilot waits too.
    expect((await state(page)).autopilot.decisions).toBe(0);
    await page.keyboard.press('Escape');
    const on = await state(page);
    expect(await badge.textContent()).toContain(`Autopilot: ${on.autopilot.model} — press O to take back`);
    expect(on.autopilot.model).toBe(deployedPolicy(parseManifest(JSON.parse(readFileSync(MANIFEST, 'utf8')))).name);

    // Sample every tick while it flies: the actions the body took are the autopilot's.
    const start = on;
    const taken: number[] = [];
    let s = on;
    // Decisions come as fast as the page's main thread hands frames and replies on: under software
    // WebGL on a loaded machine that is one every few ticks (the late ones are noops, counted).
    while (s.autopilot.decisions < 10 && s.t < start.t + 320) {
      await waitForTick(page, s.t);
      s = await state(page);
      taken.push(s.action);
    }
    expect(s.autopilot.status).toBe('on');
    expect(s.autopilot.decisions).toBeGreaterThanOrEqual(10);
    // No key was pressed: every non-noop action the body took was the autopilot's (on a loaded
    // machine many ticks pass between decisions, so most samples are noops).
    expect(taken.some((a) => a !== 0)).toBe(true);
    const moved = s.player!.x !== start.player!.x || s.player!.y !== start.player!.y;
    const gained = s.player!.inventory.some((v, i) => i >= 4 && v > start.player!.inventory[i]);
    expect(moved || gained).toBe(true);
    writeFileSync(join(ARTIFACTS, 'flying.png'), await page.screenshot({ timeout: 120_000 }));
    const stats = (await page.getByTestId('autopilot-stats').textContent()) ?? '';
    expect(stats).toMatch(/\d+ decisions/);
    console.log(`autopilot over ${s.t - start.t} ticks: ${stats}; sampled actions ${taken.join(',')}`);

    // An arrow key: off in the same key event, then no more decisions (not even one in flight).
    await page.keyboard.press('ArrowUp');
    const back = await state(page);
    expect(back.autopilot.status).toBe('off');
    await badge.waitFor({ state: 'detached', timeout: 10_000 });
    await waitForTick(page, back.t + 4);
    const after = await state(page);
    expect(after.autopilot.decisions).toBe(back.autopilot.decisions);
    expect(after.action).toBe(0); // no key, no pilot: noop
    writeFileSync(join(ARTIFACTS, 'taken-back.png'), await page.screenshot({ timeout: 120_000 }));

    // The same key hands over again and takes back again.
    await page.keyboard.press('KeyO');
    // The policy starts again in its worker: on a saturated machine that took over 30 s once.
    await page.locator('[data-testid="autopilot"][data-status="on"]').waitFor({ timeout: 120_000 });
    await page.keyboard.press('KeyO');
    expect((await state(page)).autopilot.status).toBe('off');
    expect(realErrors(errors)).toEqual([]);
    await page.close();
  }, 600_000);

  it('a policy that cannot load is shown, not swallowed; an action key clears it', async () => {
    const { page } = await openSolo(calmSeed(300, 200), '&autopilotModel=no-such-policy');
    await page.keyboard.press('KeyO');
    const failed = page.locator('[data-testid="autopilot"][data-status="error"]');
    await failed.waitFor({ timeout: 240_000 });
    expect(await failed.textContent()).toContain(
      'Autopilot failed: the policy did not load: no policy named no-such-policy in the manifest — ' +
        'press O to try again',
    );
    writeFileSync(join(ARTIFACTS, 'load-failed.png'), await page.screenshot({ timeout: 120_000 }));
    await page.keyboard.press('ArrowDown');
    expect((await state(page)).autopilot.status).toBe('off');
    await failed.waitFor({ state: 'detached', timeout: 10_000 });
    await page.close();
  }, 400_000);
});
