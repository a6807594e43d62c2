/**
 * Draws every sprite of the agent view (shared/CRAFTER_RULES.md §15.3) as code and writes
 *   public/textures/atlas.png          the grid atlas, in TEXTURE_NAMES order (ATLAS_COLUMNS wide)
 *   public/textures/sprites/<name>.png one 16×16 PNG per sprite, for people browsing
 *
 * All art here is original to this project: character grids with palettes, plus small
 * procedural drawing (hashed noise, tileable Voronoi cells) for the material tiles.
 * Everything is deterministic: running the script twice writes identical files.
 *
 * The 64×64 observation shows tiles at 7 px, inventory icons at 5 px and digits at 4 px,
 * scaled by nearest neighbour; at 7 px only source rows/columns 1, 3, 5, 8, 10, 12, 14 are
 * sampled, at 5 px 1, 4, 8, 11, 14 and at 4 px 2, 6, 10, 14. The sprites put their key
 * features on those lines so that they stay readable small.
 *
 * Usage: npx tsx packages/engine/scripts/make-textures.ts [--preview out.png]
 *   --preview writes a contact sheet (every sprite at 16 px ×6 and at 7 px ×8, on grass).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from 'fast-png';
import {
  ATLAS_COLUMNS,
  ATLAS_HEIGHT,
  ATLAS_WIDTH,
  TEXTURE_NAMES,
  TEXTURE_SIZE,
  scaleNearest,
  type TextureName,
} from '../src/render/textures.ts';

const S = TEXTURE_SIZE;
type RGBA = readonly [number, number, number, number];

function hex(h: string, alpha = 255): RGBA {
  const v = parseInt(h.replace('#', ''), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255, alpha];
}
function shade(c: RGBA, f: number): RGBA {
  const k = (v: number) => Math.max(0, Math.min(255, Math.round(v * f)));
  return [k(c[0]), k(c[1]), k(c[2]), c[3]];
}

/** Integer hash of (x, y, seed) → [0, 1). */
function hash(x: number, y: number, seed: number): number {
  let h = Math.imul(x | 0, 0x27d4eb2d) ^ Math.imul(y | 0, 0x165667b1) ^ Math.imul(seed | 0, 0x9e3779b9);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

class Sprite {
  readonly data = new Uint8Array(S * S * 4);
  set(x: number, y: number, c: RGBA): void {
    if (x < 0 || y < 0 || x >= S || y >= S) return;
    const i = (y * S + x) * 4;
    this.data[i] = c[0];
    this.data[i + 1] = c[1];
    this.data[i + 2] = c[2];
    this.data[i + 3] = c[3];
  }
  get(x: number, y: number): RGBA {
    const i = (((y + S) % S) * S + ((x + S) % S)) * 4;
    return [this.data[i], this.data[i + 1], this.data[i + 2], this.data[i + 3]];
  }
  fill(f: (x: number, y: number) => RGBA): this {
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) this.set(x, y, f(x, y));
    return this;
  }
  clone(): Sprite {
    const s = new Sprite();
    s.data.set(this.data);
    return s;
  }
  /** Draws a character grid over this sprite; '.' (and any char missing from the palette) keeps the pixel. */
  paint(rows: readonly string[], palette: Readonly<Record<string, RGBA>>, name = '?'): this {
    if (rows.length !== S) throw new Error(`${name}: ${rows.length} rows`);
    rows.forEach((row, y) => {
      if (row.length !== S) throw new Error(`${name}: row ${y} has ${row.length} chars: "${row}"`);
      for (let x = 0; x < S; x++) {
        const ch = row[x];
        if (ch === '.') continue;
        const c = palette[ch];
        if (!c) throw new Error(`${name}: no colour for "${ch}"`);
        this.set(x, y, c);
      }
    });
    return this;
  }
  mirror(): Sprite {
    const s = new Sprite();
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) s.set(S - 1 - x, y, this.get(x, y));
    return s;
  }
  /** Swaps axes (x, y) → (y, x). */
  transpose(): Sprite {
    const s = new Sprite();
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) s.set(y, x, this.get(x, y));
    return s;
  }
  flipY(): Sprite {
    const s = new Sprite();
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) s.set(x, S - 1 - y, this.get(x, y));
    return s;
  }
}

function grid(rows: readonly string[], palette: Readonly<Record<string, RGBA>>, name: string): Sprite {
  return new Sprite().paint(rows, palette, name);
}

/** Adds a dark outline around the opaque shape (on transparent neighbours only). */
function outline(s: Sprite, color: RGBA, diagonal = false): Sprite {
  const out = s.clone();
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      if (s.get(x, y)[3] !== 0) continue;
      let near = false;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (!diagonal && dx !== 0 && dy !== 0)) continue;
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= S || ny >= S) continue;
          if (s.get(nx, ny)[3] !== 0) near = true;
        }
      }
      if (near) out.set(x, y, color);
    }
  }
  return out;
}

// ---- tileable Voronoi cells for stone, lava, furnace -----------------------------------

interface Cells {
  /** Index of the nearest point, and distances to the nearest and the second nearest. */
  at(x: number, y: number): { cell: number; d1: number; d2: number };
}
function cells(points: readonly (readonly [number, number])[], stretch = 1): Cells {
  return {
    at(x: number, y: number) {
      let d1 = Infinity;
      let d2 = Infinity;
      let cell = 0;
      points.forEach(([px, py], i) => {
        for (let oy = -S; oy <= S; oy += S) {
          for (let ox = -S; ox <= S; ox += S) {
            const dx = x + 0.5 - (px + ox);
            const dy = (y + 0.5 - (py + oy)) * stretch;
            const d = Math.sqrt(dx * dx + dy * dy);
            if (d < d1) {
              d2 = d1;
              d1 = d;
              cell = i;
            } else if (d < d2) d2 = d;
          }
        }
      });
      return { cell, d1, d2 };
    },
  };
}

