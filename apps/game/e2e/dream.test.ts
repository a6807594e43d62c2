/**
 * Dream mode in Debian's Chromium against the real relay (in-process, random 127.0.0.1 port)
 * serving a private build: a solo game, G sends the player into the dream (browser shard: the
 * world simulator in a Web Worker, or the token dream model on onnxruntime-web's wasm when asked
 * for; then the relay's /dream shard), predicted frames
 * render (dream step counter advances, predicted view tokens, DREAM badge), the real world
 * waits paused, and waking returns to it at the same tick and hash. Screenshots in
 * test-results/dream/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startRelayServer, type RelayServer } from '@aikon/relay-server';
import { AgentViewRenderer, World } from '@aikon/engine';
import { loadTextures } from '@aikon/engine/node';
import { psnr } from '@aikon/world-model';
import { worldOfTokens } from '@aikon/world-model/node';
import { DYING_HEALTH } from '../src/dream/dream-store.ts';
import { calmSeed, CHROMIUM, CHROMIUM_ARGS, launchChromium, REPO, buildPrivateDist } from './harness.ts';

const ARTIFACTS = join(REPO, 'test-results', 'dream');
const tmp = mkdtempSync(join(tmpdir(), 'aikon-dream-e2e-'));
const DIST = join(tmp, 'dist');

let relay: RelayServer;
let browser: Browser;
const pages: Page[] = [];

type DreamHookState = NonNullable<Window['__aikonDream']> extends { state(): infer S } ? S : never;
const dreamState = (page: Page) => page.evaluate(() => window.__aikonDream!.state()) as Promise<DreamHookState>;
const gameState = (page: Page) => page.evaluate(() => window.__aikon!.state());

async function openGame(query: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
  pages.push(page);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // A world where an idle player lives on: on a loaded machine the real world runs a long while
  // before G is read, and the dream is refused to the dead or dying.
  await page.goto(`${relay.url}/?seed=${SOLO_SEED}&${query}`);
  await page.waitForFunction(() => (window.__aikon?.state().t ?? -1) >= 3, null, { timeout: 120_000 });
  return { page, errors };
}

/** Dreams until the step counter passes `steps`; returns the state and the step latencies seen. */
async function dreamOn(page: Page, steps: number): Promise<{ state: DreamHookState; ms: number[] }> {
  const ms: number[] = [];
  let last = -1;
  const until = Date.now() + 150_000;
  for (;;) {
    const s = await dreamState(page);
    if (s.status === 'error') throw new Error(`dream failed: ${s.message}`);
    if (s.status === 'dreaming' && s.step !== last && s.step > 0) {
      last = s.step;
      ms.push(s.ms);
    }
    if (s.step >= steps) return { state: s, ms };
    if (Date.now() > until) throw new Error(`the dream did not reach step ${steps} (at ${s.step}, ${s.status})`);
    await page.waitForTimeout(50);
  }
}

const SOLO_SEED = calmSeed(4242, 300);
/**
 * One drawn frame against the engine's render of the same tokens (the shipped camera's held-out
 * mean is in models/manifest.json; a single frame, by day or by night, may fall below it).
 */
const CAMERA_MIN_PSNR = 20;

/**
 * A seed and a number of idle steps after which the solo player is dying (health at most
 * DYING_HEALTH) and still has 20 to 120 idle steps to live, found with the engine in Node.
 */
function dyingWorld(from: number): { seed: number; steps: number } {
  for (let seed = from; seed < from + 100; seed++) {
    const world = World.generate({ seed });
    const player = world.addPlayer({ slot: 0 });
    let steps = 0;
    while (!world.over && player.inventory[0] > DYING_HEALTH && steps < 3000) {
      world.step([0]);
      steps++;
    }
    let left = 0;
    while (!world.over && left <= 120) {
      world.step([0]);
      left++;
    }
    if (world.over && left >= 20) return { seed, steps };
  }
  throw new Error('no seed with a dying player');
}
const DYING = dyingWorld(4242);

