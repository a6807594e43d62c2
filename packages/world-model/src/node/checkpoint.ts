/**
 * Training checkpoints: `<dir>/checkpoint.json` (state, config, optimizer variable names and
 * shapes) + `<dir>/checkpoint.bin` (model weights, then the optimizer's variables; checkpoint-files.ts).
 */
import { z } from 'zod';
import { ModelConfigSchema } from '../config.ts';
import { paramSpecs, type Weights } from '../params.ts';
import { hasCheckpointFiles, readCheckpointFiles, writeCheckpointFiles } from './checkpoint-files.ts';

export const CheckpointSchema = z.object({
  format: z.literal('aikon.world-model.checkpoint'),
  version: z.literal(1),
  config: ModelConfigSchema,
  step: z.number().int(),
  totalSteps: z.number().int(),
  batch: z.number().int(),
  seed: z.number().int(),
  lr: z.number(),
  trainSeconds: z.number(),
  data: z.object({
    dir: z.string(),
    files: z.number().int(),
    trainEpisodes: z.number().int(),
    validationEpisodes: z.number().int(),
    trainTransitions: z.number().int(),
    sources: z.record(z.string(), z.number()),
  }),
  history: z.array(
    z.object({
      step: z.number(),
      loss: z.number(),
      valLoss: z.number().optional(),
      valTokenAcc: z.number().optional(),
    }),
  ),
  optimizer: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()) })),
  /** Loss weights (absent: uniform). */
  weights: z.object({ changedView: z.number(), changedState: z.number(), reward: z.number() }).optional(),
});
export type CheckpointState = z.infer<typeof CheckpointSchema>;

export interface Checkpoint {
  readonly state: CheckpointState;
  readonly weights: Weights;
  readonly optimizer: Float32Array[];
}

export function saveCheckpoint(dir: string, ck: Checkpoint): void {
  writeCheckpointFiles(dir, 'checkpoint', ck.state, [
    ...paramSpecs(ck.state.config).map((spec) => ck.weights.get(spec.name)!),
    ...ck.optimizer,
  ]);
}

export function hasCheckpoint(dir: string): boolean {
  return hasCheckpointFiles(dir, 'checkpoint');
}

export function loadCheckpoint(dir: string): Checkpoint {
  const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const { state, blocks } = readCheckpointFiles(dir, 'checkpoint', CheckpointSchema, (s) => [
    ...paramSpecs(s.config).map((spec) => size(spec.shape)),
    ...s.optimizer.map((v) => size(v.shape)),
  ]);
  const specs = paramSpecs(state.config);
  const weights: Weights = new Map(specs.map((spec, i) => [spec.name, blocks[i]]));
  return { state, weights, optimizer: blocks.slice(specs.length) };
}
