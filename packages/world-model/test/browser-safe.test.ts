import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('browser path', () => {
  it('the Web Worker entries and the web entry bundle for the browser without Node modules', async () => {
    for (const entry of ['src/dream-worker.ts', 'src/web.ts', 'src/camera/camera-worker.ts']) {
      const r = await build({
        entryPoints: [new URL(`../${entry}`, import.meta.url).pathname],
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
      for (const bad of [
        'onnxruntime-node',
        'tfjs-backend-wasm',
        '@tensorflow/tfjs-core',
        'cli-progress',
        'src/node/',
      ]) {
        expect(inputs.filter((p) => p.includes(bad))).toEqual([]);
      }
    }
  });
});
