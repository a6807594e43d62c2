/**
 * Agent view (CRAFTER_RULES.md §15, §18 rendering, checklist 95–100), the texture atlas, and
 * golden images.
 *
 * Golden PNGs live in test/golden/ and are compared byte for byte with the renderer's output.
 * After an intended change of the art or the renderer, look at the new images and regenerate:
 *   UPDATE_GOLDEN=1 npx vitest run packages/engine/test/render.test.ts
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode, encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import {
  Action,
  AgentViewRenderer,
  ATLAS_HEIGHT,
  ATLAS_WIDTH,
  daylightAt,
  decodeAtlas,
  Direction,
  Item,
  LOCAL_VIEW_SIZE,
  localSemanticView,
  Material,
  type MaterialName,
  scaleNearest,
  TEXTURE_NAMES,
  type TextureName,
  type Textures,
  World,
  entityTexture,
  renderNoise,
  renderNoiseKey,
} from '../src/index.ts';
import { DEFAULT_ATLAS_PATH, loadTextures } from '../src/node.ts';

const here = dirname(fileURLToPath(import.meta.url));
const GOLDEN_DIR = join(here, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const textures: Textures = loadTextures();
const r64 = new AgentViewRenderer(textures, 64);

function setTime(world: World, t: number): void {
  world.t = t;
  world.daylight = daylightAt(t);
}

/** A blank world with one player at (32, 32), at full daylight (t = 60). */
function blank(fill: MaterialName = 'grass', seed = 1): { world: World; p: ReturnType<World['addPlayer']> } {
  const world = World.blank({ seed, fill });
  const p = world.addPlayer();
  setTime(world, 60);
  return { world, p };
}

function pixel(img: Uint8Array, size: number, x: number, y: number): [number, number, number] {
  const i = (y * size + x) * 3;
  return [img[i], img[i + 1], img[i + 2]];
}

/** RGB of `sprite` (RGBA n×n) composited over `under` (RGB n×n) with the renderer's blend. */
function over(under: Uint8Array, sprite: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(under);
  for (let i = 0; i < n * n; i++) {
    const a = sprite[i * 4 + 3];
    for (let c = 0; c < 3; c++) out[i * 3 + c] = ((a * sprite[i * 4 + c] + (255 - a) * out[i * 3 + c]) / 255) | 0;
  }
  return out;
}
function rgbOf(rgba: Uint8Array): Uint8Array {
  const out = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0; i < rgba.length / 4; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = rgba[i * 4 + c];
  return out;
}
/** The n×n block of an RGB image at (x0, y0). */
function block(img: Uint8Array, size: number, x0: number, y0: number, n: number): Uint8Array {
  const out = new Uint8Array(n * n * 3);
  for (let y = 0; y < n; y++)
    out.set(img.subarray(((y0 + y) * size + x0) * 3, ((y0 + y) * size + x0 + n) * 3), y * n * 3);
  return out;
}
function tile(name: TextureName, n: number): Uint8Array {
  return rgbOf(scaleNearest(textures.get(name), 16, n));
}

// ---- golden images ----------------------------------------------------------------------

/**
 * A fixed episode of seed 2028: a scripted walk with work (wood, a sapling, a drink), then
 * sleep once energy drops, then waiting into the night. Frames: the first observation, a
 * daytime frame, a sleeping frame and a midnight frame (t = 205, daylight ≈ 0: noise).
 */
function goldenEpisode(): { name: string; image: Uint8Array }[] {
  // The golden frames show a world of engine 0.1.x ('simplex-noise' terrain): pinning that
  // generator keeps them byte for byte, and checks that it still builds the same world.
  const world = World.generate({ seed: 2028, terrain: 'simplex-noise' });
  world.addPlayer();
  const frames: { name: string; image: Uint8Array }[] = [];
  const snap = (name: string) => frames.push({ name, image: r64.render(world, 0) });
  snap('seed2028-t000');
  const walk = [
    Action.move_left,
    Action.move_left,
    Action.move_up,
    Action.do,
    Action.move_up,
    Action.move_right,
    Action.do,
    Action.move_down,
    Action.move_down,
    Action.do,
    Action.move_left,
    Action.noop,
  ];
  for (let t = 0; t < 48; t++) world.step([walk[t % walk.length]]);
  snap('seed2028-t048-day');
  const p = world.player(0);
  while (!(world.t >= 95 && p.sleeping) && !p.done) {
    world.step([p.sleeping || p.inventory[Item.energy] < 9 ? Action.sleep : Action.noop]);
  }
  expect(p.sleeping).toBe(true);
  snap(`seed2028-t${String(world.t).padStart(3, '0')}-sleep`);
  while (world.t < 205 && !p.done) world.step([Action.noop]);
  expect(p.dead).toBe(false);
  snap(`seed2028-t${String(world.t).padStart(3, '0')}-night`);
  return frames;
}

