/**
 * Policy training checkpoints: `<dir>/policy.json` (state: config, step, provenance, history,
 * the optimizer's variable names and shapes) + `<dir>/policy.bin` (the weights in
 * policyParamSpecs order, then the optimizer's variables; float32 LE). Written atomically.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyTrainingDataSchema } from '@aikon/world-model';
import { z } from 'zod';
import { PolicyConfigSchema, policyParamSpecs, type PolicyWeights } from '../network.ts';

/** The manifest's provenance record, kept in the checkpoint from the start. */
export type TrainingData = z.infer<typeof PolicyTrainingDataSchema>;

export const PolicyCheckpointSchema = z.object({
  format: z.literal('aikon.policy.checkpoint'),
  version: z.literal(1),
  config: PolicyConfigSchema,
  /** Training stages in order ('bc', then 'rl-real' / 'rl-imagination'). */
  stage: z.string(),
  step: z.number().int(),
  totalSteps: z.number().int(),
  batch: z.number().int(),
  seed: z.number().int(),
  lr: z.number(),
  trainSeconds: z.number(),
  data: PolicyTrainingDataSchema,
  history: z.array(
    z.object({
      step: z.number(),
      loss: z.number(),
      valLoss: z.number().optional(),
      valAccuracy: z.number().optional(),
      /** Actor-critic: mean return and length of the last 50 training episodes. */
      meanReturn: z.number().optional(),
      meanLength: z.number().optional(),
    }),
  ),
  optimizer: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()) })),
});
export type PolicyCheckpointState = z.infer<typeof PolicyCheckpointSchema>;

export interface PolicyCheckpoint {
  readonly state: PolicyCheckpointState;
  readonly weights: PolicyWeights;
  readonly optimizer: Float32Array[];
}

export function hasPolicyCheckpoint(dir: string): boolean {
  return existsSync(join(dir, 'policy.json')) && existsSync(join(dir, 'policy.bin'));
}

export function savePolicyCheckpoint(dir: string, ck: PolicyCheckpoint): void {
  mkdirSync(dir, { recursive: true });
  const parts = [...policyParamSpecs(ck.state.config).map((s) => ck.weights.get(s.name)!), ...ck.optimizer];
  const buf = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    buf.set(p, o);
    o += p.length;
  }
  writeFileSync(join(dir, 'policy.bin.tmp'), new Uint8Array(buf.buffer));
  writeFileSync(join(dir, 'policy.json.tmp'), JSON.stringify(ck.state, null, 1));
  renameSync(join(dir, 'policy.bin.tmp'), join(dir, 'policy.bin'));
  renameSync(join(dir, 'policy.json.tmp'), join(dir, 'policy.json'));
}

export function loadPolicyCheckpoint(dir: string): PolicyCheckpoint {
  const state = PolicyCheckpointSchema.parse(JSON.parse(readFileSync(join(dir, 'policy.json'), 'utf8')));
  const raw = readFileSync(join(dir, 'policy.bin'));
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  let o = 0;
  const take = (shape: readonly number[]): Float32Array => {
    const n = shape.reduce((a, b) => a * b, 1);
    const a = all.slice(o, o + n);
    o += n;
    return a;
  };
  const weights: PolicyWeights = new Map(policyParamSpecs(state.config).map((s) => [s.name, take(s.shape)]));
  const optimizer = state.optimizer.map((v) => take(v.shape));
  if (o !== all.length) throw new Error(`${join(dir, 'policy.bin')} has ${all.length} floats, expected ${o}`);
  return { state, weights, optimizer };
}
