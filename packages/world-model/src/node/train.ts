/** The training loop (Node, tfjs on the wasm backend). */
import { mixSeed, NUM_ACTIONS, Rng } from '@aikon/engine';
import * as tf from '@tensorflow/tfjs';
import cliProgress from 'cli-progress';
import { type BatchWeights, makeTrainBatch, type Sample, transitionIndex, UNIFORM_WEIGHTS } from '../batching.ts';
import type { ModelConfig } from '../config.ts';
import type { TokenEpisode } from '../episodes.ts';
import { initWeights, lossFn, multiHot, multiHotWidth, TfDreamModel } from '../tf-model.ts';
import { REWARD_CLASSES, SEQ, VOCAB } from '../tokens.ts';
import { type Checkpoint, type CheckpointState, hasCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import type { Dataset } from './episode-files.ts';
import { setupTf } from './tf-setup.ts';

export interface TrainOptions {
  readonly config: ModelConfig;
  readonly data: Dataset;
  readonly dataDir: string;
  readonly runDir: string;
  readonly steps: number;
  readonly batch: number;
  readonly lr: number;
  readonly seed: number;
  readonly resume: boolean;
  readonly maxMinutes: number;
  readonly checkpointEvery: number;
  readonly validateEvery: number;
  readonly progress: boolean;
  /** Loss weights (default uniform). */
  readonly weights?: BatchWeights;
  /** Stop (as an interruption would) once this step is reached; the checkpoint stays resumable. */
  readonly stopAfter?: number;
}

function sampleBatch(episodes: readonly TokenEpisode[], index: Uint32Array, B: number, rng: Rng): Sample[] {
  const n = index.length / 2;
  return Array.from({ length: B }, () => {
    const k = rng.int(n);
    return { ep: episodes[index[2 * k]], t: index[2 * k + 1] };
  });
}

function tensors(bt: ReturnType<typeof makeTrainBatch>, K: number) {
  const B = bt.inputs.batch;
  return {
    multi: tf.tensor2d(multiHot(bt.inputs, K), [B * SEQ, multiHotWidth(K)]),
    action: tf.tensor2d(bt.inputs.action, [B, NUM_ACTIONS]),
    labels: {
      tok: tf.tensor2d(bt.tokenLabels, [B * SEQ, VOCAB]),
      rew: tf.tensor2d(bt.rewardLabels, [B, REWARD_CLASSES]),
      done: tf.tensor2d(bt.doneLabels, [B, 1]),
    },
  };
}

/**
 * Learning rate: linear warm-up over 100 steps, then cosine decay to 10 % along the progress
 * p ∈ [0, 1] — the larger of steps done / total and time used / time budget, so that a run on
 * a busy machine still anneals before its time limit.
 */
export function learningRate(step: number, total: number, lr: number, timeFraction = 0): number {
  const warm = Math.min(100, Math.floor(total / 10));
  if (step < warm) return (lr * (step + 1)) / warm;
  const p = Math.min(1, Math.max((step - warm) / Math.max(1, total - warm), timeFraction));
  return lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * p)));
}

