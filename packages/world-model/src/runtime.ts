/**
 * Loading a manifest model into a dream shard, over any backend factory (browser-safe).
 * The model is refused unless its bytes and tensors match the manifest entry.
 */
import { DreamShard, type DreamShardOptions } from './dream-shard.ts';
import type { InferenceBackend } from './io.ts';
import { findModel, type Manifest, type ModelEntry, parseManifest, verifyModel } from './manifest.ts';

export type BackendFactory = (
  bytes: Uint8Array,
  context: number,
) => Promise<InferenceBackend & { readonly inputNames: readonly string[]; readonly outputNames: readonly string[] }>;

export interface LoadedModel {
  readonly entry: ModelEntry;
  readonly backend: InferenceBackend;
  /** A new dream session on this model (sessions share the backend). */
  shard(o?: Omit<DreamShardOptions, 'context'>): DreamShard;
}

export async function loadModel(
  manifestJson: unknown,
  readFile: (file: string) => Promise<Uint8Array>,
  createBackend: BackendFactory,
  name?: string,
): Promise<LoadedModel> {
  const manifest: Manifest = parseManifest(manifestJson);
  const entry = findModel(manifest, name);
  const bytes = await readFile(entry.file);
  await verifyModel(entry, bytes);
  const backend = await createBackend(bytes, entry.contextLength);
  try {
    await verifyModel(entry, bytes, backend);
  } catch (err) {
    await backend.dispose();
    throw err;
  }
  return {
    entry,
    backend,
    shard: (o = {}) => new DreamShard(backend, { context: entry.contextLength, sampler: { ...entry.sampler, ...o.sampler }, ...(o.seed !== undefined ? { seed: o.seed } : {}) }),
  };
}