/** A hand-built scene with every material, every object sprite and two players. */
function showcase(): World {
  const world = World.blank({ seed: 5, fill: 'grass' });
  const p = world.addPlayer();
  const q = world.addPlayer();
  const put = (dx: number, dy: number, m: MaterialName) => world.setMaterial(32 + dx, 32 + dy, Material[m]);
  put(-4, -3, 'water');
  put(-3, -3, 'water');
  put(-4, -2, 'water');
  put(-2, -3, 'sand');
  put(-3, -2, 'sand');
  put(-1, -3, 'stone');
  put(0, -3, 'coal');
  put(1, -3, 'iron');
  put(2, -3, 'diamond');
  put(3, -3, 'stone');
  put(4, -3, 'path');
  put(3, -2, 'lava');
  put(4, -1, 'path');
  put(4, -2, 'path');
  put(-4, 1, 'tree');
  put(-4, 2, 'tree');
  put(-3, 3, 'tree');
  put(2, 2, 'table');
  put(3, 2, 'furnace');
  put(4, 3, 'sand');
  world.spawn('cow', 30, 31);
  world.spawn('zombie', 35, 33);
  world.spawn('skeleton', 36, 30);
  world.spawn('arrow', 34, 31).dir = Direction.left;
  world.spawn('arrow', 29, 33).dir = Direction.up;
  world.spawn('plant', 30, 34);
  world.spawn('plant', 31, 35).grown = 301;
  q.facing = Direction.left;
  p.inventory.set([9, 8, 7, 6, 5, 4, 3, 2, 1, 1, 1, 1, 1, 0, 1, 1]);
  setTime(world, 60);
  return world;
}

function checkGolden(name: string, image: Uint8Array, size: number): void {
  const file = join(GOLDEN_DIR, `${name}.png`);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, encode({ width: size, height: size, data: image, channels: 3, depth: 8 }));
    return;
  }
  if (!existsSync(file)) throw new Error(`missing golden ${file}; run with UPDATE_GOLDEN=1 and look at it`);
  const golden = decode(readFileSync(file));
  expect([golden.width, golden.height, golden.channels, golden.depth]).toEqual([size, size, 3, 8]);
  const expected = golden.data as Uint8Array;
  let diff = 0;
  for (let i = 0; i < image.length; i++) if (image[i] !== expected[i]) diff++;
  expect(diff, `${name}: ${diff} bytes differ from the golden image`).toBe(0);
}

describe('golden images (64×64)', () => {
  it('a fixed episode: first frame, day, sleeping, night', () => {
    const frames = goldenEpisode();
    expect(frames.map((f) => f.name)).toEqual([
      'seed2028-t000',
      'seed2028-t048-day',
      expect.stringMatching(/-sleep$/),
      expect.stringMatching(/-night$/),
    ]);
    for (const f of frames) checkGolden(f.name, f.image, 64);
  });

  it('a showcase scene of every sprite, by day, at night and asleep, for both players', () => {
    const world = showcase();
    checkGolden('showcase-day', r64.render(world, 0), 64);
    checkGolden('showcase-day-slot1', r64.render(world, 1), 64);
    setTime(world, 200);
    checkGolden('showcase-night', r64.render(world, 0), 64);
    setTime(world, 60);
    world.player(0).sleeping = true;
    checkGolden('showcase-sleep', r64.render(world, 0), 64);
  });

  it('the fixed episode renders identically twice (rendering is a pure function of the state)', () => {
    const a = goldenEpisode();
    const b = goldenEpisode();
    for (let i = 0; i < a.length; i++) expect(Buffer.from(a[i].image).equals(Buffer.from(b[i].image))).toBe(true);
  });
});

// ---- the atlas --------------------------------------------------------------------------