// ---- materials (opaque) ---------------------------------------------------------------

const GRASS = [hex('#3f8d32'), hex('#4b9e3a'), hex('#56ab41'), hex('#66ba4b'), hex('#357a2b')];

function grass(seed = 1): Sprite {
  const s = new Sprite().fill((x, y) => {
    const r = hash(x, y, seed);
    if (r < 0.1) return GRASS[0];
    if (r < 0.55) return GRASS[1];
    if (r < 0.9) return GRASS[2];
    return GRASS[3];
  });
  // Little tufts: a dark root with two light blades.
  const tufts: [number, number][] = [
    [3, 3],
    [10, 1],
    [13, 8],
    [5, 10],
    [9, 13],
    [1, 14],
  ];
  for (const [x, y] of tufts) {
    s.set(x, y, GRASS[4]);
    s.set(x - 1, y - 1, GRASS[3]);
    s.set(x + 1, y - 1, GRASS[3]);
    s.set(x, y - 1, GRASS[0]);
  }
  return s;
}

function water(): Sprite {
  const deep = hex('#2b5fc2');
  const mid = hex('#3169cf');
  const light = hex('#5d93ea');
  const foam = hex('#a9cdf7');
  const s = new Sprite().fill((x, y) => (hash(x, y, 7) < 0.3 ? deep : mid));
  // Wavelets: a light crest with a foam tip and a darker trough below.
  const waves: [number, number][] = [
    [3, 3],
    [11, 5],
    [6, 9],
    [14, 12],
    [2, 14],
  ];
  for (const [cx, cy] of waves) {
    for (let dx = -2; dx <= 2; dx++) s.set((cx + dx + S) % S, cy, dx === 0 ? foam : light);
    s.set((cx - 3 + S) % S, (cy + 1) % S, light);
    s.set((cx + 3) % S, (cy + 1) % S, light);
    for (let dx = -1; dx <= 1; dx++) s.set((cx + dx + S) % S, (cy + 1) % S, deep);
  }
  return s;
}

const STONE_POINTS: [number, number][] = [
  [3, 3],
  [10, 2],
  [14, 8],
  [7, 8],
  [2, 11],
  [11, 13],
  [6, 14],
];
const STONE_TONES = [
  hex('#8e8e94'),
  hex('#9a9aa0'),
  hex('#85858c'),
  hex('#a3a3a8'),
  hex('#919197'),
  hex('#8a8a90'),
  hex('#9d9da2'),
];

function stone(): Sprite {
  const c = cells(STONE_POINTS);
  const crack = hex('#5c5c63');
  const base = new Sprite().fill((x, y) => {
    const { cell, d1, d2 } = c.at(x, y);
    if (d2 - d1 < 1.1) return crack;
    const tone = STONE_TONES[cell];
    const n = hash(x, y, 3);
    return n < 0.15 ? shade(tone, 0.92) : n > 0.9 ? shade(tone, 1.06) : tone;
  });
  // Bevel: light where the crack is up-left, dark where it is down-right.
  const out = base.clone();
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const here = base.get(x, y);
      if (here[0] === crack[0]) continue;
      const ul = base.get(x - 1, y - 1)[0] === crack[0] || base.get(x, y - 1)[0] === crack[0];
      const dr = base.get(x + 1, y + 1)[0] === crack[0] || base.get(x, y + 1)[0] === crack[0];
      if (ul && !dr) out.set(x, y, shade(here, 1.15));
      else if (dr && !ul) out.set(x, y, shade(here, 0.85));
    }
  }
  return out;
}

function path(): Sprite {
  const tones = [hex('#9c917f'), hex('#a59a88'), hex('#ada291'), hex('#938875')];
  const s = new Sprite().fill((x, y) => {
    const r = hash(x, y, 11);
    return r < 0.2 ? tones[3] : r < 0.6 ? tones[1] : r < 0.85 ? tones[0] : tones[2];
  });
  const pebble = hex('#7d735f');
  const lit = hex('#c2b8a6');
  const pebbles: [number, number][] = [
    [2, 2],
    [9, 4],
    [13, 1],
    [5, 8],
    [12, 10],
    [2, 13],
    [8, 14],
  ];
  for (const [x, y] of pebbles) {
    s.set(x, y, pebble);
    s.set(x + 1, y, pebble);
    s.set(x, y - 1, lit);
  }
  return s;
}

function sand(): Sprite {
  const tones = [hex('#dccb8b'), hex('#e4d496'), hex('#ebdda3'), hex('#cfbd7c')];
  const s = new Sprite().fill((x, y) => {
    const r = hash(x, y, 13);
    return r < 0.12 ? tones[3] : r < 0.6 ? tones[1] : r < 0.85 ? tones[0] : tones[2];
  });
  // Gentle ripples.
  const ripple = hex('#cdb977');
  for (const [x0, y0] of [
    [1, 4],
    [9, 8],
    [3, 12],
  ] as [number, number][]) {
    for (let dx = 0; dx < 5; dx++) s.set((x0 + dx) % S, y0 + (dx === 0 || dx === 4 ? 1 : 0), ripple);
  }
  return s;
}

function lava(): Sprite {
  const c = cells([
    [4, 4],
    [12, 3],
    [8, 10],
    [1, 12],
    [14, 13],
  ]);
  const yellow = hex('#ffe05a');
  const orange = hex('#ff9a22');
  const red = hex('#e8521b');
  const crust = hex('#9e2c14');
  const dark = hex('#6e1c0e');
  return new Sprite().fill((x, y) => {
    const { d1, d2 } = c.at(x, y);
    const t = d2 - d1;
    if (t < 0.9) return yellow;
    if (t < 2.0) return orange;
    if (t < 3.2) return hash(x, y, 17) < 0.3 ? orange : red;
    return d1 < 1.5 ? dark : crust;
  });
}

