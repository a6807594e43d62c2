/**
 * Behaviour cloning (Node, tfjs on the wasm backend, one thread): the policy learns the
 * demonstrator's action from the fair view (cross-entropy) and, as a start for actor-critic,
 * its value learns the demonstrations' discounted return. Resumable checkpoints, a progress bar,
 * a wall-time bound (the learning rate anneals along whichever of steps and time runs out first).
 */
import { mixSeed, NUM_ACTIONS, Rng } from '@aikon/engine';
import { learningRate, setupTf } from '@aikon/world-model/node';
import { FRAME_TOKENS } from '@aikon/world-model';
import * as tf from '@tensorflow/tfjs';
import cliProgress from 'cli-progress';
import type { PolicyInputs } from '../features.ts';
import { initPolicyWeights, type PolicyConfig, TfPolicy } from '../network.ts';
import { hasPolicyCheckpoint, loadPolicyCheckpoint, type PolicyCheckpoint, type PolicyCheckpointState, savePolicyCheckpoint, type TrainingData } from './checkpoint.ts';
import type { DemoSet } from './demos.ts';

export const BC_GAMMA = 0.99;
const VALUE_WEIGHT = 0.5;

/** Discounted return from every step to its episode's end. */
export function discountedReturns(demos: Pick<DemoSet, 'rewards' | 'starts'>, gamma: number): Float32Array {
  const out = new Float32Array(demos.rewards.length);
  for (let e = 0; e < demos.starts.length; e++) {
    const end = e + 1 < demos.starts.length ? demos.starts[e + 1] : demos.rewards.length;
    let g = 0;
    for (let t = end - 1; t >= demos.starts[e]; t--) out[t] = g = demos.rewards[t] + gamma * g;
  }
  return out;
}

/** Policy inputs for demonstration steps: each step's last K frames (not before its episode's start) and previous action. */
export function demoInputs(demos: Pick<DemoSet, 'frames' | 'actions' | 'episodeStart'>, steps: ArrayLike<number>, frames: number): PolicyInputs {
  const B = steps.length;
  const tokens = new Int32Array(B * frames * FRAME_TOKENS);
  const prevAction = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const i = steps[b];
    const first = demos.episodeStart[i];
    for (let k = 0; k < frames; k++) {
      const src = Math.max(first, i - (frames - 1 - k));
      tokens.set(demos.frames.subarray(src * FRAME_TOKENS, (src + 1) * FRAME_TOKENS), (b * frames + k) * FRAME_TOKENS);
    }
    prevAction[b] = i > first ? demos.actions[i - 1] : 0;
  }
  return { batch: B, tokens, prevAction };
}

export interface BcOptions {
  readonly config: PolicyConfig;
  readonly demos: DemoSet;
  readonly data: TrainingData;
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
  /** Stop (as an interruption would) once this step is reached; the checkpoint stays resumable. */
  readonly stopAfter?: number;
}

/** Every 20th episode is held out for validation. */
export function splitSteps(demos: Pick<DemoSet, 'starts' | 'actions'>): { train: Uint32Array; validation: Uint32Array } {
  const train: number[] = [];
  const validation: number[] = [];
  for (let e = 0; e < demos.starts.length; e++) {
    const end = e + 1 < demos.starts.length ? demos.starts[e + 1] : demos.actions.length;
    const to = e % 20 === 10 ? validation : train;
    for (let t = demos.starts[e]; t < end; t++) to.push(t);
  }
  return { train: Uint32Array.from(train), validation: Uint32Array.from(validation) };
}

function bcLoss(model: TfPolicy, x: tf.Tensor2D, actions: tf.Tensor2D, returns: tf.Tensor1D): { total: tf.Scalar; logits: tf.Tensor2D } {
  const { logits, value } = model.forward(x);
  const ce = tf.neg(tf.mean(tf.sum(tf.mul(actions, tf.logSoftmax(logits)), -1)));
  const mse = tf.mean(tf.square(tf.sub(value, returns)));
  return { total: tf.add(ce, tf.mul(VALUE_WEIGHT, mse)) as tf.Scalar, logits };
}

