/** Browser / Web Worker entry: everything of the main entry plus the onnxruntime-web backend. */
export * from './index.ts';
export { createWebSession, OrtWebBackend, type WebBackendOptions } from './backend-web.ts';
