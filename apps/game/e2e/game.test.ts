/**
 * The game client in Debian's Chromium: home page, a solo game on a fixed seed played with
 * the keyboard, a screenshot, the browser's state hash against Node's, and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DIRECTIONS, World } from '@aikon/engine';
import { calmSeed, ensureBuild, imageVariety, launchChromium, REPO, seedWithTree, serveDist } from './harness.ts';

const ARTIFACTS = join(REPO, 'test-results', 'game-client');
type Hook = NonNullable<Window['__aikon']>;
type HookState = ReturnType<Hook['state']>;

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

async function openPage(path = '', viewport = { width: 1280, height: 720 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(server.url + path);
  return { page, errors };
}

const state = (page: Page): Promise<HookState> => page.evaluate(() => window.__aikon!.state());

async function waitForTickAfter(page: Page, t: number): Promise<void> {
  await page.waitForFunction((t0) => window.__aikon!.state().t > t0, t, { timeout: 20_000 });
}

const MOVE_KEYS = ['KeyA', 'KeyD', 'KeyW', 'KeyS'];

describe('game client in Chromium', () => {
  it('loads the home page with no console errors; without a relay server, lobbies say so', async () => {
    const { page, errors } = await openPage();
    await page.getByTestId('play-new').waitFor();
    await page.getByTestId('display-name').fill('Solo');
    await page.getByTestId('create-lobby').click();
    await expect
      .poll(async () => (await page.getByTestId('lobby-note').textContent()) ?? '', { timeout: 10_000 })
      .toMatch(/relay server/);
    await page.waitForTimeout(300);
    // This static server has no Socket.IO: the browser logs the refused WebSocket.
    expect(errors.filter((e) => !/WebSocket/.test(e))).toEqual([]);
    await page.close();
  });

  it('explains a garbage seed and stays on the home page', async () => {
    const { page, errors } = await openPage();
    await page.getByTestId('seed-input').fill('not a seed!');
    await page.getByTestId('play-seed').click();
    expect(await page.getByTestId('seed-error').textContent()).toMatch(/not a seed/);
    expect((await state(page)).screen).toBe('home');
    await page.goto(`${server.url}?seed=12abc`);
    expect(await page.getByTestId('seed-error').textContent()).toMatch(/link's seed/);
    expect((await state(page)).screen).toBe('home');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('plays a fixed seed: keys collect wood, the HUD shows collect_wood, a screenshot is saved', async () => {
    const target = seedWithTree();
    const home = await openPage();
    await home.page.getByTestId('seed-input').fill(String(target.seed));
    await home.page.getByTestId('play-seed').click();
    // The seed is in the address: a copied link opens the same world (in another browser: a
    // refresh here offers this browser's saved game first, see solo.test.ts).
    await expect.poll(() => new URL(home.page.url()).searchParams.get('seed')).toBe(String(target.seed));
    const link = new URL(home.page.url());
    await home.page.close();
    const { page, errors } = await openPage(link.search);
    await page.waitForFunction(() => window.__aikon!.state().firstFrameAt !== null, undefined, { timeout: 90_000 });
    expect(await page.evaluate(() => window.__aikon!.state().screen)).toBe('game');
    expect(await page.getByTestId('hud-seed').textContent()).toContain(String(target.seed));

    // Walk toward the tree and hit it, one key per tick, until the achievement appears.
    let s = await state(page);
    expect(s.screen).toBe('game');
    let hits = 0;
    for (let i = 0; i < 60 && !s.achievements.includes('collect_wood'); i++) {
      const p = s.player!;
      const [dx, dy] = DIRECTIONS[target.dir];
      const treeX = 32 + dx * target.distance;
      const treeY = 32 + dy * target.distance;
      const adjacent = p.x + dx === treeX && p.y + dy === treeY;
      const key = adjacent && p.facing === target.dir ? 'Space' : MOVE_KEYS[target.dir];
      if (key === 'Space') hits++;
      await page.keyboard.press(key);
      await waitForTickAfter(page, s.t);
      s = await state(page);
    }
    expect(hits).toBeGreaterThan(0);
    expect(s.achievements).toContain('collect_wood');
    // The toast shows for a few seconds after the unlock.
    await page.getByTestId('toast').filter({ hasText: 'collect wood' }).waitFor({ timeout: 3_000 });
    await page.locator('[data-achievement="collect_wood"][data-unlocked="true"]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('achievement-count').textContent()).toMatch(/^[1-9]\d*\/22$/);
    expect(s.player!.inventory[5]).toBeGreaterThan(0); // wood

    // The agent view corner shows the engine's 64×64 observation, and V toggles it.
    const agentView = page.getByTestId('agent-view');
    await agentView.waitFor({ timeout: 20_000 });
    const distinct = await agentView.evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, 64, 64).data;
      const seen = new Set<number>();
      for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return seen.size;
    });
    expect(distinct).toBeGreaterThan(8);
    await page.keyboard.press('KeyV');
    await agentView.waitFor({ state: 'detached' });
    await page.keyboard.press('KeyV');
    await agentView.waitFor();

    // Let a few frames render, then keep a screenshot of the running game.
    await page.waitForTimeout(1500);
    const file = join(ARTIFACTS, 'solo-game.png');
    await page.screenshot({ path: file });
    const variety = imageVariety(readFileSync(file));
    expect(variety.colors).toBeGreaterThan(200);
    expect(variety.stddev).toBeGreaterThan(10);
    const drawCalls = (await state(page)).drawCalls;
    expect(drawCalls).toBeGreaterThan(3);
    expect(drawCalls).toBeLessThan(40);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('computes the same state hash in the browser as the engine in Node', async () => {
    const seed = 2024;
    const actions = Array.from({ length: 500 }, (_, i) => (i * 13 + ((i * i) % 7)) % 17);
    const world = World.generate({ seed });
    world.addPlayer();
    for (const a of actions) {
      if (world.over) break;
      world.step([a]);
    }
    const { page, errors } = await openPage(`?seed=${seed}`);
    await page.waitForFunction(() => window.__aikon!.state().t >= 0, undefined, { timeout: 60_000 });
    const browserResult = await page.evaluate(({ seed, actions }) => window.__aikon!.script(seed, actions), {
      seed,
      actions,
    });
    expect(browserResult).toEqual({ hash: world.hash(), t: world.t });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the death screen with stats and restarts on the same seed', async () => {
    let seed = 7;
    const noops = new Array<number>(3000).fill(0);
    for (; seed < 60; seed++) {
      const world = World.generate({ seed });
      world.addPlayer();
      for (const a of noops) if (!world.over) world.step([a]);
      if (world.over && world.t < 3000) break;
    }
    const { page, errors } = await openPage(`?seed=${seed}`);
    await page.waitForFunction(() => window.__aikon!.state().t >= 0, undefined, { timeout: 60_000 });
    await page.evaluate(({ seed, noops }) => window.__aikon!.script(seed, noops), { seed, noops });
    await page.getByTestId('death-screen').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('death-screen').textContent()).toMatch(/steps survived/);
    await page.screenshot({ path: join(ARTIFACTS, 'death-screen.png') });
    await page.getByTestId('restart-same').click();
    await page.getByTestId('death-screen').waitFor({ state: 'detached', timeout: 20_000 });
    const s = await state(page);
    expect(s.over).toBe(false);
    expect(s.t).toBeLessThan(100);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a drag across the world turns the camera (drei orbit controls), and W walks away from the camera', async () => {
    const { page, errors } = await openPage(`?seed=${calmSeed(11, 250)}`, { width: 800, height: 500 });
    await page.waitForFunction(() => window.__aikon!.state().firstFrameAt !== null, undefined, { timeout: 90_000 });
    const facing = (dir: number) =>
      page.waitForFunction((d) => window.__aikon!.state().player?.facing === d, dir, { timeout: 45_000 });
    expect((await state(page)).cameraQuadrant).toBe(0);
    await page.keyboard.press('KeyW');
    await facing(2); // unturned, W walks north (up the map)
    // Half the view's height dragged sideways turns the orbit half a turn: the camera looks south.
    await page.mouse.move(520, 260);
    await page.mouse.down();
    await page.mouse.move(270, 260, { steps: 10 });
    await page.mouse.up();
    // The controls' damping eases the turn in over a few dozen frames (seconds when software-rendered).
    await page.waitForFunction(() => window.__aikon!.state().cameraQuadrant === 2, undefined, { timeout: 30_000 });
    await page.keyboard.press('KeyW');
    await facing(3);
    await page.screenshot({ path: join(ARTIFACTS, 'camera-turned.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a new game frees the last world's GPU buffers; the buffers rewritten every frame are dynamic", async () => {
    const seed = calmSeed(11, 250);
    const page = await browser.newPage({ viewport: { width: 800, height: 500 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    // Counts the buffers WebGL is asked to allocate as DYNAMIC_DRAW (three passes each attribute's usage).
    await page.addInitScript(() => {
      const counter = window as unknown as { dynamicBuffers: number };
      counter.dynamicBuffers = 0;
      const proto = WebGL2RenderingContext.prototype;
      const bufferData = proto.bufferData as (...args: unknown[]) => void;
      proto.bufferData = function (this: WebGL2RenderingContext, ...args: unknown[]) {
        if (args[2] === WebGL2RenderingContext.DYNAMIC_DRAW) counter.dynamicBuffers++;
        bufferData.apply(this, args);
      } as typeof proto.bufferData;
    });
    await page.goto(`${server.url}?seed=${seed}`);
    await page.waitForFunction(() => window.__aikon!.state().firstFrameAt !== null, undefined, { timeout: 90_000 });
    await page.waitForTimeout(1000);
    const first = (await state(page)).gpuMemory!;
    // Terrain, creatures, plants, the facing marker and the particles (and a texture atlas).
    expect(first.geometries).toBeGreaterThanOrEqual(15);
    expect(first.textures).toBeGreaterThanOrEqual(1);
    // Instance matrices of the six creature kinds, the players' colours, the plants' matrices and
    // tiles, the particles' matrices and colours.
    expect(
      await page.evaluate(() => (window as unknown as { dynamicBuffers: number }).dynamicBuffers),
    ).toBeGreaterThanOrEqual(11);
    for (let game = 0; game < 2; game++) {
      // A new game: the world's objects unmount with the old frame and mount with the new one,
      // in the same renderer.
      const cleared = await page.evaluate((s) => {
        window.__aikon!.startSolo(s);
        return window.__aikon!.state().t;
      }, seed);
      expect(cleared).toBe(-1);
      await page.waitForFunction(() => window.__aikon!.state().t >= 1, undefined, { timeout: 60_000 });
      await page.waitForTimeout(1000);
      expect((await state(page)).gpuMemory).toEqual(first);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('survives bad input: keys while paused, a lost focus, a tiny window', async () => {
    const { page, errors } = await openPage(`?seed=${calmSeed(11, 250)}`);
    await page.waitForFunction(() => window.__aikon!.state().t >= 2, undefined, { timeout: 60_000 });

    // The Build & craft panel starts folded in this window: only what can be made here and now,
    // a small share of the view; unfolded it lists every recipe with what it needs.
    const craft = page.getByTestId('craft-toggle');
    expect(await craft.getAttribute('data-open')).toBe('false');
    const panelShare = async () => {
      const box = (await page.getByTestId('craft').locator('xpath=..').boundingBox())!;
      return (box.width * box.height) / (1280 * 720);
    };
    const folded = await panelShare();
    expect(folded).toBeLessThan(0.06);
    expect(await page.locator('[data-testid=craft] [data-ok=false]').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'craft-folded.png') });
    await craft.dispatchEvent('click');
    await expect.poll(() => page.locator('[data-testid=craft] [data-ok=false]').count()).toBeGreaterThan(5);
    expect(await panelShare()).toBeGreaterThan(folded);
    await craft.dispatchEvent('click');
    await expect.poll(() => craft.getAttribute('data-open')).toBe('false');

    // Paused: the world stands still and a key press gets a plain message.
    await page.keyboard.press('Escape');
    await page.getByTestId('paused').waitFor();
    // A tick the worker was already running may still land: count from the worker's own pause.
    await page.waitForFunction(() => window.__aikon!.state().framePaused, undefined, { timeout: 10_000 });
    const pausedAt = (await state(page)).t;
    await page.keyboard.press('KeyD');
    await page.getByTestId('notice').waitFor();
    await page.waitForTimeout(700);
    expect((await state(page)).t).toBe(pausedAt);
    await page.keyboard.press('Escape');
    await waitForTickAfter(page, pausedAt);

    // Hold a key, then lose focus: the held key is released and the player idles.
    await page.keyboard.down('KeyS');
    let s = await state(page);
    await waitForTickAfter(page, s.t + 1);
    expect((await state(page)).action).toBe(4); // move_down repeats while held
    await page.evaluate(() => window.dispatchEvent(new Event('blur')));
    s = await state(page);
    await waitForTickAfter(page, s.t + 1);
    expect((await state(page)).action).toBe(0);
    await page.keyboard.up('KeyS');

    // On-screen buttons: Pause/Resume; then Space acts on the game, not on the focused button.
    await page.getByTestId('pause').click();
    await page.getByTestId('paused').waitFor();
    await page.getByTestId('pause').click();
    await page.getByTestId('paused').waitFor({ state: 'detached' });
    s = await state(page);
    await page.keyboard.press('Space');
    await waitForTickAfter(page, s.t + 1);
    expect((await state(page)).paused).toBe(false);

    // The speed slider sets the tick rate (5 to 15 per second).
    await page.getByTestId('tick-rate').fill('15');
    let t0 = await page.evaluate(() => ({ t: window.__aikon!.state().t, at: performance.now() }));
    await page.waitForTimeout(2000);
    let t1 = await page.evaluate(() => ({ t: window.__aikon!.state().t, at: performance.now() }));
    const fast = ((t1.t - t0.t) * 1000) / (t1.at - t0.at);
    await page.getByTestId('tick-rate').fill('5');
    t0 = await page.evaluate(() => ({ t: window.__aikon!.state().t, at: performance.now() }));
    await page.waitForTimeout(2000);
    t1 = await page.evaluate(() => ({ t: window.__aikon!.state().t, at: performance.now() }));
    const slow = ((t1.t - t0.t) * 1000) / (t1.at - t0.at);
    expect(fast).toBeGreaterThan(10);
    expect(slow).toBeLessThan(7);
    await page.getByTestId('tick-rate').fill('8');

    // A tiny window: still running, no errors.
    await page.setViewportSize({ width: 180, height: 120 });
    await page.getByTestId('compact-note').waitFor();
    s = await state(page);
    await waitForTickAfter(page, s.t + 2);
    await page.screenshot({ path: join(ARTIFACTS, 'tiny-window.png') });
    await page.setViewportSize({ width: 1024, height: 640 });
    s = await state(page);
    await waitForTickAfter(page, s.t + 1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
