/**
 * The model registry manifest (`models/manifest.json`): format "aikon.models.manifest",
 * version 1 — a list of model entries sharing one I/O contract per family. The runtime refuses
 * a model whose bytes do not hash to the entry's sha256 or whose tensors do not match the
 * family's contract. Browser-safe (sha256 through WebCrypto).
 */
import { z } from 'zod';
import { ModelConfigSchema } from './config.ts';
import { type IoContract, ioContract, type TensorSpec } from './io.ts';
import { CLS, FRAME_TOKENS, MASK, VOCAB } from './tokens.ts';

export const MANIFEST_FORMAT = 'aikon.models.manifest';
export const MANIFEST_VERSION = 1;
export const TOKEN_LAYOUT = 'aikon.semantic-tokens/1';

const TensorSpecSchema = z.object({
  name: z.string().min(1),
  dtype: z.enum(['int32', 'float32']),
  shape: z.array(z.union([z.number().int().positive(), z.literal('batch')])).min(1),
});

const HorizonSchema = z.object({ model: z.number(), repeatLast: z.number(), noAction: z.number() });

export const ModelEntrySchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  family: z.enum(['token-dream', 'pixel-diffusion']),
  description: z.string().optional(),
  file: z.string().regex(/^[\w.-]+\.onnx$/),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  opset: z.number().int().min(13),
  io: z.object({ inputs: z.array(TensorSpecSchema), outputs: z.array(TensorSpecSchema) }),
  contextLength: z.number().int().min(1),
  sampler: z.object({
    steps: z.number().int().min(1),
    temperature: z.number().min(0),
    schedule: z.enum(['cosine', 'linear']),
  }),
  tokens: z.object({
    layout: z.literal(TOKEN_LAYOUT),
    frameTokens: z.number().int(),
    vocab: z.number().int(),
    mask: z.number().int(),
    cls: z.number().int(),
  }),
  architecture: ModelConfigSchema.extend({ params: z.number().int() }),
  training: z.object({
    framework: z.string(),
    command: z.string(),
    data: z.object({
      dir: z.string(),
      files: z.number().int(),
      trainEpisodes: z.number().int(),
      validationEpisodes: z.number().int(),
      trainTransitions: z.number().int(),
      sources: z.record(z.string(), z.number()),
    }),
    steps: z.number().int(),
    batch: z.number().int(),
    seconds: z.number(),
    finishedAt: z.string(),
    lossWeights: z.object({ changedView: z.number(), changedState: z.number(), reward: z.number() }).optional(),
    finalLoss: z.number().optional(),
    validationLoss: z.number().optional(),
    validationMaskedTokenAccuracy: z.number().optional(),
  }),
  metrics: z
    .object({
      command: z.string(),
      evaluatedAt: z.string(),
      episodes: z.number().int(),
      rollouts: z.number().int(),
      horizons: z.record(z.string(), HorizonSchema),
    })
    .catchall(z.unknown())
    .optional(),
});
export type ModelEntry = z.infer<typeof ModelEntrySchema>;

/**
 * A world simulator (src/sim): plain-TypeScript weights, no ONNX graph. Listed under the
 * manifest's optional `simulators` key, which older readers ignore.
 */
export const SimEntrySchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  family: z.literal('world-sim'),
  description: z.string().optional(),
  file: z.string().regex(/^[\w.-]+\.bin$/),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  tokens: z.object({ layout: z.literal(TOKEN_LAYOUT), frameTokens: z.number().int() }),
  architecture: z.object({
    globalHidden: z.number().int(),
    globalHidden2: z.number().int(),
    tileHidden: z.number().int(),
    params: z.number().int(),
  }),
  training: z.object({
    framework: z.string(),
    command: z.string(),
    config: z.record(z.string(), z.unknown()),
    data: z.object({
      dir: z.string(),
      recorded: z.string().optional(),
      files: z.number().int(),
      trainEpisodes: z.number().int(),
      validationEpisodes: z.number().int(),
      trainTransitions: z.number().int(),
      sources: z.record(z.string(), z.number()),
    }),
    /** The weights training started from (a simulator of an earlier manifest), when not a seeded initialisation. */
    initFrom: z.string().optional(),
    steps: z.number().int(),
    seconds: z.number(),
    finishedAt: z.string(),
    finalLoss: z.number().optional(),
    validationLoss: z.record(z.string(), z.number()).optional(),
  }),
  /** Settings chosen after training on calibration episodes (`npm run calibrate:world-model`). */
  calibration: z
    .object({
      command: z.string(),
      from: z.object({ version: z.string(), sha256: z.string() }),
      episodes: z.number().int(),
      sources: z.record(z.string(), z.number()),
      eventThreshold: z.number(),
      precision: z.number(),
      recall: z.number(),
      argmax: z.object({ precision: z.number(), recall: z.number() }),
      transitions: z.number().int(),
      unlocks: z.number().int(),
    })
    .optional(),
  metrics: z
    .object({ command: z.string(), evaluatedAt: z.string(), horizons: z.record(z.string(), HorizonSchema) })
    .catchall(z.unknown())
    .optional(),
});
export type SimEntry = z.infer<typeof SimEntrySchema>;

