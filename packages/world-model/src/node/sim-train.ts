/**
 * Trains the world simulator (plain TypeScript, hand-written gradients, Adam) with checkpoints
 * and resume: `<runDir>/sim-checkpoint.json` + `sim-checkpoint.bin` (params, Adam m, v).
 */
import { mixSeed, Rng } from '@aikon/engine';
import { z } from 'zod';
import { type SimTrainConfig, SimTrainConfigSchema } from '../sim/config.ts';
import { buildTransitions, makeBatch, type TransitionSet } from '../sim/data.ts';
import { HEADS, type SimLossParts, SimModel, simParamCount } from '../sim/model.ts';
import { adamUpdate, hasCheckpointFiles, readCheckpointFiles, writeCheckpointFiles } from './checkpoint-files.ts';
import type { Dataset } from './episode-files.ts';

const HistorySchema = z.object({
  step: z.number(),
  loss: z.number(),
  val: z.record(z.string(), z.number()).optional(),
});
export const SimCheckpointSchema = z.object({
  format: z.literal('aikon.world-sim.checkpoint'),
  version: z.literal(1),
  config: SimTrainConfigSchema,
  step: z.number().int(),
  trainSeconds: z.number(),
  data: z.object({
    dir: z.string(),
    recorded: z.string().optional(),
    files: z.number().int(),
    trainEpisodes: z.number().int(),
    validationEpisodes: z.number().int(),
    trainTransitions: z.number().int(),
    sources: z.record(z.string(), z.number()),
  }),
  history: z.array(HistorySchema),
  /** The weights a fresh run started from (a manifest simulator), when not a seeded initialisation. */
  initFrom: z.string().optional(),
});
export type SimCheckpointState = z.infer<typeof SimCheckpointSchema>;
export interface SimCheckpoint {
  readonly state: SimCheckpointState;
  readonly model: SimModel;
  readonly m: Float32Array;
  readonly v: Float32Array;
}

export function saveSimCheckpoint(dir: string, ck: SimCheckpoint): void {
  writeCheckpointFiles(dir, 'sim-checkpoint', ck.state, [ck.model.params, ck.m, ck.v]);
}

export function hasSimCheckpoint(dir: string): boolean {
  return hasCheckpointFiles(dir, 'sim-checkpoint');
}

export function loadSimCheckpoint(dir: string): SimCheckpoint {
  const { state, blocks } = readCheckpointFiles(dir, 'sim-checkpoint', SimCheckpointSchema, (s) =>
    Array(3).fill(simParamCount(s.config.architecture)),
  );
  const [params, m, v] = blocks;
  return { state, model: new SimModel(state.config.architecture, params), m, v };
}

/** Learning rate at a point of training: warm-up, then cosine to 10 % along max(step, time) progress. */
export function simLearningRate(c: SimTrainConfig, step: number, seconds: number): number {
  if (step < c.warmup) return (c.lr * (step + 1)) / c.warmup;
  const progress = Math.min(
    1,
    Math.max((step - c.warmup) / Math.max(1, c.steps - c.warmup), seconds / (c.maxMinutes * 60)),
  );
  return c.lr * (0.1 + 0.45 * (1 + Math.cos(Math.PI * progress)));
}

/** Weighted sampler over transitions (cumulative weights, binary search). */
const cumulative = new WeakMap<TransitionSet, Float64Array>();
function sampler(s: TransitionSet, rng: Rng): (n: number) => Int32Array {
  let cum = cumulative.get(s);
  if (!cum) {
    cum = new Float64Array(s.size);
    let a = 0;
    for (let i = 0; i < s.size; i++) cum[i] = a += s.weight[i];
    cumulative.set(s, cum);
  }
  const c = cum;
  const acc = c[s.size - 1];
  return (n) => {
    const out = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const u = rng.uniform() * acc;
      let lo = 0,
        hi = s.size - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (c[mid] < u) lo = mid + 1;
        else hi = mid;
      }
      out[k] = lo;
    }
    return out;
  };
}

export interface SimTrainOptions {
  readonly config: SimTrainConfig;
  readonly data: Dataset;
  readonly dataDir: string;
  /** The datasets data directory whose recordings were added (as given on the command line). */
  readonly recordedDir?: string;
  /**
   * A fresh run starts from these weights (same architecture) instead of a seeded initialisation; named in the state.
   */
  readonly init?: { readonly model: SimModel; readonly from: string };
  readonly runDir: string;
  readonly resume: boolean;
  /** Stop (with a checkpoint) after this many steps in total, as if interrupted. */
  readonly stopAfter?: number;
  readonly onProgress?: (
    step: number,
    total: number,
    loss: number,
    val: Record<string, number> | undefined,
    lr: number,
  ) => void;
}

