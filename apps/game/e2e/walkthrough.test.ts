/**
 * The "new user" walkthrough in Chromium, keyboard only: from the home page (Tab to the speed
 * slider, slow it down, type a seed, Enter) into a solo game, three trees' wood, a table, and
 * the wood pickaxe, read back from the HUD's own achievement list. The key sequence was found
 * ahead of time by a breadth-first search over the seed's map (nearest tree, face it, Space;
 * three times; T places the table on the last tree's grass; 1 makes the pickaxe) and is
 * checked against the engine in Node before the browser plays it. Screenshots in
 * test-results/walkthrough/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { Action, ACHIEVEMENTS, Item, World } from '@aikon/engine';
import { ensureBuild, launchChromium, REPO, realErrors, serveDist } from './harness.ts';

const ARTIFACTS = join(REPO, 'test-results', 'walkthrough');

/** Seed 31: four steps left to a tree, one down, two left; the table goes where the last tree stood. */
const SEED = 31;
const KEYS = ['KeyA', 'KeyA', 'KeyA', 'KeyA', 'Space', 'KeyS', 'Space', 'KeyA', 'KeyA', 'Space', 'KeyT', 'Digit1'];
/** Each key's action, DOM key and Windows key code (for the DevTools protocol's key events). */
const KEY_INFO: Record<string, { action: number; key: string; keyCode: number }> = {
  KeyA: { action: Action.move_left, key: 'a', keyCode: 65 },
  KeyD: { action: Action.move_right, key: 'd', keyCode: 68 },
  KeyW: { action: Action.move_up, key: 'w', keyCode: 87 },
  KeyS: { action: Action.move_down, key: 's', keyCode: 83 },
  Space: { action: Action.do, key: ' ', keyCode: 32 },
  KeyT: { action: Action.place_table, key: 't', keyCode: 84 },
  Digit1: { action: Action.make_wood_pickaxe, key: '1', keyCode: 49 },
  Escape: { action: Action.noop, key: 'Escape', keyCode: 27 },
};
/** The slowest solo speed (ticks/s): a newcomer reading the screen slows the world down. */
const SLOWEST = 5;

interface Expected {
  x: number;
  y: number;
  facing: number;
  wood: number;
  achievements: string[];
}

/**
 * The player after each key, from the engine in Node (creatures can differ in the browser; the player's path cannot).
 */
function expectedAfterEachKey(): Expected[] {
  const world = World.generate({ seed: SEED });
  const player = world.addPlayer({ slot: 0 });
  return KEYS.map((key) => {
    world.step([KEY_INFO[key].action]);
    return {
      x: player.x,
      y: player.y,
      facing: player.facing,
      wood: player.inventory[Item.wood],
      achievements: ACHIEVEMENTS.filter((_, i) => player.achievements[i] > 0),
    };
  });
}

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
 * Short taps: each key down and up, all sent at once through the DevTools protocol (in order).
 * Playwright's press() waits for the page between down and up, and a software-rendered frame
 * there can outlast a tick, which the game rightly reads as a held key (a second step).
 */
async function tapKeys(cdp: CDPSession, codes: readonly string[]): Promise<void> {
  await Promise.all(
    codes.flatMap((code) => {
      const { key, keyCode } = KEY_INFO[code];
      const event = { code, key, windowsVirtualKeyCode: keyCode };
      return [
        cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...event }),
        cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...event }),
      ];
    }),
  );
}

const paused = (page: Page) =>
  page.waitForFunction(() => window.__aikon!.state().framePaused, undefined, { timeout: 60_000, polling: 20 });

/** The move key one tile from `from` toward `to` (horizontal first). */
function stepToward(from: { x: number; y: number }, to: { x: number; y: number }): string {
  if (to.x !== from.x) return to.x < from.x ? 'KeyA' : 'KeyD';
  return to.y < from.y ? 'KeyW' : 'KeyS';
}

const state = (page: Page) => page.evaluate(() => window.__aikon!.state());