/** Stone with lumps of ore: each lump is a list of pixels; the first is lit, the last shaded. */
function ore(body: RGBA, lit: RGBA, dark: RGBA, sparkle?: RGBA): Sprite {
  const s = stone();
  const lumps: [number, number][][] = [
    [
      [3, 3],
      [4, 3],
      [5, 3],
      [2, 4],
      [3, 4],
      [4, 4],
      [5, 4],
      [3, 5],
      [4, 5],
      [5, 5],
    ],
    [
      [10, 6],
      [11, 6],
      [9, 7],
      [10, 7],
      [11, 7],
      [12, 7],
      [10, 8],
      [11, 8],
      [12, 8],
    ],
    [
      [4, 10],
      [5, 10],
      [3, 11],
      [4, 11],
      [5, 11],
      [6, 11],
      [4, 12],
      [5, 12],
    ],
    [
      [12, 12],
      [13, 12],
      [12, 13],
      [13, 13],
      [14, 13],
      [12, 14],
      [13, 14],
    ],
  ];
  for (const lump of lumps) {
    const minX = Math.min(...lump.map((p) => p[0]));
    const minY = Math.min(...lump.map((p) => p[1]));
    const maxX = Math.max(...lump.map((p) => p[0]));
    const maxY = Math.max(...lump.map((p) => p[1]));
    // A dark rim under the lump, then the lump with light top-left and dark bottom-right.
    for (const [x, y] of lump) {
      let c = body;
      if (x === minX || y === minY) c = lit;
      if (x === maxX || y === maxY) c = dark;
      s.set(x, y, c);
    }
    if (sparkle) s.set(minX + 1, minY, sparkle);
  }
  return s;
}

function tree(): Sprite {
  const s = grass(5);
  const bark = hex('#7a4c28');
  const barkDark = hex('#553219');
  for (let y = 10; y < 16; y++) {
    for (let x = 6; x <= 9; x++) s.set(x, y, x >= 8 ? barkDark : bark);
  }
  s.set(5, 15, barkDark);
  s.set(10, 15, barkDark);
  const blobs: [number, number, number][] = [
    [8, 5.5, 4.6],
    [4.5, 7.5, 3.6],
    [11.5, 7.5, 3.6],
    [8, 9.2, 3.6],
    [6, 3.6, 3.2],
    [10.4, 3.8, 3.2],
  ];
  const leafDark = hex('#1f5a22');
  const leaf = hex('#2e7a2c');
  const leafMid = hex('#3a8f34');
  const leafLight = hex('#5fb548');
  const rim = hex('#16401a');
  const inside = (x: number, y: number) =>
    blobs.some(([cx, cy, r]) => (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      if (!inside(x, y)) continue;
      // Lit from the upper left: per-blob offset decides the tone, plus some leaf noise.
      let best = -Infinity;
      for (const [cx, cy, r] of blobs) {
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        if (dx * dx + dy * dy > r * r) continue;
        best = Math.max(best, -(dx + dy) / r);
      }
      const n = hash(x, y, 23);
      let c = best > 0.9 ? leafLight : best > 0.1 ? leafMid : best > -0.8 ? leaf : leafDark;
      if (n < 0.12) c = leafDark;
      else if (n > 0.93 && c !== leafDark) c = leafLight;
      s.set(x, y, c);
    }
  }
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      if (inside(x, y)) continue;
      if (inside(x - 1, y) || inside(x + 1, y) || inside(x, y + 1) || inside(x, y - 1)) {
        if (y < 12 || x < 6 || x > 9) s.set(x, y, rim);
      }
    }
  }
  return s;
}

function table(): Sprite {
  // A workbench in three-quarter view: plank top with a saw and a hammer, apron, two legs,
  // over its own dark shadow.
  const pal = {
    k: hex('#3a2e22'),
    K: hex('#2c2219'),
    o: hex('#3b2412'),
    L: hex('#e0ad6e'),
    l: hex('#c48a4e'),
    w: hex('#b07840'),
    d: hex('#7a4d26'),
    A: hex('#8a5a2e'),
    a: hex('#6e4522'),
    m: hex('#c9ced6'),
    M: hex('#8c929c'),
    h: hex('#5a3518'),
  };
  return grid(
    [
      'kkkkkkkkkkkkkkkk',
      'oooooooooooooooo',
      'oLLLLLLLLLLLLLLo',
      'olllllllllhhhllo',
      'odddddddddhdmmdo',
      'olmmmmmmmlhlMMlo',
      'olMMmMmMmhhlwllo',
      'oddddddddddddddo',
      'olllllwlllllllwo',
      'oooooooooooooooo',
      'oAAAAAAAAAAAAAAo',
      'oaaaaaaaaaaaaaao',
      'koAaokKKKKKoAaok',
      'koAaokKKKKKoAaok',
      'koAaokkkkkkoAaok',
      'kooookkkkkkooook',
    ],
    pal,
    'table',
  );
}

function furnace(): Sprite {
  const pal = {
    m: hex('#56565c'),
    b: hex('#8a8a91'),
    B: hex('#9d9da4'),
    k: hex('#74747b'),
    o: hex('#1e1412'),
    r: hex('#c8381a'),
    f: hex('#ff8a1e'),
    y: hex('#ffd84a'),
    w: hex('#fff4c0'),
  };
  return grid(
    [
      'mmmmmmmmmmmmmmmm',
      'BbbbbmBbbbbbmBbb',
      'bbbbkmbbbbbkmbbk',
      'mmmmmmmmmmmmmmmm',
      'bbmBbbbbbmBbbbbm',
      'bkmbbmmmmmmbbbkm',
      'mmmmmoooooommmmm',
      'BbbmooooooooBbbb',
      'bbkmooooooookbbk',
      'mmmoorooroooommm',
      'BbmoofrrfroormBb',
      'bkmorfyffyrfomkb',
      'mmmofyywyyffommm',
      'BbmoyywwwyyyomBb',
      'bkmmmmmmmmmmmmkb',
      'mmmmmmmmmmmmmmmm',
    ],
    pal,
    'furnace',
  );
}

