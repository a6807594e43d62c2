/**
 * World-model inference benchmarks:
 *  - the world simulator's batched imagination in Node (`sim-imagination.ts`: steps/s, per
 *    CPU-second, p50/p99 per batched step, the ratio to a baseline commit in the same process);
 *  - the token dream model: load time, model size, and dream steps per second at batch 1 and
 *    batch 64 (one dream step = `sampler.steps` forward passes + sampling) in onnxruntime-node
 *    and onnxruntime-web (wasm, 1 and 2 threads), each runtime in its own process (wasm thread
 *    settings are fixed at first use).
 *
 *   npm run bench -w @aikon/world-model [-- --only sim|token] [--json] [--no-docs] [--seconds 3]
 *
 * Updates each measured model's subsection of "World models" in docs/BENCHMARKS.md unless --no-docs.
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
import { findSim } from '../src/sim/load.ts';
import { DEFAULT_SAMPLER, sampleNext } from '../src/sampler.ts';
import { initWeights } from '../src/tf-model.ts';
import { CLS, FRAME_TOKENS, SEQ, tokenize } from '../src/tokens.ts';
import { benchSimImagination, simBenchTable } from './sim-imagination.ts';

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
  seconds: { type: 'number', min: 0.1, default: 3, help: 'seconds per measurement (token dream model)' },
  only: { type: 'string', choices: ['sim', 'token'], help: 'measure one model family only' },
  runs: { type: 'number', integer: true, min: 1, default: 3, help: 'interleaved baseline/current runs (simulator)' },
  scale: {
    type: 'number',
    min: 0.01,
    default: 1,
    help: 'multiplies the step counts of the simulator (0.1: a smoke run)',
  },
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

const machine = `${cpus().length} cores, ${process.platform} ${process.arch}, Node ${process.versions.node}`;
const today = new Date().toISOString().slice(0, 10);
const docPath = join(repoRoot, 'docs/BENCHMARKS.md');
let doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Benchmarks\n';
const report: Record<string, unknown> = { machine };

if (values.only !== 'token') {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'models/manifest.json'), 'utf8'));
  const entry = findSim(manifest);
  const sim = await benchSimImagination({
    repoRoot,
    modelName: `${entry.name} ${entry.version}`,
    modelBytes: new Uint8Array(readFileSync(join(repoRoot, 'models', entry.file))),
    runs: values.runs,
    scale: values.scale,
  });
  report.sim = sim;
  const table = simBenchTable(sim);
  if (!values.json) console.log(table);
  const ratio = sim.ratio
    ? `Current ÷ ${sim.baseline} at batch 256, one thread (means of the interleaved ` +
      `runs): ${sim.ratio.cpu}× per CPU-second, ${sim.ratio.wall}× wall.`
    : 'No baseline (git history unavailable).';
  doc = replaceSubsection(
    doc,
    '### World simulator: batched imagination in Node',
    `Command: \`npm run bench -w @aikon/world-model -- --only sim\` (\`--json\` for one JSON object). Model
\`${sim.model}\` (${(sim.bytes / 1024).toFixed(0)} KiB). Random actions from 64 starts in generated worlds
(8 real frames each), greedy; a step is one dream step of one dream. The baseline is the simulator's code at commit
\`${sim.baseline ?? '—'}\` (before the speed work), run in the same process, interleaved with the current
code. Measured ${today} on ${machine}, load average ${sim.loadAverage[0]} → ${sim.loadAverage[1]}
(other engineers' work): wall figures are what the process got of the machine, per CPU-second what the code costs.

${table}

${ratio}
`,
  );
}

if (values.only !== 'sim') {
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
  report.token = { samplerSteps: modelBytes().steps, results: rows };
  const table = [
    '| runtime | load (ms) | batch 1: dream steps/s (ms/step) | batch 64: dream steps/s (ms per batch) |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.backend} | ${r.loadMs} | ${r.batch1StepsPerSecond} ` +
        `(${r.batch1MsPerCall}) | ${r.batch64StepsPerSecond} (${r.batch64MsPerCall}) |`,
    ),
  ].join('\n');
  if (!values.json) console.log(table);
  doc = replaceSubsection(
    doc,
    '### Token dream model',
    `Command: \`npm run bench -w @aikon/world-model -- --only token\` (\`--json\` for one JSON object).
Model: \`${rows[0].model}\`, ${(Number(rows[0].bytes) / 1024).toFixed(0)} KiB ONNX. A dream step is one predicted
observation: ${modelBytes().steps} denoising passes of the network plus sampling (greedy).
Measured ${today} on ${machine}, while other work shared the machine.

${table}
`,
  );
}

if (values.json) console.log(JSON.stringify(report));
if (!values['no-docs']) {
  writeFileSync(docPath, doc);
  if (!values.json) console.error(`updated ${docPath}`);
}

/**
 * The document with the body of `heading` (a ### subsection of "## World models") replaced: up
 * to the next heading of the same or a higher level. A missing subsection (or section) is added.
 */
function replaceSubsection(text: string, heading: string, body: string): string {
  const block = `${heading}\n\n${body.trimEnd()}\n`;
  let section = text.indexOf('\n## World models\n');
  if (section < 0) {
    text = `${text.trimEnd()}\n\n## World models\n`;
    section = text.indexOf('\n## World models\n');
  }
  const start = text.indexOf(`\n${heading}\n`, section);
  if (start < 0) {
    const next = text.indexOf('\n## ', section + 1);
    const at = next < 0 ? text.length : next + 1;
    return `${text.slice(0, at).trimEnd()}\n\n${block}${next < 0 ? '' : `\n${text.slice(at)}`}`;
  }
  const after = text.slice(start + 1 + heading.length);
  const m = /\n#{2,3} /.exec(after);
  const end = m ? start + 1 + heading.length + m.index + 1 : text.length;
  return `${text.slice(0, start + 1)}${block}${m ? `\n${text.slice(end)}` : ''}`;
}
