/**
 * The Datasets page in Debian's Chromium against the real relay (in-process, random
 * 127.0.0.1 port) on a temp data directory pre-filled by `dataset generate`'s code: counts and
 * charts, a filter that narrows the list, an API error shown as is, a Parquet export with
 * progress to completion and its download (bytes and headers checked), the empty state, and
 * the page's code kept out of the first page's bundle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parquetMetadata } from 'hyparquet';
import { generateSessions, loadCatalog, selectEpisodes } from '@aikon/datasets';
import { type LoopRound, MANIFEST_FORMAT, MANIFEST_VERSION, parseManifest } from '@aikon/world-model';
import { startRelayServer, type RelayServer } from '@aikon/relay-server';
import { createRelayClient } from '@aikon/protocol/client';
import { launchChromium, REPO, buildPrivateDist } from './harness.ts';

const ARTIFACTS = join(REPO, 'test-results', 'datasets');
const tmp = mkdtempSync(join(tmpdir(), 'aikon-ds-e2e-'));
const DIST = join(tmp, 'dist');
const DATA = join(tmp, 'data');
const EMPTY = join(tmp, 'empty');
const LOOP_MODELS = join(tmp, 'loop-models');
const LIVE = join(tmp, 'live');

let relay: RelayServer;
let emptyRelay: RelayServer;
let loopRelay: RelayServer;
let browser: Browser;
const pages: Page[] = [];
let expected: { sessions: number; episodes: number; steps: number; human: number; ai: number };

/** Entries of an uncompressed ustar archive. */
function untar(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, b: number) => h.subarray(a, b).toString('utf8').replace(/\0.*$/s, '');
    const name = str(0, 100);
    const prefix = str(345, 500);
    const size = parseInt(str(124, 136).trim(), 8);
    out.set(prefix ? `${prefix}/${name}` : name, buf.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

async function openPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  pages.push(page);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return { page, errors };
}

/** The page scrolls inside its own container (the body never scrolls): grow the viewport to shoot all of it. */
async function fullShot(page: Page, name: string): Promise<void> {
  const height = await page.evaluate(() => document.querySelector('[data-testid=datasets-page]')!.scrollHeight);
  const before = page.viewportSize()!;
  await page.setViewportSize({ width: before.width, height: Math.min(6000, Math.max(before.height, height)) });
  await page.screenshot({ path: join(ARTIFACTS, name) });
  await page.setViewportSize(before);
}

const text = (page: Page, testId: string) => page.getByTestId(testId).innerText({ timeout: 15_000 });
const num = async (page: Page, testId: string) => Number((await text(page, testId)).replace(/[^\d.]/g, ''));

/**
 * Three rounds of the training loop as the manifest keeps them:
 * round 2 is kept as a candidate (it did not beat round 1's policy).
 */
