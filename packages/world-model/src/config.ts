/** Model configurations of the token dream model (browser-safe). */
import { z } from 'zod';

export const ModelConfigSchema = z.object({
  name: z.string(),
  /** K: past observations the model sees (oldest first, the newest last). */
  context: z.number().int().min(1).max(8),
  dModel: z.number().int().min(4),
  layers: z.number().int().min(1),
  heads: z.number().int().min(1),
  ff: z.number().int().min(4),
});
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

export const CONFIGS: Record<string, ModelConfig> = {
  /** For tests: trains in seconds, proves the plumbing. */
  tiny: { name: 'tiny', context: 2, dModel: 16, layers: 1, heads: 2, ff: 32 },
  /** The shipped dream model: trains on 2 CPU cores in ≈20 minutes. */
  small: { name: 'small', context: 2, dModel: 64, layers: 3, heads: 2, ff: 128 },
  /** Where more compute is available. */
  base: { name: 'base', context: 4, dModel: 128, layers: 6, heads: 8, ff: 384 },
};

export function getConfig(name: string): ModelConfig {
  const c = CONFIGS[name];
  if (!c) throw new Error(`unknown model config "${name}" (known: ${Object.keys(CONFIGS).join(', ')})`);
  return c;
}
