/**
 * Training checkpoints: `<dir>/checkpoint.json` (state, config, optimizer variable names and
 * shapes) + `<dir>/checkpoint.bin` (model weights, then the optimizer's variables, float32 LE).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ModelConfigSchema } from '../config.ts';
import { paramSpecs, type Weights } from '../params.ts';

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
  data: z.object({ dir: z.string(), files: z.number().int(), trainEpisodes: z.number().int(), validationEpisodes: z.number().int(), trainTransitions: z.number().int(), sources: z.record(z.string(), z.number()) }),
  history: z.array(z.object({ step: z.number(), loss: z.number(), valLoss: z.number().optional(), valTokenAcc: z.number().optional() })),
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
  mkdirSync(dir, { recursive: true });
  const parts: Float32Array[] = [];
  for (const spec of paramSpecs(ck.state.config)) parts.push(ck.weights.get(spec.name)!);
  parts.push(...ck.optimizer);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const buf = new Float32Array(total);
  let o = 0;
  for (const p of parts) {
    buf.set(p, o);
    o += p.length;
  }
  writeFileSync(join(dir, 'checkpoint.bin.tmp'), new Uint8Array(buf.buffer));
  writeFileSync(join(dir, 'checkpoint.json.tmp'), JSON.stringify(ck.state, null, 1));
  renameSync(join(dir, 'checkpoint.bin.tmp'), join(dir, 'checkpoint.bin'));
  renameSync(join(dir, 'checkpoint.json.tmp'), join(dir, 'checkpoint.json'));
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, 'checkpoint.json')) && existsSync(join(dir, 'checkpoint.bin'));
}

export function loadCheckpoint(dir: string): Checkpoint {
  const state = CheckpointSchema.parse(JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')));
  const raw = readFileSync(join(dir, 'checkpoint.bin'));
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const weights: Weights = new Map();
  let o = 0;
  for (const spec of paramSpecs(state.config)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    weights.set(spec.name, all.slice(o, o + n));
    o += n;
  }
  const optimizer: Float32Array[] = [];
  for (const v of state.optimizer) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    optimizer.push(all.slice(o, o + n));
    o += n;
  }
  if (o !== all.length) throw new Error(`checkpoint.bin has ${all.length} floats, expected ${o}`);
  return { state, weights, optimizer };
}
