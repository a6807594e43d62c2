/**
 * Loading a manifest model into a dream shard, over any backend factory (browser-safe).
 * The model is refused unless its bytes and tensors match the manifest entry.
 */
import { type DreamSession, DreamShard, type DreamShardOptions } from './dream-shard.ts';
import type { InferenceBackend } from './io.ts';
import { findModel, type Manifest, type ModelEntry, parseManifest, verifyModel } from './manifest.ts';
import { loadSim } from './sim/load.ts';
import { SimShard } from './sim/shard.ts';

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
    shard: (o = {}) =>
      new DreamShard(backend, {
        context: entry.contextLength,
        sampler: { ...entry.sampler, ...o.sampler },
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
      }),
  };
}

/** A loaded model of either family, as the dream hosts (worker, relay) serve it. */
export interface DreamModel {
  readonly family: 'world-sim' | 'token-dream';
  readonly name: string;
  readonly version: string;
  /** How it runs, e.g. "world-sim (TypeScript, 1 thread)" or "onnxruntime-node (cpu)". */
  readonly backend: string;
  /** Frames of context the model conditions on (the simulator: 1, plus its dreamed map). */
  readonly context: number;
  shard(o?: { seed?: number }): DreamSession;
  dispose(): Promise<void>;
}

/**
 * Loads the dream model to serve: `family` when given; else the family of the entry called
 * `name`; else the world simulator when the manifest lists one (the default dream since issue
 * 12), else the token dream model.
 */
export async function loadDreamModel(
  manifestJson: unknown,
  readFile: (file: string) => Promise<Uint8Array>,
  createBackend: BackendFactory,
  o: { name?: string; family?: DreamModel['family'] } = {},
): Promise<DreamModel> {
  const sims = parseManifest(manifestJson).simulators ?? [];
  const family =
    o.family ??
    (o.name !== undefined
      ? sims.some((s) => s.name === o.name)
        ? 'world-sim'
        : 'token-dream'
      : sims.length > 0
        ? 'world-sim'
        : 'token-dream');
  if (family === 'world-sim') {
    const { entry, model } = await loadSim(manifestJson, readFile, o.name);
    return {
      family,
      name: entry.name,
      version: entry.version,
      backend: SimShard.backendName,
      context: 1,
      shard: (s = {}) => new SimShard(model, s.seed !== undefined ? { seed: s.seed } : {}),
      dispose: async () => {},
    };
  }
  const m = await loadModel(manifestJson, readFile, createBackend, o.name);
  return {
    family,
    name: m.entry.name,
    version: m.entry.version,
    backend: m.backend.name,
    context: m.entry.contextLength,
    shard: (s = {}) => m.shard(s.seed !== undefined ? { seed: s.seed } : {}),
    dispose: () => m.backend.dispose(),
  };
}
