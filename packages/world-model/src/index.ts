/**
 * @aikon/world-model — browser-safe entry: tokens, episode format, sampler, manifest, dream
 * shards and the abstract inference backend. Node-only pieces (training, onnxruntime-node,
 * files) are in '@aikon/world-model/node'; the onnxruntime-web backend in '@aikon/world-model/web'.
 */
export * from './tokens.ts';
export * from './io.ts';
export * from './config.ts';
export * from './episodes.ts';
export * from './sampler.ts';
export * from './manifest.ts';
export * from './dream-shard.ts';
export * from './runtime.ts';
export * from './fetch-models.ts';
export { ScriptedExplorer, generateEpisode, type PolicyName, type GenerateOptions } from './explorer.ts';
export * from './dream-protocol.ts';
export * from './sim/index.ts';
export * from './camera/camera.ts';
