/**
 * The dream camera: the cell layout and condition against the engine's own render and tokens,
 * the ONNX graph against the tfjs network it is exported from, and training (the loss falls;
 * a resumed run equals an uninterrupted one).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentViewRenderer, NUM_ACTIONS, Rng, World } from '@aikon/engine';
import { loadTextures } from '@aikon/engine/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CELL_VALUES,
  CELLS,
  COND_FEATURES,
  cameraCondition,
  cellsToImage,
  GRID,
  IMAGE,
  imageToCells,
  nchwToImage,
  psnr,
  UNIT,
} from '../src/camera/camera.ts';
import { exportCameraOnnx } from '../src/camera/camera-onnx.ts';
import { CAMERA_CONFIGS, initCameraWeights, TfCamera } from '../src/camera/tf-camera.ts';
import { generateCameraData } from '../src/node/camera-data.ts';
import { ortCameraDenoiser } from '../src/node/camera-export.ts';
import { type CameraTrainOptions, trainCamera } from '../src/node/camera-train.ts';
import { setupTf } from '../src/node/tf-setup.ts';
import { tokenize } from '../src/tokens.ts';

beforeAll(() => setupTf('wasm'));

function playedWorld(seed: number, steps: number): World {
  const world = World.generate({ seed });
  world.addPlayer();
  const rng = new Rng(seed);
  for (let t = 0; t < steps && !world.player(0).dead; t++) world.step([rng.int(NUM_ACTIONS)]);
  return world;
}

/** Cells [B, CELLS, CELL_VALUES] → NCHW [B, 3, 64, 64] with the 64th row and column at −1. */
function cellsToNchw(cells: Float32Array, batch: number): Float32Array {
  const plane = IMAGE * IMAGE;
  const out = new Float32Array(batch * 3 * plane).fill(-1);
  for (let b = 0; b < batch; b++)
    for (let y = 0; y < GRID * UNIT; y++)
      for (let x = 0; x < GRID * UNIT; x++) {
        const cell = Math.floor(y / UNIT) * GRID + Math.floor(x / UNIT);
        const o = (b * CELLS + cell) * CELL_VALUES + ((y % UNIT) * UNIT + (x % UNIT)) * 3;
        for (let k = 0; k < 3; k++) out[(b * 3 + k) * plane + y * IMAGE + x] = cells[o + k];
      }
  return out;
}

describe('dream camera layout', () => {
  const renderer = new AgentViewRenderer(loadTextures(), IMAGE);

  it('cells hold an engine render exactly, and its 64th row and column are black', () => {
    const image = renderer.render(playedWorld(7, 40), 0);
    for (let i = 0; i < IMAGE; i++) {
      for (let k = 0; k < 3; k++) {
        expect(image[(63 * IMAGE + i) * 3 + k]).toBe(0);
        expect(image[(i * IMAGE + 63) * 3 + k]).toBe(0);
      }
    }
    const cells = imageToCells(image);
    expect(Array.from(cellsToImage(cells))).toEqual(Array.from(image));
    expect(Array.from(nchwToImage(cellsToNchw(cells, 1)))).toEqual(Array.from(image));
    // Cell (row 3, column 4) is the player's: its top-left pixel is image pixel (28, 21).
    const c = 3 * GRID + 4;
    expect(Math.round((cells[c * CELL_VALUES] + 1) * 127.5)).toBe(image[(21 * IMAGE + 28) * 3]);
  });

  it('the condition carries each cell token, the facing, the counts and the daylight bucket', () => {
    const world = playedWorld(3, 30);
    const tokens = tokenize(world, 0);
    const cond = cameraCondition(tokens);
    const row = (c: number) => Array.from(cond.subarray(c * COND_FEATURES, (c + 1) * COND_FEATURES));
    for (let c = 0; c < CELLS; c++) {
      const r = row(c);
      // Map cells: semantic + position + daylight (+ facing at the player's cell) (+ sleep).
      const ones = r.filter((v) => v === 1).length;
      if (c < 63) expect(ones).toBe((c === 31 ? 4 : 3) + (world.player(0).sleeping ? 1 : 0));
      expect(r[19 + 8 + 10 + c]).toBe(1);
    }
    expect(row(0)[tokens[0]]).toBe(1);
    expect(row(31)[19 + world.player(0).facing]).toBe(1);
    // Inventory cell 63 + k: the count of item k (health first).
    expect(row(63)[19 + 8 + world.player(0).inventory[0]]).toBe(1);
    // Two inventory cells past the 16 items carry no count.
    expect(
      row(80)
        .slice(19 + 8, 19 + 8 + 10)
        .every((v) => v === 0),
    ).toBe(true);
  });
});

