import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NUM_ACTIONS, Rng } from '@aikon/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { OrtWebBackend } from '../src/backend-web.ts';
import { getConfig, type ModelConfig } from '../src/config.ts';
import type { InferenceBackend, ModelInputs, ModelOutputs } from '../src/io.ts';
import { OrtNodeBackend } from '../src/node/backend-node.ts';
import { setupTf } from '../src/node/tf-setup.ts';
import { exportOnnx, importOnnx } from '../src/onnx-export.ts';
import { initWeights, TfDreamModel } from '../src/tf-model.ts';
import { CLS, MASK, SEQ } from '../src/tokens.ts';

beforeAll(() => setupTf('wasm'));

const SHIPPED = join(import.meta.dirname, '../../../models/token-dream-small.onnx');

function randomInputs(K: number, B: number, seed: number): ModelInputs {
  const rng = new Rng(seed);
  const target = new Int32Array(B * SEQ).map((_, i) =>
    i % SEQ === SEQ - 1 ? CLS : rng.uniform() < 0.5 ? MASK : rng.int(19),
  );
  const context = new Int32Array(B * K * SEQ).map((_, i) => (i % SEQ === SEQ - 1 ? CLS : rng.int(45)));
  const action = new Float32Array(B * NUM_ACTIONS);
  for (let b = 0; b < B - 1; b++) action[b * NUM_ACTIONS + rng.int(NUM_ACTIONS)] = 1; // the last row: no action
  return { batch: B, target, context, action };
}

function maxDiff(a: ModelOutputs, b: ModelOutputs): number {
  let m = 0;
  for (const k of ['logits', 'reward', 'done'] as const) {
    expect(b[k].length).toBe(a[k].length);
    for (let i = 0; i < a[k].length; i++) m = Math.max(m, Math.abs(a[k][i] - b[k][i]));
  }
  return m;
}

async function checkParity(config: ModelConfig, bytes: Uint8Array, tfModel: TfDreamModel): Promise<number[]> {
  const backends: InferenceBackend[] = [
    await OrtNodeBackend.create(bytes, config.context),
    await OrtWebBackend.create(bytes, config.context, { executionProviders: ['wasm'] }),
  ];
  const diffs: number[] = [];
  for (const B of [1, 5]) {
    const x = randomInputs(config.context, B, 100 + B);
    const ref = tfModel.predict(x);
    for (const be of backends) {
      const d = maxDiff(ref, await be.run(x));
      diffs.push(d);
      expect(d).toBeLessThan(1e-4);
    }
  }
  for (const be of backends) await be.dispose();
  return diffs;
}

describe('tfjs / onnxruntime-node / onnxruntime-web parity', () => {
  it('a random-weight tiny model agrees within 1e-4', async () => {
    const config = getConfig('tiny');
    const weights = initWeights(config, 42);
    const bytes = exportOnnx(config, weights);
    const m = new TfDreamModel(config, weights, false);
    await checkParity(config, bytes, m);
    m.dispose();
  });

  it('a random-weight model with 3 layers, 4 heads and K = 3 agrees within 1e-4', async () => {
    const config = { name: 'test', context: 3, dModel: 32, layers: 3, heads: 4, ff: 48 };
    const weights = initWeights(config, 7);
    const m = new TfDreamModel(config, weights, false);
    await checkParity(config, exportOnnx(config, weights), m);
    m.dispose();
  });

  it.skipIf(!existsSync(SHIPPED))('the shipped model agrees within 1e-4', async () => {
    const bytes = new Uint8Array(readFileSync(SHIPPED));
    const { config, weights } = importOnnx(bytes);
    const m = new TfDreamModel(config, weights, false);
    const diffs = await checkParity(config, bytes, m);
    console.log(`shipped model parity: max |Δ| ${Math.max(...diffs).toExponential(2)}`);
    m.dispose();
  });
});
