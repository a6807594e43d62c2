/**
 * The Datasets page in Debian's Chromium against the real relay (in-process, random
 * 127.0.0.1 port) on a temp data directory pre-filled by `dataset generate`'s code: counts and
 * charts, a filter that narrows the list, an API error shown as is, a Parquet export with
 * progress to completion and its download (bytes and headers checked), the empty state, and
 * the page's code kept out of the first page's bundle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parquetMetadata } from 'hyparquet';
import { generateSessions } from '@aikon/datasets';
import { startRelayServer, type RelayServer } from '@aikon/relay-server';
import { launchChromium, REPO } from './harness.ts';

const ARTIFACTS = join(REPO, 'test-results', 'datasets');
const tmp = mkdtempSync(join(tmpdir(), 'aikon-ds-e2e-'));
const DIST = join(tmp, 'dist');
const DATA = join(tmp, 'data');
const EMPTY = join(tmp, 'empty');

let relay: RelayServer;
let emptyRelay: RelayServer;
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

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // A private build (the shared dist/game may be rebuilt by other tests meanwhile).
  const { build } = await import('vite');
  await build({ configFile: join(REPO, 'vite.config.ts'), logLevel: 'warn', build: { outDir: DIST, emptyOutDir: true } });
  // Three days of play: AI-only sessions and sessions with a (recorded-as-)human player.
  const day = (d: number) => new Date(Date.UTC(2026, 10, 20 + d, 9 + d));
  generateSessions({ dataDir: DATA, episodes: 6, seed: 1, sessions: 2, players: 2, maxSteps: 90, startedAt: (s) => day(s) });
  generateSessions({ dataDir: DATA, episodes: 6, seed: 2, sessions: 2, players: 2, maxSteps: 140, humanSlots: [1], startedAt: (s) => day(s + 1) });
  relay = await startRelayServer({ port: 0, host: '127.0.0.1', dataDir: DATA, staticDir: DIST, logLevel: 'silent' });
  emptyRelay = await startRelayServer({ port: 0, host: '127.0.0.1', dataDir: EMPTY, staticDir: DIST, logLevel: 'silent' });
  const sum = (await (await fetch(`${relay.url}/api/datasets`)).json()) as { sessions: number; stats: typeof expected };
  expected = { ...sum.stats, sessions: sum.sessions };
  browser = await launchChromium();
});

afterAll(async () => {
  for (const p of pages) await p.close().catch(() => {});
  await browser?.close();
  await relay?.close();
  await emptyRelay?.close();
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
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=episode-row][data-kind=ai]').length === 0, null, { timeout: 15_000 });
    const humanRows = await page.getByTestId('episode-row').count();
    expect(humanRows).toBeGreaterThan(0);
    expect(humanRows).toBeLessThan(allRows);
    expect(Number(await text(page, 'filter-total'))).toBe(humanRows);
    const lengths = await page.getByTestId('episode-row').evaluateAll((rows) => rows.map((r) => Number(r.children[3].textContent!.replace(/,/g, ''))));
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
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=episode-row][data-kind=human]').length === 0, null, { timeout: 15_000 });
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
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="aikon-crafter-ai-[0-9a-f]{8}\.tar"$/);
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
    const job = (await (await fetch(`${relay.url}/api/datasets/exports`)).json()) as { jobs: { format: string; episodes: number; steps: number }[] };
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
});