describe('texture atlas', () => {
  it('decodes every sprite of §15.3 from public/textures/atlas.png', () => {
    const t = decodeAtlas(readFileSync(DEFAULT_ATLAS_PATH));
    expect([t.atlas.width, t.atlas.height]).toEqual([ATLAS_WIDTH, ATLAS_HEIGHT]);
    expect(t.list).toHaveLength(TEXTURE_NAMES.length);
    for (const name of TEXTURE_NAMES) expect(t.get(name)).toHaveLength(16 * 16 * 4);
    expect(loadTextures()).toBe(loadTextures());
  });

  it('material tiles are opaque; creatures, items and digits have transparent backgrounds', () => {
    const materials: TextureName[] = [
      'unknown',
      'water',
      'grass',
      'stone',
      'path',
      'sand',
      'tree',
      'lava',
      'coal',
      'iron',
      'diamond',
      'table',
      'furnace',
    ];
    for (const name of TEXTURE_NAMES) {
      const s = textures.get(name);
      let clear = 0;
      for (let i = 3; i < s.length; i += 4) if (s[i] === 0) clear++;
      if (materials.includes(name)) expect(clear, name).toBe(0);
      else {
        expect(clear, name).toBeGreaterThan(0);
        expect(s[3], `${name}: top-left corner`).toBe(0);
      }
    }
  });

  it('every sprite is distinct, also at the 7 px tile size', () => {
    const seen = new Map<string, string>();
    for (const name of TEXTURE_NAMES) {
      const key = Buffer.from(scaleNearest(textures.get(name), 16, 7)).toString('hex');
      expect(seen.get(key), `${name} looks like ${seen.get(key)} at 7 px`).toBeUndefined();
      seen.set(key, name);
    }
  });

  it('rejects an atlas of the wrong size', () => {
    const png = encode({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 4), channels: 4, depth: 8 });
    expect(() => decodeAtlas(png)).toThrow(/atlas/);
  });
});

describe('§15.3 sprite choice', () => {
  it('players by facing or asleep, arrows by direction, plants by ripeness', () => {
    const { world, p } = blank();
    const names = ['left', 'right', 'up', 'down'] as const;
    names.forEach((name, dir) => {
      p.facing = dir;
      expect(entityTexture(p)).toBe(`player-${name}`);
      const arrow = world.spawn('arrow', 10 + dir, 10);
      arrow.dir = dir;
      expect(entityTexture(arrow)).toBe(`arrow-${name}`);
    });
    p.sleeping = true;
    expect(entityTexture(p)).toBe('player-sleep');
    const plant = world.spawn('plant', 20, 20);
    plant.grown = 300;
    expect(entityTexture(plant)).toBe('sapling');
    plant.grown = 301;
    expect(entityTexture(plant)).toBe('plant-ripe');
    expect(entityTexture(world.spawn('cow', 21, 20))).toBe('cow');
    expect(entityTexture(world.spawn('zombie', 22, 20))).toBe('zombie');
    expect(entityTexture(world.spawn('skeleton', 23, 20))).toBe('skeleton');
  });
});

// ---- checklist 95–100 ---------------------------------------------------------------------

