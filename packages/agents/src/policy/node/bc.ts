/**
 * Behaviour cloning (Node, the plain-TypeScript network, one thread): the policy learns the
 * demonstrator's action from the fair view (cross-entropy) and, as a start for actor-critic,
 * its value learns the demonstrations' discounted return. Resumable checkpoints, a progress bar,
 * a wall-time bound (the learning rate anneals along whichever of steps and time runs out first).
 */
import { Action, mixSeed, NUM_ACTIONS, Rng } from '@aikon/engine';
import { FRAME_TOKENS } from '@aikon/world-model';
import { learningRate } from '@aikon/world-model/node';
import cliProgress from 'cli-progress';
import type { PolicyInputs } from '../features.ts';
import { MEMORY_SLOTS, MemoryMap } from '../memory.ts';
import { hasMemory, initPolicyWeights, type PolicyConfig, type PolicyNet, type PolicyWeights } from '../network.ts';
import { type PolicyCheckpoint, type PolicyCheckpointState, PolicyRun, type TrainingData } from './checkpoint.ts';
import type { DemoSet } from './demos.ts';

export const BC_GAMMA = 0.99;
const VALUE_WEIGHT = 0.5;

/**
 * The demonstrator's rare actions that unlock achievements or keep it alive through the night
 * (sleep, every place_* and make_*): ≈ 3 % of its steps together, so an unweighted clone gives
 * them too little probability where they matter (it walls itself in or crafts far less often).
 */
export const DECISIVE_ACTIONS: readonly number[] = [
  Action.sleep,
  Action.place_stone,
  Action.place_table,
  Action.place_furnace,
  Action.place_plant,
  Action.make_wood_pickaxe,
  Action.make_stone_pickaxe,
  Action.make_iron_pickaxe,
  Action.make_wood_sword,
  Action.make_stone_sword,
  Action.make_iron_sword,
];

/** Per-action cross-entropy weights: `decisive` for DECISIVE_ACTIONS, 1 for the others. */
export function actionWeights(decisive: number): Float32Array {
  if (!(decisive > 0)) throw new Error(`the decisive actions' weight must be > 0, got ${decisive}`);
  const w = new Float32Array(NUM_ACTIONS).fill(1);
  for (const a of DECISIVE_ACTIONS) w[a] = decisive;
  return w;
}

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

/**
 * The memory map's slots at every demonstration step, [N, MEMORY_SLOTS]: a map per episode fed
 * its frames and the actions taken, as a policy acting in that episode would have built it.
 */
export function demoMemory(demos: Pick<DemoSet, 'frames' | 'actions' | 'taken' | 'starts'>): Int32Array {
  const N = demos.actions.length;
  const out = new Int32Array(N * MEMORY_SLOTS);
  const taken = demos.taken ?? demos.actions;
  const map = new MemoryMap();
  for (let e = 0; e < demos.starts.length; e++) {
    const end = e + 1 < demos.starts.length ? demos.starts[e + 1] : N;
    map.reset();
    for (let t = demos.starts[e]; t < end; t++) {
      map.observe(
        demos.frames.subarray(t * FRAME_TOKENS, (t + 1) * FRAME_TOKENS),
        t > demos.starts[e] ? taken[t - 1] : undefined,
      );
      map.features(out, t * MEMORY_SLOTS);
    }
  }
  return out;
}

/**
 * Policy inputs for demonstration steps: each step's last K frames (not before its episode's
 * start), previous action and — given the demonstrations' `memory` (demoMemory) — memory slots.
 */
