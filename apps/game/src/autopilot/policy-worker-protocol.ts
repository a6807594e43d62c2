/**
 * Messages between the page and the autopilot's Web Worker (policy.worker.ts), which runs the
 * learned policy on onnxruntime-web off the main thread. Plain data; tokens and logits travel
 * as typed arrays.
 */
export type PolicyWorkerRequest =
  /** Loads `model` (default: the manifest's best evaluated policy) from the manifest at `manifestUrl`. */
  | { type: 'load'; manifestUrl: string; model?: string }
  | { type: 'run'; id: number; batch: number; tokens: Int32Array; prevAction: Int32Array; memory?: Int32Array };

export type PolicyWorkerReply =
  | {
      type: 'loaded';
      model: string;
      version: string;
      backend: string;
      frames: number;
      /** It reads the memory map (run requests then carry `memory`). */
      memory: boolean;
      score: number | null;
    }
  | { type: 'out'; id: number; logits: Float32Array; value: Float32Array }
  /** id −1: the load failed. */
  | { type: 'error'; id: number; message: string };
