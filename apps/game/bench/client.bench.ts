/**
 * Game client bench: size of the JavaScript the first page loads (gzip), the lazily loaded
 * chunks, and in Debian's Chromium (SwiftShader, no GPU) the time to the first rendered frame
 * of the home page and of the 3D game, plus the frame and tick rates while playing.
 *
 *   npm run bench -w @aikon/game            (markdown)
 *   npm run bench -w @aikon/game -- --json  (one JSON object)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST, ensureBuild, launchChromium, serveDist } from '../e2e/harness.ts';

const RUNS = 3;
const json = process.argv.includes('--json');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;
const gz = (file: string) => gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length;
const raw = (file: string) => readFileSync(join(DIST, file)).length;

async function main(): Promise<void> {
  const build = await ensureBuild(true);
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const initial = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  const css = [...html.matchAll(/href="\.?\/?(assets\/[^"]+\.css)"/g)].map((m) => m[1]);
  const allJs = readdirSync(join(DIST, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => `assets/${f}`);
  const lazy = allJs.filter((f) => !initial.includes(f));
  const sizes = {
    initialJsGzipKB: kb(initial.reduce((s, f) => s + gz(f), 0)),
    initialJsRawKB: kb(initial.reduce((s, f) => s + raw(f), 0)),
    initialCssGzipKB: kb(css.reduce((s, f) => s + gz(f), 0)),
    lazyChunks: Object.fromEntries(
      lazy.map((f) => [f.replace(/^assets\//, ''), { gzipKB: kb(gz(f)), rawKB: kb(raw(f)) }]),
    ),
  };

  const server = await serveDist();
  const browser = await launchChromium();
  const home: number[] = [];
  const game: number[] = [];
  let fps = 0;
  let tps = 0;
  let drawCalls = 0;
  try {
    for (let run = 0; run < RUNS; run++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      await page.goto(server.url, { waitUntil: 'load' });
      await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
      home.push(await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0].startTime));
      await page.goto(`${server.url}?seed=1`, { waitUntil: 'load' });
      await page.waitForFunction(() => window.__aikon?.state().firstFrameAt != null, undefined, { timeout: 120_000 });
      game.push(await page.evaluate(() => window.__aikon!.state().firstFrameAt!));
      if (run === RUNS - 1) {
        // Frame rate and tick rate over 5 s of play (holding "move right").
        await page.keyboard.down('KeyD');
        const before = await page.evaluate(() => ({ t: window.__aikon!.state().t, now: performance.now() }));
        // A string, so that tsx's helper names do not leak into the page.
        const framesCounted = (await page.evaluate(`new Promise((ok) => {
          let n = 0;
          const start = performance.now();
          const loop = () => {
            n++;
            if (performance.now() - start < 5000) requestAnimationFrame(loop);
            else ok((n * 1000) / (performance.now() - start));
          };
          requestAnimationFrame(loop);
        })`)) as number;
        const after = await page.evaluate(() => ({ t: window.__aikon!.state().t, now: performance.now() }));
        await page.keyboard.up('KeyD');
        fps = Math.round(framesCounted * 10) / 10;
        tps = Math.round(((after.t - before.t) * 1000 * 10) / (after.now - before.now)) / 10;
        drawCalls = await page.evaluate(() => window.__aikon!.state().drawCalls);
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const result = {
    buildSeconds: Math.round(build.ms / 100) / 10,
    ...sizes,
    homeFirstContentfulPaintMs: Math.round(median(home)),
    gameFirstFrameMs: Math.round(median(game)),
    playFps: fps,
    playTicksPerSecond: tps,
    drawCalls,
    runs: RUNS,
    browser: 'Debian Chromium, headless, SwiftShader (software WebGL), 1280×720',
  };
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`| measure | value |
|---|---|
| initial JavaScript (gzip, level 9) | ${result.initialJsGzipKB} KB (${result.initialJsRawKB} KB raw) |
| initial CSS (gzip) | ${result.initialCssGzipKB} KB |
${Object.entries(result.lazyChunks)
  .map(
    ([name, s]) =>
      `| lazy: ${name.replace(/-[A-Za-z0-9_-]{8}\.js$/, '.js')} (gzip) | ${s.gzipKB} KB (${s.rawKB} KB raw) |`,
  )
  .join('\n')}
| home page: first contentful paint (median of ${RUNS}) | ${result.homeFirstContentfulPaintMs} ms |
| game (?seed=1): first rendered 3D frame after navigation (median of ${RUNS}) | ${result.gameFirstFrameMs} ms |
| frames per second while playing (SwiftShader) | ${result.playFps} |
| ticks per second while playing (target 8) | ${result.playTicksPerSecond} |
| draw calls per frame | ${result.drawCalls} |
| production build | ${result.buildSeconds} s |`);
}

await main();
