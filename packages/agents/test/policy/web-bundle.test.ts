import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('the policy in a browser', () => {
  it('@aikon/agents/policy/web bundles for the browser with onnxruntime-web and no Node module', async () => {
    const r = await build({
      entryPoints: [new URL('../../src/policy/web.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      external: ['*.wasm'],
    });
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.some((p) => p.includes('onnxruntime-web'))).toBe(true);
    for (const bad of ['onnxruntime-node', '@tensorflow/', 'cli-progress', 'policy/node/', 'better-sqlite3']) {
      expect(inputs.filter((p) => p.includes(bad))).toEqual([]);
    }
  });
});