describe('§15 / checklist 95–100', () => {
  it('95: the observation is 64×64×3; row 63 and column 63 are black', () => {
    const { world } = blank();
    setTime(world, 0);
    const img = r64.render(world, 0);
    expect(img).toHaveLength(64 * 64 * 3);
    for (let i = 0; i < 64; i++) {
      expect(pixel(img, 64, i, 63)).toEqual([0, 0, 0]);
      expect(pixel(img, 64, 63, i)).toEqual([0, 0, 0]);
    }
    expect([r64.unit, r64.offset, r64.mapWidth, r64.mapHeight]).toEqual([7, 0, 63, 49]);
  });

  it('96: the player sprite occupies x 28–34, y 21–27; every other cell shows its tile', () => {
    const { world } = blank();
    const img = r64.render(world, 0);
    const grass = tile('grass', 7);
    for (let j = 0; j < 7; j++) {
      for (let i = 0; i < 9; i++) {
        const got = block(img, 64, i * 7, j * 7, 7);
        const want = i === 4 && j === 3 ? over(grass, scaleNearest(textures.get('player-down'), 16, 7), 7) : grass;
        expect(Buffer.from(got).equals(Buffer.from(want)), `cell (${i}, ${j})`).toBe(true);
      }
    }
    expect(Buffer.from(block(img, 64, 28, 21, 7)).equals(Buffer.from(grass))).toBe(false);
    // Facing picks the sprite (§15.3).
    world.player(0).facing = Direction.left;
    const left = block(r64.render(world, 0), 64, 28, 21, 7);
    expect(
      Buffer.from(left).equals(Buffer.from(over(grass, scaleNearest(textures.get('player-left'), 16, 7), 7))),
    ).toBe(true);
  });

  it('97: off-world cells render as grey 127 before lighting', () => {
    const { world, p } = blank();
    world.moveEntity(p, 1, 0);
    let img = r64.render(world, 0);
    // Columns x − 4 … x − 2 (cells 0–2) and rows y − 3 … y − 1 (cells 0–2) are off the map.
    for (const [i, j] of [
      [0, 0],
      [2, 6],
      [8, 0],
      [0, 3],
    ] as const) {
      expect(pixel(img, 64, i * 7 + 3, j * 7 + 3), `cell (${i}, ${j})`).toEqual([127, 127, 127]);
    }
    expect(pixel(img, 64, 3 * 7 + 3, 3 * 7 + 6)).not.toEqual([127, 127, 127]);
    // Lit at t = 0 (daylight ≈ 0.797), the same grey goes through §15.4 like any pixel.
    setTime(world, 0);
    img = r64.render(world, 0);
    const D = world.daylight;
    const want = [127 * D + (1 - D) * 63.5, 127 * D + (1 - D) * 71.5, 127 * D + (1 - D) * 95.5].map(Math.trunc);
    expect(pixel(img, 64, 3, 3)).toEqual(want);
  });

  it('98: health 9 shows the heart and digit 9 at rows 49–55, columns 0–6; a count of 0 leaves the cell black', () => {
    const { world, p } = blank();
    setTime(world, 200); // the inventory is never darkened
    p.sleeping = true; // nor greyed
    const img = r64.render(world, 0);
    const cell = new Uint8Array(7 * 7 * 3);
    const placed = (sprite: Uint8Array, n: number, at: number) => {
      const withBg = new Uint8Array(cell);
      const sub = block(withBg, 7, at, at, n);
      const drawn = over(sub, sprite, n);
      for (let y = 0; y < n; y++) withBg.set(drawn.subarray(y * n * 3, (y + 1) * n * 3), ((at + y) * 7 + at) * 3);
      return withBg;
    };
    cell.set(placed(scaleNearest(textures.get('icon-health'), 16, 5), 5, 0));
    cell.set(placed(scaleNearest(textures.get('digit-9'), 16, 4), 4, 2));
    expect(Buffer.from(block(img, 64, 0, 49, 7)).equals(Buffer.from(cell))).toBe(true);
    // Sapling (entry 4, count 0): cell (4, 0) of the inventory, columns 28–34.
    expect(block(img, 64, 28, 49, 7).every((v) => v === 0)).toBe(true);
    // Cells never shift: with wood only, entry 5 lands in column 35, not 28.
    p.inventory[Item.wood] = 3;
    const img2 = r64.render(world, 0);
    expect(block(img2, 64, 28, 49, 7).every((v) => v === 0)).toBe(true);
    expect(block(img2, 64, 35, 49, 7).some((v) => v !== 0)).toBe(true);
    // Row 1 holds diamond … iron_sword (entries 9–15) at rows 56–62.
    p.inventory[Item.iron_sword] = 1;
    const img3 = r64.render(world, 0);
    expect(block(img3, 64, 6 * 7, 56, 7).some((v) => v !== 0)).toBe(true);
    expect(block(img3, 64, 5 * 7, 56, 7).every((v) => v === 0)).toBe(true);
  });

  it('99: semantic ids: player 13 at its position, water 1, grass 2, stone 3', () => {
    const { world, p } = blank();
    world.setMaterial(31, 32, Material.water);
    world.setMaterial(33, 32, Material.stone);
    const map = world.semanticMap();
    expect(map[p.x * 64 + p.y]).toBe(13);
    expect(map[31 * 64 + 32]).toBe(1);
    expect(map[32 * 64 + 33]).toBe(2);
    expect(map[33 * 64 + 32]).toBe(3);
    const local = localSemanticView(world, 0);
    expect(local).toHaveLength(LOCAL_VIEW_SIZE);
    // Row-major: index j·9 + i is tile (x + i − 4, y + j − 3).
    expect(local[3 * 9 + 4]).toBe(13);
    expect(local[3 * 9 + 3]).toBe(1);
    expect(local[3 * 9 + 5]).toBe(3);
    expect(local[0]).toBe(2);
    // Off-world tiles are 0.
    world.moveEntity(p, 0, 63);
    const edge = localSemanticView(world, 0, new Uint8Array(LOCAL_VIEW_SIZE));
    for (let j = 0; j < 7; j++) {
      for (let i = 0; i < 9; i++) {
        const off = i < 4 || j > 3;
        expect(edge[j * 9 + i] === 0, `(${i}, ${j})`).toBe(off);
      }
    }
    expect(() => localSemanticView(world, 0, new Uint8Array(10))).toThrow(RangeError);
  });

  it('100: at daylight ≥ 0.5 no noise; below it, noise that is strongest at the edges', () => {
    const pair = (t: number) => {
      const a = blank('grass', 1);
      const b = blank('grass', 99);
      setTime(a.world, t);
      setTime(b.world, t);
      return [r64.render(a.world, 0), r64.render(b.world, 0)];
    };
    // Daylight ≥ 0.5 (t = 0: 0.797, t = 140: ≈ 0.58): the seed, and so the noise, changes nothing.
    for (const t of [0, 60, 140, 285]) {
      expect(daylightAt(t)).toBeGreaterThanOrEqual(0.5);
      const [a, b] = pair(t);
      expect(Buffer.from(a).equals(Buffer.from(b)), `t = ${t}`).toBe(true);
    }
    // Night (t = 210, daylight 0): per-pixel noise, none at the centre, most in the corners.
    const [a, b] = pair(210);
    const diffAt = (x: number, y: number) => {
      const pa = pixel(a, 64, x, y);
      const pb = pixel(b, 64, x, y);
      return Math.abs(pa[0] - pb[0]) + Math.abs(pa[1] - pb[1]) + Math.abs(pa[2] - pb[2]);
    };
    const mean = (pts: [number, number][]) => pts.reduce((s, [x, y]) => s + diffAt(x, y), 0) / pts.length;
    const corners: [number, number][] = [];
    const centre: [number, number][] = [];
    for (let d = 0; d < 5; d++)
      for (let e = 0; e < 5; e++) {
        corners.push([d, e], [62 - d, e], [d, 48 - e], [62 - d, 48 - e]);
        centre.push([29 + d, 22 + e]);
      }
    expect(diffAt(31, 24)).toBe(0); // the exact centre: vignette 0
    expect(mean(corners)).toBeGreaterThan(20);
    expect(mean(corners)).toBeGreaterThan(10 * mean(centre));
    // Same seed and step: the same noise (a hash, not a generator).
    const again = blank('grass', 1);
    setTime(again.world, 210);
    expect(Buffer.from(r64.render(again.world, 0)).equals(Buffer.from(a))).toBe(true);
    // The noise changes from step to step.
    setTime(again.world, 510);
    expect(Buffer.from(r64.render(again.world, 0)).equals(Buffer.from(a))).toBe(false);
  });
});

