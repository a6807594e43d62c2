/** A policy from models/ on onnxruntime-node: checked against its manifest entry, batched inference. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployedPolicy, FRAME_TOKENS, type PolicyEntry, verifyModel } from '@aikon/world-model';
import { readManifest } from '@aikon/world-model/node';
import * as ort from 'onnxruntime-node';
import type { PolicyRunner } from '../act.ts';
import type { PolicyInputs, PolicyOutputs } from '../features.ts';
import { MEMORY_SLOTS } from '../memory.ts';
import { hasMemory } from '../network.ts';
import { importPolicyOnnx } from '../onnx-export.ts';

function memoryOf(x: PolicyInputs): Int32Array {
  if (x.memory?.length !== x.batch * MEMORY_SLOTS)
    throw new Error('this policy reads a memory map: inputs lack memory');
  return x.memory;
}

export class OrtPolicy implements PolicyRunner {
  readonly name = 'onnxruntime-node (cpu)';
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly frames: number,
    readonly entry: PolicyEntry | null,
    readonly memory: boolean,
  ) {}

  /** From ONNX bytes (the frame count is read from the graph's tokens input). */
  static async fromBytes(bytes: Uint8Array, entry: PolicyEntry | null = null): Promise<OrtPolicy> {
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
    if (entry) await verifyModel(entry, bytes, session);
    const frames =
      entry?.observation.frames ??
      Number(
        (session.inputMetadata.find((m) => m.name === 'tokens') as { shape?: (number | string)[] } | undefined)
          ?.shape?.[1],
      );
    if (!Number.isInteger(frames) || frames < 1) throw new Error('policy graph has no tokens input with a frame count');
    // The feature set is the graph's: a `memory` input means it reads the memory map (memory.ts),
    // in the version its config names (importPolicyOnnx refuses one this code does not know).
    const memory = session.inputNames.includes('memory');
    if (memory && !hasMemory(importPolicyOnnx(bytes).config))
      throw new Error('policy graph has a memory input but its config names no memory features');
    return new OrtPolicy(session, frames, entry, memory);
  }

  /**
   * The named policy of a models directory's manifest (sha256, size and contract checked);
   * without a name, the one with the best evaluated Crafter score.
   */
  static async load(modelsDir: string, name?: string | null): Promise<OrtPolicy> {
    const entry = deployedPolicy(readManifest(modelsDir), name);
    return OrtPolicy.fromBytes(new Uint8Array(readFileSync(join(modelsDir, entry.file))), entry);
  }

  async run(x: PolicyInputs): Promise<PolicyOutputs> {
    const out = await this.session.run({
      tokens: new ort.Tensor('int32', x.tokens, [x.batch, this.frames, FRAME_TOKENS]),
      prev_action: new ort.Tensor('int32', x.prevAction, [x.batch]),
      ...(this.memory ? { memory: new ort.Tensor('int32', memoryOf(x), [x.batch, MEMORY_SLOTS]) } : {}),
    });
    return { logits: out.logits.data as Float32Array, value: out.value.data as Float32Array };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
