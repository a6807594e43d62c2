/// <reference lib="webworker" />
/**
 * The browser dream shard: @aikon/world-model's worker entry (load → reset → step over the
 * versioned dream protocol): the world simulator in plain TypeScript by default, or the token
 * dream model with onnxruntime-web (WebGPU where the browser has it, else wasm), loaded only then.
 * Vite bundles ort-web into its own chunk and emits its .wasm next to this worker.
 */
import '@aikon/world-model/worker';
