/**
 * Dream-model inference benchmark: load time, model size, and dream steps per second at batch 1
 * and batch 64 (one dream step = `sampler.steps` forward passes + sampling) in onnxruntime-node
 * and onnxruntime-web (wasm, 1 and 2 threads). Each runtime runs in its own process (wasm
 * thread settings are fixed at first use).
 *
 *   npm run bench -w @aikon/world-model [-- --json] [--no-docs] [--seconds 3]
 *
 * Updates the "World models" section of docs/BENCHMARKS.md unless --no-docs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { NUM_ACTIONS, Rng, World } from '@aikon/engine';
import { OrtWebBackend } from '../src/backend-web.ts';
import { getConfig } from '../src/config.ts';
import type { InferenceBackend } from '../src/io.ts';
import { OrtNodeBackend } from '../src/node/backend-node.ts';
import { cli } from '../src/node/cli.ts';
import { exportOnnx } from '../src/onnx-export.ts';
import { DEFAULT_SAMPLER, sampleNext } from '../src/sampler.ts';
import { initWeights } from '../src/tf-model.ts';
import { CLS, FRAME_TOKENS, SEQ, tokenize } from '../src/tokens.ts';

const VARIANTS = ['node', 'web-1', 'web-2'] as const;
type Variant = (typeof VARIANTS)[number];

const { values, repoRoot } = cli('npm run bench -w @aikon/world-model -- [options]', {
  variant: {
    type: 'string',
    choices: VARIANTS,
    help: 'run one runtime in this process (the parent runs each in its own)',
  },
  json: { type: 'boolean', help: 'print one JSON object' },
  'no-docs': { type: 'boolean', help: 'leave docs/BENCHMARKS.md as it is' },
  seconds: { type: 'number', min: 0.1, default: 3, help: 'seconds per measurement' },
});

function modelBytes(): { name: string; bytes: Uint8Array; context: number; steps: number } {
  const manifestPath = join(repoRoot, 'models/manifest.json');
  if (existsSync(manifestPath)) {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      models: { name: string; file: string; family: string; contextLength: number; sampler: { steps: number } }[];
    };
    const e = m.models.find((x) => x.family === 'token-dream');
    if (e)
      return {
        name: e.name,
        bytes: new Uint8Array(readFileSync(join(repoRoot, 'models', e.file))),
        context: e.contextLength,
        steps: e.sampler.steps,
      };
  }
  const c = getConfig('small');
  return {
    name: 'token-dream-small (random weights)',
    bytes: exportOnnx(c, initWeights(c, 1)),
    context: c.context,
    steps: DEFAULT_SAMPLER.steps,
  };
}

async function runVariant(variant: Variant) {
  const model = modelBytes();
  const t0 = performance.now();
  const backend: InferenceBackend =
    variant === 'node'
      ? await OrtNodeBackend.create(model.bytes, model.context)
      : await OrtWebBackend.create(model.bytes, model.context, {
          executionProviders: ['wasm'],
          numThreads: variant === 'web-2' ? 2 : 1,
        });
  const loadMs = performance.now() - t0;
  const world = World.generate({ seed: 1 });
  world.addPlayer();
  const frame = tokenize(world);
  const result: Record<string, number | string> = {
    variant,
    backend: backend.name,
    model: model.name,
    bytes: model.bytes.byteLength,
    loadMs: Math.round(loadMs),
  };
  for (const B of [1, 64]) {
    const ctx = new Int32Array(B * model.context * SEQ);
    for (let r = 0; r < B * model.context; r++) {
      ctx.set(frame, r * SEQ);
      ctx[r * SEQ + FRAME_TOKENS] = CLS;
    }
    const act = new Float32Array(B * NUM_ACTIONS);
    for (let b = 0; b < B; b++) act[b * NUM_ACTIONS + (b % NUM_ACTIONS)] = 1;
    const sampler = { ...DEFAULT_SAMPLER, steps: model.steps };
    const rng = new Rng(1);
    await sampleNext(backend, B, ctx, act, sampler, rng); // warm-up
    let calls = 0;
    const start = performance.now();
    const budget = values.seconds * 1000;
    while (performance.now() - start < budget || calls < 2) {
      await sampleNext(backend, B, ctx, act, sampler, rng);
      calls++;
    }
    const secs = (performance.now() - start) / 1000;
    result[`batch${B}StepsPerSecond`] = Math.round((calls * B) / secs);
    result[`batch${B}MsPerCall`] = Math.round(((1000 * secs) / calls) * 100) / 100;
  }
  await backend.dispose();
  return result;
}

if (values.variant) {
  console.log(JSON.stringify(await runVariant(values.variant as Variant)));
  process.exit(0);
}

const rows: Record<string, number | string>[] = [];
for (const v of VARIANTS) {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, '--variant', v, '--seconds', String(values.seconds)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .at(-1);
  if (!line) throw new Error(`variant ${v} printed no result`);
  rows.push(JSON.parse(line));
  if (!values.json) console.error(`${v}: ${line}`);
}
const report = {
  machine: `${cpus().length} cores, ${process.platform} ${process.arch}, Node ${process.versions.node}`,
  samplerSteps: modelBytes().steps,
  results: rows,
};
if (values.json) console.log(JSON.stringify(report));

const table = [
  '| runtime | load (ms) | batch 1: dream steps/s (ms/step) | batch 64: dream steps/s (ms per batch) |',
  '|---|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.backend} | ${r.loadMs} | ${r.batch1StepsPerSecond} (${r.batch1MsPerCall}) | ${r.batch64StepsPerSecond} (${r.batch64MsPerCall}) |`,
  ),
].join('\n');
const section = `## World models

Command: \`npm run bench -w @aikon/world-model\` (\`-- --json\` for one JSON object). Model: \`${rows[0].model}\`,
${(Number(rows[0].bytes) / 1024).toFixed(0)} KiB ONNX. A dream step is one predicted observation: ${report.samplerSteps} denoising passes of the
network plus sampling (greedy). Measured ${new Date().toISOString().slice(0, 10)} on ${report.machine}, while other work shared the machine.

${table}
`;
if (!values['no-docs']) {
  const path = join(repoRoot, 'docs/BENCHMARKS.md');
  const doc = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = doc.indexOf('## World models');
  let next = start < 0 ? -1 : doc.indexOf('\n## ', start + 3);
  if (next >= 0) next += 1;
  const updated =
    start < 0
      ? `${doc.trimEnd()}\n\n${section}`
      : doc.slice(0, start) + section + (next >= 0 ? `\n${doc.slice(next)}` : '');
  writeFileSync(path, updated);
  if (!values.json) console.error(`updated ${path}`);
}
if (!values.json) console.log(table);