function unknown(): Sprite {
  const a = hex('#e040c0');
  const b = hex('#202020');
  return new Sprite().fill((x, y) => (((x >> 2) + (y >> 2)) % 2 === 0 ? a : b));
}

// ---- player -----------------------------------------------------------------------------

const PLAYER_PAL = {
  o: hex('#21191a'),
  h: hex('#6b4426'),
  H: hex('#8c5c33'),
  s: hex('#f2c592'),
  S: hex('#d59c6c'),
  e: hex('#1b1b2a'),
  b: hex('#3b7fda'),
  B: hex('#2a5cae'),
  p: hex('#3d405e'),
  P: hex('#2b2d45'),
  f: hex('#4d301c'),
  w: hex('#f4f4f8'),
  W: hex('#b9bccb'),
  r: hex('#c8443a'),
  R: hex('#93302b'),
  z: hex('#ffffff'),
};

const PLAYER_BODY = [
  '....obbbbbbo....',
  '..obbbbbbbbbbo..',
  '..obBbbbbbbBbo..',
  '..osBbbbbbbBso..',
  '...oppppppppo...',
  '...opppoopppo...',
  '...oPppooppPo...',
  '...offfoofffo...',
  '....ooo..ooo....',
];

function playerDown(): Sprite {
  return grid(
    [
      '....oooooooo....',
      '...ohhhHHhhho...',
      '...ohhhhhhhho...',
      '...ohssssssho...',
      '...osssssssso...',
      '...osesssseso...',
      '...osssSSssso...',
      ...PLAYER_BODY,
    ],
    PLAYER_PAL,
    'player-down',
  );
}

function playerUp(): Sprite {
  return grid(
    [
      '....oooooooo....',
      '...ohhhhhhhho...',
      '...ohhhHHhhho...',
      '...ohhhhhhhho...',
      '...ohhHhhHhho...',
      '...ohhhhhhhho...',
      '...oShhhhhhSo...',
      '....obbbbbbo....',
      '..obbbbbbbbbbo..',
      '..obbbbBBbbbbo..',
      '..osbbbBBbbbso..',
      '...oppppppppo...',
      '...opppoopppo...',
      '...oPppooppPo...',
      '...offfoofffo...',
      '....ooo..ooo....',
    ],
    PLAYER_PAL,
    'player-up',
  );
}

function playerLeft(): Sprite {
  return grid(
    [
      '....oooooooo....',
      '...ohhhhhhHho...',
      '...ohhhhhhhho...',
      '...osssshhhho...',
      '...ossssshhho...',
      '..ossesssShho...',
      '...ossssShhho...',
      '....obbbbbbo....',
      '...obbbbbbbbo...',
      '...obBBbbbbbo...',
      '...obssBbbbbo...',
      '...oppppppppo...',
      '...opppoopppo...',
      '...oPppooppPo...',
      '..offfoofffo....',
      '...ooo..ooo.....',
    ],
    PLAYER_PAL,
    'player-left',
  );
}

function playerSleep(): Sprite {
  return grid(
    [
      '..........zzzz..',
      '.............z..',
      '............z...',
      '...........z....',
      '..........zzzz..',
      '................',
      '................',
      '.oooooo.........',
      'ohhhhhhooooooooo',
      'ohssssSorrrrrrro',
      'ohseeseorRrrrRro',
      'ohssssSorrrrrrro',
      'owwoooowrRrrrrRo',
      'owwwwwwwrrrrrrro',
      'oWWWWWWWooooooo.',
      '.ooooooo........',
    ],
    PLAYER_PAL,
    'player-sleep',
  );
}

// ---- creatures ----------------------------------------------------------------------------

function cow(): Sprite {
  return grid(
    [
      '................',
      '................',
      '.h....h.........',
      '.hoooooh........',
      '.occwwco.ooooooo',
      'oceccecoocccwwco',
      'ocwccwcccwwccwco',
      'owwccwwwcwwcccco',
      'onnnnnocccccwwco',
      'onNnNnoccwwccwco',
      '.onnnoocccccccco',
      '..oo..occcccccco',
      '......occooocco.',
      '......occo.occo.',
      '......ollo.ollo.',
      '......oooo.oooo.',
    ],
    {
      o: hex('#2a1b13'),
      c: hex('#8c5a35'),
      w: hex('#f2ece0'),
      e: hex('#121212'),
      h: hex('#ede2c2'),
      n: hex('#e6a3a0'),
      N: hex('#8e4d4a'),
      l: hex('#3c2a1e'),
    },
    'cow',
  );
}

function zombie(): Sprite {
  return grid(
    [
      '....oooooooo....',
      '...oggGggggGo...',
      '...ogggggGggo...',
      '...oggggggggo...',
      '...okkggggkko...',
      '...okrggggrko...',
      '...oggggggggo...',
      '...ogmmmmmmgo...',
      '....otttttto....',
      '..ottgtttttTto..',
      '..otTttttgtTto..',
      '..ogTttttttTgo..',
      '...oqqqqqqqqo...',
      '...oqqgooqqqo...',
      '...oGggooGggo...',
      '....ooo..ooo....',
    ],
    {
      o: hex('#15241a'),
      g: hex('#5fae4a'),
      G: hex('#427f35'),
      k: hex('#203820'),
      r: hex('#ff4a30'),
      m: hex('#2c3d24'),
      t: hex('#2f8c8c'),
      T: hex('#1f6464'),
      q: hex('#4f3d75'),
    },
    'zombie',
  );
}

