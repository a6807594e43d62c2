/** Exports a trained checkpoint to models/<name>.onnx and registers it in models/manifest.json. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ioContract } from '../io.ts';
import {
  type Manifest,
  type ManifestEntry,
  ManifestEntrySchema,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  type ModelEntry,
  parseManifest,
  sha256Hex,
  TOKEN_LAYOUT,
} from '../manifest.ts';
import { exportOnnx, OPSET } from '../onnx-export.ts';
import { paramCount } from '../params.ts';
import { DEFAULT_SAMPLER } from '../sampler.ts';
import { CLS, FRAME_TOKENS, MASK, VOCAB } from '../tokens.ts';
import type { Checkpoint } from './checkpoint.ts';

export function readManifest(modelsDir: string): Manifest {
  const path = join(modelsDir, 'manifest.json');
  if (!existsSync(path)) return { format: MANIFEST_FORMAT, version: MANIFEST_VERSION, models: [] };
  return parseManifest(JSON.parse(readFileSync(path, 'utf8')));
}

export function writeManifest(modelsDir: string, m: Manifest): void {
  mkdirSync(modelsDir, { recursive: true });
  writeFileSync(join(modelsDir, 'manifest.json'), `${JSON.stringify(parseManifest(m), null, 2)}\n`);
}

/** Adds or replaces (by name) one entry (a world model or a policy). */
export function upsertEntry(modelsDir: string, entry: ManifestEntry): void {
  const m = readManifest(modelsDir);
  const models = m.models.filter((x) => x.name !== entry.name);
  models.push(ManifestEntrySchema.parse(entry));
  writeManifest(modelsDir, { ...m, models });
}

export async function exportTrained(
  ck: Checkpoint,
  o: { modelsDir: string; command: string; version?: string; name?: string },
): Promise<ModelEntry> {
  const c = ck.state.config;
  const name = o.name ?? `token-dream-${c.name}`;
  const file = `${name}.onnx`;
  const bytes = exportOnnx(c, ck.weights, { name, trainedSteps: String(ck.state.step) });
  mkdirSync(o.modelsDir, { recursive: true });
  writeFileSync(join(o.modelsDir, file), bytes);
  const last = ck.state.history.at(-1);
  const lastVal = [...ck.state.history].reverse().find((h) => h.valLoss !== undefined);
  const entry: ModelEntry = {
    name,
    version: o.version ?? '1.0.0',
    family: 'token-dream',
    description:
      'Token dream model: absorbing discrete diffusion over the 9×7 semantic ' +
      'view, inventory, stats and daylight; reward and termination heads',
    file,
    bytes: bytes.byteLength,
    sha256: await sha256Hex(bytes),
    opset: OPSET,
    io: ioContract(c),
    contextLength: c.context,
    sampler: { ...DEFAULT_SAMPLER },
    tokens: { layout: TOKEN_LAYOUT, frameTokens: FRAME_TOKENS, vocab: VOCAB, mask: MASK, cls: CLS },
    architecture: { ...c, params: paramCount(c) },
    training: {
      framework: '@tensorflow/tfjs 4 + tfjs-backend-wasm (Node, 1 thread), Adam',
      command: o.command,
      data: ck.state.data,
      steps: ck.state.step,
      batch: ck.state.batch,
      seconds: Math.round(ck.state.trainSeconds),
      finishedAt: new Date().toISOString(),
      ...(ck.state.weights ? { lossWeights: ck.state.weights } : {}),
      ...(last ? { finalLoss: last.loss } : {}),
      ...(lastVal?.valLoss !== undefined ? { validationLoss: lastVal.valLoss } : {}),
      ...(lastVal?.valTokenAcc !== undefined ? { validationMaskedTokenAccuracy: lastVal.valTokenAcc } : {}),
    },
  };
  upsertEntry(o.modelsDir, entry);
  return entry;
}