function loopRound(round: number, score: number, registered: boolean, h1: number, h16: number): LoopRound {
  const s = {
    score,
    scoreInterval: { low: score - 0.5, high: score + 0.6, level: 95 },
    meanReturn: 2 + round,
    meanLength: 190,
  };
  return {
    round,
    runDir: '/data/loop',
    quick: false,
    finishedAt: `2026-12-0${round}T01:00:00.000Z`,
    evaluation: { seed: 0, episodes: 100 },
    data: { sessions: 50 * round, steps: { ai: 60_000 * round, human: 1_200 }, episodes: { ai: 50 * round, human: 3 } },
    worldModel: {
      name: 'world-sim-loop',
      steps: 4000 * round,
      viewAccuracy: { '1': h1, '4': h1 - 3, '16': h16, '64': h16 - 15 },
      heldOutEpisodes: 5 * round,
    },
    policies: [
      { name: 'loop-bc', stage: 'bc', ...s },
      { name: 'loop-imagination', stage: 'rl-imagination', ...s, score: score - 1 },
    ],
    random: { score: 1.5, scoreInterval: { low: 1.2, high: 1.7, level: 95 }, meanReturn: 1.3, meanLength: 158 },
    incumbent: round === 1 ? null : { name: 'loop-policy', ...s },
    registered: registered ? ['loop-policy', 'world-sim-loop'] : [],
    decision: registered
      ? 'loop-bc registered as loop-policy'
      : 'loop-bc does not beat loop-policy: kept as a candidate',
    seconds: { record: 60, worldModel: 600, bc: 720, imagination: 360, evaluation: 40, registration: 0.1 },
  };
}
const LOOP_HISTORY = [
  loopRound(1, 4.2, true, 95.1, 80.3),
  loopRound(2, 3.9, false, 96.0, 82.5),
  loopRound(3, 6.8, true, 96.4, 84.9),
];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // A private build (the shared dist/game may be rebuilt by other tests meanwhile).
  await buildPrivateDist(DIST);
  // Three days of play: AI-only sessions and sessions with a (recorded-as-)human player.
  const day = (d: number) => new Date(Date.UTC(2026, 10, 20 + d, 9 + d));
  generateSessions({
    dataDir: DATA,
    episodes: 6,
    seed: 1,
    sessions: 2,
    players: 2,
    maxSteps: 90,
    startedAt: (s) => day(s),
  });
  generateSessions({
    dataDir: DATA,
    episodes: 6,
    seed: 2,
    sessions: 2,
    players: 2,
    maxSteps: 140,
    humanSlots: [1],
    startedAt: (s) => day(s + 1),
  });
  relay = await startRelayServer({ port: 0, host: '127.0.0.1', dataDir: DATA, staticDir: DIST, logLevel: 'silent' });
  // The empty relay's models: a manifest without training rounds.
  mkdirSync(join(EMPTY, 'models'), { recursive: true });
  writeFileSync(
    join(EMPTY, 'models', 'manifest.json'),
    JSON.stringify({ format: MANIFEST_FORMAT, version: MANIFEST_VERSION, models: [] }),
  );
  emptyRelay = await startRelayServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: EMPTY,
    staticDir: DIST,
    modelsDir: join(EMPTY, 'models'),
    logLevel: 'silent',
  });
  mkdirSync(LOOP_MODELS, { recursive: true });
  writeFileSync(
    join(LOOP_MODELS, 'manifest.json'),
    JSON.stringify(
      parseManifest({ format: MANIFEST_FORMAT, version: MANIFEST_VERSION, models: [], history: LOOP_HISTORY }),
    ),
  );
  loopRelay = await startRelayServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: DATA,
    staticDir: DIST,
    modelsDir: LOOP_MODELS,
    logLevel: 'silent',
  });
  const sum = (await (await fetch(`${relay.url}/api/datasets`)).json()) as { sessions: number; stats: typeof expected };
  expected = { ...sum.stats, sessions: sum.sessions };
  browser = await launchChromium();
});

