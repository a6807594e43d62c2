import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const src = (p: string) => fileURLToPath(new URL(`../src/${p}`, import.meta.url));

// The browser entries must stay free of the Node-only recorder and index (@aikon/protocol/node).
describe('browser bundles', () => {
  for (const entry of ['client.ts', 'index.ts']) {
    it(`${entry} bundles for the browser without node: modules or better-sqlite3`, async () => {
      const out = await build({
        entryPoints: [src(entry)],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        logLevel: 'silent',
        metafile: true,
      });
      const inputs = Object.keys(out.metafile!.inputs);
      expect(
        inputs.some((p) => p.includes('better-sqlite3') || p.startsWith('node:') || p.includes('/src/node/')),
      ).toBe(false);
    }, 60_000);
  }

  it('the node entry is what pulls in the file system and SQLite', async () => {
    const out = await build({
      entryPoints: [src('node/index.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      metafile: true,
      external: ['better-sqlite3'],
    });
    const imports = Object.values(out.metafile!.inputs).flatMap((i) => i.imports.map((x) => x.path));
    expect(imports).toContain('better-sqlite3');
    expect(imports).toContain('node:fs');
  }, 60_000);
});
