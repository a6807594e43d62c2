/**
 * Training the dream camera (tfjs on the wasm backend, one thread): EDM denoising loss on
 * (tokens, engine render) pairs, Adam with warm-up and cosine decay (train.ts `learningRate`),
 * a progress bar with the loss and the held-out PSNR of one-step samples, checkpoints every
 * `checkpointEvery` steps that `--resume` continues (each step's batch, σ and noise come from
 * their own seeded stream; tfjs's Adam restores its β powers with pow(), so a resumed run
 * agrees with an uninterrupted one to rounding). A validation loss on a fixed held-out batch
 * (fixed σ and noise) beside the PSNR: the training loss swings with each batch's σ.
 */
import { mixSeed, Rng } from '@aikon/engine';
import * as tf from '@tensorflow/tfjs';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import {
  CELL_VALUES,
  CELLS,
  COND_FEATURES,
  cameraCondition,
  cellsToImage,
  EDM,
  gaussianNoise,
  imageToCells,
  psnr,
  sample,
} from '../camera/camera.ts';
import {
  type CameraConfig,
  cameraParamSpecs,
  initCameraWeights,
  TfCamera,
  trainingSigmas,
} from '../camera/tf-camera.ts';
import type { Weights } from '../params.ts';
import { FRAME_TOKENS } from '../tokens.ts';
import { type CameraData, type CameraDataOptions, IMAGE_BYTES } from './camera-data.ts';
import { hasCheckpointFiles, readCheckpointFiles, writeCheckpointFiles } from './checkpoint-files.ts';
import { setupTf } from './tf-setup.ts';
import { learningRate } from './train.ts';

const DataOptionsSchema = z.object({
  episodes: z.number().int(),
  seed: z.number().int(),
  maxSteps: z.number().int(),
  every: z.number().int(),
});

export const CameraCheckpointSchema = z.object({
  format: z.literal('aikon.dream-camera.checkpoint'),
  version: z.literal(1),
  config: z.object({ name: z.string(), hidden: z.number().int() }),
  step: z.number().int(),
  totalSteps: z.number().int(),
  batch: z.number().int(),
  seed: z.number().int(),
  lr: z.number(),
  trainSeconds: z.number(),
  data: z.object({ train: DataOptionsSchema, heldout: DataOptionsSchema, frames: z.number().int() }),
  history: z.array(
    z.object({
      step: z.number(),
      loss: z.number().optional(),
      valLoss: z.number().optional(),
      psnr: z.number().optional(),
    }),
  ),
  optimizer: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()) })),
});
export type CameraCheckpointState = z.infer<typeof CameraCheckpointSchema>;

export interface CameraCheckpoint {
  readonly state: CameraCheckpointState;
  readonly weights: Weights;
  readonly optimizer: Float32Array[];
}

const STEM = 'camera';
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function hasCameraCheckpoint(dir: string): boolean {
  return hasCheckpointFiles(dir, STEM);
}

export function loadCameraCheckpoint(dir: string): CameraCheckpoint {
  const { state, blocks } = readCheckpointFiles(dir, STEM, CameraCheckpointSchema, (s) => [
    ...cameraParamSpecs(s.config).map((p) => size(p.shape)),
    ...s.optimizer.map((v) => size(v.shape)),
  ]);
  const specs = cameraParamSpecs(state.config);
  return {
    state,
    weights: new Map(specs.map((p, i) => [p.name, blocks[i]])),
    optimizer: blocks.slice(specs.length),
  };
}

function saveCameraCheckpoint(dir: string, ck: CameraCheckpoint): void {
  writeCheckpointFiles(dir, STEM, ck.state, [
    ...cameraParamSpecs(ck.state.config).map((p) => ck.weights.get(p.name)!),
    ...ck.optimizer,
  ]);
}

export interface CameraTrainOptions {
  readonly config: CameraConfig;
  readonly train: CameraData;
  readonly heldout: CameraData;
  readonly dataOptions: { train: CameraDataOptions; heldout: CameraDataOptions };
  readonly runDir: string;
  readonly steps: number;
  readonly batch: number;
  readonly lr: number;
  readonly seed: number;
  readonly resume: boolean;
  readonly maxMinutes: number;
  readonly checkpointEvery: number;
  readonly validateEvery: number;
  /** Held-out frames the progress PSNR is measured on. */
  readonly validationFrames: number;
  readonly progress: boolean;
  /** Stop (as an interruption would) once this step is reached; the checkpoint stays resumable. */
  readonly stopAfter?: number;
}

