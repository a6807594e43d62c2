import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * The world models for browser dream shards: `models/manifest.json` and the .onnx/.bin files it lists
 * are served at /models/ by the dev and preview servers and copied into the build (the relay
 * serves the repo's models/ at the same path, so a retrained model needs no rebuild there).
 */
function worldModels(dir = here('./models')): Plugin {
  const files = (): string[] => {
    const manifest = join(dir, 'manifest.json');
    if (!existsSync(manifest)) return [];
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as {
      models?: { file?: string }[];
      simulators?: { file?: string }[];
      cameras?: { file?: string }[];
    };
    const listed = [...(m.models ?? []), ...(m.simulators ?? []), ...(m.cameras ?? [])].map((e) => e.file ?? '');
    return ['manifest.json', ...listed.filter((f) => /^[\w.-]+\.(onnx|bin)$/.test(f) && existsSync(join(dir, f)))];
  };
  const serve = (server: {
    middlewares: {
      use(fn: (req: { url?: string }, res: import('node:http').ServerResponse, next: () => void) => void): void;
    };
  }) =>
    server.middlewares.use((req, res, next) => {
      const m = /^\/models\/([\w.-]+)$/.exec((req.url ?? '').split('?')[0]);
      if (!m || !files().includes(m[1])) return next();
      res.setHeader('content-type', m[1].endsWith('.json') ? 'application/json' : 'application/octet-stream');
      res.end(readFileSync(join(dir, m[1])));
    });
  return {
    name: 'aikon-world-models',
    configureServer: serve,
    configurePreviewServer: serve,
    generateBundle() {
      for (const f of files())
        this.emitFile({ type: 'asset', fileName: `models/${f}`, source: readFileSync(join(dir, f)) });
    },
  };
}

// Builds the browser game (apps/game) into dist/game; static files come from public/.
export default defineConfig({
  root: here('./apps/game'),
  publicDir: here('./public'),
  base: './',
  plugins: [react(), tailwindcss(), worldModels()],
  // onnxruntime-web finds its .wasm next to itself (new URL(..., import.meta.url)): keep it out of
  // the dev pre-bundle so that URL stays right; the build emits the .wasm as an asset.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  build: {
    outDir: here('./dist/game'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
