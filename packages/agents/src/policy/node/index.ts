/** @aikon/agents/policy/node — Node-only policy pieces: onnxruntime-node, demonstrations, training, export. */
export { OrtPolicy } from './ort-policy.ts';