function skeleton(): Sprite {
  return grid(
    [
      '....oooooooo....',
      '...owwwwwwwwo...',
      '...owwwwwwwwo..b',
      '...okkwwwwkko.b.',
      '...okkwwwwkko.b.',
      '...owwwkkwwwob..',
      '....owtwtwto.b..',
      '.....oowwoo..b..',
      '..owwwwwwwwwwwb.',
      '..ow.okwkwko.wb.',
      '..ow.owkwkwo.wb.',
      '..ow.okwkwko.ob.',
      '...o..owwwo...b.',
      '......ow.wo....b',
      '......ow.wo.....',
      '.....oww.wwo....',
    ],
    {
      o: hex('#2a2a2e'),
      w: hex('#ece8dc'),
      k: hex('#2b2b30'),
      t: hex('#bdb8aa'),
      b: hex('#8a5a2c'),
    },
    'skeleton',
  );
}

function arrowRight(): Sprite {
  return grid(
    [
      '................',
      '................',
      '................',
      '................',
      '................',
      '............o...',
      '.rr.........mo..',
      '.wrr........mMo.',
      'oowwsssssssssmMM',
      '.wrr........mMo.',
      '.rr.........mo..',
      '............o...',
      '................',
      '................',
      '................',
      '................',
    ],
    {
      o: hex('#3a3a40'),
      m: hex('#9aa0aa'),
      M: hex('#dde2e8'),
      s: hex('#9b6a36'),
      r: hex('#d5402f'),
      w: hex('#f2f2f2'),
    },
    'arrow-right',
  );
}

function sapling(): Sprite {
  return grid(
    [
      '................',
      '................',
      '................',
      '................',
      '................',
      '.......ll.......',
      '......lLLo......',
      '..oo..lLo..oo...',
      '.olLo..so.oLlo..',
      '.oLLLo.s.oLLlo..',
      '..oLLlos.olLo...',
      '...ooLss.so.....',
      '.....oss.o......',
      '......ss........',
      '....dddddd......',
      '...dDDDDDDd.....',
    ],
    {
      o: hex('#1c4a1c'),
      l: hex('#6fcc52'),
      L: hex('#8fe26a'),
      s: hex('#3e8a30'),
      d: hex('#6a4a2a'),
      D: hex('#4e3520'),
    },
    'sapling',
  );
}

function plantRipe(): Sprite {
  return grid(
    [
      '................',
      '......oooo......',
      '....ooLllloo....',
      '...oLlrRllLlo...',
      '..olllrrlllllo..',
      '..oLlllllrRllo..',
      '.olrRlLlllrrllo.',
      '.ollrrlllLllllo.',
      '.oLllllrRlllLlo.',
      '..ollllrrlllrRo.',
      '..oolLllllllrro.',
      '...oolllLlllo...',
      '.....oooosoo....',
      '.......ss.......',
      '....dddddd......',
      '...dDDDDDDd.....',
    ],
    {
      o: hex('#173f1a'),
      l: hex('#3d9a36'),
      L: hex('#66c24c'),
      r: hex('#e23b4a'),
      R: hex('#ffb0b8'),
      s: hex('#2f6e28'),
      d: hex('#6a4a2a'),
      D: hex('#4e3520'),
    },
    'plant-ripe',
  );
}

// ---- inventory icons ----------------------------------------------------------------------

function heart(): Sprite {
  return grid(
    [
      '................',
      '..oooo....oooo..',
      '.orrrro..orrrro.',
      'orwwrrrooRrrrrRo',
      'orwrrrrrrrrrrrRo',
      'orrrrrrrrrrrrrRo',
      'orrrrrrrrrrrrrRo',
      '.orrrrrrrrrrrRo.',
      '.orrrrrrrrrrrRo.',
      '..orrrrrrrrrRo..',
      '...orrrrrrrRo...',
      '....orrrrrRo....',
      '.....orrrRo.....',
      '......orRo......',
      '.......oo.......',
      '................',
    ],
    { o: hex('#3a0c10'), r: hex('#e83a44'), R: hex('#a8222c'), w: hex('#ffc8cc') },
    'icon-health',
  );
}

function food(): Sprite {
  // A roast drumstick.
  return grid(
    [
      '................',
      '......oooo......',
      '....ooMMmmoo....',
      '...oMMmmmmmmo...',
      '..oMmmmmmmmmmo..',
      '..oMmmmmmmmmdo..',
      '..ommmmmmmmmdo..',
      '..ommmmmmmmddo..',
      '...ommmmmmddo...',
      '....oddmmddo....',
      '.....oodddoo....',
      '.......obbo.....',
      '......obbbo.....',
      '.....obbbbbo....',
      '.....obbobbo....',
      '......oo.oo.....',
    ],
    { o: hex('#3a1c0c'), m: hex('#c26a32'), M: hex('#e8995a'), d: hex('#8e4620'), b: hex('#f4eedc') },
    'icon-food',
  );
}

function drink(): Sprite {
  return grid(
    [
      '.......oo.......',
      '......obbo......',
      '......obbo......',
      '.....obbbbo.....',
      '.....obbbbo.....',
      '....obbbbbbo....',
      '...obwbbbbbbo...',
      '...obwbbbbbbo...',
      '..obwwbbbbbbbo..',
      '..obwbbbbbbbbo..',
      '..obbbbbbbbbdo..',
      '..obbbbbbbbbdo..',
      '...obbbbbbbdo...',
      '....odbbbddo....',
      '.....oooooo.....',
      '................',
    ],
    { o: hex('#0e2350'), b: hex('#3a86f0'), d: hex('#2058b8'), w: hex('#cfe6ff') },
    'icon-drink',
  );
}