afterAll(async () => {
  for (const p of pages) await p.close().catch(() => {});
  await browser?.close();
  await relay?.close();
  await emptyRelay?.close();
  await loopRelay?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('Datasets page (Chromium, real relay)', () => {
  it('keeps the page out of the first bundle and is reachable from the home screen', async () => {
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    const main = /src="\.\/(assets\/index-[^"]+\.js)"/.exec(html)![1];
    const mainJs = readFileSync(join(DIST, main), 'utf8');
    expect(mainJs).not.toContain('Achievement success rates');
    const chunk = readdirSync(join(DIST, 'assets')).find((f) => f.startsWith('DatasetsPage-'));
    expect(chunk).toBeDefined();
    expect(readFileSync(join(DIST, 'assets', chunk!), 'utf8')).toContain('Achievement success rates');

    const { page, errors } = await openPage(`${relay.url}/`);
    await page.getByTestId('open-datasets').click({ timeout: 15_000 });
    await page.getByTestId('datasets-counts').waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).searchParams.get('page')).toBe('datasets');
    expect(errors).toEqual([]);
  });

  it('shows counts and charts, narrows the list with a filter, shows API errors as they are', async () => {
    expect(expected.sessions).toBe(4);
    expect(expected.human).toBeGreaterThan(0);
    expect(expected.ai).toBeGreaterThan(expected.human);
    const { page, errors } = await openPage(`${relay.url}/?page=datasets`);
    await page.getByTestId('datasets-counts').waitFor({ timeout: 20_000 });
    expect(await num(page, 'count-sessions')).toBe(expected.sessions);
    expect(await num(page, 'count-episodes')).toBe(expected.episodes);
    expect(await num(page, 'count-steps')).toBe(expected.steps);
    expect(await num(page, 'count-human')).toBe(expected.human);
    expect(await num(page, 'count-ai')).toBe(expected.ai);

    // Charts: a bar per hour over the four sessions' span, 22 achievement rows, a return histogram.
    await page.getByTestId('chart-episodes').waitFor({ timeout: 15_000 });
    const bars = Number(await page.getByTestId('chart-episodes').getAttribute('data-bars'));
    expect(bars).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('chart-episodes').locator('rect').count()).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('chart-steps').locator('rect').count()).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('chart-achievements-row').count()).toBe(22);
    expect(await page.getByTestId('chart-returns').locator('rect').count()).toBeGreaterThan(0);
    expect(await text(page, 'filter-total')).toBe(String(expected.episodes));
    const allRows = await page.getByTestId('episode-row').count();
    expect(allRows).toBe(Math.min(50, expected.episodes));
    await fullShot(page, 'datasets-all.png');

    // Filter: human players only, with a minimum length.
    await page.getByTestId('filter-kind').selectOption('human');
    await page.getByTestId('filter-min-length').fill('10');
    await page.getByTestId('filter-apply').click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=episode-row][data-kind=ai]').length === 0,
      null,
      { timeout: 15_000 },
    );
    const humanRows = await page.getByTestId('episode-row').count();
    expect(humanRows).toBeGreaterThan(0);
    expect(humanRows).toBeLessThan(allRows);
    expect(Number(await text(page, 'filter-total'))).toBe(humanRows);
    const lengths = await page
      .getByTestId('episode-row')
      .evaluateAll((rows) => rows.map((r) => Number(r.children[3].textContent!.replace(/,/g, ''))));
    expect(lengths.every((l) => l >= 10)).toBe(true);
    // Only the human series is drawn now.
    expect(await page.getByTestId('chart-episodes').locator(`rect[fill="#fbbf24"]`).count()).toBe(0);

    // A value the API refuses: its message, shown as is; the last good result stays.
    await page.getByTestId('filter-min-return').fill('lots');
    await page.getByTestId('filter-apply').click();
    const err = page.getByTestId('filter-error');
    await err.waitFor({ timeout: 15_000 });
    expect(await err.innerText()).toMatch(/invalid filter: minReturn/);
    expect(await page.getByTestId('episode-row').count()).toBe(humanRows);
    await page.getByTestId('filter-min-return').fill('');
    await page.getByTestId('filter-apply').click();
    await err.waitFor({ state: 'detached', timeout: 15_000 });
    // Chromium logs the refused requests (episodes and charts) themselves; nothing else went wrong.
    expect(errors.filter((e) => !/status of 400 \(Bad Request\)/.test(e))).toEqual([]);
    expect(errors.length).toBeLessThanOrEqual(2);
  });

  it('runs a Parquet export with progress to completion; the download link returns the archive', async () => {
    const { page, errors } = await openPage(`${relay.url}/?page=datasets`);
    await page.getByTestId('filter-form').waitFor({ timeout: 20_000 });
    await page.getByTestId('filter-kind').selectOption('ai');
    await page.getByTestId('filter-apply').click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=episode-row][data-kind=human]').length === 0,
      null,
      { timeout: 15_000 },
    );
    const matching = Number(await text(page, 'filter-total'));
    // Record every state and percentage the job row shows.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const note = () => {
        const row = document.querySelector('[data-testid=job-parquet]');
        const bar = document.querySelector('[data-testid=job-parquet-progress]');
        if (row && bar) {
          const s = `${row.getAttribute('data-state')}:${bar.getAttribute('aria-valuenow')}`;
          if (seen[seen.length - 1] !== s) seen.push(s);
        }
      };
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByTestId('export-parquet').click();
    const link = page.getByTestId('job-parquet-download');
    await link.waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('job-parquet').getAttribute('data-state')).toBe('done');
    expect(await page.getByTestId('job-parquet-progress').getAttribute('aria-valuenow')).toBe('100');
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen[0]).toMatch(/^(queued|running):\d+$/);
    expect(seen[seen.length - 1]).toBe('done:100');
    expect(await link.innerText()).toMatch(/Download \.tar \(\d/);
    await fullShot(page, 'datasets-export.png');

    const href = await link.getAttribute('href');
    const url = new URL(href!, page.url());
    expect(url.origin).toBe(new URL(relay.url).origin);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="aikon-crafter-ai-[0-9a-f]{8}\.tar"$/,
    );
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    const tar = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(tar.length);
    const files = untar(tar);
    const parquetName = [...files.keys()].find((n) => n.endsWith('/data.parquet'))!;
    expect(parquetName).toBeDefined();
    expect([...files.keys()].some((n) => n.endsWith('/README.md'))).toBe(true);
    const parquet = files.get(parquetName)!;
    expect(parquet.subarray(0, 4).toString()).toBe('PAR1');
    expect(parquet.subarray(parquet.length - 4).toString()).toBe('PAR1');
    const job = (await (await fetch(`${relay.url}/api/datasets/exports`)).json()) as {
      jobs: { format: string; episodes: number; steps: number }[];
    };
    const pj = job.jobs.find((j) => j.format === 'parquet')!;
    expect(pj.episodes).toBe(matching);
    const ab = parquet.buffer.slice(parquet.byteOffset, parquet.byteOffset + parquet.length) as ArrayBuffer;
    // One row per observation: T + 1 per episode.
    expect(Number(parquetMetadata(ab).num_rows)).toBe(pj.steps + pj.episodes);
    // The browser's own request of the link (same origin, a Range) works too.
    const part = await page.evaluate(async (h) => {
      const r = await fetch(h, { headers: { range: 'bytes=0-511' } });
      return { status: r.status, range: r.headers.get('content-range'), bytes: (await r.arrayBuffer()).byteLength };
    }, href!);
    expect(part).toEqual({ status: 206, range: `bytes 0-511/${tar.length}`, bytes: 512 });
    expect(errors).toEqual([]);
  });

  it('explains how to get data when there is none', async () => {
    const { page, errors } = await openPage(`${emptyRelay.url}/?page=datasets`);
    const empty = page.getByTestId('datasets-empty');
    await empty.waitFor({ timeout: 20_000 });
    expect(await empty.innerText()).toContain('npm run dataset -- generate --episodes 20 --policy random --seed 1');
    await page.screenshot({ path: join(ARTIFACTS, 'datasets-empty.png') });
    expect(errors).toEqual([]);
  });

  it("charts the training loop's rounds from the models manifest's history", async () => {
    const { page, errors } = await openPage(`${loopRelay.url}/?page=datasets`);
    await page.getByTestId('chart-loop-score').waitFor({ timeout: 20_000 });
    // One score point per round, at each round's best policy, filled where it was registered.
    const points = page.getByTestId('loop-score-point');
    expect(await points.count()).toBe(3);
    expect(
      await points.evaluateAll((els) =>
        els.map((e) => [e.getAttribute('data-score'), e.getAttribute('data-registered')]),
      ),
    ).toEqual([
      ['4.20', 'true'],
      ['3.90', 'false'],
      ['6.80', 'true'],
    ]);
    // A higher score is drawn higher: round 3's point above round 1's.
    const cy = await points.evaluateAll((els) =>
      els.map((e) => Number(e.querySelectorAll('circle')[0].getAttribute('cy'))),
    );
    expect(cy[2]).toBeLessThan(cy[0]);
    // World-model accuracy at 1 and 16 steps per round.
    const wm = await page
      .getByTestId('loop-wm-point')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-horizon')}:${e.getAttribute('data-accuracy')}`));
    expect(wm).toEqual(['1:95.1', '1:96', '1:96.4', '16:80.3', '16:82.5', '16:84.9']);
    const rows = page.getByTestId('loop-round-row');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(1).innerText()).toContain('kept as a candidate');
    await page.getByTestId('training-rounds').scrollIntoViewIfNeeded();
    await page.getByTestId('training-rounds').screenshot({ path: join(ARTIFACTS, 'datasets-training-rounds.png') });
    expect(errors).toEqual([]);
  });

  it('says how to run the loop when the manifest has no rounds', async () => {
    const { page, errors } = await openPage(`${emptyRelay.url}/?page=datasets`);
    await page.getByTestId('training-rounds-empty').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('training-rounds-empty').innerText()).toContain('npm run loop');
    expect(errors).toEqual([]);
  });
  it("bins each episode by when it began: a session's episodes minutes apart fill their own minutes", async () => {
    // One session at 2 ticks/s whose three episodes begin minutes apart (the page used to put all
    // of them in the session's first minute).
    const dir = join(tmp, 'minutes');
    generateSessions({
      dataDir: dir,
      tickRate: 2,
      episodes: 3,
      seed: 5,
      players: 1,
      maxSteps: 600,
      startedAt: () => new Date('2026-11-01T10:00:00Z'),
    });
    const expectedBars = new Map<string, number>();
    for (const { beganAt } of selectEpisodes(loadCatalog(dir), {})) {
      const label = `${beganAt.slice(5, 10)} ${beganAt.slice(11, 16)}`;
      expectedBars.set(label, (expectedBars.get(label) ?? 0) + 1);
    }
    expect(expectedBars.size).toBeGreaterThan(1);
    const minutes = await startRelayServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      staticDir: DIST,
      logLevel: 'silent',
    });
    try {
      const { page, errors } = await openPage(`${minutes.url}/?page=datasets`);
      await page.getByTestId('chart-episodes').waitFor({ timeout: 20_000 });
      // Each bar's tooltip: "MM-DD HH:MM: human H, AI A (total T)".
      const titles = await page
        .getByTestId('chart-episodes-bar')
        .evaluateAll((bars) => bars.map((g) => g.querySelector('title')!.textContent!));
      const shown = new Map<string, number>();
      for (const title of titles) {
        const at = title.indexOf(': ');
        const count = [...title.slice(at).matchAll(/(?:human|AI) (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
        if (count > 0) shown.set(title.slice(0, at), count);
      }
      expect(shown).toEqual(expectedBars);
      await fullShot(page, 'datasets-minutes.png');
      expect(errors).toEqual([]);
    } finally {
      await minutes.close();
    }
  });

  it('lists a live lobby as in progress with its episodes so far, and follows it as it plays', async () => {
    const live = await startRelayServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: LIVE,
      staticDir: DIST,
      logLevel: 'silent',
    });
    const host = createRelayClient(live.url, { timeoutMs: 15_000 });
    try {
      await host.connect();
      const { lobby } = await host.createLobby({ name: 'Hana', seed: 3, tickRate: 15 });
      await host.start();
      const running = live.lobbyByCode(lobby.code)!;
      await expect.poll(() => running.world?.t ?? 0, { timeout: 30_000 }).toBeGreaterThan(5);
      // The host's first life ends (health set to 0 on the server): one episode so far.
      running.world!.findPlayer(0)!.inventory[0] = 0;
      await expect.poll(() => running.world!.findPlayer(0)?.dead, { timeout: 15_000 }).toBe(true);

      const { page, errors } = await openPage(`${live.url}/?page=datasets`);
      const row = page.locator('[data-testid=session-row][data-state=live]');
      await row.waitFor({ timeout: 20_000 });
      expect(await row.getByTestId('session-episodes').textContent()).toBe('1 so far');
      // Its ticks so far, read from the growing log (no longer "—").
      const ticksShown = () => row.getByTestId('session-ticks').textContent();
      const shownAt = Number((await ticksShown())!.replace(/\D/g, ''));
      expect(await ticksShown()).toMatch(/^[\d,]+ so far$/);
      expect(shownAt).toBeGreaterThan(5);
      expect(shownAt).toBeLessThanOrEqual(running.world!.t);
      expect(await num(page, 'count-episodes')).toBe(1);
      await page.getByTestId('live-badge').first().waitFor();
      await page.locator('[data-testid=episode-row] [data-testid=live-badge]').waitFor({ timeout: 15_000 });
      // Nothing of it can be exported before the session ends, and the export panel says so.
      expect(await page.getByTestId('datasets-export').textContent()).toMatch(
        /the 0 episodes matching the filter \(and 1 from sessions in progress/,
      );
      expect(await page.getByTestId('export-parquet').isDisabled()).toBe(true);
      await fullShot(page, 'datasets-live.png');

      // A second life ends while the page is open: the page shows it at its next refresh (10 s).
      await host.respawn();
      await expect.poll(() => running.world!.findPlayer(0)?.dead, { timeout: 15_000 }).toBe(false);
      await expect.poll(() => running.world!.t, { timeout: 15_000 }).toBeGreaterThan(running.world!.t + 3);
      running.world!.findPlayer(0)!.inventory[0] = 0;
      await expect.poll(() => row.getByTestId('session-episodes').textContent(), { timeout: 30_000 }).toBe('2 so far');
      await expect.poll(() => page.getByTestId('episode-row').count(), { timeout: 15_000 }).toBe(2);
      expect(Number((await ticksShown())!.replace(/\D/g, ''))).toBeGreaterThan(shownAt);
      expect(errors).toEqual([]);
    } finally {
      host.close();
      await live.close();
    }
  });
});
