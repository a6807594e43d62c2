/**
 * The dream camera's evaluation (held-out PSNR against the engine's render, by denoising steps,
 * day and night) and its export: models/<name>.onnx, evaluated through onnxruntime-node, and its
 * manifest entry under `cameras` with those metrics.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentViewRenderer } from '@aikon/engine';
import { loadTextures } from '@aikon/engine/node';
import * as ort from 'onnxruntime-node';
import { type Denoiser, EDM, IMAGE, onnxDenoiser, psnr, renderFrames } from '../camera/camera.ts';
import { cameraIo, exportCameraOnnx } from '../camera/camera-onnx.ts';
import { cameraParamCount } from '../camera/tf-camera.ts';
import { type CameraEntry, CameraEntrySchema, sha256Hex, TOKEN_LAYOUT } from '../manifest.ts';
import { FRAME_TOKENS } from '../tokens.ts';
import type { CameraData } from './camera-data.ts';
import type { CameraCheckpoint } from './camera-train.ts';
import { readManifest, writeManifest } from './export-model.ts';
import { worldOfTokens } from './sim-strips.ts';

export const CAMERA_STEPS = [1, 2, 4] as const;
/** Denoising steps a client uses by default (the manifest's `sampler.steps`). */
export const DEFAULT_CAMERA_STEPS = 1;

type Metrics = NonNullable<CameraEntry['metrics']>;

/** Mean PSNR of the frames `score` gives, overall and split at daylight 0.5 (night: the render adds noise). */
function meanByDaylight(data: CameraData, score: (k: number) => number): Metrics['engineFromTokens'] {
  const sum = { all: 0, day: 0, night: 0 };
  const n = { all: 0, day: 0, night: 0 };
  for (let k = 0; k < data.count; k++) {
    const p = score(k);
    const part = data.daylight[k] < 0.5 ? 'night' : 'day';
    sum.all += p;
    sum[part] += p;
    n.all++;
    n[part]++;
  }
  return { all: sum.all / n.all, day: sum.day / Math.max(1, n.day), night: sum.night / Math.max(1, n.night) };
}

const frameOf = (data: CameraData, k: number) => data.tokens.subarray(k * FRAME_TOKENS, (k + 1) * FRAME_TOKENS);
const imageOf = (data: CameraData, k: number) =>
  data.images.subarray(k * IMAGE * IMAGE * 3, (k + 1) * IMAGE * IMAGE * 3);

/** The camera's held-out figures (every frame of `data`, batches of 32; sampling seed 1). */
export async function evaluateCamera(
  denoise: Denoiser,
  data: CameraData,
): Promise<Omit<Metrics, 'command' | 'evaluatedAt'>> {
  const psnrBySteps: Metrics['psnr'] = {};
  for (const steps of CAMERA_STEPS) {
    const scores = new Float64Array(data.count);
    for (let k0 = 0; k0 < data.count; k0 += 32) {
      const ks = Array.from({ length: Math.min(32, data.count - k0) }, (_, i) => k0 + i);
      const images = await renderFrames(
        denoise,
        ks.map((k) => frameOf(data, k)),
        { steps, seed: 1 + k0 },
      );
      ks.forEach((k, i) => {
        scores[k] = psnr(images[i], imageOf(data, k));
      });
    }
    psnrBySteps[String(steps)] = meanByDaylight(data, (k) => scores[k]);
  }
  const renderer = new AgentViewRenderer(loadTextures(), IMAGE);
  const engineFromTokens = meanByDaylight(data, (k) =>
    Math.min(100, psnr(renderer.render(worldOfTokens(frameOf(data, k)), 0), imageOf(data, k))),
  );
  const night = Array.from(data.daylight).filter((d) => d < 0.5).length;
  // Latency of one frame, one step, batch 1 (after a warm-up call).
  await renderFrames(denoise, [frameOf(data, 0)], { steps: 1, seed: 0 });
  const t0 = performance.now();
  const reps = 50;
  for (let r = 0; r < reps; r++) await renderFrames(denoise, [frameOf(data, r % data.count)], { steps: 1, seed: r });
  return {
    frames: { all: data.count, day: data.count - night, night },
    psnr: psnrBySteps,
    engineFromTokens,
    msPerFrameNode: (performance.now() - t0) / reps,
  };
}

/** onnxruntime-node on one thread, as a Denoiser (NCHW frames). */
export async function ortCameraDenoiser(bytes: Uint8Array): Promise<{ denoise: Denoiser; release(): Promise<void> }> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  return {
    denoise: onnxDenoiser(session, (data, dims) => new ort.Tensor('float32', data, dims)),
    release: () => session.release(),
  };
}

/** Evaluates a manifest's camera (sha256-checked) and writes the metrics into its entry (unless `write` is false). */
export async function evaluateCameraEntry(
  modelsDir: string,
  name: string,
  data: CameraData,
  command: string,
  o: { write: boolean } = { write: true },
): Promise<CameraEntry> {
  const m = readManifest(modelsDir);
  const entry = m.cameras?.find((c) => c.name === name);
  if (!entry) throw new Error(`no camera named ${name} in ${modelsDir}/manifest.json`);
  const bytes = new Uint8Array(readFileSync(join(modelsDir, entry.file)));
  if ((await sha256Hex(bytes)) !== entry.sha256) throw new Error(`${entry.file} does not match its manifest entry`);
  const ort = await ortCameraDenoiser(bytes);
  const metrics = { command, evaluatedAt: new Date().toISOString(), ...(await evaluateCamera(ort.denoise, data)) };
  await ort.release();
  const updated = CameraEntrySchema.parse({ ...entry, metrics });
  if (o.write)
    writeManifest(modelsDir, { ...m, cameras: (m.cameras ?? []).map((c) => (c.name === name ? updated : c)) });
  return updated;
}

/** Writes the trained camera to models/<name>.onnx and (re)places its manifest entry (without metrics). */
export async function exportCamera(
  ck: CameraCheckpoint,
  o: { modelsDir: string; command: string; name: string; version: string },
): Promise<CameraEntry> {
  const c = ck.state.config;
  const bytes = exportCameraOnnx(c, ck.weights, { version: o.version });
  const file = `${o.name}.onnx`;
  writeFileSync(join(o.modelsDir, file), bytes);
  const entry = CameraEntrySchema.parse({
    name: o.name,
    version: o.version,
    family: 'dream-camera',
    description:
      "Dream camera: an EDM diffusion decoder (cell-resolution 1 × 1 layers) from a dreamed frame's 81 tokens " +
      "to the engine's 64 × 64 agent view",
    file,
    bytes: bytes.byteLength,
    sha256: await sha256Hex(bytes),
    io: cameraIo(),
    tokens: { layout: TOKEN_LAYOUT, frameTokens: FRAME_TOKENS },
    architecture: { hidden: c.hidden, params: cameraParamCount(c) },
    sampler: { ...EDM, steps: DEFAULT_CAMERA_STEPS },
    training: {
      framework: '@tensorflow/tfjs 4 (wasm backend, 1 thread), Adam',
      command: o.command,
      data: ck.state.data,
      steps: ck.state.step,
      batch: ck.state.batch,
      seconds: Math.round(ck.state.trainSeconds),
      finishedAt: new Date().toISOString(),
      finalLoss: ck.state.history.at(-1)?.loss,
    },
  });
  const m = readManifest(o.modelsDir);
  writeManifest(o.modelsDir, { ...m, cameras: [...(m.cameras ?? []).filter((x) => x.name !== o.name), entry] });
  return entry;
}