function energy(): Sprite {
  return grid(
    [
      '.........oooo...',
      '........oyyyo...',
      '.......oyyyo....',
      '......oyyyyo....',
      '.....oyyyyo.....',
      '....oyyyyo......',
      '...oyyyyyoooo...',
      '..oyyyyyyyyyyo..',
      '..ooooyyyyyyo...',
      '.....oyyyyyo....',
      '....oyyyyyo.....',
      '....oyyyyo......',
      '...oyyyyo.......',
      '...oyyyo........',
      '..oyyo..........',
      '..ooo...........',
    ],
    { o: hex('#4a3000'), y: hex('#ffd21f') },
    'icon-energy',
  );
}

function saplingIcon(): Sprite {
  return grid(
    [
      '................',
      '.......oo.......',
      '......oLlo......',
      '.ooo..oLlo..ooo.',
      'oLLlo..ol..oLllo',
      'oLLLlo.ss.oLLLlo',
      '.olLllosso.llLo.',
      '..oolllsslllo...',
      '....oooss.oo....',
      '.......ss.......',
      '.......ss.......',
      '...odddddddo....',
      '...oDDDDDDDo....',
      '....oDDDDDo.....',
      '....oDDDDDo.....',
      '.....ooooo......',
    ],
    {
      o: hex('#1c3d18'),
      l: hex('#6fcc52'),
      L: hex('#a4ea7e'),
      s: hex('#3e8a30'),
      d: hex('#8a5a32'),
      D: hex('#b8743c'),
    },
    'icon-sapling',
  );
}

function wood(): Sprite {
  return grid(
    [
      '................',
      '................',
      '.........oooo...',
      '........orrrro..',
      '.......orRrrRro.',
      '......obrrRrrRo.',
      '.....obbrRrrro..',
      '....obbbborrro..',
      '...obbbbbbooo...',
      '..obbbbbbbbo....',
      '.oBbbbbbbbo.....',
      '.oBBbbbbbo......',
      '.oBBBbbbo.......',
      '..oBBbbo........',
      '...oooo.........',
      '................',
    ].map((r) => r),
    { o: hex('#2e1a0c'), b: hex('#8c5a2e'), B: hex('#6a4020'), r: hex('#e0b27a'), R: hex('#b5834e') },
    'icon-wood',
  );
}

function rock(body: string, lit: string, dark: string, name: TextureName, gem = false): Sprite {
  const pal = { o: hex('#202024'), b: hex(body), l: hex(lit), d: hex(dark), w: hex('#ffffff') };
  const rows = gem
    ? [
        '................',
        '................',
        '....oooooooo....',
        '...olllwllllo...',
        '..olwlllllbbbo..',
        '.olllllllbbbbbo.',
        '.oooooooooooooo.',
        '.obbbbbbbbbbddo.',
        '..obbbbbbbbbdo..',
        '...obbbbbbbddo..',
        '....obbbbbbdo...',
        '.....obbbbdo....',
        '......obbdo.....',
        '.......odo......',
        '........o.......',
        '................',
      ]
    : [
        '................',
        '................',
        '................',
        '.....ooooo......',
        '....olllllooo...',
        '...ollwlbbbllo..',
        '..olllbbbbbbblo.',
        '..olbbbbbbbbbbo.',
        '.olbbbbbbbbbbdo.',
        '.obbbbbbbbbbbdo.',
        '.obbbbbbbbbbddo.',
        '.odbbbbbbbbdddo.',
        '..oddddddddddo..',
        '...oooooooooo...',
        '................',
        '................',
      ];
  return grid(rows, pal, name);
}

function ingot(): Sprite {
  return grid(
    [
      '................',
      '................',
      '................',
      '................',
      '.....oooooooo...',
      '....olwlllllo...',
      '...olllllllldo..',
      '..ooooooooooddo.',
      '.olwllllllllddo.',
      '.olllllllllldo..',
      '.obbbbbbbbbbo...',
      '.oddddddddddo...',
      '..oooooooooo....',
      '................',
      '................',
      '................',
    ],
    { o: hex('#2a2a30'), l: hex('#d9dde4'), w: hex('#ffffff'), b: hex('#b0b6c0'), d: hex('#7d8490') },
    'icon-iron',
  );
}

/** A tool: handle from the bottom-left up to the head at the top right. */
function pickaxe(head: RGBA, headLit: RGBA, headDark: RGBA, name: TextureName): Sprite {
  const pal = {
    o: hex('#1e1410'),
    h: head,
    l: headLit,
    d: headDark,
    s: hex('#9a6634'),
    S: hex('#6a4220'),
  };
  return grid(
    [
      '....oooooo......',
      '...ollllhhoo....',
      '..olhhhhhhhho...',
      '..oooooohhhdho..',
      '......ossohhddo.',
      '.....osSo.ohhdo.',
      '....osSo...ohdo.',
      '...osSo....ohdo.',
      '..osSo......odo.',
      '.osSo.......oo..',
      'osSo............',
      'oSo.............',
      '.o..............',
      '................',
      '................',
      '................',
    ].map((r) => r),
    pal,
    name,
  );
}

