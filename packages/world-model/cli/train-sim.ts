/**
 * Trains the world simulator, then writes models/world-sim-<config>.bin and its manifest entry.
 *
 *   npm run train:world-model -- --data data/world-model/episodes --config small [--resume] [--max-minutes 20]
 *
 * --data DIR        episode files (src/episodes.ts); an empty or missing directory is first filled
 *                   with the seeded random + scripted episodes
 * --config NAME     tiny | small (src/sim/config.ts: the one training configuration object)
 * --steps N --batch N --lr X --seed N --max-minutes M   override the config
 * --run DIR         checkpoint directory (default data/world-model/runs/sim-<config>)
 * --resume          continue from the run directory's checkpoint
 * --export-only     export the run directory's checkpoint as it is
 * --models DIR      where the weights and manifest go (default models/); --no-export to skip
 */
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { getSimConfig } from '../src/sim/config.ts';
import { loadDataset } from '../src/node/episode-files.ts';
import { DEFAULT_GENERATION, generateEpisodes } from '../src/node/generate.ts';
import { loadSimCheckpoint, trainSim } from '../src/node/sim-train.ts';
import { exportSim } from '../src/node/sim-export.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    config: { type: 'string', default: 'small' },
    run: { type: 'string' },
    resume: { type: 'boolean', default: false },
    'export-only': { type: 'boolean', default: false },
    steps: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    seed: { type: 'string' },
    'max-minutes': { type: 'string' },
    models: { type: 'string' },
    'no-export': { type: 'boolean', default: false },
  },
});
const cwd = process.env.INIT_CWD ?? process.cwd();
const repoRoot = resolve(import.meta.dirname, '../../..');
if (!values.data) {
  console.error('usage: npm run train:world-model -- --data <episode dir> [--config small] [--resume] [--max-minutes 20]');
  process.exit(2);
}
const dataDir = resolve(cwd, values.data);
if (!existsSync(dataDir) || readdirSync(dataDir).length === 0) {
  console.log(`${dataDir} is ${existsSync(dataDir) ? 'empty' : 'missing'}: generating the seeded random + scripted episodes ...`);
  const r = generateEpisodes({ out: dataDir, ...DEFAULT_GENERATION });
  console.log(`  ${r.episodes} episodes, ${r.steps} steps`);
}
const num = (k: 'steps' | 'batch' | 'lr' | 'seed' | 'max-minutes') => (values[k] !== undefined ? Number(values[k]) : undefined);
const overrides = Object.fromEntries(Object.entries({ steps: num('steps'), batch: num('batch'), lr: num('lr'), seed: num('seed'), maxMinutes: num('max-minutes') }).filter(([, v]) => v !== undefined));
const config = getSimConfig(values.config!, overrides);
const data = loadDataset(dataDir);
console.log(`data: ${data.files} files (${Object.entries(data.sources).map(([k, v]) => `${v} ${k}`).join(', ')}), ${data.train.length} train / ${data.validation.length} validation episodes`);
const runDir = resolve(cwd, values.run ?? resolve(repoRoot, 'data/world-model/runs', `sim-${config.name}`));
const tty = process.stderr.isTTY === true;
const bar = tty ? new cliProgress.SingleBar({ format: 'train {bar} {value}/{total} | loss {loss} | held-out {val} | lr {lr} | ETA {eta_formatted}' }, cliProgress.Presets.shades_classic) : null;
const t0 = performance.now();
let started = false;
const ck = values['export-only'] ? loadSimCheckpoint(runDir) : trainSim({
  config, data, dataDir: values.data, runDir, resume: values.resume!,
  onProgress: (step, total, loss, val, lr) => {
    const v = val ? `${val.total} (tile ${val.tile}, inv ${val.inventory}, event ${val.event}, done ${val.done})` : '-';
    if (bar) {
      if (!started) { bar.start(total, 0, { loss: '-', val: '-', lr: '-' }); started = true; }
      bar.update(step, { loss: loss.toFixed(4), val: v, lr: lr.toExponential(2) });
    } else if (step % 50 === 0 || step === total) {
      console.log(`step ${step}/${total} loss ${loss.toFixed(4)} held-out ${v} lr ${lr.toExponential(2)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
  },
});
bar?.stop();
console.log(`trained ${ck.state.step} steps in ${ck.state.trainSeconds.toFixed(0)} s (this session ${((performance.now() - t0) / 1000).toFixed(0)} s); checkpoint in ${runDir}`);
if (!values['no-export']) {
  const args = process.argv.slice(2).filter((a) => a !== '--resume' && a !== '--export-only');
  const entry = await exportSim(ck, { modelsDir: resolve(cwd, values.models ?? resolve(repoRoot, 'models')), command: `npm run train:world-model -- ${args.join(' ')}` });
  console.log(`exported ${entry.file} (${entry.bytes} bytes, sha256 ${entry.sha256.slice(0, 12)}…)`);
}
