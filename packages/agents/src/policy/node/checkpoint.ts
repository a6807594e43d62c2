/**
 * Policy training checkpoints and the run state behaviour cloning and actor-critic share.
 * Files (world-model's checkpoint-files.ts): `<dir>/policy.json` (state: config, step, provenance,
 * history) + `<dir>/policy.bin` (the parameters in policyParamSpecs order, then Adam's m and v).
 */
import { PolicyTrainingDataSchema } from '@aikon/world-model';
import {
  type AdamMoments,
  adamUpdate,
  hasCheckpointFiles,
  readCheckpointFiles,
  writeCheckpointFiles,
} from '@aikon/world-model/node';
import { z } from 'zod';
import { type PolicyConfig, PolicyConfigSchema, PolicyNet, policyParamCount, type PolicyWeights } from '../network.ts';

/** The manifest's provenance record, kept in the checkpoint from the start. */
export type TrainingData = z.infer<typeof PolicyTrainingDataSchema>;

const STEM = 'policy';

export const PolicyCheckpointSchema = z.object({
  format: z.literal('aikon.policy.checkpoint'),
  /** 2: plain-TypeScript network with Adam moments over the flat parameters (1 was tfjs's optimizer variables). */
  version: z.literal(2),
  config: PolicyConfigSchema,
  /** Training stages in order ('bc', 'dagger', then 'rl-real' / 'rl-imagination'). */
  stage: z.string(),
  step: z.number().int(),
  totalSteps: z.number().int(),
  batch: z.number().int(),
  seed: z.number().int(),
  lr: z.number(),
  trainSeconds: z.number(),
  /** Adam steps taken (its bias correction; actor-critic takes several per update). */
  optimizerSteps: z.number().int(),
  data: PolicyTrainingDataSchema,
  /** BC: the cross-entropy weight of the decisive actions (bc.ts DECISIVE_ACTIONS); absent: 1, unweighted. */
  decisiveWeight: z.number().positive().optional(),
  history: z.array(
    z.object({
      step: z.number(),
      loss: z.number(),
      valLoss: z.number().optional(),
      valAccuracy: z.number().optional(),
      /** Actor-critic: mean return and length of the last 50 training episodes. */
      meanReturn: z.number().optional(),
      meanLength: z.number().optional(),
      /** Actor-critic with a guard: mean KL(start policy ‖ policy) over the update's samples. */
      kl: z.number().optional(),
    }),
  ),
});
export type PolicyCheckpointState = z.infer<typeof PolicyCheckpointSchema>;

export interface PolicyCheckpoint {
  readonly state: PolicyCheckpointState;
  readonly weights: PolicyWeights;
  readonly optimizer: AdamMoments;
}

export function hasPolicyCheckpoint(dir: string): boolean {
  return hasCheckpointFiles(dir, STEM);
}

export function savePolicyCheckpoint(dir: string, ck: PolicyCheckpoint): void {
  const net = new PolicyNet(ck.state.config, ck.weights);
  writeCheckpointFiles(dir, STEM, ck.state, [net.params, ck.optimizer.m, ck.optimizer.v]);
}

export function loadPolicyCheckpoint(dir: string): PolicyCheckpoint {
  const { state, blocks } = readCheckpointFiles(dir, STEM, PolicyCheckpointSchema, (s) =>
    Array(3).fill(policyParamCount(s.config)),
  );
  const [params, m, v] = blocks;
  const weights = new Map([...PolicyNet.views(state.config, params)].map(([name, w]) => [name, w.slice()]));
  return { state, weights, optimizer: { m, v } };
}

/**
 * One training run's network, optimizer and state: started fresh or resumed from `runDir`, with
 * the wall-time bookkeeping (a bound that survives a resume) and the Adam step on `grad`.
 */
export class PolicyRun {
  readonly net: PolicyNet;
  readonly moments: AdamMoments;
  readonly grad: Float32Array;
  state: PolicyCheckpointState;
  readonly resumed: boolean;
  private readonly started = performance.now();
  private readonly startSeconds: number;

  constructor(
    readonly runDir: string,
    readonly maxMinutes: number,
    o: {
      resume: boolean;
      fresh: () => { state: PolicyCheckpointState; weights: PolicyWeights };
      check: (resumed: PolicyCheckpointState) => void;
    },
  ) {
    let weights: PolicyWeights;
    let moments: AdamMoments | null = null;
    if (o.resume && hasPolicyCheckpoint(runDir)) {
      const ck = loadPolicyCheckpoint(runDir);
      o.check(ck.state);
      ({ state: this.state, weights } = ck);
      moments = ck.optimizer;
      this.resumed = true;
      console.error(`resuming ${runDir} at step ${this.state.step}/${this.state.totalSteps}`);
    } else {
      ({ state: this.state, weights } = o.fresh());
      this.resumed = false;
    }
    this.net = new PolicyNet(this.state.config, weights);
    const n = this.net.params.length;
    this.moments = moments ?? { m: new Float32Array(n), v: new Float32Array(n) };
    this.grad = new Float32Array(n);
    this.startSeconds = this.state.trainSeconds;
  }

  get config(): PolicyConfig {
    return this.state.config;
  }

  /** Training seconds, this run's and those before a resume. */
  seconds(): number {
    return this.startSeconds + (performance.now() - this.started) / 1000;
  }

  /** The share of the wall-time bound used (the learning rate anneals along it too). */
  timeFraction(): number {
    return this.seconds() / (this.maxMinutes * 60);
  }

  outOfTime(): boolean {
    return this.seconds() > this.maxMinutes * 60;
  }

  /** Applies the gradient accumulated in `grad` (then zeroes it). */
  update(lr: number): void {
    adamUpdate(this.net.params, this.grad, this.moments, ++this.state.optimizerSteps, lr);
    this.grad.fill(0);
  }

  save(): PolicyCheckpoint {
    this.state.trainSeconds = this.seconds();
    const ck = { state: this.state, weights: this.net.weights(), optimizer: this.moments };
    savePolicyCheckpoint(this.runDir, ck);
    return ck;
  }
}