function sword(blade: RGBA, bladeLit: RGBA, bladeDark: RGBA): Sprite {
  const s = new Sprite();
  // Blade along the anti-diagonal, 3 px wide: lit edge, body, shaded edge.
  for (let x = 5; x < S; x++) {
    for (let y = 0; y < S; y++) {
      const d = x + y;
      if (d < 14 || d > 16 || y > 10) continue;
      if (x === 15 && y === 0) continue;
      s.set(x, y, d === 14 ? bladeLit : d === 15 ? blade : bladeDark);
    }
  }
  const gold = hex('#d8b04a');
  const goldDark = hex('#9a7420');
  const grip = hex('#6a4220');
  for (const [x, y] of [
    [2, 8],
    [3, 9],
    [4, 10],
    [6, 12],
    [7, 13],
  ] as [number, number][])
    s.set(x, y, gold);
  s.set(5, 11, goldDark);
  s.set(4, 11, gold);
  s.set(5, 12, goldDark);
  for (const [x, y] of [
    [3, 12],
    [2, 13],
    [3, 13],
    [2, 12],
  ] as [number, number][])
    s.set(x, y, grip);
  s.set(1, 14, gold);
  s.set(0, 15, goldDark);
  s.set(1, 15, goldDark);
  s.set(0, 14, goldDark);
  return outline(s, hex('#1a1414'));
}

// ---- digits -----------------------------------------------------------------------------

/**
 * Digits as segment glyphs on a dark badge. Vertical strokes are 3 px wide (columns 2–4 and
 * 10–12) and bars 2–3 px tall, placed so that every small size the inventory uses (4 px at
 * 64×64, 5, 6 and 7 px) samples each stroke. At 4 px the glyphs read as a 3 × 4 font:
 *   1 .#.  2 ###  3 ###  4 #.#  5 ###  6 ###  7 ###  8 ###  9 ###
 *     .#.    ..#    .##    #.#    #..    #..    ..#    ###    #.#
 *     .#.    #..    ..#    ###    ..#    #.#    ..#    #.#    ###
 *     ###    ###    ###    ..#    ###    ###    ..#    ###    ..#
 */
type Rect = [number, number, number, number];
const TOP: Rect = [2, 1, 12, 2];
const BOTTOM: Rect = [2, 13, 12, 14];
const MIDDLE: Rect = [2, 7, 12, 8];
const MIDDLE_LOW: Rect = [2, 8, 12, 10];
const RIGHT_UP: Rect = [10, 1, 12, 8];
const RIGHT_DOWN: Rect = [10, 7, 12, 14];
const RIGHT: Rect = [10, 1, 12, 14];
const LEFT_UP: Rect = [2, 1, 4, 8];
const LEFT_UP_LONG: Rect = [2, 1, 4, 10];
const LEFT_DOWN: Rect = [2, 7, 4, 14];
const LEFT: Rect = [2, 1, 4, 14];
const DIGIT_RECTS: Rect[][] = [
  [
    [6, 1, 8, 14],
    [4, 2, 5, 3],
    [2, 13, 12, 14],
  ],
  [TOP, RIGHT_UP, MIDDLE, LEFT_DOWN, BOTTOM],
  [TOP, RIGHT, [6, 6, 12, 8], BOTTOM],
  [LEFT_UP_LONG, RIGHT, MIDDLE_LOW],
  [TOP, LEFT_UP, MIDDLE, RIGHT_DOWN, BOTTOM],
  [TOP, LEFT, MIDDLE, RIGHT_DOWN, BOTTOM],
  [TOP, RIGHT],
  [TOP, LEFT, RIGHT, [2, 6, 12, 8], BOTTOM],
  [TOP, LEFT_UP_LONG, RIGHT, MIDDLE_LOW],
];

function digit(n: number): Sprite {
  const s = new Sprite();
  const white = hex('#ffffff');
  for (const [x0, y0, x1, y1] of DIGIT_RECTS[n - 1]) {
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) s.set(x, y, white);
  }
  // A dark badge behind the glyph (columns 1–13, corners rounded) keeps the digit readable
  // over any icon, at 4 px as much as large.
  const badge = hex('#14141c');
  for (let y = 0; y < S; y++) {
    for (let x = 1; x <= 13; x++) {
      const corner = (x === 1 || x === 13) && (y === 0 || y === S - 1);
      if (!corner && s.get(x, y)[3] === 0) s.set(x, y, badge);
    }
  }
  return s;
}

// ---- the atlas --------------------------------------------------------------------------

function buildSprites(): Record<TextureName, Sprite> {
  const arrowR = arrowRight();
  const left = playerLeft();
  return {
    unknown: unknown(),
    water: water(),
    grass: grass(),
    stone: stone(),
    path: path(),
    sand: sand(),
    tree: tree(),
    lava: lava(),
    coal: ore(hex('#2c2c30'), hex('#4c4c55'), hex('#141416')),
    iron: ore(hex('#d49a6c'), hex('#f2c69c'), hex('#9c6240')),
    diamond: ore(hex('#5fe8e8'), hex('#ffffff'), hex('#1f9fb8'), hex('#ffffff')),
    table: table(),
    furnace: furnace(),
    'player-left': left,
    'player-right': left.mirror(),
    'player-up': playerUp(),
    'player-down': playerDown(),
    'player-sleep': playerSleep(),
    cow: cow(),
    zombie: zombie(),
    skeleton: skeleton(),
    'arrow-left': arrowR.mirror(),
    'arrow-right': arrowR,
    'arrow-up': arrowR.transpose().flipY(),
    'arrow-down': arrowR.transpose(),
    sapling: sapling(),
    'plant-ripe': plantRipe(),
    'icon-health': heart(),
    'icon-food': food(),
    'icon-drink': drink(),
    'icon-energy': energy(),
    'icon-sapling': saplingIcon(),
    'icon-wood': wood(),
    'icon-stone': rock('#9a9aa2', '#c4c4cc', '#6a6a72', 'icon-stone'),
    'icon-coal': rock('#2e2e34', '#5a5a66', '#16161a', 'icon-coal'),
    'icon-iron': ingot(),
    'icon-diamond': rock('#4fdcf0', '#c8fbff', '#1a8cb0', 'icon-diamond', true),
    'icon-wood_pickaxe': pickaxe(hex('#b07a42'), hex('#d6a468'), hex('#7a4c24'), 'icon-wood_pickaxe'),
    'icon-stone_pickaxe': pickaxe(hex('#8e8e96'), hex('#bdbdc6'), hex('#5e5e66'), 'icon-stone_pickaxe'),
    'icon-iron_pickaxe': pickaxe(hex('#d4d9e0'), hex('#ffffff'), hex('#8a929e'), 'icon-iron_pickaxe'),
    'icon-wood_sword': sword(hex('#b07a42'), hex('#d6a468'), hex('#7a4c24')),
    'icon-stone_sword': sword(hex('#8e8e96'), hex('#bdbdc6'), hex('#5e5e66')),
    'icon-iron_sword': sword(hex('#d4d9e0'), hex('#ffffff'), hex('#8a929e')),
    'digit-1': digit(1),
    'digit-2': digit(2),
    'digit-3': digit(3),
    'digit-4': digit(4),
    'digit-5': digit(5),
    'digit-6': digit(6),
    'digit-7': digit(7),
    'digit-8': digit(8),
    'digit-9': digit(9),
  };
}