export async function trainBc(o: BcOptions): Promise<PolicyCheckpoint> {
  await setupTf('wasm');
  const K = o.config.frames;
  let state: PolicyCheckpointState;
  let weights = initPolicyWeights(o.config, o.seed);
  let optState: Float32Array[] | null = null;
  if (o.resume && hasPolicyCheckpoint(o.runDir)) {
    const ck = loadPolicyCheckpoint(o.runDir);
    if (JSON.stringify(ck.state.config) !== JSON.stringify(o.config)) throw new Error(`checkpoint in ${o.runDir} has config ${ck.state.config.name}, not ${o.config.name}`);
    ({ state, weights } = ck);
    optState = ck.optimizer;
    console.error(`resuming ${o.runDir} at step ${state.step}/${state.totalSteps}`);
  } else {
    state = {
      format: 'aikon.policy.checkpoint',
      version: 1,
      config: o.config,
      stage: 'bc',
      step: 0,
      totalSteps: o.steps,
      batch: o.batch,
      seed: o.seed,
      lr: o.lr,
      trainSeconds: 0,
      data: o.data,
      history: [],
      optimizer: [],
    };
  }
  const model = new TfPolicy(o.config, weights);
  const opt = tf.train.adam(state.lr);
  if (optState) await opt.setWeights(state.optimizer.map((v, i) => ({ name: v.name, tensor: tf.tensor(optState![i], v.shape) })));
  const returns = discountedReturns(o.demos, BC_GAMMA);
  const { train, validation } = splitSteps(o.demos);
  if (train.length === 0) throw new Error('no demonstration steps to train on');
  const batchTensors = (steps: ArrayLike<number>) => {
    const oneHot = new Float32Array(steps.length * NUM_ACTIONS);
    const ret = new Float32Array(steps.length);
    for (let b = 0; b < steps.length; b++) {
      oneHot[b * NUM_ACTIONS + o.demos.actions[steps[b]]] = 1;
      ret[b] = returns[steps[b]];
    }
    return {
      x: model.input(demoInputs(o.demos, steps, K)),
      actions: tf.tensor2d(oneHot, [steps.length, NUM_ACTIONS]),
      returns: tf.tensor1d(ret),
    };
  };
  // A fixed validation sample (up to 2,048 steps).
  const valRng = new Rng(mixSeed(o.seed, 0x7a1));
  const valSteps = Array.from({ length: Math.min(2048, validation.length) }, () => validation[valRng.int(validation.length)]);
  const validate = (): { loss: number; acc: number } => {
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < valSteps.length; i += 256) {
      const part = valSteps.slice(i, i + 256);
      tf.tidy(() => {
        const t = batchTensors(part);
        const r = bcLoss(model, t.x, t.actions, t.returns);
        loss += r.total.dataSync()[0] * part.length;
        const pred = r.logits.argMax(-1).dataSync();
        part.forEach((s, b) => {
          if (pred[b] === o.demos.actions[s]) correct++;
        });
      });
    }
    return { loss: loss / Math.max(1, valSteps.length), acc: correct / Math.max(1, valSteps.length) };
  };

  const total = state.totalSteps;
  const bar = o.progress
    ? new cliProgress.SingleBar(
        { stream: process.stderr, noTTYOutput: true, notTTYSchedule: 15_000, format: 'bc {bar} {value}/{total} | loss {loss} | val {val} acc {acc} | {sps} samples/s | ETA {eta_formatted}', etaBuffer: 50 },
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
  const save = async (): Promise<PolicyCheckpoint> => {
    state.trainSeconds = startSeconds + (performance.now() - started) / 1000;
    const ow = await opt.getWeights();
    state.optimizer = ow.map((w) => ({ name: w.name, shape: w.tensor.shape }));
    const ck = { state, weights: model.weights(), optimizer: ow.map((w) => w.tensor.dataSync() as Float32Array) };
    savePolicyCheckpoint(o.runDir, ck);
    lastSave = state.step;
    return ck;
  };
  let lastVal = { loss: NaN, acc: NaN };
  while (state.step < total && state.step < (o.stopAfter ?? Infinity)) {
    if (performance.now() > deadline) {
      bar?.stop();
      console.error(`time limit (${o.maxMinutes} min) reached at step ${state.step}`);
      break;
    }
    const rng = new Rng(mixSeed(o.seed, state.step));
    const steps = Array.from({ length: o.batch }, () => train[rng.int(train.length)]);
    (opt as unknown as { learningRate: number }).learningRate = learningRate(state.step, total, state.lr, (startSeconds + (performance.now() - started) / 1000) / (o.maxMinutes * 60));
    const loss = tf.tidy(() => {
      const t = batchTensors(steps);
      return opt.minimize(() => bcLoss(model, t.x, t.actions, t.returns).total, true)!;
    });
    const l = loss.dataSync()[0];
    loss.dispose();
    if (!Number.isFinite(l)) throw new Error(`loss is ${l} at step ${state.step}`);
    ema = Number.isNaN(ema) ? l : 0.95 * ema + 0.05 * l;
    state.step++;
    const entry: PolicyCheckpointState['history'][number] = { step: state.step, loss: ema };
    if (valSteps.length > 0 && (state.step % o.validateEvery === 0 || state.step === total)) {
      lastVal = validate();
      entry.valLoss = lastVal.loss;
      entry.valAccuracy = lastVal.acc;
    }
    if (state.step % 10 === 0 || entry.valLoss !== undefined) state.history.push(entry);
    const secs = (performance.now() - started) / 1000;
    bar?.update(state.step, {
      loss: ema.toFixed(3),
      val: Number.isNaN(lastVal.loss) ? '-' : lastVal.loss.toFixed(3),
      acc: Number.isNaN(lastVal.acc) ? '-' : `${(100 * lastVal.acc).toFixed(1)}%`,
      sps: (((state.step - startStep) * o.batch) / Math.max(1e-3, secs)).toFixed(0),
    });
    if (state.step - lastSave >= o.checkpointEvery) await save();
  }
  bar?.stop();
  const ck = await save();
  model.dispose();
  opt.dispose();
  return ck;
}
