/** Acting with a policy: the inference interface its runtimes share, and action sampling. Browser-safe. */
import { NUM_ACTIONS, type Rng } from '@aikon/engine';
import type { PolicyInputs, PolicyOutputs } from './features.ts';
import { hasMemory, type PolicyNet } from './network.ts';

/** One policy runtime (the TypeScript network, onnxruntime-node, onnxruntime-web): batched inference. */
export interface PolicyRunner {
  readonly name: string;
  /** Frames of history the policy reads. */
  readonly frames: number;
  /** Whether it reads the memory map's features (memory.ts; absent: no). */
  readonly memory?: boolean;
  run(x: PolicyInputs): Promise<PolicyOutputs>;
  dispose(): Promise<void>;
}

export function netRunner(model: PolicyNet): PolicyRunner {
  return {
    name: 'ts',
    frames: model.config.frames,
    memory: hasMemory(model.config),
    run: async (x) => model.predict(x),
    dispose: async () => {},
  };
}

/**
 * Samples row `b`'s action from softmax(logits / temperature); temperature 0 takes the most
 * likely action (ties: the lowest index).
 */
export function sampleAction(logits: Float32Array, b: number, rng: Rng, temperature = 1): number {
  const o = b * NUM_ACTIONS;
  let best = 0;
  for (let a = 1; a < NUM_ACTIONS; a++) if (logits[o + a] > logits[o + best]) best = a;
  if (temperature === 0) return best;
  let sum = 0;
  const p = new Float64Array(NUM_ACTIONS);
  for (let a = 0; a < NUM_ACTIONS; a++) sum += p[a] = Math.exp((logits[o + a] - logits[o + best]) / temperature);
  let u = rng.uniform() * sum;
  for (let a = 0; a < NUM_ACTIONS; a++) {
    u -= p[a];
    if (u < 0) return a;
  }
  return best;
}