/** Cells and condition of frames `index` of a data set, for a batch. */
export function cameraBatch(data: CameraData, index: readonly number[]): { cells: Float32Array; cond: Float32Array } {
  const cells = new Float32Array(index.length * CELLS * CELL_VALUES);
  const cond = new Float32Array(index.length * CELLS * COND_FEATURES);
  index.forEach((k, b) => {
    imageToCells(data.images.subarray(k * IMAGE_BYTES, (k + 1) * IMAGE_BYTES), cells, b * CELLS * CELL_VALUES);
    cond.set(
      cameraCondition(data.tokens.subarray(k * FRAME_TOKENS, (k + 1) * FRAME_TOKENS)),
      b * CELLS * COND_FEATURES,
    );
  });
  return { cells, cond };
}

/** Mean PSNR of `steps`-step samples of the tfjs denoiser against the engine's renders of `index`. */
export async function tfCameraPsnr(model: TfCamera, data: CameraData, index: readonly number[], steps: number) {
  const { cond } = cameraBatch(data, index);
  const x = await sample(async (x, s, c, b) => model.denoise(x, s, c, b), cond, {
    batch: index.length,
    size: CELLS * CELL_VALUES,
    steps,
    seed: 1,
  });
  let sum = 0;
  index.forEach((k, b) => {
    const img = cellsToImage(x.subarray(b * CELLS * CELL_VALUES, (b + 1) * CELLS * CELL_VALUES));
    sum += psnr(img, data.images.subarray(k * IMAGE_BYTES, (k + 1) * IMAGE_BYTES));
  });
  return sum / index.length;
}