export async function train(o: TrainOptions): Promise<Checkpoint> {
  await setupTf('wasm');
  const K = o.config.context;
  let state: CheckpointState;
  let weights = initWeights(o.config, o.seed);
  let optState: Float32Array[] | null = null;
  if (o.resume && hasCheckpoint(o.runDir)) {
    const ck = loadCheckpoint(o.runDir);
    if (JSON.stringify(ck.state.config) !== JSON.stringify(o.config))
      throw new Error(`checkpoint in ${o.runDir} has config ${ck.state.config.name}, not ${o.config.name}`);
    state = ck.state;
    weights = ck.weights;
    optState = ck.optimizer;
    console.log(`resuming ${o.runDir} at step ${state.step}/${state.totalSteps}`);
  } else {
    let trans = 0;
    for (const e of o.data.train) trans += e.length;
    state = {
      format: 'aikon.world-model.checkpoint',
      version: 1,
      config: o.config,
      step: 0,
      totalSteps: o.steps,
      batch: o.batch,
      seed: o.seed,
      lr: o.lr,
      trainSeconds: 0,
      data: {
        dir: o.dataDir,
        files: o.data.files,
        trainEpisodes: o.data.train.length,
        validationEpisodes: o.data.validation.length,
        trainTransitions: trans,
        sources: o.data.sources,
      },
      history: [],
      optimizer: [],
      weights: o.weights ?? UNIFORM_WEIGHTS,
    };
  }
  const lossWeights = state.weights ?? UNIFORM_WEIGHTS;
  const model = new TfDreamModel(o.config, weights);
  const opt = tf.train.adam(state.lr, 0.9, 0.98, 1e-8);
  if (optState) {
    const names = state.optimizer;
    await opt.setWeights(names.map((v, i) => ({ name: v.name, tensor: tf.tensor(optState![i], v.shape) })));
  }
  const trainIndex = transitionIndex(o.data.train);
  const valIndex = transitionIndex(o.data.validation);
  // A fixed validation set: 4 batches with fixed masks.
  const valRng = new Rng(mixSeed(o.seed, 0x7a1));
  const valBatches =
    valIndex.length > 0
      ? Array.from({ length: 4 }, () =>
          makeTrainBatch(sampleBatch(o.data.validation, valIndex, 64, valRng), K, valRng, lossWeights),
        )
      : [];
  const validate = (): { loss: number; acc: number } => {
    let loss = 0;
    let correct = 0;
    let count = 0;
    for (const bt of valBatches) {
      tf.tidy(() => {
        const t = tensors(bt, K);
        loss += lossFn(model, t.multi, t.action, t.labels).total.dataSync()[0];
        const out = model.forward(t.multi, t.action);
        const pred = out.logits.argMax(-1).dataSync();
        for (let i = 0; i < bt.inputs.batch * SEQ; i++) {
          if (bt.inputs.target[i] !== 45) continue; // MASK
          count++;
          if (bt.tokenLabels[i * VOCAB + pred[i]] > 0) correct++;
        }
      });
    }
    return { loss: loss / Math.max(1, valBatches.length), acc: count ? correct / count : 0 };
  };

  const total = state.totalSteps;
  const bar = o.progress
    ? new cliProgress.SingleBar(
        {
          format:
            'train {bar} {value}/{total} | loss {loss} | val {val} acc {acc} | {sps} samples/s | ETA {eta_formatted}',
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(total, state.step, { loss: '-', val: '-', acc: '-', sps: '-' });
  const started = performance.now();
  const startSeconds = state.trainSeconds;
  const deadline = started + o.maxMinutes * 60_000 - startSeconds * 1000;
  const startStep = state.step;
  let ema = NaN;
  let lastSave = state.step;
  const save = async () => {
    state.trainSeconds = startSeconds + (performance.now() - started) / 1000;
    const ow = await opt.getWeights();
    state.optimizer = ow.map((w) => ({ name: w.name, shape: w.tensor.shape }));
    saveCheckpoint(o.runDir, {
      state,
      weights: model.weights(),
      optimizer: ow.map((w) => w.tensor.dataSync() as Float32Array),
    });
    lastSave = state.step;
  };
  let lastVal = { loss: NaN, acc: NaN };
  while (state.step < total && state.step < (o.stopAfter ?? Infinity)) {
    if (performance.now() > deadline) {
      bar?.stop();
      console.log(`time limit (${o.maxMinutes} min) reached at step ${state.step}`);
      break;
    }
    const rng = new Rng(mixSeed(o.seed, state.step));
    const bt = makeTrainBatch(sampleBatch(o.data.train, trainIndex, o.batch, rng), K, rng, lossWeights);
    (opt as unknown as { learningRate: number }).learningRate = learningRate(
      state.step,
      total,
      state.lr,
      (startSeconds + (performance.now() - started) / 1000) / (o.maxMinutes * 60),
    );
    const loss = tf.tidy(() => {
      const t = tensors(bt, K);
      return opt.minimize(() => lossFn(model, t.multi, t.action, t.labels).total, true)!;
    });
    const l = loss.dataSync()[0];
    loss.dispose();
    if (!Number.isFinite(l)) throw new Error(`loss is ${l} at step ${state.step}`);
    ema = Number.isNaN(ema) ? l : 0.95 * ema + 0.05 * l;
    state.step++;
    const entry: CheckpointState['history'][number] = { step: state.step, loss: ema };
    if (state.step % o.validateEvery === 0 || state.step === total) {
      lastVal = validate();
      entry.valLoss = lastVal.loss;
      entry.valTokenAcc = lastVal.acc;
    }
    if (state.step % 10 === 0 || entry.valLoss !== undefined) state.history.push(entry);
    const secs = (performance.now() - started) / 1000;
    bar?.update(state.step, {
      loss: ema.toFixed(3),
      val: Number.isNaN(lastVal.loss) ? '-' : lastVal.loss.toFixed(3),
      acc: Number.isNaN(lastVal.acc) ? '-' : `${(100 * lastVal.acc).toFixed(1)}%`,
      sps: (((state.step - startStep) * o.batch) / Math.max(1e-3, secs)).toFixed(0),
    });
    if (!bar && state.step % 50 === 0)
      console.log(
        `step ${state.step}/${total} ${secs.toFixed(0)}s loss ${ema.toFixed(3)} ` +
          `val ${lastVal.loss.toFixed(3)} acc ${(100 * lastVal.acc).toFixed(1)}%`,
      );
    if (state.step - lastSave >= o.checkpointEvery) await save();
  }
  bar?.stop();
  await save();
  const ow = await opt.getWeights();
  const ck: Checkpoint = {
    state,
    weights: model.weights(),
    optimizer: ow.map((w) => w.tensor.dataSync() as Float32Array),
  };
  model.dispose();
  opt.dispose();
  return ck;
}