/** The notice line's text ('' when none): it shows for a few seconds. */
const notice = (page: Page) => page.evaluate(() => document.querySelector('[data-testid=notice]')?.textContent ?? '');
/** Each test's bound: on the shared 2-core machine (load 25–30) a page takes minutes to load a build and a model. */
const LOADED_MACHINE_MS = 360_000;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // A private build (the shared dist/game may be rebuilt by other tests meanwhile).
  await buildPrivateDist(DIST);
  relay = await startRelayServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(tmp, 'data'),
    staticDir: DIST,
    logLevel: 'silent',
    datasetsApi: false,
  });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const p of pages) await p.close().catch(() => {});
  await browser?.close();
  await relay?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('dream mode', () => {
  it(
    'G dreams in the browser (the world simulator), predicted frames render, waking returns to the same tick and hash',
    async () => {
      const { page, errors } = await openGame('dream=browser');
      await expect(page.getByTestId('dream-button').innerText({ timeout: 90_000 })).resolves.toMatch(/Dream/);
      // The world's step when G goes down, read in the page (a round trip from here lets ticks pass).
      await page.evaluate(() => {
        const at = window as unknown as { gAt?: number; gAtMs?: number };
        window.addEventListener('keydown', (e) => {
          if (e.code !== 'KeyG' || at.gAt !== undefined) return;
          at.gAt = window.__aikon!.state().t;
          at.gAtMs = performance.now();
        });
      });
      await page.keyboard.press('g');
      await page
        .waitForFunction(() => window.__aikonDream!.state().status === 'dreaming', null, { timeout: 180_000 })
        .catch(async (err: Error) => {
          throw new Error(
            `${err.message}; dream ${JSON.stringify(await dreamState(page))}; ` +
              `game ${JSON.stringify(await gameState(page))}`,
          );
        });
      const entered = await dreamState(page);
      // The world waited while the model loaded (it ran on for 9-14 s and killed a player under
      // "Falling asleep…"): the dream begins within a second of world time of G (ticks already
      // in flight to or from the worker land on a loaded machine).
      const pressed = await page.evaluate(() => {
        const at = window as unknown as { gAt: number; gAtMs: number };
        return { t: at.gAt, loadMs: performance.now() - at.gAtMs };
      });
      console.log(
        `G at step ${pressed.t}, dream entered at step ${entered.enteredAt!.t}, ${Math.round(pressed.loadMs)} ms later`,
      );
      expect(entered.enteredAt!.t - pressed.t).toBeLessThanOrEqual(8);
      expect(entered.shard).toBe('browser');
      expect(entered.backend).toMatch(/^world-sim-small · world-sim \(TypeScript/);
      expect(entered.enteredAt).not.toBeNull();
      // Walk right inside the dream for a while.
      await page.keyboard.down('d');
      const { state, ms } = await dreamOn(page, 12);
      await page.keyboard.up('d');
      expect(state.tokens).toHaveLength(81);
      // The simulator's fields reach the player: P(alive) in the badge (a calm seed, full health).
      expect(state.continuation).toBeGreaterThan(0.5);
      expect(state.ended).toBeNull();
      await expect(page.getByTestId('dream-continuation').innerText()).resolves.toMatch(/^alive \d+(\.\d)?%$/);
      await expect(page.getByTestId('dream-badge').isVisible()).resolves.toBe(true);
      await expect(page.getByTestId('dream-badge').innerText()).resolves.toMatch(/DREAM/);
      const tokens = await page.getByTestId('dream-tokens').getAttribute('data-tokens');
      expect(tokens!.split(',')).toHaveLength(63);
      await expect(page.getByTestId('dream-shard').innerText()).resolves.toBe('browser shard');
      // The HUD keeps the world's step where the dream began and counts dream steps apart; the agent
      // view says plainly why it shows nothing.
      await expect(page.getByTestId('tick').innerText()).resolves.toBe(`world step ${entered.enteredAt!.t}`);
      const dreamTick = Number((await page.getByTestId('dream-tick').innerText()).replace('dream step ', ''));
      expect(dreamTick).toBeGreaterThanOrEqual(12);
      const agentView = await page.getByTestId('agent-view-dream').innerText();
      expect(agentView).toMatch(/predicts tiles/);
      expect(agentView).not.toMatch(/error|fail|unavailable|cannot/i);
      // Split view: the real engine, fed the same actions, beside the prediction.
      expect(state.real).toHaveLength(81);
      // The agreement is the share of the 63 view tokens equal between prediction and reality,
      // counted here again from the two token lists the page shows.
      const alike = state.real!.slice(0, 63).filter((t, k) => t === state.tokens![k]).length;
      expect(state.agreement).toBeCloseTo(alike / 63, 9);
      expect(alike).toBeGreaterThan(0);
      await expect(page.getByTestId('dream-real-tokens').isVisible()).resolves.toBe(true);
      console.log(
        `split view after ${state.step} dream steps: ${Math.round(state.agreement! * 100)}% of the view alike`,
      );
      // The real world waits: its tick and hash are where the dream began.
      const realNow = await page.evaluate(() => window.__aikon!.hash());
      expect(realNow).toEqual(entered.enteredAt);
      // The dream camera draws a dreamed frame whose pixels match the engine's render of that
      // frame's state (its tokens) within CAMERA_MIN_PSNR.
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid=dream-camera]')?.getAttribute('data-step')) >= 1,
        null,
        { timeout: 120_000 },
      );
      const drawn = await page.evaluate(() => {
        const canvas = document.querySelector('[data-testid=dream-camera]') as HTMLCanvasElement;
        const rgba = canvas.getContext('2d')!.getImageData(0, 0, 64, 64).data;
        return {
          rgb: Array.from(rgba).filter((_, i) => i % 4 !== 3),
          tokens: canvas.dataset.tokens!.split(',').map(Number),
          step: Number(canvas.dataset.step),
          backend: canvas.dataset.backend,
          ms: document.querySelector('[data-testid=dream-camera-ms]')!.textContent,
        };
      });
      expect(drawn.tokens).toHaveLength(81);
      const engineView = new AgentViewRenderer(loadTextures(), 64).render(worldOfTokens(drawn.tokens), 0);
      const cameraPsnr = psnr(Uint8Array.from(drawn.rgb), engineView);
      console.log(
        `dream camera: step ${drawn.step}, ${drawn.ms} (${drawn.backend}), ` +
          `PSNR ${cameraPsnr.toFixed(2)} dB against the engine's render of its tokens`,
      );
      await page.getByTestId('dream-camera').screenshot({ path: join(ARTIFACTS, 'dream-camera.png') });
      expect(drawn.ms).toMatch(/^\d+\.\d ms\/frame$/);
      expect(cameraPsnr).toBeGreaterThanOrEqual(CAMERA_MIN_PSNR);
      await page.waitForTimeout(400); // a rendered frame or two of the dream
      await page.screenshot({ path: join(ARTIFACTS, 'dream-browser.png') });
      console.log(
        `browser dream shard: load+measure median ${entered.localMs?.toFixed(1)} ms/step; in play ` +
          `median ${median(ms).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms (${entered.backend})`,
      );

      await page.getByTestId('dream-button').dispatchEvent('click'); // DOM click: the canvas keeps the page busy
      await page.waitForFunction(() => window.__aikonDream!.state().status === 'awake', null, { timeout: 60_000 });
      const woke = await dreamState(page);
      expect(woke.wokeAt).toEqual(entered.enteredAt);
      await page.waitForFunction((t) => window.__aikon!.state().t > t, entered.enteredAt!.t, { timeout: 60_000 });
      expect(await page.getByTestId('dream-badge').count()).toBe(0);
      const g = await gameState(page);
      expect(g.paused).toBe(false);
      // Awake, the step goes on from where the world waited (it used to jump back from the dream's count).
      const shown = Number((await page.getByTestId('tick').innerText()).replace(/^step /, ''));
      expect(shown).toBeGreaterThanOrEqual(entered.enteredAt!.t);
      expect(await page.getByTestId('dream-tick').count()).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, 'awake.png') });
      expect(errors).toEqual([]);
      await page.close();
    },
    LOADED_MACHINE_MS,
  );

  it(
    'G while dying, and G when dead, are refused with a message; no dream loads',
    async () => {
      const { page, errors } = await openGame('dream=browser');
      // The script hook sets a fresh world on DYING.seed where the idle player is dying, paused.
      await page.evaluate(({ seed, steps }) => window.__aikon!.script(seed, new Array(steps).fill(0)), DYING);
      expect((await gameState(page)).player!.inventory[0]).toBeLessThanOrEqual(DYING_HEALTH);
      await page.getByTestId('tick-rate').fill('5'); // a few seconds to press G before death
      await page.keyboard.press('Escape');
      await page.keyboard.press('g');
      await expect.poll(() => notice(page), { timeout: 15_000 }).toMatch(/You are dying/);
      expect((await dreamState(page)).status).toBe('awake');
      await page.screenshot({ path: join(ARTIFACTS, 'refused-dying.png') });
      // The idle player dies; G on the death screen is refused too.
      await page.getByTestId('death-screen').waitFor({ timeout: 60_000 });
      await page.keyboard.press('g');
      await expect.poll(() => notice(page), { timeout: 15_000 }).toMatch(/The dead do not dream/);
      await page.waitForTimeout(1000);
      expect((await dreamState(page)).status).toBe('awake');
      expect(await page.getByTestId('dream-badge').count()).toBe(0);
      expect(await page.getByTestId('dream-loading').count()).toBe(0);
      expect(errors).toEqual([]);
      await page.close();
    },
    LOADED_MACHINE_MS,
  );

  it(
    'the relay shard serves a dream too (?dream=server), the choice shown',
    async () => {
      const { page, errors } = await openGame('dream=server');
      await page.getByTestId('dream-button').dispatchEvent('click'); // DOM click: the canvas keeps the page busy
      await page.waitForFunction(() => window.__aikonDream!.state().status === 'dreaming', null, { timeout: 60_000 });
      await page.keyboard.down('s');
      const { state, ms } = await dreamOn(page, 10);
      await page.keyboard.up('s');
      expect(state.shard).toBe('server');
      expect(state.backend).toMatch(/world-sim \(TypeScript/);
      await expect(page.getByTestId('dream-shard').innerText()).resolves.toBe('server shard');
      await page.screenshot({ path: join(ARTIFACTS, 'dream-server.png') });
      console.log(
        `server dream shard from the browser: round trip median ${median(ms).toFixed(1)} ms, max ` +
          `${Math.max(...ms).toFixed(1)} ms; server-side ${median(relay.dream.recentStepMs).toFixed(1)} ms`,
      );
      expect(relay.dream.sessions).toBe(1);
      // Waking shows the real world at once, where it waited (a dreamed frame left on screen until the next
      // tick refused a G after a dream that ended in predicted death as "dying").
      const seen = await page.evaluate(() => window.__aikonDream!.wake());
      expect(seen).toEqual({ dreamed: false, t: state.enteredAt!.t });
      expect((await dreamState(page)).status).toBe('awake');
      expect((await dreamState(page)).wokeAt).toEqual(state.enteredAt);
      // Waking closes the shard's connection: the server frees the session.
      await expect.poll(() => relay.dream.sessions, { timeout: 10_000 }).toBe(0);
      expect(errors).toEqual([]);
      await page.close();
    },
    LOADED_MACHINE_MS,
  );

  it(
    'the token dream model is still there (?dreamModel=token-dream-small): onnxruntime-web on wasm',
    async () => {
      const { page, errors } = await openGame('dream=browser&dreamModel=token-dream-small');
      await page.keyboard.press('g');
      await page.waitForFunction(() => window.__aikonDream!.state().status === 'dreaming', null, { timeout: 120_000 });
      const entered = await dreamState(page);
      expect(entered.backend).toMatch(/^token-dream-small · onnxruntime-web \((webgpu, )?wasm/);
      expect(entered.backend).not.toMatch(/WebGPU adapter$/); // default headless Chromium: no adapter, so wasm
      const { state } = await dreamOn(page, 3);
      expect(state.tokens).toHaveLength(81);
      expect(state.continuation).toBeNull(); // the token model's frames carry no simulator fields
      expect(await page.getByTestId('dream-continuation').count()).toBe(0);
      expect(errors).toEqual([]);
      await page.close();
    },
    LOADED_MACHINE_MS,
  );

  it(
    "dreams from a relay game (the mirror's frames seed it) while the shared world goes on",
    async () => {
      const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
      pages.push(page);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      await page.goto(`${relay.url}/`);
      await page.getByTestId('display-name').fill('Dreamer');
      await page.getByTestId('create-lobby').dispatchEvent('click');
      // A world where an idle player lives on: the dream is refused to a dying player, and the
      // shared world goes on while the model loads.
      await page.getByTestId('lobby-seed').fill(String(calmSeed(700, 250)));
      await page.getByTestId('lobby-seed').press('Enter');
      await page.getByTestId('start-game').waitFor({ timeout: 15_000 });
      await page.getByTestId('start-game').dispatchEvent('click');
      await page.waitForFunction(() => (window.__aikon?.state().t ?? -1) >= 3, null, { timeout: 120_000 });
      const lobby = [...relay.lobbies.values()][0];
      await page.keyboard.press('g');
      await page
        .waitForFunction(() => window.__aikonDream!.state().status === 'dreaming', null, { timeout: 120_000 })
        .catch(async (err: Error) => {
          throw new Error(`${err.message}; dream ${JSON.stringify(await dreamState(page))}; world t=${lobby.world?.t}`);
        });
      const worldAt = lobby.world!.t;
      const { state } = await dreamOn(page, 8);
      expect(state.tokens).toHaveLength(81);
      expect(state.enteredAt).toBeNull(); // a shared world does not pause
      expect(lobby.world!.t).toBeGreaterThan(worldAt);
      await expect(page.getByTestId('dream-badge').innerText()).resolves.toMatch(/shared world goes on/);
      await page.screenshot({ path: join(ARTIFACTS, 'dream-multiplayer.png') });
      await page.keyboard.press('g');
      await page.waitForFunction(() => window.__aikonDream!.state().status === 'awake', null, { timeout: 30_000 });
      await page.waitForFunction(
        () => window.__aikonDream!.state().tokens === null && window.__aikon!.state().t > 0,
        null,
        { timeout: 30_000 },
      );
      expect(await page.getByTestId('dream-badge').count()).toBe(0);
      expect(errors).toEqual([]);
      await page.close();
    },
    LOADED_MACHINE_MS,
  );

  // Opt-in (AIKON_E2E_WEBGPU=1): WebGPU here is SwiftShader on the CPU, seconds per step (minutes of test).
  it.runIf(process.env.AIKON_E2E_WEBGPU === '1')(
    'with --enable-unsafe-webgpu the browser shard gets a WebGPU adapter and dreams too',
    async () => {
      const gpuBrowser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'],
        timeout: 60_000,
      });
      try {
        const page = await gpuBrowser.newPage({ viewport: { width: 1100, height: 720 } });
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
        await page.goto(`${relay.url}/?seed=${SOLO_SEED}&dream=browser&dreamModel=token-dream-small`);
        await page.waitForFunction(() => (window.__aikon?.state().t ?? -1) >= 3, null, { timeout: 60_000 });
        await page.keyboard.press('g');
        await page.waitForFunction(() => ['dreaming', 'error'].includes(window.__aikonDream!.state().status), null, {
          timeout: 120_000,
        });
        const entered = await dreamState(page);
        const { ms } = await dreamOn(page, 3);
        expect(entered.backend).toMatch(/webgpu, wasm.*WebGPU adapter$/);
        console.log(
          'browser dream shard with a WebGPU adapter (SwiftShader): load+measure ' +
            `${entered.localMs?.toFixed(1)} ms/step; in play median ${median(ms).toFixed(1)} ms`,
        );
        await page.screenshot({ path: join(ARTIFACTS, 'dream-webgpu.png') });
        expect(errors).toEqual([]);
      } finally {
        await gpuBrowser.close();
      }
    },
  );
});