// ---- §15.4–15.5 numbers ---------------------------------------------------------------------

describe('§15.4 daylight and §15.5 sleeping', () => {
  it('full daylight leaves the canvas unchanged; otherwise every map pixel follows the §15.4 formula', () => {
    const { world } = blank('sand');
    const day = r64.render(world, 0);
    expect(Buffer.from(block(day, 64, 0, 0, 7)).equals(Buffer.from(tile('sand', 7)))).toBe(true);
    for (const t of [0, 150, 180, 210]) {
      setTime(world, t);
      const img = r64.render(world, 0);
      const D = world.daylight;
      const key = renderNoiseKey(world.seed, world.t);
      for (const [x, y] of [
        [0, 0],
        [62, 48],
        [31, 20],
        [10, 40],
        [50, 5],
      ] as const) {
        const [r, g, b] = pixel(day, 64, x, y);
        let [nr, ng, nb] = [r, g, b];
        if (D < 0.5) {
          const u = -1 + (2 * x) / 62;
          const v = -1 + (2 * y) / 48;
          const m = 2 * (0.5 - D) * (1 - Math.exp((-0.5 * (u * u + v * v)) / 0.25));
          const noise = 32 + 95 * renderNoise(key, y * 63 + x);
          [nr, ng, nb] = [nr, ng, nb].map((c) => (1 - m) * c + m * noise);
        }
        const gray = 0.299 * nr + 0.587 * ng + 0.114 * nb;
        const night = [
          0.5 * (0.4 * nr + 0.6 * gray),
          0.5 * (0.4 * ng + 0.6 * gray) + 8,
          0.5 * (0.4 * nb + 0.6 * gray) + 32,
        ];
        const want = [r, g, b].map((c, k) => Math.trunc(D * c + (1 - D) * night[k]));
        expect(pixel(img, 64, x, y), `t ${t} (${x}, ${y})`).toEqual(want);
      }
    }
  });

  it('sleeping greys the map fully and tints it toward (0, 0, 16); the inventory stays in colour', () => {
    const { world, p } = blank();
    const awake = r64.render(world, 0);
    p.sleeping = true;
    const asleep = r64.render(world, 0);
    for (const [x, y] of [
      [3, 3],
      [40, 10],
      [60, 45],
    ] as const) {
      const [r, g, b] = pixel(awake, 64, x, y);
      const s = 0.299 * r + 0.587 * g + 0.114 * b;
      expect(pixel(asleep, 64, x, y)).toEqual([Math.trunc(0.5 * s), Math.trunc(0.5 * s), Math.trunc(0.5 * s + 8)]);
    }
    // The player sprite is the sleeping one.
    const grass = tile('grass', 7);
    const sprite = over(grass, scaleNearest(textures.get('player-sleep'), 16, 7), 7);
    const [r, g, b] = [sprite[3 * 7 * 3 + 9], sprite[3 * 7 * 3 + 10], sprite[3 * 7 * 3 + 11]];
    const s = 0.299 * r + 0.587 * g + 0.114 * b;
    expect(pixel(asleep, 64, 28 + 3, 21 + 3)).toEqual([
      Math.trunc(0.5 * s),
      Math.trunc(0.5 * s),
      Math.trunc(0.5 * s + 8),
    ]);
    expect(Buffer.from(block(asleep, 64, 0, 49, 7)).equals(Buffer.from(block(awake, 64, 0, 49, 7)))).toBe(true);
  });
});

