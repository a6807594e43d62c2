/**
 * The dream camera (issue 12, "Pixels"): a small EDM diffusion decoder that draws a dreamed frame
 * (its 81 tokens) as the engine's 64 × 64 agent view. Browser-safe: the condition features, the
 * cell layout of an image, the EDM preconditioning and the few-step sampler, PSNR. The networks
 * are in tf-camera.ts (training, tfjs) and camera-onnx.ts (the shipped graph).
 *
 * Cell layout: the agent view at 64 px has unit 7 and offset 0, so its 9 × 9 cells (7 map rows,
 * 2 inventory rows) cover pixels 0 … 62; row 63 and column 63 are always black. An image is
 * worked on as 81 cells × 147 values (7 × 7 px × RGB, the order of ONNX SpaceToDepth), scaled
 * to [−1, 1]; the 64th row and column are put back black.
 */
import { FAIR_VIEW_CELLS, NUM_ITEMS, VIEW_COLS } from '@aikon/engine';
import {
  COUNT_BASE,
  DAYLIGHT_BASE,
  DAYLIGHT_BUCKETS,
  DAYLIGHT_POS,
  FACING_BASE,
  FACING_POS,
  INVENTORY_POS,
} from '../tokens.ts';

export const IMAGE = 64;
export const UNIT = 7;
export const GRID = 9;
export const CELLS = GRID * GRID;
/** Values per cell: UNIT² pixels × RGB. */
export const CELL_VALUES = UNIT * UNIT * 3;
/** Pixels of the 9 × 9 block (the rest of the 64 × 64 image is black). */
const BLOCK = GRID * UNIT;
const PLAYER_CELL = 3 * VIEW_COLS + 4;

// Condition features of one cell (one-hot groups; see `cameraCondition`).
const F_SEMANTIC = 0;
const F_FACING = F_SEMANTIC + 19;
const F_COUNT = F_FACING + 8;
const F_POSITION = F_COUNT + 10;
const F_DAYLIGHT = F_POSITION + CELLS;
const F_SLEEPING = F_DAYLIGHT + DAYLIGHT_BUCKETS;
export const COND_FEATURES = F_SLEEPING + 1;

/**
 * The condition of one frame, [CELLS, COND_FEATURES] (cell-major): per map cell its semantic id
 * (and the dreamer's facing/sleep at the centre), per inventory cell its item's count, the
 * cell's position, and the frame's daylight bucket and sleep on every cell. Exactly what a dream
 * step gives the client: its 81 tokens.
 */
export function cameraCondition(
  tokens: ArrayLike<number>,
  out = new Float32Array(CELLS * COND_FEATURES),
): Float32Array {
  out.fill(0);
  const facing = tokens[FACING_POS] - FACING_BASE;
  const sleeping = facing >= 4 ? 1 : 0;
  const daylight = tokens[DAYLIGHT_POS] - DAYLIGHT_BASE;
  for (let c = 0; c < CELLS; c++) {
    const row = c * COND_FEATURES;
    if (c < FAIR_VIEW_CELLS) out[row + F_SEMANTIC + tokens[c]] = 1;
    else if (c - FAIR_VIEW_CELLS < NUM_ITEMS)
      out[row + F_COUNT + tokens[INVENTORY_POS + c - FAIR_VIEW_CELLS] - COUNT_BASE] = 1;
    if (c === PLAYER_CELL) out[row + F_FACING + facing] = 1;
    out[row + F_POSITION + c] = 1;
    out[row + F_DAYLIGHT + daylight] = 1;
    out[row + F_SLEEPING] = sleeping;
  }
  return out;
}

/**
 * For each pixel of the 63 × 63 block (row-major), where its RGB values sit in the cell layout
 * [CELLS, CELL_VALUES]: the one mapping both directions below use, computed once.
 */
const CELL_OF_PIXEL = (() => {
  const at = new Int32Array(BLOCK * BLOCK);
  for (let y = 0; y < BLOCK; y++) {
    const cy = Math.floor(y / UNIT);
    for (let x = 0; x < BLOCK; x++) {
      const cx = Math.floor(x / UNIT);
      at[y * BLOCK + x] = (cy * GRID + cx) * CELL_VALUES + ((y - cy * UNIT) * UNIT + x - cx * UNIT) * 3;
    }
  }
  return at;
})();

/** An RGB 64 × 64 image (bytes) → [CELLS, CELL_VALUES] in [−1, 1], written at `offset` of `out`. */
export function imageToCells(rgb: Uint8Array, out = new Float32Array(CELLS * CELL_VALUES), offset = 0): Float32Array {
  for (let y = 0; y < BLOCK; y++) {
    for (let x = 0; x < BLOCK; x++) {
      const o = offset + CELL_OF_PIXEL[y * BLOCK + x];
      const s = (y * IMAGE + x) * 3;
      out[o] = rgb[s] / 127.5 - 1;
      out[o + 1] = rgb[s + 1] / 127.5 - 1;
      out[o + 2] = rgb[s + 2] / 127.5 - 1;
    }
  }
  return out;
}

/** The inverse of `imageToCells`: cells in [−1, 1] → RGB bytes (rounded, clamped), the 64th row/column black. */
export function cellsToImage(
  cells: ArrayLike<number>,
  out = new Uint8Array(IMAGE * IMAGE * 3),
  offset = 0,
): Uint8Array {
  out.fill(0);
  for (let y = 0; y < BLOCK; y++) {
    for (let x = 0; x < BLOCK; x++) {
      const o = offset + CELL_OF_PIXEL[y * BLOCK + x];
      const d = (y * IMAGE + x) * 3;
      for (let k = 0; k < 3; k++) out[d + k] = Math.max(0, Math.min(255, Math.round((cells[o + k] + 1) * 127.5)));
    }
  }
  return out;
}

