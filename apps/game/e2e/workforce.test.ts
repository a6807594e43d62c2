/**
 * The workforce panel in Debian's Chromium against the real relay (in-process, random
 * 127.0.0.1 port, temp data directory) serving a private build of the game: the host creates a
 * lobby, adds an AI worker by name on the lobby page, turns the approval gate on, starts, gives
 * goals in the game screen's workforce dock (a refusal shows its reason; "make wood_pickaxe"
 * waits for approval, then runs until its tasks turn done), pulls the kill switch, and
 * downloads the audit log. Screenshots in test-results/workforce/.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startRelayServer, type RelayServer } from '@aikon/relay-server';
import { keepAlive, launchChromium, realErrors, REPO, buildPrivateDist } from './harness.ts';

const ARTIFACTS = join(REPO, 'test-results', 'workforce');
const tmp = mkdtempSync(join(tmpdir(), 'aikon-wf-e2e-'));
const DIST = join(tmp, 'dist');
const DATA = join(tmp, 'data');

let relay: RelayServer;
let browser: Browser;
// The guest has its own Chromium: pages of one browser share a GPU process, where one page's
// software rendering can starve the other (see the multiplayer e2e).
let guestBrowser: Browser | undefined;
let page: Page;
let guest: Page;
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // A private build (the shared dist/game may be rebuilt by other tests meanwhile).
  await buildPrivateDist(DIST);
  relay = await startRelayServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: DATA,
    staticDir: DIST,
    logLevel: 'silent',
    datasetsApi: false,
  });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
});

afterAll(async () => {
  await guestBrowser?.close();
  await browser?.close();
  await relay?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('workforce panel in Chromium', () => {
  it('host adds a worker, gives a goal via the approval gate, sees tasks done, kills, gets the audit', async () => {
    await page.goto(`${relay.url}/`);
    await page.getByTestId('display-name').fill('Hana');
    await page.getByTestId('create-lobby').click();
    await page.getByTestId('lobby').waitFor({ timeout: 15_000 });
    const panel = page.getByTestId('workforce');
    await panel.waitFor();
    const code = new URL(await page.getByTestId('invite-link').inputValue()).searchParams.get('lobby')!;
    const lobby = relay.lobbyByCode(code)!;
    lobby.configure({ seed: 3 });

    // Add a worker by name: listed in the panel and among the lobby's members as AI.
    await page.getByTestId('worker-name').fill('Ada');
    await page.getByTestId('add-worker').click();
    await page.locator('[data-testid=worker][data-name=Ada]').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid=member][data-name=Ada]').waitFor();
    expect(lobby.state().members.find((m) => m.name === 'Ada')).toMatchObject({ kind: 'ai', worker: true });

    // A goal before the start is refused with the reason.
    await page.getByTestId('goal-text').fill('collect wood 1');
    await page.getByTestId('goal-submit').click();
    await expect
      .poll(() => page.getByTestId('goal-error').innerText(), { timeout: 10_000 })
      .toMatch(/start the game first/);

    // A guest (invite link) sees the workers; with "only the host" it cannot give goals.
    guestBrowser = await launchChromium();
    const guestContext = await guestBrowser.newContext({ viewport: { width: 1280, height: 860 } });
    guest = await guestContext.newPage();
    guest.on('pageerror', (e) => errors.push(`guest pageerror: ${e.message}`));
    await guest.goto(`${relay.url}/?lobby=${code}`);
    await guest.getByTestId('join-name').fill('Gus');
    await guest.getByTestId('join-submit').click();
    await guest.locator('[data-testid=worker][data-name=Ada]').waitFor({ timeout: 15_000 });
    expect(await guest.getByTestId('goal-text').isDisabled()).toBe(true);
    expect(await guest.getByTestId('kill-switch').isDisabled()).toBe(true);
    expect(await guest.getByTestId('add-worker').count()).toBe(0);

    // The approval gate on, then start.
    await page.getByTestId('approval-gate').click(); // a controlled box: it ticks once the relay's state says so
    await expect.poll(() => lobby.workforce.settings.approval, { timeout: 5000 }).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'lobby-panel.png'), fullPage: true });
    await page.getByTestId('start-game').click();
    await page.getByTestId('game').waitFor({ timeout: 20_000 });
    // The people's characters (and the worker) are kept alive: this test is about the panel, and a
    // host who dies of thirst or to the night's zombies on a slow machine gets the death dialog,
    // which stands above the panel and takes its clicks.
    onTestFinished(keepAlive(lobby, new Set([0, 1, 2])));
    await page.getByTestId('workforce-toggle').click();
    await panel.waitFor();
    await expect
      .poll(() => page.locator('[data-testid=worker][data-name=Ada]').getAttribute('data-status'), { timeout: 10_000 })
      .not.toBe('waiting');

    // An impossible goal: refused, with the grammar's reason.
    await page.getByTestId('goal-text').fill('collect wood 10');
    await page.getByTestId('goal-submit').click();
    await expect.poll(() => page.getByTestId('goal-error').innerText(), { timeout: 10_000 }).toMatch(/at most 9/);

    // A goal through the gate: the plan waits, nothing runs.
    await page.getByTestId('goal-text').fill('make wood_pickaxe');
    await page.getByTestId('goal-submit').click();
    await page.getByTestId('approval').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('plan').getAttribute('data-status')).toBe('awaiting');
    const tasks = page.getByTestId('plan-task');
    expect(await tasks.count()).toBeGreaterThanOrEqual(3);
    const t0 = lobby.world!.t;
    await expect.poll(() => lobby.world!.t, { timeout: 5000 }).toBeGreaterThan(t0 + 6);
    expect(lobby.workforce.brainView?.goal ?? null).toBeNull();
    expect(await page.locator('[data-testid=plan-task][data-state=pending]').count()).toBe(await tasks.count());
    await page.screenshot({ path: join(ARTIFACTS, 'awaiting-approval.png') });

    // Approve: a task turns done, then the whole plan.
    await page.getByTestId('approve-plan').click();
    await page.locator('[data-testid=plan-task][data-state=done]').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'task-done.png') });
    // The guest sees the same plan progress (workforce:state goes to the whole lobby).
    await guest.getByTestId('workforce-toggle').dispatchEvent('click');
    await guest.locator('[data-testid=workforce-dock][data-open=true]').waitFor({ timeout: 15_000 });
    await guest.getByTestId('workforce').waitFor({ timeout: 15_000 });
    try {
      await guest.locator('[data-testid=plan-task][data-state=done]').first().waitFor({ timeout: 30_000 });
    } catch (err) {
      await guest.screenshot({ path: join(ARTIFACTS, 'guest-failed.png') });
      const dock = await guest.getByTestId('workforce-dock').textContent();
      const net = await guest.evaluate(() => window.__aikonNet!.state());
      throw new Error(
        `the guest saw no done task; dock: ${dock}; connected: ` +
          `${net.connected}; status: ${net.status}; error: ${net.error}`,
        { cause: err },
      );
    }
    await expect.poll(() => page.getByTestId('plan').getAttribute('data-status'), { timeout: 60_000 }).toBe('done');
    expect(await page.locator('[data-testid=plan-task][data-state=done]').count()).toBe(await tasks.count());
    await page.screenshot({ path: join(ARTIFACTS, 'plan-done.png') });

    // A longer goal without the gate, then the kill switch.
    await page.getByTestId('approval-gate').click();
    await expect.poll(() => lobby.workforce.settings.approval, { timeout: 5000 }).toBe(false);
    await page.getByTestId('goal-text').fill('collect wood 5');
    await page.getByTestId('goal-submit').click();
    await expect
      .poll(() => page.locator('[data-testid=worker][data-name=Ada]').getAttribute('data-status'), { timeout: 10_000 })
      .toBe('working');
    await page.getByTestId('kill-switch').click();
    await page.getByTestId('workforce-stopped').waitFor({ timeout: 5000 });
    await expect
      .poll(() => page.locator('[data-testid=worker][data-name=Ada]').getAttribute('data-status'), { timeout: 5000 })
      .toMatch(/stopped|dead/);
    expect(lobby.workforce.stopped).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'killed.png') });

    // The audit log downloads as JSON lines.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-download').click()]);
    const file = join(tmp, 'audit.jsonl');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { who: string; what: string });
    const said = lines.map((l) => `${l.who}: ${l.what}`).join('\n');
    expect(said).toMatch(/Hana: added AI worker Ada/);
    expect(said).toMatch(/Hana: approved plan #\d+ \("make wood_pickaxe"/);
    expect(said).toMatch(/Ada: done: make wood_pickaxe/);
    expect(said).toMatch(/Hana: kill switch/);
    expect(realErrors(errors)).toEqual([]);
  }, 240_000);
});
