/**
 * The shipped dream camera (models/, no retraining): its file matches the manifest, fits the
 * browser budget, and its one-step held-out PSNR, measured again here through onnxruntime-node
 * exactly as `npm run eval:camera` measures it, is the figure the manifest states.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { IMAGE, psnr, renderFrames } from '../src/camera/camera.ts';
import { cameraIo } from '../src/camera/camera-onnx.ts';
import { parseManifest, sha256Hex } from '../src/manifest.ts';
import { CAMERA_HELDOUT_DATA, generateCameraData } from '../src/node/camera-data.ts';
import { ortCameraDenoiser } from '../src/node/camera-export.ts';
import { FRAME_TOKENS } from '../src/tokens.ts';

const MODELS = join(import.meta.dirname, '../../../models');

it('the shipped camera matches its manifest entry and reproduces its held-out one-step PSNR', async () => {
  const manifest = parseManifest(JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8')));
  const entry = manifest.cameras?.find((c) => c.name === 'dream-camera-small');
  expect(entry).toBeDefined();
  const bytes = new Uint8Array(readFileSync(join(MODELS, entry!.file)));
  expect(bytes.byteLength).toBe(entry!.bytes);
  expect(bytes.byteLength).toBeLessThanOrEqual(5_000_000);
  expect(await sha256Hex(bytes)).toBe(entry!.sha256);
  expect(entry!.io).toEqual(cameraIo());
  const metrics = entry!.metrics!;
  const data = generateCameraData(CAMERA_HELDOUT_DATA);
  expect(data.count).toBe(metrics.frames.all);
  const ort = await ortCameraDenoiser(bytes);
  let sum = 0;
  for (let k0 = 0; k0 < data.count; k0 += 32) {
    const ks = Array.from({ length: Math.min(32, data.count - k0) }, (_, i) => k0 + i);
    const frames = ks.map((k) => data.tokens.subarray(k * FRAME_TOKENS, (k + 1) * FRAME_TOKENS));
    const images = await renderFrames(ort.denoise, frames, { steps: 1, seed: 1 + k0 });
    ks.forEach((k, i) => {
      sum += psnr(images[i], data.images.subarray(k * IMAGE * IMAGE * 3, (k + 1) * IMAGE * IMAGE * 3));
    });
  }
  await ort.release();
  expect(sum / data.count).toBeCloseTo(metrics.psnr['1'].all, 2);
}, 120_000);