// ---- state, sizes, several players ------------------------------------------------------------

describe('rendering and the game state', () => {
  it('rendering (day and night) never changes world.hash() nor the game PRNG', () => {
    const run = (render: boolean) => {
      const world = World.generate({ seed: 77 });
      world.addPlayer();
      world.addPlayer();
      const hashes: string[] = [];
      const obs = new Uint8Array(64 * 64 * 3);
      let nightFrames = 0;
      for (let t = 0; t < 260 && !world.over; t++) {
        if (render) {
          if (world.daylight < 0.5) nightFrames++;
          const before = world.hash();
          const rng = world.rng.getState().join();
          r64.render(world, 0, obs);
          r64.render(world, 1, obs);
          localSemanticView(world, 0);
          expect(world.hash()).toBe(before);
          expect(world.rng.getState().join()).toBe(rng);
        }
        world.step([(t * 7) % 17, (t * 5 + 3) % 17]);
        hashes.push(world.hash());
      }
      // The noisy night path (daylight < 0.5) must have been drawn, not only day frames.
      if (render) expect(nightFrames).toBeGreaterThan(10);
      return hashes;
    };
    expect(run(true)).toEqual(run(false));
  });

  it('reuses the output buffer and checks its size', () => {
    const { world } = blank();
    const out = new Uint8Array(64 * 64 * 3).fill(200);
    expect(r64.render(world, 0, out)).toBe(out);
    expect(out[(63 * 64 + 63) * 3]).toBe(0);
    expect(() => r64.render(world, 0, new Uint8Array(10))).toThrow(RangeError);
    expect(() => r64.render(world, 5)).toThrow(RangeError);
  });

  it.each([
    [256, 28, 2],
    [100, 11, 0],
    [9, 1, 0],
    [70, 7, 3],
  ])('renders at size %i: unit %i, offset %i, the player centred', (size, unit, offset) => {
    const r = new AgentViewRenderer(textures, size);
    expect([r.unit, r.offset]).toEqual([unit, offset]);
    const { world, p } = blank();
    p.inventory[Item.wood] = 5;
    const img = r.render(world, 0);
    expect(img).toHaveLength(size * size * 3);
    // Black border around the 9u × 9u block.
    const end = offset + 9 * unit;
    for (let i = 0; i < size; i++) {
      for (const [x, y] of [
        [i, 0],
        [0, i],
        [i, size - 1],
        [size - 1, i],
      ] as const) {
        const inBlock = x >= offset && y >= offset && x < end && y < end;
        if (!inBlock) expect(pixel(img, size, x, y), `(${x}, ${y})`).toEqual([0, 0, 0]);
      }
    }
    // The player cell equals the player sprite over grass at this unit.
    const want = over(tile('grass', unit), scaleNearest(textures.get('player-down'), 16, unit), unit);
    expect(Buffer.from(block(img, size, offset + 4 * unit, offset + 3 * unit, unit)).equals(Buffer.from(want))).toBe(
      true,
    );
    // The wood icon sits at ⌊0.1u⌋ in inventory cell (5, 0).
    const icon = Math.floor(0.8 * unit);
    const iconOff = Math.floor(0.1 * unit);
    const cellX = offset + 5 * unit;
    const cellY = offset + 7 * unit;
    const wood = scaleNearest(textures.get('icon-wood'), 16, icon);
    let opaque = 0;
    const digitFrom = Math.floor(0.4 * unit);
    for (let y = 0; y < icon; y++) {
      for (let x = 0; x < icon; x++) {
        if (wood[(y * icon + x) * 4 + 3] !== 255) continue;
        if (x + iconOff >= digitFrom && y + iconOff >= digitFrom) continue; // under the digit
        opaque++;
        const s = (y * icon + x) * 4;
        expect(pixel(img, size, cellX + iconOff + x, cellY + iconOff + y)).toEqual([wood[s], wood[s + 1], wood[s + 2]]);
      }
    }
    if (unit >= 7) expect(opaque).toBeGreaterThan(0);
  });

  it('writes the same bytes into an array that does not start on a word (byte path) as into one that does', () => {
    // At 64 × 64 the map goes out as 32-bit words when `out` starts on a word, else byte by byte.
    const { world, p } = blank();
    p.inventory[Item.wood] = 3;
    world.spawn('cow', 33, 32);
    for (const t of [60, 190]) {
      setTime(world, t);
      for (const sleeping of [false, true]) {
        p.sleeping = sleeping;
        const aligned = r64.render(world, 0);
        const unaligned = new Uint8Array(64 * 64 * 3 + 1).subarray(1);
        r64.render(world, 0, unaligned);
        expect(Buffer.from(unaligned).equals(Buffer.from(aligned)), `t ${t}, asleep ${sleeping}`).toBe(true);
      }
    }
  });

  it('one renderer alternating between worlds draws each as a renderer of its own does', () => {
    // The inventory rows are reused between frames while the shown entries stay the same.
    const a = blank('grass', 1);
    const b = blank('sand', 2);
    a.p.inventory[Item.wood] = 2;
    b.p.inventory[Item.stone] = 12;
    const own = new AgentViewRenderer(textures, 64);
    const wantA = own.render(a.world, 0);
    const wantB = new AgentViewRenderer(textures, 64).render(b.world, 0);
    const shared = new AgentViewRenderer(textures, 64);
    for (let k = 0; k < 3; k++) {
      expect(Buffer.from(shared.render(a.world, 0)).equals(Buffer.from(wantA))).toBe(true);
      expect(Buffer.from(shared.render(b.world, 0)).equals(Buffer.from(wantB))).toBe(true);
    }
    a.p.inventory[Item.wood] = 0;
    expect(Buffer.from(shared.render(a.world, 0)).equals(Buffer.from(own.render(a.world, 0)))).toBe(true);
    expect(Buffer.from(shared.render(a.world, 0)).equals(Buffer.from(wantA))).toBe(false);
  });

  it('rejects sizes below 9', () => {
    expect(() => new AgentViewRenderer(textures, 8)).toThrow(RangeError);
  });
});