export async function trainCamera(o: CameraTrainOptions): Promise<CameraCheckpoint> {
  await setupTf('wasm');
  let state: CameraCheckpointState;
  let weights = initCameraWeights(o.config, o.seed);
  let optState: Float32Array[] | null = null;
  if (o.resume && hasCameraCheckpoint(o.runDir)) {
    const ck = loadCameraCheckpoint(o.runDir);
    if (JSON.stringify(ck.state.config) !== JSON.stringify(o.config))
      throw new Error(`checkpoint in ${o.runDir} has config ${JSON.stringify(ck.state.config)}`);
    ({ state, weights, optimizer: optState } = ck);
    console.log(`resuming ${o.runDir} at step ${state.step}/${state.totalSteps}`);
  } else {
    state = {
      format: 'aikon.dream-camera.checkpoint',
      version: 1,
      config: { ...o.config },
      step: 0,
      totalSteps: o.steps,
      batch: o.batch,
      seed: o.seed,
      lr: o.lr,
      trainSeconds: 0,
      data: { ...o.dataOptions, frames: o.train.count },
      history: [],
      optimizer: [],
    };
  }
  const model = new TfCamera(o.config, weights);
  const opt = tf.train.adam(state.lr);
  if (optState) {
    const saved = optState;
    await opt.setWeights(state.optimizer.map((v, i) => ({ name: v.name, tensor: tf.tensor(saved[i], v.shape) })));
  }
  const valIndex = Array.from({ length: Math.min(o.validationFrames, o.heldout.count) }, (_, i) =>
    Math.floor((i * o.heldout.count) / Math.min(o.validationFrames, o.heldout.count)),
  );
  // A fixed held-out batch for the validation loss: σ at fixed quantiles of the training
  // distribution, fixed noise (the training loss itself swings with each batch's σ).
  const val = cameraBatch(o.heldout, valIndex);
  const valSigmas = Float32Array.from(valIndex, (_, i) =>
    Math.exp(EDM.pMean + EDM.pStd * 2 * ((i + 0.5) / valIndex.length - 0.5) * 1.5),
  );
  const valNoise = gaussianNoise(val.cells.length, 0x5a1);
  const validate = async (): Promise<{ valLoss: number; psnr: number }> => {
    const n = valIndex.length * CELLS;
    const loss = tf.tidy(() =>
      model
        .loss(
          tf.tensor2d(val.cells, [n, CELL_VALUES]),
          tf.tensor2d(valNoise, [n, CELL_VALUES]),
          tf.tensor2d(val.cond, [n, COND_FEATURES]),
          valSigmas,
        )
        .dataSync(),
    )[0];
    return { valLoss: loss, psnr: await tfCameraPsnr(model, o.heldout, valIndex, 1) };
  };
  if (state.step === 0 && valIndex.length > 0) state.history.push({ step: 0, ...(await validate()) });
  const total = state.totalSteps;
  const bar = o.progress
    ? new cliProgress.SingleBar(
        {
          format:
            'camera {bar} {value}/{total} | loss {loss} | held-out PSNR {psnr} dB | {sps} samples/s | ' +
            'ETA {eta_formatted}',
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(total, state.step, { loss: '-', psnr: '-', sps: '-' });
  const started = performance.now();
  const startSeconds = state.trainSeconds;
  const deadline = started + (o.maxMinutes * 60 - startSeconds) * 1000;
  const startStep = state.step;
  let ema = Number.NaN;
  let lastPsnr = Number.NaN;
  let lastSave = state.step;
  const snapshot = async (): Promise<CameraCheckpoint> => {
    state.trainSeconds = startSeconds + (performance.now() - started) / 1000;
    const ow = await opt.getWeights();
    state.optimizer = ow.map((w) => ({ name: w.name, shape: w.tensor.shape }));
    return { state, weights: model.weights(), optimizer: ow.map((w) => w.tensor.dataSync() as Float32Array) };
  };
  const B = state.batch;
  while (state.step < total && state.step < (o.stopAfter ?? Number.POSITIVE_INFINITY)) {
    if (performance.now() > deadline) {
      bar?.stop();
      console.log(`time limit (${o.maxMinutes} min) reached at step ${state.step}`);
      break;
    }
    const rng = new Rng(mixSeed(state.seed, state.step));
    const { cells, cond } = cameraBatch(
      o.train,
      Array.from({ length: B }, () => rng.int(o.train.count)),
    );
    const sigmas = trainingSigmas(B, rng);
    const noise = gaussianNoise(cells.length, rng.int(0x7fffffff));
    (opt as unknown as { learningRate: number }).learningRate = learningRate(
      state.step,
      total,
      state.lr,
      (startSeconds + (performance.now() - started) / 1000) / (o.maxMinutes * 60),
    );
    const loss = tf.tidy(
      () =>
        opt.minimize(
          () =>
            model.loss(
              tf.tensor2d(cells, [B * CELLS, CELL_VALUES]),
              tf.tensor2d(noise, [B * CELLS, CELL_VALUES]),
              tf.tensor2d(cond, [B * CELLS, COND_FEATURES]),
              sigmas,
            ),
          true,
        )!,
    );
    const l = loss.dataSync()[0];
    loss.dispose();
    if (!Number.isFinite(l)) throw new Error(`loss is ${l} at step ${state.step}`);
    ema = Number.isNaN(ema) ? l : 0.98 * ema + 0.02 * l;
    state.step++;
    const entry: CameraCheckpointState['history'][number] = { step: state.step, loss: ema };
    if (valIndex.length > 0 && (state.step % o.validateEvery === 0 || state.step === total)) {
      Object.assign(entry, await validate());
      lastPsnr = entry.psnr!;
    }
    if (state.step % 10 === 0 || entry.psnr !== undefined) state.history.push(entry);
    const secs = (performance.now() - started) / 1000;
    const sps = (((state.step - startStep) * B) / Math.max(1e-3, secs)).toFixed(0);
    bar?.update(state.step, { loss: ema.toFixed(4), psnr: Number.isNaN(lastPsnr) ? '-' : lastPsnr.toFixed(2), sps });
    if (!bar && state.step % 100 === 0)
      console.log(`step ${state.step}/${total} ${secs.toFixed(0)}s loss ${ema.toFixed(4)} PSNR ${lastPsnr.toFixed(2)}`);
    if (state.step - lastSave >= o.checkpointEvery) {
      saveCameraCheckpoint(o.runDir, await snapshot());
      lastSave = state.step;
    }
  }
  bar?.stop();
  const ck = await snapshot();
  saveCameraCheckpoint(o.runDir, ck);
  model.dispose();
  opt.dispose();
  return ck;
}