const MATERIAL_NAMES = new Set<string>([
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
]);

function buildAtlas(sprites: Record<TextureName, Sprite>): Uint8Array {
  const atlas = new Uint8Array(ATLAS_WIDTH * ATLAS_HEIGHT * 4);
  TEXTURE_NAMES.forEach((name, index) => {
    const sprite = sprites[name];
    if (!sprite) throw new Error(`no sprite for ${name}`);
    if (MATERIAL_NAMES.has(name)) {
      for (let i = 3; i < sprite.data.length; i += 4) {
        if (sprite.data[i] !== 255) throw new Error(`material tile ${name} is not opaque`);
      }
    }
    const ox = (index % ATLAS_COLUMNS) * S;
    const oy = Math.floor(index / ATLAS_COLUMNS) * S;
    for (let y = 0; y < S; y++)
      atlas.set(sprite.data.subarray(y * S * 4, (y + 1) * S * 4), ((oy + y) * ATLAS_WIDTH + ox) * 4);
  });
  return atlas;
}

/** Contact sheet: every sprite at 16 px (×6) over its 7 px version (×8), on grass, labelled by position. */
function contactSheet(sprites: Record<TextureName, Sprite>): { width: number; height: number; data: Uint8Array } {
  const cols = 8;
  const cellW = 16 * 6 + 8;
  const cellH = 16 * 6 + 7 * 8 + 12;
  const rows = Math.ceil(TEXTURE_NAMES.length / cols);
  const width = cols * cellW;
  const height = rows * cellH;
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = 40;
    data[i + 1] = 40;
    data[i + 2] = 48;
    data[i + 3] = 255;
  }
  const g = grass().data;
  const put = (
    src: Uint8Array,
    n: number,
    scale: number,
    ox: number,
    oy: number,
    bg: Uint8Array | null,
    bgN: number,
  ) => {
    for (let y = 0; y < n * scale; y++) {
      for (let x = 0; x < n * scale; x++) {
        const sx = Math.floor(x / scale);
        const sy = Math.floor(y / scale);
        const s = (sy * n + sx) * 4;
        const a = src[s + 3] / 255;
        let br = 20;
        let bgc = 20;
        let bb = 20;
        if (bg) {
          const bx = Math.floor((sx * bgN) / n);
          const by = Math.floor((sy * bgN) / n);
          const b = (by * bgN + bx) * 4;
          br = bg[b];
          bgc = bg[b + 1];
          bb = bg[b + 2];
        }
        const d = ((oy + y) * width + ox + x) * 4;
        data[d] = src[s] * a + br * (1 - a);
        data[d + 1] = src[s + 1] * a + bgc * (1 - a);
        data[d + 2] = src[s + 2] * a + bb * (1 - a);
        data[d + 3] = 255;
      }
    }
  };
  TEXTURE_NAMES.forEach((name, index) => {
    const ox = (index % cols) * cellW + 4;
    const oy = Math.floor(index / cols) * cellH + 4;
    const icon = name.startsWith('icon-') || name.startsWith('digit-');
    const bg = icon ? null : g;
    put(sprites[name].data, 16, 6, ox, oy, bg, 16);
    const small = icon ? (name.startsWith('digit-') ? 4 : 5) : 7;
    put(
      scaleNearest(sprites[name].data, 16, small),
      small,
      8,
      ox,
      oy + 16 * 6 + 4,
      bg ? scaleNearest(g, 16, small) : null,
      small,
    );
  });
  return { width, height, data };
}

function main(): void {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = resolve(here, '../../..');
  const outDir = join(root, 'public/textures');
  const spriteDir = join(outDir, 'sprites');
  mkdirSync(spriteDir, { recursive: true });
  const sprites = buildSprites();
  const atlas = buildAtlas(sprites);
  writeFileSync(
    join(outDir, 'atlas.png'),
    encode({ width: ATLAS_WIDTH, height: ATLAS_HEIGHT, data: atlas, channels: 4, depth: 8 }),
  );
  for (const name of TEXTURE_NAMES) {
    writeFileSync(
      join(spriteDir, `${name}.png`),
      encode({ width: S, height: S, data: sprites[name].data, channels: 4, depth: 8 }),
    );
  }
  const previewAt = process.argv.indexOf('--preview');
  if (previewAt >= 0) {
    const file = process.argv[previewAt + 1] ?? '/tmp/contact-sheet.png';
    const sheet = contactSheet(sprites);
    writeFileSync(file, encode({ ...sheet, channels: 4, depth: 8 }));
    console.log(`contact sheet: ${file}`);
  }
  console.log(
    `wrote ${join(outDir, 'atlas.png')} (${ATLAS_WIDTH}×${ATLAS_HEIGHT}, ${TEXTURE_NAMES.length} sprites)` +
      ` and ${spriteDir}/*.png`,
  );
}

main();
