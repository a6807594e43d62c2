/// <reference lib="webworker" />
/**
 * The dream camera's worker: @aikon/world-model's camera entry (load → render), onnxruntime-web
 * off the page's render loop. Vite bundles ort-web into its own chunk next to this worker.
 */
import '@aikon/world-model/camera-worker';
