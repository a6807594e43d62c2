/** The world simulator (browser-safe): layout, network, batched imagination, dream shard, loading. */
export * from './layout.ts';
export * from './map.ts';
export {
  SimModel,
  SimInference,
  simFromBytes,
  simToBytes,
  simParamCount,
  HEADS,
  SIM_FORMAT,
  SIM_VERSION,
  SimArchitectureSchema,
  SimCalibrationSchema,
  type SimCalibration,
  SimLossWeightsSchema,
  type SimArchitecture,
  type SimBatch,
  type SimLossParts,
  type SimLossWeights,
  type Head,
} from './model.ts';
export * from './config.ts';
export * from './data.ts';
export * from './dream.ts';
export * from './shard.ts';
export * from './load.ts';
