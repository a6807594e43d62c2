/** The world simulator's one training configuration object (browser-safe schema). */
import { z } from 'zod';
import { SimArchitectureSchema, SimLossWeightsSchema } from './model.ts';

export const SimTrainConfigSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  architecture: SimArchitectureSchema,
  loss: SimLossWeightsSchema,
  /** Extra sampling weight of rare transitions (a transition's weight is 1 + the terms that apply). */
  oversample: z.object({ event: z.number().min(0), death: z.number().min(0), inventory: z.number().min(0) }),
  /** Transitions per step. */
  batch: z.number().int().min(1),
  /**
   * Adam's peak learning rate: linear warm-up, then cosine to 10 % along steps or minutes (whichever runs out first).
   */
  lr: z.number().positive(),
  warmup: z.number().int().min(0),
  steps: z.number().int().min(1),
  maxMinutes: z.number().positive(),
  seed: z.number().int(),
  /** Validation transitions scored every `validateEvery` steps; checkpoint every `checkpointEvery`. */
  validation: z.number().int().min(1),
  validateEvery: z.number().int().min(1),
  checkpointEvery: z.number().int().min(1),
});
export type SimTrainConfig = z.infer<typeof SimTrainConfigSchema>;

const LOSS = { move: 1, facing: 1, inventory: 2, event: 1, done: 1, daylight: 0.5, tile: 2 };
const OVERSAMPLE = { event: 4, death: 30, inventory: 2 };

export const SIM_CONFIGS: Record<string, SimTrainConfig> = {
  /** For tests: seconds. */
  tiny: {
    name: 'tiny',
    architecture: { globalHidden: 16, globalHidden2: 16, tileHidden: 8 },
    loss: LOSS,
    oversample: OVERSAMPLE,
    batch: 8,
    lr: 1e-2,
    warmup: 5,
    steps: 60,
    maxMinutes: 2,
    seed: 1,
    validation: 64,
    validateEvery: 20,
    checkpointEvery: 30,
  },
  /** The shipped simulator: trains on one shared core in ≈20 minutes. */
  small: {
    name: 'small',
    architecture: { globalHidden: 96, globalHidden2: 96, tileHidden: 32 },
    loss: LOSS,
    oversample: OVERSAMPLE,
    batch: 64,
    lr: 3e-3,
    warmup: 100,
    steps: 6000,
    maxMinutes: 20,
    seed: 1,
    validation: 1024,
    validateEvery: 250,
    checkpointEvery: 250,
  },
};

export function getSimConfig(name: string, overrides: Partial<SimTrainConfig> = {}): SimTrainConfig {
  const c = SIM_CONFIGS[name];
  if (!c) throw new Error(`unknown simulator config "${name}" (known: ${Object.keys(SIM_CONFIGS).join(', ')})`);
  return SimTrainConfigSchema.parse({ ...c, ...overrides });
}