/** Presses Tab until the focused element has this test id (a newcomer's way through a form). */
async function tabTo(page: Page, testId: string, shift = false): Promise<void> {
  for (let i = 0; i < 20; i++) {
    if (await page.evaluate((id) => document.activeElement?.getAttribute('data-testid') === id, testId)) return;
    await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached ${testId}`);
}

describe('a new user, keyboard only', () => {
  it('plays solo from the home page to make_wood_pickaxe', async () => {
    const expected = expectedAfterEachKey();
    // The stored plan does what it says on the seed (else the search or the engine changed).
    expect(expected.at(-1)!.achievements).toContain('make_wood_pickaxe');

    const page = await browser.newPage({ viewport: { width: 1024, height: 640 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(server.url, { timeout: 120_000 });
    await page.getByTestId('play-new').waitFor({ timeout: 60_000 });
    // The pace is told before the game starts (issue 15 #9: a newcomer reading the screen died idle).
    expect(await page.getByTestId('solo-pace').textContent()).toMatch(/Real-time: the world runs on .*Esc pauses/);

    // Home page: slow the world down, type the seed, Enter.
    await tabTo(page, 'speed');
    const rate = Number(await page.getByTestId('speed').inputValue());
    for (let r = rate; r > SLOWEST; r--) await page.keyboard.press('ArrowLeft');
    expect(await page.getByTestId('speed').inputValue()).toBe(String(SLOWEST));
    await tabTo(page, 'seed-input', true);
    await page.keyboard.type(String(SEED));
    await page.screenshot({ path: join(ARTIFACTS, '1-home.png') });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__aikon?.state().firstFrameAt != null, undefined, { timeout: 120_000 });
    // A newcomer pauses (Esc) to look, and plays as one who thinks between keys: Esc, a key, Esc.
    // The world runs in real time and its first night (about step 180) kills a player who stands
    // in the open; on this loaded machine a page takes seconds per key, so the world only runs
    // while a key is being played.
    await page.keyboard.press('Escape');
    await paused(page);
    expect(new URL(page.url()).searchParams.get('seed')).toBe(String(SEED));
    await page.screenshot({ path: join(ARTIFACTS, '2-first-frame-paused.png') });
    // The help (H) says it again, and says how the pace works in a shared world; closing it leaves the pause.
    await page.keyboard.press('KeyH');
    expect(await page.getByTestId('help-pace').textContent()).toMatch(/real-time.*only the host can pause/);
    await page.keyboard.press('KeyH');
    await page.getByTestId('help').waitFor({ state: 'detached' });
    expect((await state(page)).paused).toBe(true);

    const cdp = await page.context().newCDPSession(page);
    const start = (await state(page)).player!;
    const startT = (await state(page)).t;
    // Closed loop over the plan: `done` keys have taken effect. A tap a creature blocked is tapped
    // again; a tap read as a held key (a long frame between key down and up) walks past the
    // plan's tile, and a move back corrects it.
    let done = 0;
    for (let taps = 0; done < KEYS.length; taps++) {
      const s = await state(page);
      const want = expected[done];
      const before = done === 0 ? { x: start.x, y: start.y } : expected[done - 1];
      const turnOnly = want.x === before.x && want.y === before.y && KEY_INFO[KEYS[done]].action <= Action.move_down;
      const p = s.player!;
      if (
        p.x === want.x &&
        p.y === want.y &&
        (!turnOnly || p.facing === want.facing) &&
        p.inventory[Item.wood] === want.wood &&
        want.achievements.every((a) => s.achievements.includes(a))
      ) {
        done++;
        continue;
      }
      if (taps >= 3 * KEYS.length || s.over) {
        await page.screenshot({ path: join(ARTIFACTS, 'failed.png') });
        throw new Error(
          `stuck at key ${done} (${KEYS[done]}): want ${JSON.stringify(want)}, have ${JSON.stringify(s)}`,
        );
      }
      const onPlan = p.x === before.x && p.y === before.y;
      const key = onPlan ? KEYS[done] : stepToward(p, want);
      // Resume and play the key (the engine takes them in order: the key is the next tick's action;
      // if that tick came between the two, the loop sees no effect and plays the key again).
      await tapKeys(cdp, ['Escape', key]);
      await page.waitForFunction((t0) => window.__aikon!.state().t > t0, s.t, { timeout: 60_000, polling: 10 });
      await tapKeys(cdp, ['Escape']);
      await paused(page);
    }

    // The HUD says it: the achievement list, the inventory and the Build & craft panel.
    const pickaxe = page.locator('[data-achievement=make_wood_pickaxe]');
    await expect.poll(() => pickaxe.getAttribute('data-unlocked'), { timeout: 30_000 }).toBe('true');
    for (const name of ['collect_wood', 'place_table', 'make_wood_pickaxe'])
      expect(await page.locator(`[data-achievement=${name}]`).getAttribute('data-unlocked')).toBe('true');
    const s = await state(page);
    expect(s.player!.inventory[Item.wood_pickaxe]).toBe(1);
    expect(s.over).toBe(false);
    console.log(`walkthrough: first pause at step ${startT}, pickaxe at step ${s.t}`);
    await page.screenshot({ path: join(ARTIFACTS, '3-wood-pickaxe.png') });
    expect(realErrors(errors)).toEqual([]);
    await page.close();
  }, 300_000);
});