const PsnrSchema = z.object({ all: z.number(), day: z.number(), night: z.number() });

/**
 * The dream camera (src/camera): an EDM diffusion decoder from a dreamed frame's tokens to the
 * 64 × 64 agent view, an ONNX graph. Listed under the manifest's optional `cameras` key.
 */
export const CameraEntrySchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  family: z.literal('dream-camera'),
  description: z.string().optional(),
  file: z.string().regex(/^[\w.-]+\.onnx$/),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  io: z.object({ inputs: z.array(TensorSpecSchema), outputs: z.array(TensorSpecSchema) }),
  tokens: z.object({ layout: z.literal(TOKEN_LAYOUT), frameTokens: z.number().int() }),
  architecture: z.object({ hidden: z.number().int(), params: z.number().int() }),
  /** EDM constants and the number of denoising steps a client should use. */
  sampler: z.object({
    sigmaData: z.number(),
    sigmaMin: z.number(),
    sigmaMax: z.number(),
    rho: z.number(),
    steps: z.number().int().min(1),
  }),
  training: z.object({
    framework: z.string(),
    command: z.string(),
    data: z.record(z.string(), z.unknown()),
    steps: z.number().int(),
    batch: z.number().int(),
    seconds: z.number(),
    finishedAt: z.string(),
    finalLoss: z.number().optional(),
  }),
  /** Held-out PSNR (dB) against the engine's render by denoising steps ("1", "2", "4"), day and night. */
  metrics: z
    .object({
      command: z.string(),
      evaluatedAt: z.string(),
      frames: z.object({ all: z.number().int(), day: z.number().int(), night: z.number().int() }),
      psnr: z.record(z.string(), PsnrSchema),
      /** The engine's renderer on a world rebuilt from the tokens alone (daylight at its bucket's centre). */
      engineFromTokens: PsnrSchema,
      msPerFrameNode: z.number(),
    })
    .optional(),
});
export type CameraEntry = z.infer<typeof CameraEntrySchema>;

/** What a policy was trained on (steps and episodes by kind of player; 'ai' = the workforce's demonstrations). */
export const PolicyTrainingDataSchema = z.object({
  dir: z.string(),
  steps: z.object({ ai: z.number().int(), human: z.number().int() }),
  episodes: z.object({ ai: z.number().int(), human: z.number().int() }),
  demonstrator: z.string(),
  sessions: z.number().int(),
  /** World seeds of the sessions trained on: evaluation refuses them. */
  worldSeeds: z.array(z.number().int()),
  /** Worlds of real-engine fine-tuning: episodeSeed(base, 0 … count − 1), also refused by evaluation. */
  seedRanges: z.array(z.object({ base: z.number().int(), count: z.number().int().min(0) })).optional(),
});

/** A policy's evaluation in the real engine (`npm run eval:policy`). */
export const PolicyMetricsSchema = z
  .object({
    command: z.string(),
    evaluatedAt: z.string(),
    episodes: z.number().int(),
    seed: z.number().int(),
    score: z.number(),
    scoreInterval: z.object({ low: z.number(), high: z.number(), level: z.number() }),
    successRates: z.record(z.string(), z.number()),
    meanLength: z.number(),
    meanReturn: z.number(),
  })
  .catchall(z.unknown());

/**
 * An agent policy (kind 'policy', packages/agents): the fair view as token frames in, action
 * logits and a value out. Entries without `kind` are world models (ModelEntrySchema).
 */