export function demoInputs(
  demos: Pick<DemoSet, 'frames' | 'actions' | 'taken' | 'episodeStart'>,
  steps: ArrayLike<number>,
  frames: number,
  memory?: Int32Array,
): PolicyInputs {
  const B = steps.length;
  const tokens = new Int32Array(B * frames * FRAME_TOKENS);
  const prevAction = new Int32Array(B);
  const S = MEMORY_SLOTS;
  const slots = memory ? new Int32Array(B * S) : undefined;
  for (let b = 0; b < B; b++) {
    const i = steps[b];
    slots?.set(memory!.subarray(i * S, (i + 1) * S), b * S);
    const first = demos.episodeStart[i];
    for (let k = 0; k < frames; k++) {
      const src = Math.max(first, i - (frames - 1 - k));
      tokens.set(demos.frames.subarray(src * FRAME_TOKENS, (src + 1) * FRAME_TOKENS), (b * frames + k) * FRAME_TOKENS);
    }
    prevAction[b] = i > first ? (demos.taken ?? demos.actions)[i - 1] : 0;
  }
  return { batch: B, tokens, prevAction, memory: slots };
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
  /** Start from these weights instead of a fresh initialisation (DAgger's later rounds). */
  readonly init?: PolicyWeights;
  /** The stage name in the checkpoint and manifest (default 'bc'). */
  readonly stage?: string;
  /** Cross-entropy weight of DECISIVE_ACTIONS (default 1: unweighted); validation stays unweighted. */
  readonly decisiveWeight?: number;
}

/** Every 20th episode is held out for validation; autopilot steps are context only, never labels. */
export function splitSteps(demos: Pick<DemoSet, 'starts' | 'actions'> & Partial<Pick<DemoSet, 'autopilot'>>): {
  train: Uint32Array;
  validation: Uint32Array;
} {
  const train: number[] = [];
  const validation: number[] = [];
  for (let e = 0; e < demos.starts.length; e++) {
    const end = e + 1 < demos.starts.length ? demos.starts[e + 1] : demos.actions.length;
    const to = e % 20 === 10 ? validation : train;
    for (let t = demos.starts[e]; t < end; t++) if (demos.autopilot?.[t] !== 1) to.push(t);
  }
  return { train: Uint32Array.from(train), validation: Uint32Array.from(validation) };
}

/**
 * The BC loss on a batch — cross-entropy on the demonstrator's action (× `weights[action]` when
 * given, actionWeights) plus VALUE_WEIGHT × the value's squared error to the discounted return —
 * and, with `grad`, its gradient added there.
 */
export function bcLoss(
  net: PolicyNet,
  x: PolicyInputs,
  actions: ArrayLike<number>,
  returns: ArrayLike<number>,
  grad?: Float32Array,
  weights?: ArrayLike<number>,
): { loss: number; correct: number } {
  const f = net.forward(x);
  const B = x.batch;
  const dLogits = new Float32Array(B * NUM_ACTIONS);
  const dValue = new Float32Array(B);
  let loss = 0;
  let correct = 0;
  for (let b = 0; b < B; b++) {
    const o = b * NUM_ACTIONS;
    let best = 0;
    for (let a = 1; a < NUM_ACTIONS; a++) if (f.logits[o + a] > f.logits[o + best]) best = a;
    if (best === actions[b]) correct++;
    const mx = f.logits[o + best];
    let z = 0;
    for (let a = 0; a < NUM_ACTIONS; a++) z += Math.exp(f.logits[o + a] - mx);
    const w = weights ? weights[actions[b]] : 1;
    loss += (w * (Math.log(z) + mx - f.logits[o + actions[b]])) / B;
    for (let a = 0; a < NUM_ACTIONS; a++)
      dLogits[o + a] = (w * (Math.exp(f.logits[o + a] - mx) / z - (a === actions[b] ? 1 : 0))) / B;
    const err = f.value[b] - returns[b];
    loss += (VALUE_WEIGHT * err * err) / B;
    dValue[b] = (2 * VALUE_WEIGHT * err) / B;
  }
  if (grad) net.backward(f, dLogits, dValue, grad);
  return { loss, correct };
}

