import * as THREE from 'three';

/** Tiles of the 3D block atlas, in slot order. */
export const BLOCK_TILES = [
  'grass',
  'sand',
  'path',
  'water',
  'lava',
  'stone',
  'coal',
  'iron',
  'diamond',
  'table',
  'furnace',
  'leaves',
  'trunk',
  'unknown',
  'sapling',
  'plant-ripe',
] as const;
export type BlockTile = (typeof BLOCK_TILES)[number];
export const GRID = 4;
export const TILE_PX = 16;
export const tileSlot = (name: BlockTile): number => BLOCK_TILES.indexOf(name);

/** UV offset of a slot in the atlas texture (flipY: row 0 is at the top). */
export function slotOffset(slot: number): [number, number] {
  return [slot % GRID, GRID - 1 - Math.floor(slot / GRID)];
}

/** 16×16 RGBA sprites by tile name, e.g. from the engine's decoded pixel-art atlas. */
export type SpriteSource = (name: BlockTile) => Uint8Array | null;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

type RGB = [number, number, number];
const BASE: Record<BlockTile, RGB> = {
  grass: [86, 170, 72],
  sand: [222, 204, 140],
  path: [150, 128, 100],
  water: [52, 120, 210],
  lava: [230, 90, 30],
  stone: [128, 128, 132],
  coal: [128, 128, 132],
  iron: [128, 128, 132],
  diamond: [128, 128, 132],
  table: [160, 110, 60],
  furnace: [96, 96, 100],
  leaves: [46, 128, 52],
  trunk: [110, 76, 44],
  unknown: [255, 0, 255],
  sapling: [92, 200, 74],
  'plant-ripe': [63, 174, 58],
};
const SPOTS: Partial<Record<BlockTile, RGB>> = {
  coal: [30, 30, 34],
  iron: [214, 160, 120],
  diamond: [120, 240, 250],
};

/** A plant on a transparent background (fallback sprite). */
function drawPlant(ripe: boolean, out: Uint8ClampedArray): void {
  const set = (x: number, y: number, c: RGB) => {
    const i = (y * TILE_PX + x) * 4;
    out[i] = c[0];
    out[i + 1] = c[1];
    out[i + 2] = c[2];
    out[i + 3] = 255;
  };
  for (let y = 6; y < 16; y++) set(7, y, [74, 122, 42]);
  for (let k = 0; k < 4; k++) {
    for (let d = 0; d < 3 + k; d++) {
      set(Math.max(0, 6 - d), 13 - k * 2 - (d >> 1), [92, 200, 74]);
      set(Math.min(15, 8 + d), 12 - k * 2 - (d >> 1), [63, 174, 58]);
    }
  }
  if (ripe)
    for (const [x, y] of [
      [4, 7],
      [10, 5],
      [7, 3],
      [11, 9],
    ]) {
      set(x, y, [230, 57, 70]);
      set(x + 1, y, [230, 57, 70]);
      set(x, y + 1, [180, 30, 40]);
    }
}

/** A small procedural pixel-art tile: the fallback while the project's atlas is absent. */
function drawProcedural(name: BlockTile, out: Uint8ClampedArray): void {
  if (name === 'sapling' || name === 'plant-ripe') {
    drawPlant(name === 'plant-ripe', out);
    return;
  }
  const r = rng(name.length * 7919 + name.charCodeAt(0) * 31);
  const [br, bg, bb] = BASE[name];
  const set = (x: number, y: number, c: RGB) => {
    const i = (y * TILE_PX + x) * 4;
    out[i] = c[0];
    out[i + 1] = c[1];
    out[i + 2] = c[2];
    out[i + 3] = 255;
  };
  for (let y = 0; y < TILE_PX; y++) {
    for (let x = 0; x < TILE_PX; x++) {
      const n = (r() - 0.5) * (name === 'water' || name === 'lava' ? 40 : 30);
      let c: RGB = [br + n, bg + n, bb + n];
      if (name === 'trunk' && x % 5 === 0) c = [br - 25, bg - 20, bb - 15];
      if (name === 'table') {
        if (y % 5 === 0) c = [br - 45, bg - 35, bb - 25];
        if ((x === 1 || x === 14) && y > 8) c = [90, 60, 30];
      }
      if (name === 'furnace' && y >= 8 && y <= 13 && x >= 4 && x <= 11) c = y > 10 ? [255, 140 + n, 40] : [30, 24, 24];
      if (name === 'leaves' && r() < 0.15) c = [br - 20, bg + 30, bb - 10];
      if (name === 'water' && (x + y * 3) % 11 === 0) c = [150, 200, 255];
      if (name === 'lava' && (x * 3 + y) % 9 === 0) c = [255, 210, 80];
      set(x, y, c);
    }
  }
  const spot = SPOTS[name];
  if (spot) {
    for (let k = 0; k < 5; k++) {
      const cx = 2 + Math.floor(r() * 12);
      const cy = 2 + Math.floor(r() * 12);
      set(cx, cy, spot);
      set(cx + 1, cy, spot);
      set(cx, cy + 1, spot);
    }
  }
}

