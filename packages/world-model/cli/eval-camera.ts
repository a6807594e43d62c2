/**
 * Evaluates the shipped dream camera (models/, through onnxruntime-node) on the held-out frames:
 * PSNR against the engine's render for 1, 2 and 4 denoising steps, day and night; writes the
 * figures into its manifest entry (unless --no-write) and prints them (--json: one JSON object).
 *
 *   npm run eval:camera -- [--name dream-camera-small] [--json] [--no-write]
 */
import { join } from 'node:path';
import { CAMERA_HELDOUT_DATA, generateCameraData } from '../src/node/camera-data.ts';
import { evaluateCameraEntry } from '../src/node/camera-export.ts';
import { cli } from '../src/node/cli.ts';

const { values, path, repoRoot, command } = cli('npm run eval:camera -- [options]', {
  name: { type: 'string', default: 'dream-camera-small', help: 'the camera entry to evaluate' },
  models: { type: 'string', help: 'the models directory (default models/)' },
  json: { type: 'boolean', help: 'print one JSON object' },
  'no-write': { type: 'boolean', help: 'leave the manifest as it is (evaluates a copy)' },
});
const modelsDir = values.models ? path(values.models) : join(repoRoot, 'models');
const heldout = generateCameraData(CAMERA_HELDOUT_DATA);
const entry = await evaluateCameraEntry(modelsDir, values.name, heldout, command('eval:camera', ['--json']), {
  write: !values['no-write'],
});
const m = entry.metrics!;
if (values.json) console.log(JSON.stringify({ name: entry.name, version: entry.version, ...m }));
else {
  console.log(
    `${entry.name} ${entry.version}: ${m.frames.all} held-out frames (${m.frames.day} day, ${m.frames.night} night)`,
  );
  console.log('steps | PSNR all | day | night (dB)');
  for (const [steps, p] of Object.entries(m.psnr))
    console.log(`${steps.padStart(5)} | ${p.all.toFixed(2)} | ${p.day.toFixed(2)} | ${p.night.toFixed(2)}`);
  const e = m.engineFromTokens;
  console.log(`engine from tokens | ${e.all.toFixed(2)} | ${e.day.toFixed(2)} | ${e.night.toFixed(2)}`);
  console.log(`Node (onnxruntime-node, 1 thread), 1 step, batch 1: ${m.msPerFrameNode.toFixed(2)} ms/frame`);
}
