import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const PLACEHOLDER = `<!doctype html><meta charset="utf-8"><title>AI-KON relay</title>
<p>The AI-KON relay server is running, but the game is not built (no <code>dist/game</code>).
Build it with the game client's <code>vite build</code>. Invite links look like <code>/?lobby=CODE</code>.</p>`;

/**
 * Serves the built game from `root` with SPA fallback: unknown paths without a file
 * extension (e.g. /join/CODE) get index.html. Never serves outside `root`.
 */
export function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): void {
  const base = resolve(root);
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    res.writeHead(400).end('bad path');
    return;
  }
  if (pathname.includes('\0')) {
    res.writeHead(400).end('bad path');
    return;
  }
  const index = join(base, 'index.html');
  const hasBuild = existsSync(index);
  const target = normalize(join(base, pathname));
  const inside = target === base || target.startsWith(base + sep);
  let file: string | null = null;
  if (inside && existsSync(target)) {
    const st = statSync(target);
    if (st.isFile()) file = target;
    else if (st.isDirectory() && existsSync(join(target, 'index.html'))) file = join(target, 'index.html');
  }
  if (!file) {
    if (extname(pathname) !== '' && pathname !== '/index.html') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (!hasBuild) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PLACEHOLDER);
      return;
    }
    // SPA fallback (e.g. /join/CODE). The build uses relative asset URLs (vite base './'),
    // so the page gets <base href="/"> to load them from the root, not from /join/.
    const html = readFileSync(index, 'utf8');
    const withBase = /<base\s/i.test(html) ? html : html.replace(/<head([^>]*)>/i, '<head$1>\n    <base href="/" />');
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : withBase);
    return;
  }
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const immutable = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    'content-type': type,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
