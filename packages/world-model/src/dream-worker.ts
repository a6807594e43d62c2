/**
 * Web Worker entry for browser dream mode (no Node imports):
 *
 *   const worker = new Worker(new URL('@aikon/world-model/worker', import.meta.url), { type: 'module' });
 *   worker.postMessage({ type: 'load', manifestUrl: '/models/manifest.json', wasmPaths: '/ort/' });
 *   // then DreamRequest messages (dream-protocol.ts): reset with tokenized frames, step with actions
 *
 * The model is fetched next to the manifest and checked against its sha256. The world simulator
 * (the default) runs as plain TypeScript in this worker; the token dream model (asked for by
 * name or family) runs with onnxruntime-web (WebGPU where available, else wasm).
 */
import { type DreamLoadMessage, type DreamWorkerReply, handleDreamRequest } from './dream-protocol.ts';
import type { DreamSession } from './dream-shard.ts';
import { fetchModels } from './fetch-models.ts';
import { loadDreamModel } from './runtime.ts';

const scope = globalThis as unknown as {
  onmessage: ((e: { data: unknown }) => void) | null;
  postMessage(m: DreamWorkerReply): void;
};
let shard: DreamSession | null = null;

scope.onmessage = async (e) => {
  const msg = e.data as { type?: string; id?: number };
  if (msg.type === 'load') {
    const m = msg as DreamLoadMessage;
    try {
      const { manifest, readFile } = await fetchModels(m.manifestUrl);
      const model = await loadDreamModel(
        manifest,
        readFile,
        // onnxruntime-web (and its wasm) loads only when the token dream model is asked for.
        async (bytes, K) =>
          (await import('./backend-web.ts')).OrtWebBackend.create(bytes, K, {
            ...(m.wasmPaths ? { wasmPaths: m.wasmPaths } : {}),
            ...(m.numThreads ? { numThreads: m.numThreads } : {}),
          }),
        { ...(m.name !== undefined ? { name: m.name } : {}), ...(m.family !== undefined ? { family: m.family } : {}) },
      );
      const s = model.shard(m.seed !== undefined ? { seed: m.seed } : {});
      shard = s;
      scope.postMessage({
        type: 'loaded',
        v: 1,
        model: model.name,
        version: model.version,
        backend: model.backend,
        sampler: { steps: s.sampler.steps, temperature: s.sampler.temperature },
      });
    } catch (err) {
      scope.postMessage({ type: 'error', v: 1, id: -1, message: (err as Error).message });
    }
    return;
  }
  if (!shard) {
    scope.postMessage({ type: 'error', v: 1, id: msg.id ?? -1, message: 'no model loaded: send {type: "load"} first' });
    return;
  }
  scope.postMessage(await handleDreamRequest(shard, msg));
};
