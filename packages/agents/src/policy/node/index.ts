/** @aikon/agents/policy/node — Node-only policy pieces: onnxruntime-node, demonstrations, training, export. */
export { OrtPolicy } from './ort-policy.ts';
export { splitSteps } from './bc.ts';
export { type DemoSet, loadDemos } from './demos.ts';
