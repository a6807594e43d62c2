/**
 * @aikon/agents/policy — learned policies, browser-safe: the fair-view features, the tfjs
 * network and its ONNX export. Training, demonstrations and onnxruntime-node are Node-only
 * (src/policy/node/).
 */
export * from './features.ts';
export * from './network.ts';
export * from './onnx-export.ts';
export * from './act.ts';
export * from './brain.ts';
export * from './skill.ts';
export * from './envs.ts';
export * from './returns.ts';
export * from './rollout.ts';
export * from './imagination.ts';