/** Held-out loss of each head (uniform sample of validation transitions, fixed across the run). */
export function validationLoss(model: SimModel, c: SimTrainConfig, s: TransitionSet): SimLossParts {
  const rng = new Rng(c.seed + 99);
  const idx = Int32Array.from({ length: Math.min(c.validation, s.size) }, () => rng.int(s.size));
  return model.loss(makeBatch(s, idx), c.loss);
}

export function trainSim(o: SimTrainOptions): SimCheckpoint {
  let ck: SimCheckpoint;
  if (o.resume && hasSimCheckpoint(o.runDir)) {
    ck = loadSimCheckpoint(o.runDir);
    if (JSON.stringify(ck.state.config.architecture) !== JSON.stringify(o.config.architecture))
      throw new Error(`${o.runDir} holds another architecture`);
    ck = { ...ck, state: { ...ck.state, config: o.config } };
  } else {
    if (o.init && JSON.stringify(o.init.model.arch) !== JSON.stringify(o.config.architecture))
      throw new Error(`${o.init.from} has another architecture than config ${o.config.name}`);
    const model = o.init
      ? new SimModel(o.init.model.arch, Float32Array.from(o.init.model.params))
      : SimModel.init(o.config.architecture, o.config.seed);
    const n = model.params.length;
    const trainTransitions = o.data.train.reduce((k, e) => k + e.length, 0);
    ck = {
      model,
      m: new Float32Array(n),
      v: new Float32Array(n),
      state: {
        format: 'aikon.world-sim.checkpoint',
        version: 1,
        config: o.config,
        step: 0,
        trainSeconds: 0,
        history: [],
        ...(o.init ? { initFrom: o.init.from } : {}),
        data: {
          dir: o.dataDir,
          ...(o.recordedDir !== undefined ? { recorded: o.recordedDir } : {}),
          files: o.data.files,
          trainEpisodes: o.data.train.length,
          validationEpisodes: o.data.validation.length,
          trainTransitions,
          sources: o.data.sources,
        },
      },
    };
  }
  const c = o.config;
  const train = buildTransitions(o.data.train, c.oversample);
  const val = o.data.validation.length ? buildTransitions(o.data.validation, c.oversample) : null;
  // Each step's batch comes from its own seeded stream, so a resumed run draws what an uninterrupted one would.
  const draw = (step: number) => sampler(train, new Rng(mixSeed(c.seed, step)))(c.batch);
  const grad = new Float32Array(ck.model.params.length);
  const t0 = performance.now();
  const seconds0 = ck.state.trainSeconds;
  let lastVal: Record<string, number> | undefined;
  let state = ck.state;
  const save = () => {
    state = { ...state, trainSeconds: seconds0 + (performance.now() - t0) / 1000 };
    saveSimCheckpoint(o.runDir, { ...ck, state });
  };
  while (state.step < Math.min(c.steps, o.stopAfter ?? Infinity)) {
    const seconds = seconds0 + (performance.now() - t0) / 1000;
    if (seconds > c.maxMinutes * 60) break;
    const lr = simLearningRate(c, state.step, seconds);
    grad.fill(0);
    const parts = ck.model.loss(makeBatch(train, draw(state.step)), c.loss, grad);
    const step = state.step + 1;
    adamUpdate(ck.model.params, grad, ck, step, lr);
    let valNow: Record<string, number> | undefined;
    if (val && (step % c.validateEvery === 0 || step === c.steps)) {
      const vl = validationLoss(ck.model, c, val);
      valNow = Object.fromEntries(
        [...HEADS, 'total'].map((h) => [h, Math.round(vl[h as keyof SimLossParts] * 1e4) / 1e4]),
      );
      lastVal = valNow;
    }
    state = {
      ...state,
      step,
      history: [
        ...state.history,
        ...(valNow || step % 50 === 0
          ? [{ step, loss: Math.round(parts.total * 1e4) / 1e4, ...(valNow ? { val: valNow } : {}) }]
          : []),
      ],
    };
    o.onProgress?.(step, c.steps, parts.total, lastVal, lr);
    if (step % c.checkpointEvery === 0) save();
  }
  save();
  return { ...ck, state };
}
