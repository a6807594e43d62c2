/** tfjs on the wasm backend in Node (single-threaded there). */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let ready: Promise<void> | null = null;

export function setupTf(backend: 'wasm' | 'cpu' = 'wasm'): Promise<void> {
  ready ??= (async () => {
    if (backend === 'wasm') {
      const require = createRequire(import.meta.url);
      setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    }
    await tf.setBackend(backend);
    await tf.ready();
  })();
  return ready;
}
