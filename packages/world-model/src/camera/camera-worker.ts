/**
 * Web Worker entry of the dream camera (no Node imports), off the page's render loop:
 *
 *   worker.postMessage({ type: 'load', manifestUrl: '/models/manifest.json' });   // → 'loaded' | 'error'
 *   worker.postMessage({ type: 'render', id, tokens });                            // → 'frame' | 'error'
 *
 * The manifest's camera is fetched next to it, checked against its sha256 and size, and run
 * with onnxruntime-web (WebGPU where the browser has it, else wasm: backend-web.ts). A frame
 * is the 64 × 64 RGB image (transferred) and the milliseconds its denoising took.
 */
import * as ort from 'onnxruntime-web';
import { createWebSession } from '../backend-web.ts';
import { fetchModels } from '../fetch-models.ts';
import { CameraEntrySchema, ModelRefusedError, parseManifest, sha256Hex } from '../manifest.ts';
import { type Denoiser, onnxDenoiser, renderFrames } from './camera.ts';

export type CameraWorkerRequest =
  | { type: 'load'; manifestUrl: string; name?: string; wasmPaths?: string }
  | { type: 'render'; id: number; tokens: number[] };

export type CameraWorkerReply =
  | { type: 'loaded'; name: string; version: string; backend: string; steps: number }
  | { type: 'frame'; id: number; rgb: Uint8Array; ms: number }
  | { type: 'error'; id: number; message: string };

const scope = globalThis as unknown as {
  onmessage: ((e: { data: CameraWorkerRequest }) => void) | null;
  postMessage(m: CameraWorkerReply, transfer?: ArrayBuffer[]): void;
};
let camera: { denoise: Denoiser; steps: number } | null = null;

scope.onmessage = async ({ data: msg }) => {
  try {
    if (msg.type === 'load') {
      const { manifest, readFile } = await fetchModels(msg.manifestUrl);
      const entries = parseManifest(manifest).cameras ?? [];
      const entry = CameraEntrySchema.parse(
        entries.findLast((c) => msg.name === undefined || c.name === msg.name) ??
          (() => {
            throw new ModelRefusedError(`no dream camera${msg.name ? ` named ${msg.name}` : ''} in the manifest`);
          })(),
      );
      const bytes = await readFile(entry.file);
      if (bytes.byteLength !== entry.bytes || (await sha256Hex(bytes)) !== entry.sha256)
        throw new ModelRefusedError(`${entry.file} does not match its manifest entry (size or sha256)`);
      const { session, name } = await createWebSession(bytes, msg.wasmPaths ? { wasmPaths: msg.wasmPaths } : {});
      camera = {
        denoise: onnxDenoiser(
          { run: async (feeds) => session.run(feeds as Record<string, ort.Tensor>) },
          (data, dims) => new ort.Tensor('float32', data, dims),
        ),
        steps: entry.sampler.steps,
      };
      scope.postMessage({
        type: 'loaded',
        name: entry.name,
        version: entry.version,
        backend: name,
        steps: camera.steps,
      });
      return;
    }
    if (!camera) throw new Error('no camera loaded: send {type: "load"} first');
    const t0 = performance.now();
    const [rgb] = await renderFrames(camera.denoise, [msg.tokens], { steps: camera.steps, seed: msg.id });
    scope.postMessage({ type: 'frame', id: msg.id, rgb, ms: performance.now() - t0 }, [rgb.buffer as ArrayBuffer]);
  } catch (err) {
    scope.postMessage({ type: 'error', id: msg.type === 'render' ? msg.id : -1, message: (err as Error).message });
  }
};
