/** onnxruntime-node inference backend (server shards, evaluation, benchmarks). */
import { NUM_ACTIONS } from '@aikon/engine';
import * as ort from 'onnxruntime-node';
import type { InferenceBackend, ModelInputs, ModelOutputs } from '../io.ts';
import { SEQ } from '../tokens.ts';

export interface NodeBackendOptions {
  readonly intraOpNumThreads?: number;
}

export class OrtNodeBackend implements InferenceBackend {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly K: number,
    readonly name: string,
  ) {}

  static async create(model: Uint8Array, context: number, o: NodeBackendOptions = {}): Promise<OrtNodeBackend> {
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      ...(o.intraOpNumThreads ? { intraOpNumThreads: o.intraOpNumThreads } : {}),
    });
    return new OrtNodeBackend(session, context, 'onnxruntime-node (cpu)');
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
      logits: out.logits.data as Float32Array,
      reward: out.reward.data as Float32Array,
      done: out.done.data as Float32Array,
    };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
