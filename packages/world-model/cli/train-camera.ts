/**
 * Trains the dream camera (src/camera), then writes models/dream-camera-<config>.onnx, evaluates it
 * through onnxruntime-node on the held-out frames and registers it with those metrics in the manifest.
 *
 *   npm run train:camera -- [--config small] [--max-minutes 25] [--resume] [--quick]   (--help lists every option)
 *
 * The data is played headless with the engine each run (deterministic; ≈ 30 s): src/node/camera-data.ts.
 */
import { join } from 'node:path';
import { CAMERA_CONFIGS } from '../src/camera/tf-camera.ts';
import { CAMERA_HELDOUT_DATA, CAMERA_TRAIN_DATA, generateCameraData } from '../src/node/camera-data.ts';
import { evaluateCameraEntry, exportCamera } from '../src/node/camera-export.ts';
import { trainCamera } from '../src/node/camera-train.ts';
import { cli } from '../src/node/cli.ts';

const { values, path, repoRoot, command } = cli('npm run train:camera -- [options]', {
  config: { type: 'string', default: 'small', choices: Object.keys(CAMERA_CONFIGS), help: 'network size' },
  run: { type: 'string', help: 'checkpoint directory (default data/world-model/runs/camera-<config>)' },
  resume: { type: 'boolean', help: "continue from the run directory's checkpoint" },
  steps: { type: 'number', integer: true, min: 1, default: 20_000, help: 'optimiser steps' },
  batch: { type: 'number', integer: true, min: 1, default: 32, help: 'frames per step' },
  lr: { type: 'number', min: 0, default: 2e-3, help: 'peak learning rate' },
  seed: { type: 'number', integer: true, default: 1, help: 'initialisation and sampling seed' },
  'max-minutes': { type: 'number', min: 0, default: 25, help: 'wall-time bound of the whole run' },
  'checkpoint-every': { type: 'number', integer: true, min: 1, default: 200, help: 'steps between checkpoints' },
  'validate-every': { type: 'number', integer: true, min: 1, default: 200, help: 'steps between held-out PSNRs' },
  quick: { type: 'boolean', help: 'a seconds-long run on a few episodes (CI)' },
  'no-export': { type: 'boolean', help: 'train only' },
  models: { type: 'string', help: 'where the ONNX file and manifest go (default models/)' },
  version: { type: 'string', default: '1.0.0', help: "the exported model's version" },
});
const quick = values.quick;
const dataOptions = {
  train: quick ? { ...CAMERA_TRAIN_DATA, episodes: 4, maxSteps: 200 } : CAMERA_TRAIN_DATA,
  heldout: quick ? { ...CAMERA_HELDOUT_DATA, episodes: 2, maxSteps: 200 } : CAMERA_HELDOUT_DATA,
};
const config = CAMERA_CONFIGS[quick ? 'tiny' : values.config];
const runDir = values.run ? path(values.run) : join(repoRoot, 'data/world-model/runs', `camera-${config.name}`);
let t = performance.now();
const train = generateCameraData(dataOptions.train);
const heldout = generateCameraData(dataOptions.heldout);
console.log(
  `data: ${train.count} training frames (${dataOptions.train.episodes} episodes), ${heldout.count} held-out ` +
    `(${dataOptions.heldout.episodes}), ${((performance.now() - t) / 1000).toFixed(1)} s`,
);
t = performance.now();
const ck = await trainCamera({
  config,
  train,
  heldout,
  dataOptions,
  runDir,
  steps: quick ? 60 : values.steps,
  batch: quick ? 8 : values.batch,
  lr: values.lr,
  seed: values.seed,
  resume: values.resume,
  maxMinutes: values['max-minutes'],
  checkpointEvery: values['checkpoint-every'],
  validateEvery: quick ? 20 : values['validate-every'],
  validationFrames: quick ? 8 : 64,
  progress: process.stdout.isTTY === true,
});
console.log(`trained ${ck.state.step} steps, ${ck.state.trainSeconds.toFixed(0)} s in all; checkpoint in ${runDir}`);
if (!values['no-export']) {
  const modelsDir = values.models ? path(values.models) : join(repoRoot, 'models');
  const name = `dream-camera-${config.name}`;
  const entry = await exportCamera(ck, { modelsDir, command: command('train:camera'), name, version: values.version });
  console.log(
    `wrote ${join(modelsDir, entry.file)} (${entry.bytes} bytes); evaluating on ${heldout.count} held-out frames ...`,
  );
  const evaluated = await evaluateCameraEntry(modelsDir, name, heldout, `${command('train:camera')} (at export)`);
  console.log(JSON.stringify(evaluated.metrics, null, 1));
}