describe('dream camera network', () => {
  it('the ONNX graph computes what the tfjs network computes (random weights, every σ regime)', async () => {
    const config = { name: 'test', hidden: 24 };
    const weights = initCameraWeights(config, 5);
    // The gate and the texture scale start at zero/small: make every path count.
    const rng = new Rng(9);
    for (const name of ['gate.w', 'tex.scale', 'in.b', 'out.b', 'mid.b'])
      weights.set(
        name,
        weights.get(name)!.map(() => 0.2 * (rng.uniform() - 0.5)),
      );
    const model = new TfCamera(config, weights);
    const ort = await ortCameraDenoiser(exportCameraOnnx(config, weights));
    const B = 2;
    const x = Float32Array.from({ length: B * CELLS * CELL_VALUES }, () => 2 * rng.uniform() - 1);
    const cond = new Float32Array(B * CELLS * COND_FEATURES);
    cond.set(cameraCondition(tokenize(playedWorld(1, 20), 0)), 0);
    cond.set(cameraCondition(tokenize(playedWorld(2, 150), 0)), CELLS * COND_FEATURES);
    for (const sigma of [0.01, 0.5, 5]) {
      const want = cellsToNchw(model.denoise(x, sigma, cond, B), B);
      const got = await ort.denoise(cellsToNchw(x, B), sigma, cond, B);
      expect(got.length).toBe(want.length);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
      expect(worst).toBeLessThan(1e-4);
    }
    await ort.release();
    model.dispose();
  });
});

describe('dream camera training (--quick)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'camera-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const dataOptions = {
    train: { episodes: 2, seed: 50_000, maxSteps: 150, every: 5 },
    heldout: { episodes: 1, seed: 90_000, maxSteps: 150, every: 11 },
  };
  const train = generateCameraData(dataOptions.train);
  const heldout = generateCameraData(dataOptions.heldout);
  const options = (runDir: string, o: Partial<CameraTrainOptions> = {}): CameraTrainOptions => ({
    config: CAMERA_CONFIGS.tiny,
    train,
    heldout,
    dataOptions,
    runDir,
    steps: 40,
    batch: 4,
    lr: 2e-3,
    seed: 3,
    resume: false,
    maxMinutes: 10,
    checkpointEvery: 10,
    validateEvery: 20,
    validationFrames: 4,
    progress: false,
    ...o,
  });

  it('the held-out loss falls and the held-out PSNR rises', async () => {
    const ck = await trainCamera(options(join(dir, 'a')));
    const v = ck.state.history.filter((e) => e.valLoss !== undefined);
    expect(v.map((e) => e.step)).toEqual([0, 20, 40]);
    expect(v[2].valLoss!).toBeLessThan(0.7 * v[0].valLoss!);
    expect(v[2].psnr!).toBeGreaterThan(v[0].psnr! + 1);
  }, 120_000);

  it('a run stopped and resumed ends with the weights of an uninterrupted one (to rounding)', async () => {
    const whole = await trainCamera(options(join(dir, 'b'), { steps: 20 }));
    await trainCamera(options(join(dir, 'c'), { steps: 20, stopAfter: 10 }));
    const resumed = await trainCamera(options(join(dir, 'c'), { steps: 20, resume: true }));
    expect(resumed.state.step).toBe(20);
    // tfjs's Adam restores its β powers with pow(), so the weights agree to rounding, not bit for bit.
    for (const [name, w] of whole.weights) {
      const r = resumed.weights.get(name)!;
      for (let i = 0; i < w.length; i++) expect(r[i]).toBeCloseTo(w[i], 5);
    }
  }, 120_000);
});

it('psnr is infinite for equal images and 20·log10(255/d) for a constant difference d', () => {
  const a = new Uint8Array(12).fill(100);
  expect(psnr(a, a)).toBe(Number.POSITIVE_INFINITY);
  expect(psnr(a, new Uint8Array(12).fill(110))).toBeCloseTo(20 * Math.log10(25.5), 10);
});