export const PolicyEntrySchema = z.object({
  kind: z.literal('policy'),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  description: z.string().optional(),
  file: z.string().regex(/^[\w.-]+\.onnx$/),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  opset: z.number().int().min(13),
  io: z.object({ inputs: z.array(TensorSpecSchema), outputs: z.array(TensorSpecSchema) }),
  observation: z.object({
    layout: z.literal(TOKEN_LAYOUT),
    frames: z.number().int().min(1),
    frameTokens: z.literal(FRAME_TOKENS),
  }),
  actions: z.number().int().positive(),
  architecture: z.object({
    name: z.string(),
    frames: z.number().int(),
    hidden: z.array(z.number().int()),
    params: z.number().int(),
  }),
  training: z.object({
    framework: z.string(),
    command: z.string(),
    /** Stages in order: 'bc', then fine-tuning ('rl-real', 'rl-imagination'). */
    stages: z.array(
      z.object({ stage: z.string(), steps: z.number().int(), batch: z.number().int(), seconds: z.number() }),
    ),
    data: PolicyTrainingDataSchema,
    finishedAt: z.string(),
    finalLoss: z.number().optional(),
    validationLoss: z.number().optional(),
    validationAccuracy: z.number().optional(),
  }),
  metrics: PolicyMetricsSchema.optional(),
});
export type PolicyEntry = z.infer<typeof PolicyEntrySchema>;

export const ManifestEntrySchema = z.union([ModelEntrySchema, PolicyEntrySchema]);
export type ManifestEntry = z.infer<typeof ManifestEntrySchema>;

export function isPolicyEntry(e: ManifestEntry): e is PolicyEntry {
  return 'kind' in e && e.kind === 'policy';
}

const LoopScoreSchema = z.object({
  score: z.number(),
  scoreInterval: z.object({ low: z.number(), high: z.number(), level: z.number() }),
  meanReturn: z.number(),
  meanLength: z.number(),
});

/**
 * One round of the training loop (`npm run loop`, packages/agents/src/loop): what went in, what
 * came out, whether it was registered. Kept for every round, registered or not (the models
 * page charts them).
 */
export const LoopRoundSchema = z.object({
  round: z.number().int().min(1),
  /** The loop's run directory (its round state files and candidate models). */
  runDir: z.string(),
  quick: z.boolean(),
  finishedAt: z.string(),
  /** Evaluation worlds: episodeSeed(seed, 0 … episodes − 1), never trained on. */
  evaluation: z.object({ seed: z.number().int(), episodes: z.number().int().min(1) }),
  data: z.object({
    sessions: z.number().int(),
    steps: z.object({ ai: z.number().int(), human: z.number().int() }),
    episodes: z.object({ ai: z.number().int(), human: z.number().int() }),
  }),
  worldModel: z.object({
    name: z.string(),
    steps: z.number().int(),
    /** Percent of view tokens right in greedy open-loop rollouts on held-out recorded episodes, by horizon. */
    viewAccuracy: z.record(z.string(), z.number()),
    heldOutEpisodes: z.number().int(),
  }),
  /** The round's policies, evaluated in the real engine on the evaluation worlds. */
  policies: z.array(LoopScoreSchema.extend({ name: z.string(), stage: z.string() })),
  random: LoopScoreSchema,
  /** The registered policy it had to beat, evaluated on the same worlds (null: none yet). */
  incumbent: LoopScoreSchema.extend({ name: z.string() }).nullable(),
  /** Names registered in the manifest by this round (empty: kept as candidates in the run directory). */
  registered: z.array(z.string()),
  decision: z.string(),
  /** Wall time of each stage in this round, seconds. */
  seconds: z.record(z.string(), z.number()),
});
export type LoopRound = z.infer<typeof LoopRoundSchema>;

export const ManifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(MANIFEST_VERSION),
  models: z.array(ManifestEntrySchema),
  simulators: z.array(SimEntrySchema).optional(),
  cameras: z.array(CameraEntrySchema).optional(),
  /** The training loop's rounds, oldest first (older readers ignore the key). */
  history: z.array(LoopRoundSchema).optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export class ModelRefusedError extends Error {
  override readonly name = 'ModelRefusedError';
}

export function parseManifest(json: unknown): Manifest {
  return ManifestSchema.parse(json);
}