/**
 * The atlas the block materials sample: the engine's pixel-art sprites where given, else
 * procedural tiles.
 */
export function buildBlockAtlas(sprites?: SpriteSource): THREE.CanvasTexture {
  const canvas = document.createElement('canvas');
  canvas.width = GRID * TILE_PX;
  canvas.height = GRID * TILE_PX;
  const ctx = canvas.getContext('2d')!;
  BLOCK_TILES.forEach((name, slot) => {
    const image = ctx.createImageData(TILE_PX, TILE_PX);
    const sprite = sprites?.(name) ?? null;
    if (sprite && sprite.length === TILE_PX * TILE_PX * 4) image.data.set(sprite);
    else drawProcedural(name, image.data);
    ctx.putImageData(image, (slot % GRID) * TILE_PX, Math.floor(slot / GRID) * TILE_PX);
  });
  const texture = new THREE.CanvasTexture(canvas);
  texture.magFilter = THREE.NearestFilter;
  texture.minFilter = THREE.NearestFilter;
  texture.generateMipmaps = false;
  texture.colorSpace = THREE.SRGBColorSpace;
  return texture;
}

/**
 * A Lambert material that picks each instance's tile from the atlas through the instanced
 * attribute `aTile` (vec2 slot offset).
 */
export function atlasMaterial(texture: THREE.Texture, cutout = false): THREE.MeshLambertMaterial {
  const material = new THREE.MeshLambertMaterial(
    cutout ? { map: texture, alphaTest: 0.5, side: THREE.DoubleSide } : { map: texture },
  );
  material.onBeforeCompile = (shader) => {
    shader.vertexShader = shader.vertexShader
      .replace('#include <common>', '#include <common>\nattribute vec2 aTile;')
      .replace(
        '#include <uv_vertex>',
        `#include <uv_vertex>\n#ifdef USE_MAP\n vMapUv = (aTile ` +
          `+ (0.02 + 0.96 * vMapUv)) / ${GRID.toFixed(1)};\n#endif`,
      );
  };
  material.customProgramCacheKey = () => (cutout ? 'aikon-atlas-cutout' : 'aikon-atlas');
  return material;
}

/** Water and lava: the atlas tile scrolled over time, lava glowing in the dark. */
export function liquidMaterial(texture: THREE.Texture): THREE.ShaderMaterial {
  return new THREE.ShaderMaterial({
    uniforms: {
      uMap: { value: texture },
      uTime: { value: 0 },
      uLight: { value: 1 },
    },
    vertexShader: /* glsl */ `
      attribute vec2 aTile;
      attribute float aLava;
      varying vec2 vUv;
      varying vec2 vTile;
      varying float vLava;
      varying vec3 vWorld;
      uniform float uTime;
      void main() {
        vUv = uv;
        vTile = aTile;
        vLava = aLava;
        vec4 world = modelMatrix * instanceMatrix * vec4(position, 1.0);
        float wave = sin(world.x * 1.7 + uTime * (aLava > 0.5 ? 0.8 : 1.6)) * cos(world.z * 1.3 + uTime * 1.1);
        if (position.y > 0.0) world.y += wave * 0.04;
        vWorld = world.xyz;
        gl_Position = projectionMatrix * viewMatrix * world;
      }
    `,
    fragmentShader: /* glsl */ `
      uniform sampler2D uMap;
      uniform float uTime;
      uniform float uLight;
      varying vec2 vUv;
      varying vec2 vTile;
      varying float vLava;
      varying vec3 vWorld;
      void main() {
        float speed = vLava > 0.5 ? 0.05 : 0.12;
        vec2 flow = fract(vUv + vec2(uTime * speed, uTime * speed * 0.6));
        vec4 tex = texture2D(uMap, (vTile + 0.02 + 0.96 * flow) / ${GRID.toFixed(1)});
        float shimmer = 0.9 + 0.1 * sin(uTime * 2.0 + vWorld.x * 2.3 + vWorld.z * 1.7);
        vec3 color = tex.rgb * shimmer;
        if (vLava > 0.5) {
          color = color * (0.85 + 0.3 * sin(uTime * 1.5 + vWorld.x + vWorld.z));
        } else {
          color *= uLight;
        }
        gl_FragColor = vec4(color, vLava > 0.5 ? 1.0 : 0.88);
        #include <colorspace_fragment>
      }
    `,
    transparent: true,
  });
}
