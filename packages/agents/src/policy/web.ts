/**
 * @aikon/agents/policy/web — a policy from models/ on onnxruntime-web, for a browser tab or Web
 * Worker (the autopilot); its wasm build also runs in Node. The session is opened by the same
 * code as the browser's dream model (@aikon/world-model/web), and the model is refused unless
 * its bytes and tensors match its manifest entry.
 */
import {
  deployedPolicy,
  type FetchedModels,
  FRAME_TOKENS,
  ModelRefusedError,
  parseManifest,
  type PolicyEntry,
  verifyModel,
} from '@aikon/world-model';
import { createWebSession, type WebBackendOptions } from '@aikon/world-model/web';
import * as ort from 'onnxruntime-web';
import type { PolicyRunner } from './act.ts';
import type { PolicyInputs, PolicyOutputs } from './features.ts';
import { MEMORY_SLOTS } from './memory.ts';

function memoryOf(x: PolicyInputs): Int32Array {
  if (x.memory?.length !== x.batch * MEMORY_SLOTS)
    throw new Error('this policy reads a memory map: inputs lack memory');
  return x.memory;
}

export class OrtWebPolicy implements PolicyRunner {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly entry: PolicyEntry,
    readonly name: string,
    readonly memory: boolean,
  ) {}

  get frames(): number {
    return this.entry.observation.frames;
  }

  /** The named policy of a models directory (without a name, the best evaluated one). */
  static async load(models: FetchedModels, name?: string | null, o: WebBackendOptions = {}): Promise<OrtWebPolicy> {
    const entry = deployedPolicy(parseManifest(models.manifest), name);
    const bytes = await models.readFile(entry.file);
    await verifyModel(entry, bytes);
    const { session, name: backend } = await createWebSession(bytes, o);
    let memory: boolean;
    try {
      await verifyModel(entry, bytes, session);
      // A `memory` input: the policy reads the memory map (memory.ts), one value per slot. (The
      // Node runner also reads the graph's config for the features' version; that needs the ONNX
      // reader, which stays out of the browser.)
      memory = session.inputNames.includes('memory');
      const shape = entry.io.inputs.find((t) => t.name === 'memory')?.shape;
      if (memory && shape?.[1] !== MEMORY_SLOTS)
        throw new ModelRefusedError(
          `${entry.name}: memory input ${JSON.stringify(shape)}, this code reads ${MEMORY_SLOTS} slots`,
        );
    } catch (err) {
      await session.release();
      throw err;
    }
    return new OrtWebPolicy(session, entry, backend, memory);
  }

  async run(x: PolicyInputs): Promise<PolicyOutputs> {
    const out = await this.session.run({
      tokens: new ort.Tensor('int32', x.tokens, [x.batch, this.frames, FRAME_TOKENS]),
      prev_action: new ort.Tensor('int32', x.prevAction, [x.batch]),
      ...(this.memory ? { memory: new ort.Tensor('int32', memoryOf(x), [x.batch, MEMORY_SLOTS]) } : {}),
    });
    return {
      logits: (await out.logits.getData()) as Float32Array,
      value: (await out.value.getData()) as Float32Array,
    };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
