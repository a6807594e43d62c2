import { getConfig } from '../src/config.ts';
import { ioContract } from '../src/io.ts';
import { type ModelEntry, sha256Hex, TOKEN_LAYOUT } from '../src/manifest.ts';
import { exportOnnx } from '../src/onnx-export.ts';
import { paramCount } from '../src/params.ts';
import { DEFAULT_SAMPLER } from '../src/sampler.ts';
import { initWeights } from '../src/tf-model.ts';
import { CLS, FRAME_TOKENS, MASK, VOCAB } from '../src/tokens.ts';

/** A random-weight tiny model and a manifest entry that matches it. */
export async function tinyModel(seed = 1): Promise<{ bytes: Uint8Array; entry: ModelEntry; manifest: unknown }> {
  const config = getConfig('tiny');
  const bytes = exportOnnx(config, initWeights(config, seed));
  const entry: ModelEntry = {
    name: 'token-dream-tiny',
    version: '0.0.1',
    family: 'token-dream',
    file: 'token-dream-tiny.onnx',
    bytes: bytes.byteLength,
    sha256: await sha256Hex(bytes),
    opset: 17,
    io: ioContract(config),
    contextLength: config.context,
    sampler: { ...DEFAULT_SAMPLER },
    tokens: { layout: TOKEN_LAYOUT, frameTokens: FRAME_TOKENS, vocab: VOCAB, mask: MASK, cls: CLS },
    architecture: { ...config, params: paramCount(config) },
    training: {
      framework: 'none (random weights)',
      command: 'test',
      data: { dir: '-', files: 0, trainEpisodes: 0, validationEpisodes: 0, trainTransitions: 0, sources: {} },
      steps: 0,
      batch: 0,
      seconds: 0,
      finishedAt: new Date(0).toISOString(),
    },
  };
  return { bytes, entry, manifest: { format: 'aikon.models.manifest', version: 1, models: [entry] } };
}
