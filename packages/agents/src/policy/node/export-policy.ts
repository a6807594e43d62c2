/** Exports a policy checkpoint to models/<name>.onnx and registers it (kind 'policy') in models/manifest.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NUM_ACTIONS } from '@aikon/engine';
import { FRAME_TOKENS, type PolicyEntry, PolicyEntrySchema, sha256Hex, TOKEN_LAYOUT } from '@aikon/world-model';
import { OPSET } from '@aikon/world-model/onnx-graph';
import { readManifest, upsertEntry } from '@aikon/world-model/node';
import { hasMemory, policyParamCount } from '../network.ts';
import { exportPolicyOnnx, policyIo } from '../onnx-export.ts';
import type { PolicyCheckpoint } from './checkpoint.ts';

export interface ExportPolicyOptions {
  modelsDir: string;
  name: string;
  command: string;
  version?: string;
  /** Stages before this checkpoint's own (the BC run a fine-tuned policy started from). */
  earlierStages?: PolicyEntry['training']['stages'];
}

export async function exportPolicy(ck: PolicyCheckpoint, o: ExportPolicyOptions): Promise<PolicyEntry> {
  const c = ck.state.config;
  const file = `${o.name}.onnx`;
  const bytes = exportPolicyOnnx(c, ck.weights, {
    name: o.name,
    stage: ck.state.stage,
    trainedSteps: String(ck.state.step),
  });
  mkdirSync(o.modelsDir, { recursive: true });
  writeFileSync(join(o.modelsDir, file), bytes);
  const last = ck.state.history.at(-1);
  const lastVal = ck.state.history.findLast((h) => h.valLoss !== undefined);
  const stages = [
    ...(o.earlierStages ?? []),
    { stage: ck.state.stage, steps: ck.state.step, batch: ck.state.batch, seconds: Math.round(ck.state.trainSeconds) },
  ];
  const entry: PolicyEntry = PolicyEntrySchema.parse({
    kind: 'policy',
    name: o.name,
    version: o.version ?? '1.0.0',
    description:
      `Policy (actor + critic) over the fair view: the last ${c.frames} token ` +
      `frames${hasMemory(c) ? ', the memory map of the views seen (memory.ts)' : ''} and the previous ` +
      `action → ${NUM_ACTIONS} action logits and a value; stages ${stages.map((s) => s.stage).join(' → ')}`,
    file,
    bytes: bytes.byteLength,
    sha256: await sha256Hex(bytes),
    opset: OPSET,
    io: policyIo(c),
    observation: { layout: TOKEN_LAYOUT, frames: c.frames, frameTokens: FRAME_TOKENS },
    actions: NUM_ACTIONS,
    architecture: { ...c, params: policyParamCount(c) },
    training: {
      framework: 'plain TypeScript (Node, 1 thread; hand-written gradients), Adam',
      command: o.command,
      stages,
      data: ck.state.data,
      finishedAt: new Date().toISOString(),
      ...(last ? { finalLoss: last.loss } : {}),
      ...(lastVal?.valLoss !== undefined ? { validationLoss: lastVal.valLoss } : {}),
      ...(lastVal?.valAccuracy !== undefined ? { validationAccuracy: lastVal.valAccuracy } : {}),
    },
  });
  // A re-export keeps the metrics only if the same bytes were evaluated.
  const before = readManifest(o.modelsDir).models.find((m) => m.name === o.name);
  if (before && before.sha256 === entry.sha256 && 'kind' in before && before.metrics) entry.metrics = before.metrics;
  upsertEntry(o.modelsDir, entry);
  return entry;
}
