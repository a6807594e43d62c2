/**
 * The policy network (actor + critic) in @tensorflow/tfjs: the same code trains in Node
 * (tfjs-backend-wasm) and runs in a browser; the ONNX export (onnx-export.ts) is the same
 * network for onnxruntime. An MLP over the one-hot fair view of the last K frames and the
 * previous action (features.ts): ReLU hidden layers, then 17 action logits and a value.
 */
import { NUM_ACTIONS, Rng } from '@aikon/engine';
import { mm } from '@aikon/world-model/tf';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { featureWidth, multiHot, type PolicyInputs, type PolicyOutputs } from './features.ts';

export const PolicyConfigSchema = z.object({
  name: z.string().regex(/^[a-z0-9-]+$/),
  /** Frames of history the policy sees (1 = the current one only). */
  frames: z.number().int().min(1).max(8),
  hidden: z.array(z.number().int().positive()).min(1).max(4),
});
export type PolicyConfig = z.infer<typeof PolicyConfigSchema>;

export const POLICY_CONFIGS: Record<string, PolicyConfig> = {
  small: { name: 'small', frames: 3, hidden: [256, 256] },
  /** Tests and the loop's --quick round. */
  tiny: { name: 'tiny', frames: 2, hidden: [32] },
};

export interface PolicyParamSpec {
  readonly name: string;
  readonly shape: readonly [number, number] | readonly [number];
  readonly std: number;
}

/** Parameters by name, in order: l0..l(n−1) (weights, biases), pi, v. */
export function policyParamSpecs(c: PolicyConfig): PolicyParamSpec[] {
  const specs: PolicyParamSpec[] = [];
  // A multi-hot row has K·81 + 1 ones: He initialisation over the active inputs.
  let fanIn = c.frames * 81 + 1;
  let width = featureWidth(c.frames);
  c.hidden.forEach((h, i) => {
    specs.push({ name: `l${i}.w`, shape: [width, h], std: Math.sqrt(2 / fanIn) }, { name: `l${i}.b`, shape: [h], std: 0 });
    fanIn = width = h;
  });
  specs.push(
    { name: 'pi.w', shape: [width, NUM_ACTIONS], std: 0.01 },
    { name: 'pi.b', shape: [NUM_ACTIONS], std: 0 },
    { name: 'v.w', shape: [width, 1], std: 0.01 },
    { name: 'v.b', shape: [1], std: 0 },
  );
  return specs;
}

export function policyParamCount(c: PolicyConfig): number {
  return policyParamSpecs(c).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

export type PolicyWeights = Map<string, Float32Array>;

/** Seeded initial weights (Box–Muller over the engine's sfc32). */
export function initPolicyWeights(c: PolicyConfig, seed: number): PolicyWeights {
  const rng = new Rng(seed);
  const w: PolicyWeights = new Map();
  for (const p of policyParamSpecs(c)) {
    const a = new Float32Array(p.shape.reduce((x, y) => x * y, 1));
    if (p.std > 0) {
      for (let i = 0; i < a.length; i++) {
        const u = Math.max(rng.uniform(), 1e-12);
        a[i] = p.std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.uniform());
      }
    }
    w.set(p.name, a);
  }
  return w;
}

export class TfPolicy {
  readonly vars = new Map<string, tf.Variable>();

  constructor(readonly config: PolicyConfig, weights: PolicyWeights, trainable = true) {
    for (const spec of policyParamSpecs(config)) {
      const w = weights.get(spec.name);
      if (!w) throw new Error(`missing policy weight ${spec.name}`);
      this.vars.set(spec.name, tf.variable(tf.tensor(w, [...spec.shape]), trainable, `policy.${spec.name}`));
    }
  }

  private v(name: string): tf.Variable {
    const t = this.vars.get(name);
    if (!t) throw new Error(`no policy parameter ${name}`);
    return t;
  }

  /** logits [B, 17] and value [B] from multi-hot rows [B, featureWidth(K)]. */
  forward(x: tf.Tensor2D): { logits: tf.Tensor2D; value: tf.Tensor1D } {
    let h: tf.Tensor2D = x;
    for (let i = 0; i < this.config.hidden.length; i++) h = tf.relu(tf.add(mm(h, this.v(`l${i}.w`)), this.v(`l${i}.b`)));
    const logits = tf.add(mm(h, this.v('pi.w')), this.v('pi.b')) as tf.Tensor2D;
    const value = tf.reshape(tf.add(mm(h, this.v('v.w')), this.v('v.b')), [-1]) as tf.Tensor1D;
    return { logits, value };
  }

  input(x: PolicyInputs): tf.Tensor2D {
    return tf.tensor2d(multiHot(x, this.config.frames), [x.batch, featureWidth(this.config.frames)]);
  }

  predict(x: PolicyInputs): PolicyOutputs {
    return tf.tidy(() => {
      const { logits, value } = this.forward(this.input(x));
      return { logits: logits.dataSync() as Float32Array, value: value.dataSync() as Float32Array };
    });
  }

  weights(): PolicyWeights {
    const w: PolicyWeights = new Map();
    for (const [name, v] of this.vars) w.set(name, v.dataSync().slice() as Float32Array);
    return w;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
