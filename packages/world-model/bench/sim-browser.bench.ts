/**
 * The browser dream shard at batch 1 in Debian's Chromium (headless, playwright-core): the shipped
 * world simulator (models/manifest.json, sha256-checked) stepped through the dream protocol with
 * random actions, on the page and in a Web Worker (where the game runs it). Plain JS, no wasm.
 *
 *   npx tsx packages/world-model/bench/sim-browser.bench.ts [--seconds 5] [--json]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { cli } from '../src/node/cli.ts';
import { loadSim } from '../src/sim/load.ts';
import type { SimBrowserResult } from './sim-browser-entry.ts';

const { values, repoRoot } = cli('npx tsx packages/world-model/bench/sim-browser.bench.ts [options]', {
  seconds: { type: 'number', min: 0.1, default: 5, help: 'seconds per measurement' },
  json: { type: 'boolean', help: 'print one JSON object' },
});
const seconds = values.seconds;
const models = join(repoRoot, 'models');
const manifest = JSON.parse(readFileSync(join(models, 'manifest.json'), 'utf8')) as unknown;
// loadSim checks the bytes
const { entry } = await loadSim(manifest, async (f) => new Uint8Array(readFileSync(join(models, f))));
const bytes = readFileSync(join(models, entry.file));

// One classic script for both the page and the worker (the entry tells them apart).
const out = await build({
  configFile: false,
  logLevel: 'warn',
  build: {
    write: false,
    minify: true,
    target: 'es2022',
    lib: { entry: join(import.meta.dirname, 'sim-browser-entry.ts'), formats: ['iife'], name: 'simBench' },
  },
});
const chunk = (Array.isArray(out) ? out[0] : out) as { output: { type: string; code?: string }[] };
const code = chunk.output.find((o) => o.type === 'chunk')?.code;
if (!code) throw new Error('the bench bundle is empty');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox'],
});
try {
  const page = await browser.newPage();
  await page.goto('about:blank');
  await page.addScriptTag({ content: code }); // defines benchSim on the page
  const b64 = bytes.toString('base64');
  const result = await page.evaluate(
    async ({ code, b64, seconds }) => {
      const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const g = globalThis as unknown as { benchSim(bytes: Uint8Array, s: number): Promise<SimBrowserResult> };
      const onPage = await g.benchSim(bin, seconds);
      // This body runs in the page: the DOM's Worker and navigator, typed here by hand.
      type PageWorker = {
        onmessage: ((e: { data: unknown }) => void) | null;
        onerror: ((e: { message: string }) => void) | null;
        postMessage(m: unknown): void;
        terminate(): void;
      };
      const page = globalThis as unknown as {
        Worker: new (url: string) => PageWorker;
        navigator: { userAgent: string };
      };
      const worker = new page.Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
      const inWorker = await new Promise<SimBrowserResult>((ok, fail) => {
        worker.onmessage = (e) =>
          (e.data as { error?: string }).error
            ? fail(new Error((e.data as { error: string }).error))
            : ok(e.data as SimBrowserResult);
        worker.onerror = (e) => fail(new Error(e.message));
        worker.postMessage({ bytes: bin, seconds });
      });
      worker.terminate();
      return { onPage, inWorker, userAgent: page.navigator.userAgent };
    },
    { code, b64, seconds },
  );
  const report = { model: entry.name, bytes: entry.bytes, batch: 1, ...result };
  if (values.json) console.log(JSON.stringify(report));
  else {
    console.log(
      `${entry.name} (${entry.bytes} bytes), batch 1, ${result.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'Chromium'}:`,
    );
    console.log(
      `  on the page:   ${result.onPage.stepsPerSecond.toFixed(0)} steps/s ` +
        `(${result.onPage.steps} steps, ${result.onPage.resets} dreams ended on predicted death)`,
    );
    console.log(
      `  in a worker:   ${result.inWorker.stepsPerSecond.toFixed(0)} steps/s (${result.inWorker.steps} steps)`,
    );
  }
} finally {
  await browser.close();
}
