/** tfjs inference backend (reference for parity tests; training-side evaluation). */
import type { InferenceBackend, ModelInputs, ModelOutputs } from './io.ts';
import type { TfDreamModel } from './tf-model.ts';

export class TfBackend implements InferenceBackend {
  readonly name = 'tfjs';
  constructor(private readonly model: TfDreamModel) {}
  async run(x: ModelInputs): Promise<ModelOutputs> {
    return this.model.predict(x);
  }
  async dispose(): Promise<void> {}
}
