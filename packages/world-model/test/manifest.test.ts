import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getConfig } from '../src/config.ts';
import { loadDreamModel, loadModel, ModelRefusedError, parseManifest, sha256Hex, verifyModel } from '../src/index.ts';
import { OrtNodeBackend } from '../src/node/backend-node.ts';
import { exportOnnx } from '../src/onnx-export.ts';
import { initWeights } from '../src/tf-model.ts';
import { tinyModel } from './helpers.ts';

const node = (bytes: Uint8Array, K: number) => OrtNodeBackend.create(bytes, K);
const MODELS = join(import.meta.dirname, '../../../models');

describe('model manifest', () => {
  it('accepts a matching model and loads it', async () => {
    const { bytes, manifest } = await tinyModel();
    const m = await loadModel(manifest, async () => bytes, node);
    expect(m.entry.name).toBe('token-dream-tiny');
    await m.backend.dispose();
  });

  it('refuses bytes whose sha256 does not match', async () => {
    const { bytes, entry, manifest } = await tinyModel();
    const other = exportOnnx(getConfig('tiny'), initWeights(getConfig('tiny'), 2)); // same size, other weights
    expect(other.byteLength).toBe(bytes.byteLength);
    await expect(verifyModel(entry, other)).rejects.toThrow(/sha256/);
    await expect(loadModel(manifest, async () => other, node)).rejects.toBeInstanceOf(ModelRefusedError);
    await expect(verifyModel({ ...entry, sha256: '0'.repeat(64) }, bytes)).rejects.toThrow(/sha256/);
    await expect(verifyModel({ ...entry, bytes: entry.bytes + 1 }, bytes)).rejects.toThrow(/bytes/);
  });

  it('refuses wrong tensor names, dtypes and shapes in the entry', async () => {
    const { bytes, entry } = await tinyModel();
    const rename = {
      ...entry,
      io: { ...entry.io, inputs: entry.io.inputs.map((t, i) => (i === 0 ? { ...t, name: 'tokens' } : t)) },
    };
    await expect(verifyModel(rename, bytes)).rejects.toThrow(ModelRefusedError);
    const reshape = {
      ...entry,
      io: {
        ...entry.io,
        outputs: entry.io.outputs.map((t, i) =>
          i === 0 ? { ...t, shape: ['batch', 82, 46] as (number | 'batch')[] } : t,
        ),
      },
    };
    await expect(verifyModel(reshape, bytes)).rejects.toThrow(/contract/);
    const retype = {
      ...entry,
      io: { ...entry.io, inputs: entry.io.inputs.map((t, i) => (i === 2 ? { ...t, dtype: 'int32' as const } : t)) },
    };
    await expect(verifyModel(retype, bytes)).rejects.toThrow(/contract/);
    // An entry that claims another context length than the graph has is refused by its contract or the graph.
    await expect(verifyModel({ ...entry, contextLength: 3 }, bytes)).rejects.toThrow(ModelRefusedError);
    await expect(verifyModel({ ...entry, tokens: { ...entry.tokens, vocab: 50 } }, bytes)).rejects.toThrow(
      /token layout/,
    );
  });

  it('refuses a graph whose tensors differ from the contract', async () => {
    const { bytes, entry } = await tinyModel();
    await expect(
      verifyModel(entry, bytes, {
        inputNames: ['target', 'context', 'act'],
        outputNames: ['logits', 'reward', 'done'],
      }),
    ).rejects.toThrow(/graph tensors/);
    await expect(
      verifyModel(entry, bytes, { inputNames: ['target', 'context', 'action'], outputNames: ['logits', 'reward'] }),
    ).rejects.toThrow(/graph tensors/);
    await expect(
      verifyModel(entry, bytes, {
        inputNames: ['context', 'target', 'action'],
        outputNames: ['done', 'logits', 'reward'],
      }),
    ).resolves.toBeUndefined();
  });

  it('refuses malformed manifests', async () => {
    const { manifest } = await tinyModel();
    const m = manifest as { models: Record<string, unknown>[] };
    expect(() => parseManifest({ ...m, version: 2 })).toThrow();
    expect(() => parseManifest({ ...m, models: [{ ...m.models[0], sha256: 'xyz' }] })).toThrow();
    expect(() => parseManifest({ ...m, models: [{ ...m.models[0], opset: 11 }] })).toThrow();
    expect(() => parseManifest({ ...m, models: [{ ...m.models[0], file: '../x.onnx' }] })).toThrow();
  });

  it.skipIf(!existsSync(join(MODELS, 'manifest.json')))(
    'the shipped manifest validates and its models match their sha256',
    async () => {
      const manifest = parseManifest(JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8')));
      expect(manifest.models.length).toBeGreaterThan(0);
      for (const e of manifest.models) {
        const bytes = new Uint8Array(readFileSync(join(MODELS, e.file)));
        expect(await sha256Hex(bytes)).toBe(e.sha256);
        await verifyModel(e, bytes);
        expect(bytes.byteLength).toBeLessThan(5 * 1024 * 1024);
      }
    },
  );

  it.skipIf(!existsSync(join(MODELS, 'manifest.json')))(
    'serves the world simulator by default; the token dream model ' +
      'by name or family; no simulator listed: the token model',
    async () => {
      const manifest = JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8')) as { simulators?: unknown[] };
      const readFile = async (f: string) => new Uint8Array(readFileSync(join(MODELS, f)));
      const byDefault = await loadDreamModel(manifest, readFile, node);
      expect([byDefault.family, byDefault.name]).toEqual(['world-sim', 'world-sim-small']);
      for (const o of [{ name: 'token-dream-small' }, { family: 'token-dream' as const }]) {
        const token = await loadDreamModel(manifest, readFile, node, o);
        expect([token.family, token.name]).toEqual(['token-dream', 'token-dream-small']);
        await token.dispose();
      }
      const { simulators: _, ...withoutSims } = manifest;
      const old = await loadDreamModel(withoutSims, readFile, node);
      expect(old.family).toBe('token-dream');
      await old.dispose();
    },
  );
});
