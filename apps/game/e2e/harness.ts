/**
 * End-to-end plumbing shared by the browser tests and the bench: a fresh build of the game,
 * a static server on a free 127.0.0.1 port, and Debian's Chromium through playwright-core.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { decode } from 'fast-png';
import { DIRECTIONS, Material, PLAYER_WALKABLE, World } from '@aikon/engine';

export const REPO = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
/**
 * The tests' build of the game: `--mode test`, so it carries the `window.__aikon*` hooks
 * (src/game/test-build.ts); kept apart from the production build in dist/game.
 */
export const DIST = join(REPO, 'dist', 'game-test');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const SOURCES = [
  'apps/game/src',
  'apps/game/index.html',
  'packages/engine/src',
  'packages/protocol/src',
  'packages/world-model/src',
  'packages/agents/src',
  'models/manifest.json',
  'public',
  'vite.config.ts',
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Builds DIST (the test build) unless one newer than every source file is already there. */
export async function ensureBuild(force = false): Promise<{ built: boolean; ms: number }> {
  const index = join(DIST, 'index.html');
  const sourcesAt = Math.max(...SOURCES.map((p) => newestMtime(join(REPO, p))));
  if (!force && existsSync(index) && statSync(index).mtimeMs > sourcesAt) return { built: false, ms: 0 };
  const started = performance.now();
  const { build } = await import('vite');
  await build({
    configFile: join(REPO, 'vite.config.ts'),
    logLevel: 'warn',
    mode: 'test',
    build: { outDir: DIST, emptyOutDir: true },
  });
  return { built: true, ms: performance.now() - started };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.ico': 'image/x-icon',
};

/**
 * Builds the game into `outDir`, a test's private copy (a test build unless `mode` says
 * otherwise): the shared DIST may be rebuilt by other test files meanwhile, and a relay serving
 * it would then serve half a build.
 */
export async function buildPrivateDist(outDir: string, mode: 'test' | 'production' = 'test'): Promise<void> {
  const { build } = await import('vite');
  await build({
    configFile: join(REPO, 'vite.config.ts'),
    logLevel: 'warn',
    mode,
    build: { outDir, emptyOutDir: true },
  });
}

/** Serves DIST (or `root`) on 127.0.0.1 at a free port. */
export async function serveDist(root = DIST): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(root + sep) && file !== root) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
  // Keep timers and rAF running when the headless window is "in the background".
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** Console errors other than WebGL/GPU chatter from software rendering, which is tolerated. */
export function realErrors(errors: readonly string[]): string[] {
  return errors.filter((e) => !/GL_|WebGL|GPU stall|swiftshader/i.test(e));
}

/** Screenshot pixels: how many distinct colours and how much they vary (a blank page has few of both). */
export function imageVariety(png: Buffer): { colors: number; stddev: number } {
  const image = decode(png);
  const data = image.data as Uint8Array;
  const step = image.channels;
  const colors = new Set<number>();
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let i = 0; i < data.length; i += step * 7) {
    colors.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    const lum = (data[i] + data[i + 1] + data[i + 2]) / 3;
    sum += lum;
    sumSq += lum * lum;
    n++;
  }
  const mean = sum / n;
  return { colors: colors.size, stddev: Math.sqrt(sumSq / n - mean * mean) };
}

/** The first seed from `from` on which `players` players who stand still all survive `steps` steps. */
export function calmSeed(from: number, steps: number, players = 1): number {
  for (let seed = from; seed < from + 200; seed++) {
    const world = World.generate({ seed });
    for (let i = 0; i < players; i++) world.addPlayer();
    const idle = new Array<number>(players).fill(0);
    let alive = true;
    for (let i = 0; i < steps && alive; i++) {
      world.step(idle);
      alive = world.players.every((p) => !p.dead);
    }
    if (alive) return seed;
  }
  throw new Error('no calm seed');
}

/**
 * Keeps the listed players' health, food, drink and energy full on the server. Crafter kills a
 * player who stands still within about 150-340 steps (thirst, hunger, night's zombies), which a
 * test on a loaded machine can outlast; these tests are about the network, not survival (and a
 * dream is refused to a dying player). Dead players are left alone, so a test can still kill one
 * by taking a slot out of the set. Returns the stop function.
 */
export function keepAlive(lobby: { world: World | null }, slots: Set<number>): () => void {
  const timer = setInterval(() => {
    for (const slot of slots) {
      const p = lobby.world?.findPlayer(slot);
      if (p && !p.dead) p.inventory.fill(9, 0, 4);
    }
  }, 20);
  return () => clearInterval(timer);
}

/** A seed whose start tile sees a tree in a straight, walkable line, found with the engine in Node. */
export function seedWithTree(): { seed: number; dir: number; distance: number } {
  for (let seed = 1; seed < 500; seed++) {
    const world = World.generate({ seed });
    const p = world.addPlayer();
    for (let dir = 0; dir < 4; dir++) {
      const [dx, dy] = DIRECTIONS[dir];
      for (let k = 1; k <= 5; k++) {
        const m = world.getMaterial(p.x + dx * k, p.y + dy * k);
        if (m === Material.tree) return { seed, dir, distance: k };
        if (PLAYER_WALKABLE[m] !== 1 || m === Material.lava) break;
      }
    }
  }
  throw new Error('no seed with a tree in reach');
}
