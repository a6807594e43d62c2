/** Node entry: training, export, evaluation, files and the onnxruntime-node backend. */
export * from './index.ts';
export { OrtNodeBackend, type NodeBackendOptions } from './node/backend-node.ts';
export { OrtWebBackend, type WebBackendOptions } from './backend-web.ts';
export { TfDreamModel, initWeights, multiHot, lossFn, mm, bmm } from './tf-model.ts';
export { TfBackend } from './tf-backend.ts';
export { exportOnnx, OPSET } from './onnx-export.ts';
export { paramSpecs, paramCount, type Weights } from './params.ts';
export { setupTf } from './node/tf-setup.ts';
export { train, learningRate, type TrainOptions } from './node/train.ts';
export { evaluate, HORIZONS, type EvalResult } from './node/evaluate.ts';
export { exportTrained, readManifest, writeManifest, upsertEntry } from './node/export-model.ts';
export {
  loadDataset,
  readEpisodeFile,
  writeEpisodeFile,
  listEpisodeFiles,
  isValidation,
  type Dataset,
} from './node/episode-files.ts';
export { generateEpisodes, ensureEpisodes, DEFAULT_GENERATION } from './node/generate.ts';
export { cli, cliUsage, parseCliArgs, CliError, type Cli, type CliValues, type OptionSpec } from './node/cli.ts';
export { saveCheckpoint, loadCheckpoint, hasCheckpoint, type Checkpoint } from './node/checkpoint.ts';
export {
  writeCheckpointFiles,
  readCheckpointFiles,
  hasCheckpointFiles,
  adamUpdate,
  type AdamMoments,
} from './node/checkpoint-files.ts';
export {
  trainSim,
  loadSimCheckpoint,
  saveSimCheckpoint,
  hasSimCheckpoint,
  simLearningRate,
  validationLoss,
  type SimCheckpoint,
  type SimTrainOptions,
} from './node/sim-train.ts';
export { exportSim, upsertSimEntry } from './node/sim-export.ts';
export { SimDreamsPool } from './node/sim-pool.ts';
export {
  evaluateSim,
  rolloutReport,
  startAt,
  returnTrip,
  rocAuc,
  imaginationSpeed,
  poolSpeed,
  SIM_HORIZONS,
  type SimEvalResult,
} from './node/sim-evaluate.ts';
export { writeStrips, worldOfTokens } from './node/sim-strips.ts';
export { readRecordedEpisodes, recordedEpisodeFile } from './node/recorded.ts';
export {
  CAMERA_CONFIGS,
  TfCamera,
  initCameraWeights,
  cameraParamCount,
  type CameraConfig,
} from './camera/tf-camera.ts';
export { exportCameraOnnx, cameraIo } from './camera/camera-onnx.ts';
export { generateCameraData, CAMERA_TRAIN_DATA, CAMERA_HELDOUT_DATA, type CameraData } from './node/camera-data.ts';
export { trainCamera, loadCameraCheckpoint, hasCameraCheckpoint, type CameraCheckpoint } from './node/camera-train.ts';
export {
  evaluateCamera,
  evaluateCameraEntry,
  exportCamera,
  ortCameraDenoiser,
  CAMERA_STEPS,
} from './node/camera-export.ts';
