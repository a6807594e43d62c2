import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { REPO_ROOT } from '../src/config.ts';
import { startTestServer } from '../test/helpers.ts';

const GAME = join(REPO_ROOT, 'dist/game');
const CHROMIUM = '/usr/bin/chromium';

// The relay serves the built game (vite build → dist/game); invite links open it.
describe.skipIf(!existsSync(join(GAME, 'index.html')) || !existsSync(CHROMIUM))('relay serves the built game', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer({ staticDir: GAME });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  for (const path of ['/?lobby=AbCdEfGhIjKlMnOpQrSt_-', '/join/AbCdEfGhIjKlMnOpQrSt_-']) {
    it(`an invite link ${path} loads the game page and all its assets`, async () => {
      const page = await browser.newPage();
      const failed: string[] = [];
      page.on('response', (r) => {
        if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
      });
      page.on('requestfailed', (r) => failed.push(`failed ${r.url()}`));
      await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
      await page.waitForFunction(() => (document.getElementById('root')?.childElementCount ?? 0) > 0, null, {
        timeout: 30_000,
      });
      // No lobby has this code: the page asks the relay, says so at once, and cleans the URL.
      // That lookup's 404 is the answer; every asset must still load.
      await page.getByText('No open lobby has this invite link', { exact: false }).waitFor({ timeout: 30_000 });
      const lookup = `404 ${server.url}/api/lobbies/AbCdEfGhIjKlMnOpQrSt_-`;
      expect(failed.filter((f) => f !== lookup)).toEqual([]);
      expect(new URL(page.url()).search).not.toContain('lobby=');
      expect(new URL(page.url()).pathname).not.toContain('/join/');
      await page.close();
    });
  }
});
