/**
 * Which episodes a policy is evaluated on, as eval:policy takes them on the command line; shared by
 * every CLI that must play eval:policy's episodes (eval-policy.ts, scripts/deaths-by-time.ts).
 */
import { resolve } from 'node:path';

/** The `parseArgs` options naming the model and its episodes. */
export const POLICY_EVAL_OPTIONS = {
  model: { type: 'string' },
  episodes: { type: 'string', default: '100' },
  seed: { type: 'string', default: '0' },
  temperature: { type: 'string', default: '1' },
  'models-dir': { type: 'string', default: './models' },
} as const;

export interface PolicyEvalArgs {
  model: string;
  episodes: number;
  seed: number;
  temperature: number;
  /** Resolved against the directory npm was run from (INIT_CWD), else the working directory. */
  modelsDir: string;
}

/** Checks and converts the parsed options; throws a message naming the bad flag. */
export function policyEvalArgs(values: {
  model?: string;
  episodes?: string;
  seed?: string;
  temperature?: string;
  'models-dir'?: string;
}): PolicyEvalArgs {
  if (!values.model) throw new Error('--model is required');
  const episodes = Number(values.episodes);
  const seed = Number(values.seed);
  const temperature = Number(values.temperature);
  if (!Number.isSafeInteger(episodes) || episodes < 1)
    throw new Error(`--episodes must be a positive integer, got ${values.episodes}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  if (!(temperature >= 0)) throw new Error(`--temperature must be ≥ 0, got ${values.temperature}`);
  const modelsDir = resolve(process.env.INIT_CWD ?? process.cwd(), values['models-dir'] ?? './models');
  return { model: values.model, episodes, seed, temperature, modelsDir };
}
