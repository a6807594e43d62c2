/**
 * @aikon/agents/policy — learned policies, browser-safe: the fair-view features, the tfjs
 * network and its ONNX export. Training, demonstrations and onnxruntime-node are Node-only
 * (src/policy/node/).
 */
export * from './features.ts';
export * from './network.ts';
export * from './onnx-export.ts';