/** PSNR (dB) of two RGB byte images of the same size (∞ when equal). */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    se += d * d;
  }
  return se === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255 * a.length) / se);
}

/** EDM (Karras et al. 2022) constants of the camera, DIAMOND's choices for few-step sampling. */
export const EDM = { sigmaData: 0.5, sigmaMin: 0.002, sigmaMax: 5, rho: 7, pMean: -0.4, pStd: 1.2 } as const;

/** EDM preconditioning at noise level σ. */
export function precondition(sigma: number): { cSkip: number; cOut: number; cIn: number; cNoise: number } {
  const sd = EDM.sigmaData;
  const s2 = sigma * sigma + sd * sd;
  return {
    cSkip: (sd * sd) / s2,
    cOut: (sigma * sd) / Math.sqrt(s2),
    cIn: 1 / Math.sqrt(s2),
    cNoise: Math.log(sigma) / 4,
  };
}

/** The Karras schedule for `steps` Euler steps: σ_max … σ_min, then 0 (steps + 1 levels). */
export function sigmaSchedule(steps: number): number[] {
  const { sigmaMin, sigmaMax, rho } = EDM;
  const a = sigmaMax ** (1 / rho);
  const b = sigmaMin ** (1 / rho);
  const s = Array.from({ length: steps }, (_, i) => (a + (steps === 1 ? 0 : i / (steps - 1)) * (b - a)) ** rho);
  return [...s, 0];
}

/**
 * A batch denoiser D(x; σ, cond) for B frames: x and the result in the denoiser's own layout
 * (cells for tfjs, NCHW images for the ONNX graph), cond [B, CELLS, COND_FEATURES].
 */
export type Denoiser = (x: Float32Array, sigma: number, cond: Float32Array, batch: number) => Promise<Float32Array>;

/** Seeded standard normals (mulberry32 + Box–Muller): the sampler's starting noise. */
export function gaussianNoise(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const th = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(th);
    if (i + 1 < n) out[i + 1] = r * Math.sin(th);
  }
  return out;
}

/**
 * Euler sampling of B frames of `size` values each in `steps` denoiser calls (1 = the denoiser's
 * estimate at σ_max): x ← D + (σ_next / σ)·(x − D(x; σ)) along the Karras schedule. The update is
 * elementwise, so any layout works. Returns the sample in [−1, 1] (not clamped).
 */
export async function sample(
  denoise: Denoiser,
  cond: Float32Array,
  o: { batch: number; size: number; steps: number; seed: number },
): Promise<Float32Array> {
  const sigmas = sigmaSchedule(o.steps);
  const x = gaussianNoise(o.batch * o.size, o.seed);
  for (let i = 0; i < x.length; i++) x[i] *= sigmas[0];
  for (let k = 0; k < o.steps; k++) {
    const d = await denoise(x, sigmas[k], cond, o.batch);
    const r = sigmas[k + 1] / sigmas[k];
    for (let i = 0; i < x.length; i++) x[i] = d[i] + r * (x[i] - d[i]);
  }
  return x;
}

/** Frame `b` of an NCHW [B, 3, 64, 64] float batch in [−1, 1] → RGB bytes (rounded, clamped). */
export function nchwToImage(x: ArrayLike<number>, b = 0, out = new Uint8Array(IMAGE * IMAGE * 3)): Uint8Array {
  const plane = IMAGE * IMAGE;
  const base = b * 3 * plane;
  for (let p = 0; p < plane; p++)
    for (let k = 0; k < 3; k++)
      out[p * 3 + k] = Math.max(0, Math.min(255, Math.round((x[base + k * plane + p] + 1) * 127.5)));
  return out;
}

/** Values of one NCHW frame. */
export const FRAME_VALUES = 3 * IMAGE * IMAGE;

/** A session of the ONNX graph (onnxruntime-node or -web; camera-onnx.ts) as far as the camera uses it. */
export interface CameraSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>>;
}

/** The ONNX graph as a Denoiser over NCHW frames; `tensor` is the runtime's Tensor constructor. */
export function onnxDenoiser(
  session: CameraSession,
  tensor: (data: Float32Array, dims: number[]) => unknown,
): Denoiser {
  return async (x, sigma, cond, batch) => {
    const out = await session.run({
      x: tensor(x, [batch, 3, IMAGE, IMAGE]),
      sigma: tensor(new Float32Array(batch).fill(sigma), [batch, 1]),
      cond: tensor(cond, [batch, CELLS, COND_FEATURES]),
    });
    return out.denoised.data as Float32Array;
  };
}

/** Draws dreamed frames (their tokens) as RGB images in `steps` denoiser calls. */
export async function renderFrames(
  denoise: Denoiser,
  frames: readonly ArrayLike<number>[],
  o: { steps: number; seed: number },
): Promise<Uint8Array[]> {
  const cond = new Float32Array(frames.length * CELLS * COND_FEATURES);
  frames.forEach((t, b) => {
    cond.set(cameraCondition(t), b * CELLS * COND_FEATURES);
  });
  const x = await sample(denoise, cond, { batch: frames.length, size: FRAME_VALUES, steps: o.steps, seed: o.seed });
  return frames.map((_, b) => nchwToImage(x, b));
}
