/// <reference lib="webworker" />
/**
 * The browser dream shard: @aikon/world-model's worker entry (load → reset → step over the
 * versioned dream protocol) with onnxruntime-web, WebGPU where the browser has it, else wasm.
 * Vite bundles ort-web and emits its .wasm next to this worker.
 */
import '@aikon/world-model/worker';
