/** The model's I/O contract and array-level input/output types (browser-safe, no tfjs). */
import { NUM_ACTIONS } from '@aikon/engine';
import type { ModelConfig } from './config.ts';
import { REWARD_CLASSES, SEQ, VOCAB } from './tokens.ts';

/** A batch of model inputs in plain arrays (the layout of the ONNX inputs). */
export interface ModelInputs {
  readonly batch: number;
  /** [B, SEQ] noisy target tokens (MASK where masked; CLS at the last position). */
  readonly target: Int32Array;
  /** [B, K, SEQ] context frames, oldest first (CLS at the last position). */
  readonly context: Int32Array;
  /** [B, NUM_ACTIONS] one-hot action (all zeros: no action). */
  readonly action: Float32Array;
}

export interface ModelOutputs {
  /** [B, SEQ, VOCAB] */
  readonly logits: Float32Array;
  /** [B, REWARD_CLASSES] */
  readonly reward: Float32Array;
  /** [B, 1] termination logit */
  readonly done: Float32Array;
}

export interface TensorSpec {
  readonly name: string;
  readonly dtype: 'int32' | 'float32';
  /** 'batch' marks the dynamic batch dimension. */
  shape: (number | 'batch')[];
}

export interface IoContract {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** The token dream model's tensors for context length K. */
export function ioContract(c: Pick<ModelConfig, 'context'>): IoContract {
  return {
    inputs: [
      { name: 'target', dtype: 'int32', shape: ['batch', SEQ] },
      { name: 'context', dtype: 'int32', shape: ['batch', c.context, SEQ] },
      { name: 'action', dtype: 'float32', shape: ['batch', NUM_ACTIONS] },
    ],
    outputs: [
      { name: 'logits', dtype: 'float32', shape: ['batch', SEQ, VOCAB] },
      { name: 'reward', dtype: 'float32', shape: ['batch', REWARD_CLASSES] },
      { name: 'done', dtype: 'float32', shape: ['batch', 1] },
    ],
  };
}

/** An inference engine for the dream model: onnxruntime-node, onnxruntime-web, or tfjs. */
export interface InferenceBackend {
  readonly name: string;
  run(inputs: ModelInputs): Promise<ModelOutputs>;
  dispose(): Promise<void>;
}
