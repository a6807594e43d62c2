/**
 * onnxruntime-web inference backend: WebGPU where the browser has it, else wasm. Importable
 * from a Web Worker (no Node imports); in Node the same package runs its wasm build.
 */
import * as ort from 'onnxruntime-web';
import type { InferenceBackend, ModelInputs, ModelOutputs } from './io.ts';
import { NUM_ACTIONS } from '@aikon/engine';
import { SEQ } from './tokens.ts';

export interface WebBackendOptions {
  /** Default: ['webgpu', 'wasm'] when navigator.gpu exists, else ['wasm']. */
  readonly executionProviders?: readonly ('webgpu' | 'wasm')[];
  /** wasm threads (needs cross-origin isolation in a browser); default 1. */
  readonly numThreads?: number;
  /** Where the ort-wasm-*.wasm/.mjs files are served from (browser). */
  readonly wasmPaths?: string;
}

function hasWebGpu(): boolean {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  return !!nav && !!nav.gpu;
}

/**
 * An onnxruntime-web session on `model` (WebGPU first where the browser has it, else wasm) and
 * how it runs, e.g. "onnxruntime-web (wasm, 1 thread)". Every ONNX graph the browser runs (the
 * token dream model, the autopilot's policy) is opened here.
 */
export async function createWebSession(
  model: Uint8Array,
  o: WebBackendOptions = {},
): Promise<{ session: ort.InferenceSession; name: string }> {
  ort.env.wasm.numThreads = o.numThreads ?? 1;
  if (o.wasmPaths) ort.env.wasm.wasmPaths = o.wasmPaths;
  const eps = o.executionProviders ?? (hasWebGpu() ? ['webgpu', 'wasm'] : ['wasm']);
  const session = await ort.InferenceSession.create(model, {
    executionProviders: [...eps],
    graphOptimizationLevel: 'all',
  });
  const threads = o.numThreads ?? 1;
  return { session, name: `onnxruntime-web (${eps.join(', ')}, ${threads} thread${threads > 1 ? 's' : ''})` };
}

export class OrtWebBackend implements InferenceBackend {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly K: number,
    readonly name: string,
  ) {}

  static async create(model: Uint8Array, context: number, o: WebBackendOptions = {}): Promise<OrtWebBackend> {
    const { session, name } = await createWebSession(model, o);
    return new OrtWebBackend(session, context, name);
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }
  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  async run(x: ModelInputs): Promise<ModelOutputs> {
    const B = x.batch;
    const out = await this.session.run({
      target: new ort.Tensor('int32', x.target, [B, SEQ]),
      context: new ort.Tensor('int32', x.context, [B, this.K, SEQ]),
      action: new ort.Tensor('float32', x.action, [B, NUM_ACTIONS]),
    });
    return {
      logits: (await out.logits.getData()) as Float32Array,
      reward: (await out.reward.getData()) as Float32Array,
      done: (await out.done.getData()) as Float32Array,
    };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