export async function trainBc(o: BcOptions): Promise<PolicyCheckpoint> {
  const run = new PolicyRun(o.runDir, o.maxMinutes, {
    resume: o.resume,
    check: (s) => {
      if (JSON.stringify(s.config) !== JSON.stringify(o.config))
        throw new Error(`checkpoint in ${o.runDir} has config ${s.config.name}, not ${o.config.name}`);
      if ((s.decisiveWeight ?? 1) !== (o.decisiveWeight ?? 1))
        throw new Error(
          `checkpoint in ${o.runDir} weights decisive actions ${s.decisiveWeight ?? 1}, not ${o.decisiveWeight ?? 1}`,
        );
    },
    fresh: () => ({
      weights: o.init ?? initPolicyWeights(o.config, o.seed),
      state: {
        format: 'aikon.policy.checkpoint',
        version: 2,
        config: o.config,
        stage: o.stage ?? 'bc',
        step: 0,
        totalSteps: o.steps,
        batch: o.batch,
        seed: o.seed,
        lr: o.lr,
        trainSeconds: 0,
        optimizerSteps: 0,
        data: o.data,
        ...(o.decisiveWeight !== undefined && o.decisiveWeight !== 1 ? { decisiveWeight: o.decisiveWeight } : {}),
        history: [],
      },
    }),
  });
  const { state, net } = run;
  const K = o.config.frames;
  const returns = discountedReturns(o.demos, BC_GAMMA);
  const { train, validation } = splitSteps(o.demos);
  if (train.length === 0) throw new Error('no demonstration steps to train on');
  const memory = hasMemory(o.config) ? demoMemory(o.demos) : undefined;
  const weights = state.decisiveWeight !== undefined ? actionWeights(state.decisiveWeight) : undefined;
  const batch = (steps: ArrayLike<number>) => ({
    x: demoInputs(o.demos, steps, K, memory),
    actions: Array.from(steps, (s) => o.demos.actions[s]),
    returns: Array.from(steps, (s) => returns[s]),
  });
  // A fixed validation sample (up to 2,048 steps).
  const valRng = new Rng(mixSeed(o.seed, 0x7a1));
  const valSteps = Array.from(
    { length: Math.min(2048, validation.length) },
    () => validation[valRng.int(validation.length)],
  );
  const validate = (): { loss: number; acc: number } => {
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < valSteps.length; i += 256) {
      const part = valSteps.slice(i, i + 256);
      const t = batch(part);
      const r = bcLoss(net, t.x, t.actions, t.returns);
      loss += r.loss * part.length;
      correct += r.correct;
    }
    return { loss: loss / Math.max(1, valSteps.length), acc: correct / Math.max(1, valSteps.length) };
  };

  const total = state.totalSteps;
  const bar = o.progress
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          noTTYOutput: true,
          notTTYSchedule: 15_000,
          format:
            `${state.stage} {bar} {value}/{total} | loss {loss} | val ` +
            '{val} acc {acc} | {sps} samples/s | ETA {eta_formatted}',
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(total, state.step, { loss: '-', val: '-', acc: '-', sps: '-' });
  const started = performance.now();
  const startStep = state.step;
  let ema = NaN;
  let lastSave = state.step;
  let lastVal = { loss: NaN, acc: NaN };
  while (state.step < total && state.step < (o.stopAfter ?? Infinity)) {
    if (run.outOfTime()) {
      bar?.stop();
      console.error(`time limit (${o.maxMinutes} min) reached at step ${state.step}`);
      break;
    }
    const rng = new Rng(mixSeed(o.seed, state.step));
    const t = batch(Array.from({ length: o.batch }, () => train[rng.int(train.length)]));
    const l = bcLoss(net, t.x, t.actions, t.returns, run.grad, weights).loss;
    if (!Number.isFinite(l)) throw new Error(`loss is ${l} at step ${state.step}`);
    run.update(learningRate(state.step, total, state.lr, run.timeFraction()));
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
    if (state.step - lastSave >= o.checkpointEvery) {
      run.save();
      lastSave = state.step;
    }
  }
  bar?.stop();
  // A run cut short by its time bound still ends with a validation figure.
  if (valSteps.length > 0 && state.step > startStep) {
    if (state.history.at(-1)?.step !== state.step) state.history.push({ step: state.step, loss: ema });
    const last = state.history[state.history.length - 1];
    if (last.valAccuracy === undefined) {
      const v = validate();
      last.valLoss = v.loss;
      last.valAccuracy = v.acc;
    }
  }
  return run.save();
}