describe('§18 several players', () => {
  it('each player gets its own centred view, inventory and sleeping overlay; others use player sprites', () => {
    const world = World.blank({ seed: 3, fill: 'grass' });
    const a = world.addPlayer();
    const b = world.addPlayer();
    setTime(world, 60);
    world.moveEntity(b, 34, 33); // 2 right, 1 down of a
    b.facing = Direction.up;
    b.sleeping = true;
    a.inventory[Item.health] = 4;
    b.inventory[Item.sapling] = 2;
    const va = r64.render(world, 0);
    const vb = r64.render(world, 1);
    const grass = tile('grass', 7);
    const cell = (img: Uint8Array, i: number, j: number) => Buffer.from(block(img, 64, i * 7, j * 7, 7));
    const sprite = (name: TextureName) => Buffer.from(over(grass, scaleNearest(textures.get(name), 16, 7), 7));
    // A's view: A in the centre facing down, B (asleep) at cell (6, 4); A's map is not greyed.
    expect(cell(va, 4, 3).equals(sprite('player-down'))).toBe(true);
    expect(cell(va, 6, 4).equals(sprite('player-sleep'))).toBe(true);
    // B's view: greyed (B sleeps); B in the centre, A at cell (2, 2).
    const grey = (buf: Buffer) => {
      for (let i = 0; i < buf.length; i += 3) if (Math.abs(buf[i] - buf[i + 1]) > 1) return false;
      return true;
    };
    expect(grey(cell(vb, 2, 2))).toBe(true);
    expect(grey(cell(va, 2, 2))).toBe(false);
    expect(cell(vb, 2, 2).equals(cell(vb, 0, 0))).toBe(false); // A is drawn there
    // Own inventories: A has health 4 (no sapling), B health 9 and 2 saplings.
    expect(block(va, 64, 28, 49, 7).every((v) => v === 0)).toBe(true);
    expect(block(vb, 64, 28, 49, 7).some((v) => v !== 0)).toBe(true);
    expect(Buffer.from(block(va, 64, 0, 49, 7)).equals(Buffer.from(block(vb, 64, 0, 49, 7)))).toBe(false);
    // Semantic views centred on each; every player is 13.
    const sa = localSemanticView(world, 0);
    const sb = localSemanticView(world, 1);
    expect(sa[3 * 9 + 4]).toBe(13);
    expect(sa[4 * 9 + 6]).toBe(13);
    expect(sb[3 * 9 + 4]).toBe(13);
    expect(sb[2 * 9 + 2]).toBe(13);
  });

  it('sprites sharing a cell blend in drawing order, however many; cells of equal content render equally', () => {
    // The renderer composes each distinct cell content once per frame (keyed by its material and
    // up to five sprites; more go unkeyed): a stack of six, one of two, and the same two elsewhere.
    const { world } = blank('sand');
    const stack6 = ['cow', 'zombie', 'skeleton', 'arrow', 'plant', 'cow'] as const;
    const stack2 = ['zombie', 'arrow'] as const;
    let free = 2;
    const place = (kinds: readonly (typeof stack6)[number][], x: number, y: number) =>
      kinds.map((kind) => {
        const e = world.spawn(kind, free++, 2);
        e.x = x; // stacked for the renderer only (it reads positions, not the grid)
        e.y = y;
        return e;
      });
    const six = place(stack6, 30, 31); // cell (2, 2)
    place(stack2, 34, 30); // cell (6, 1)
    place(stack2, 29, 34); // cell (1, 5)
    const img = r64.render(world, 0);
    let want = tile('sand', 7);
    for (const e of six) want = over(want, scaleNearest(textures.get(entityTexture(e)), 16, 7), 7);
    const cell = (i: number, j: number) => Buffer.from(block(img, 64, i * 7, j * 7, 7));
    expect(cell(2, 2).equals(Buffer.from(want))).toBe(true);
    const two = over(
      over(tile('sand', 7), scaleNearest(textures.get('zombie'), 16, 7), 7),
      scaleNearest(textures.get(entityTexture(world.objects.at(-1)!)), 16, 7),
      7,
    );
    expect(cell(6, 1).equals(Buffer.from(two))).toBe(true);
    expect(cell(1, 5).equals(Buffer.from(two))).toBe(true);
    expect(cell(0, 0).equals(Buffer.from(tile('sand', 7)))).toBe(true);
  });

  it('a removed player is not drawn; a player whose body is gone still gets a view of its last tile', () => {
    const world = World.blank({ seed: 3, fill: 'grass' });
    world.addPlayer();
    const b = world.addPlayer();
    setTime(world, 60);
    world.moveEntity(b, 33, 32);
    const grass = Buffer.from(tile('grass', 7));
    world.removeEntity(b);
    const va = r64.render(world, 0);
    expect(Buffer.from(block(va, 64, 5 * 7, 3 * 7, 7)).equals(grass)).toBe(true);
    const vb = r64.render(world, 1);
    expect(Buffer.from(block(vb, 64, 4 * 7, 3 * 7, 7)).equals(grass)).toBe(true);
    expect(Buffer.from(block(vb, 64, 3 * 7, 3 * 7, 7)).equals(grass)).toBe(false);
  });
});