/**
 * The training loop's rounds of a manifest, oldest first (only the
 * `history` key is read: a page charting them needs no model entries).
 */
export function parseLoopHistory(json: unknown): LoopRound[] {
  return z.object({ history: z.array(LoopRoundSchema).optional() }).parse(json).history ?? [];
}

export function findPolicy(m: Manifest, name?: string): PolicyEntry {
  const e = m.models
    .filter((x): x is PolicyEntry => isPolicyEntry(x) && (name === undefined || x.name === name))
    .at(-1);
  if (!e) throw new ModelRefusedError(`no policy${name ? ` named ${name}` : ''} in the manifest`);
  return e;
}

/**
 * The policy to deploy (workers, the autopilot): the one named, else the one with the best
 * evaluated Crafter score (an unevaluated one only when none is evaluated).
 */
export function deployedPolicy(m: Manifest, name?: string | null): PolicyEntry {
  if (name) return findPolicy(m, name);
  const best = m.models.filter(isPolicyEntry).sort((a, b) => (b.metrics?.score ?? -1) - (a.metrics?.score ?? -1))[0];
  return best ?? findPolicy(m);
}

export function findModel(m: Manifest, name?: string, family: ModelEntry['family'] = 'token-dream'): ModelEntry {
  const e = m.models
    .filter((x): x is ModelEntry => !isPolicyEntry(x) && x.family === family && (name === undefined || x.name === name))
    .at(-1);
  if (!e) throw new ModelRefusedError(`no ${family} model${name ? ` named ${name}` : ''} in the manifest`);
  return e;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as unknown as ArrayBuffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function sameSpecs(a: readonly TensorSpec[], b: readonly TensorSpec[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (x, i) =>
        x.name === b[i].name && x.dtype === b[i].dtype && JSON.stringify(x.shape) === JSON.stringify(b[i].shape),
    )
  );
}

/** The contract a token-dream entry must declare, from its context length. */
export function expectedContract(entry: ModelEntry): IoContract {
  if (entry.family !== 'token-dream')
    throw new ModelRefusedError(`family ${entry.family} has no runtime in this package yet`);
  if (
    entry.tokens.frameTokens !== FRAME_TOKENS ||
    entry.tokens.vocab !== VOCAB ||
    entry.tokens.mask !== MASK ||
    entry.tokens.cls !== CLS
  ) {
    throw new ModelRefusedError(`model ${entry.name} uses another token layout (${JSON.stringify(entry.tokens)})`);
  }
  return ioContract({ context: entry.contextLength });
}

/**
 * Checks model bytes against a manifest entry (world model or policy): sha256, size, the declared I/O contract, and
 * (when given) the tensor names the loaded session reports. Throws ModelRefusedError.
 */
export async function verifyModel(
  entry: ManifestEntry,
  bytes: Uint8Array,
  session?: { inputNames: readonly string[]; outputNames: readonly string[] },
): Promise<void> {
  if (bytes.byteLength !== entry.bytes)
    throw new ModelRefusedError(`${entry.file}: ${bytes.byteLength} bytes, the manifest says ${entry.bytes}`);
  const hash = await sha256Hex(bytes);
  if (hash !== entry.sha256)
    throw new ModelRefusedError(`${entry.file}: sha256 ${hash} does not match the manifest's ${entry.sha256}`);
  // A policy's contract is its own (declared in the entry, checked against the graph below).
  const want = isPolicyEntry(entry) ? entry.io : expectedContract(entry);
  if (!sameSpecs(entry.io.inputs, want.inputs) || !sameSpecs(entry.io.outputs, want.outputs)) {
    throw new ModelRefusedError(
      `${entry.name}: declared tensors ${JSON.stringify(entry.io)} do not match the ` +
        `${isPolicyEntry(entry) ? 'policy' : entry.family} contract ${JSON.stringify(want)}`,
    );
  }
  if (session) {
    const ins = want.inputs.map((t) => t.name);
    const outs = want.outputs.map((t) => t.name);
    if (
      [...session.inputNames].sort().join() !== [...ins].sort().join() ||
      [...session.outputNames].sort().join() !== [...outs].sort().join()
    ) {
      throw new ModelRefusedError(
        `${entry.file}: graph tensors in [${session.inputNames}] out ` +
          `[${session.outputNames}], contract in [${ins}] out [${outs}]`,
      );
    }
  }
}
