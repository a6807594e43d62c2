import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// Builds the browser game (apps/game) into dist/game; static files come from public/.
export default defineConfig({
  root: here('./apps/game'),
  publicDir: here('./public'),
  base: './',
  plugins: [react(), tailwindcss()],
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
