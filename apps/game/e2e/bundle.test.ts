/**
 * The `window.__aikon*` test hooks exist only in test builds: a production build (`npm run build`'s
 * mode) has none of them in any file, while the harness's test build has them (so the search
 * below can find what it looks for).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPrivateDist, DIST, ensureBuild } from './harness.ts';

const HOOK = /__aikon[A-Za-z]*/g;
let production: string;

beforeAll(async () => {
  production = mkdtempSync(join(tmpdir(), 'aikon-prod-build-'));
  await buildPrivateDist(production, 'production');
  await ensureBuild();
});

afterAll(() => {
  if (production) rmSync(production, { recursive: true, force: true });
});

/** Every hook name in the build's JavaScript and HTML, by file. */
function hooksIn(dir: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(m?js|html)$/.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const names = readFileSync(path, 'utf8').match(HOOK);
    if (names) found.set(path.slice(dir.length + 1), [...new Set(names)]);
  }
  return found;
}

describe('test hooks', () => {
  it('a production build contains no window.__aikon* hook', () => {
    expect(readdirSync(join(production, 'assets')).some((f) => f.endsWith('.js'))).toBe(true);
    expect(Object.fromEntries(hooksIn(production))).toEqual({});
  });

  it('the test build has them all', () => {
    const names = new Set([...hooksIn(DIST).values()].flat());
    for (const hook of ['__aikon', '__aikonNet', '__aikonDream', '__aikonPeer', '__aikonFirstFrame'])
      expect(names.has(hook), hook).toBe(true);
  });
});
