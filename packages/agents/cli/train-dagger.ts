/**
 * DAgger from a BC policy in models/:
 *   npm run train:dagger -- --from bc-small [--name dagger-small] [--rounds 4] [--round-steps 40000]
 *                           [--beta 0.5,0.25,0] [--epochs 2] [--batch 256] [--lr 0.0005] [--parallel 64]
 *                           [--eval-episodes 50] [--max-minutes 20] [--resume]
 *                           [--data-dir ./data] [--models-dir ./models]
 * Each round: the current policy plays `--round-steps` real-engine steps on fresh worlds
 * (episodeSeed(2000000 + 1000·seed + round, k)) with the fair-sense workforce shadowing it and
 * labelling every state (dagger.ts; `--beta` per round: the chance the workforce's action is
 * executed, the last value repeating); the labels join the aggregate (the --from run's
 * demonstrations, read back through the datasets pipeline, plus every earlier round); the policy
 * trains `--epochs` passes (fractions allowed) over the aggregate from where it stands; then it plays `--eval-episodes`
 * episodes on validation worlds (episodeSeed(3000000 + seed, k), not the evaluation's) for the
 * round's figures. Rounds are kept in <data>/policies/<name>/ (labelled states, checkpoints), so
 * --resume continues an interrupted run. The last round's policy is exported.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bootstrapScore, summarize } from '@aikon/engine';
import { findPolicy } from '@aikon/world-model';
import { readManifest } from '@aikon/world-model/node';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { netRunner } from '../src/policy/act.ts';
import { PolicyNet, type PolicyWeights } from '../src/policy/network.ts';
import { trainBc } from '../src/policy/node/bc.ts';
import { hasPolicyCheckpoint, loadPolicyCheckpoint, type PolicyCheckpoint } from '../src/policy/node/checkpoint.ts';
import { collectDagger, concatDemos } from '../src/policy/node/dagger.ts';
import { hasDaggerRound, loadDaggerRound, saveDaggerRound } from '../src/policy/node/dagger-store.ts';
import { type DemoSet, loadDemos } from '../src/policy/node/demos.ts';
import { exportPolicy } from '../src/policy/node/export-policy.ts';
import { importPolicyOnnx } from '../src/policy/onnx-export.ts';
import { policyEpisodes } from '../src/policy/rollout.ts';

export const DAGGER_SEED_BASE = 2_000_000;
export const DAGGER_VALIDATION_SEED = 3_000_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string', default: 'bc-small' },
      name: { type: 'string' },
      rounds: { type: 'string', default: '4' },
      'round-steps': { type: 'string', default: '40000' },
      beta: { type: 'string', default: '0.5,0.25,0' },
      epochs: { type: 'string', default: '2' },
      batch: { type: 'string', default: '256' },
      lr: { type: 'string', default: '0.0005' },
      parallel: { type: 'string', default: '64' },
      temperature: { type: 'string', default: '1' },
      'eval-episodes': { type: 'string', default: '50' },
      seed: { type: 'string', default: '0' },
      'max-minutes': { type: 'string', default: '20' },
      resume: { type: 'boolean', default: false },
      'no-human': { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: process.env.AIKON_DATA_DIR ?? './data' },
      'models-dir': { type: 'string', default: './models' },
    },
    strict: true,
  });
  const int = (k: keyof typeof values, min = 1): number => {
    const v = Number(values[k]);
    if (!Number.isSafeInteger(v) || v < min) throw new Error(`--${k} must be an integer ≥ ${min}, got ${values[k]}`);
    return v;
  };
  const betas = values.beta!.split(',').map(Number);
  if (betas.some((b) => !(b >= 0 && b <= 1)))
    throw new Error(`--beta must be probabilities separated by commas, got ${values.beta}`);
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const modelsDir = resolve(cwd, values['models-dir']!);
  const dataDir = resolve(cwd, values['data-dir']!);
  const name = values.name ?? `${values.from}-dagger`;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error('--name must be lowercase letters, digits and dashes');
  const runDir = join(dataDir, 'policies', name);
  const seed = int('seed', 0);
  const rounds = int('rounds');
  const roundSteps = int('round-steps');
  const maxMinutes = Number(values['max-minutes']);
  const epochs = Number(values.epochs);
  if (!(epochs > 0))
    throw new Error(
      '--epochs must be a positive number (passes over the ' +
        `aggregate per round; fractions allowed), got ${values.epochs}`,
    );
  const started = performance.now();
  const minutesLeft = () => maxMinutes - (performance.now() - started) / 60_000;

  const from = findPolicy(readManifest(modelsDir), values.from!);
  const start = importPolicyOnnx(new Uint8Array(readFileSync(join(modelsDir, from.file))));
  const record = z
    .object({ sessions: z.array(z.string()), demonstrator: z.string() })
    .parse(JSON.parse(readFileSync(join(dataDir, 'policies', values.from!, 'demos.json'), 'utf8')));
  const demos = loadDemos(dataDir, { sessions: record.sessions, human: !values['no-human'] });
  console.error(
    `dagger ${name} from ${from.name}: ${demos.steps.ai} workforce + ${demos.steps.human} human demonstration steps`,
  );

  let weights: PolicyWeights = start.weights;
  const sets: DemoSet[] = [demos];
  const seedRanges = [...(from.training.data.seedRanges ?? [])];
  const figures: Record<string, unknown>[] = [];
  let ck: PolicyCheckpoint | null = null;
  for (let r = 0; r < rounds; r++) {
    if (minutesLeft() <= 0) {
      console.error(`time limit (${maxMinutes} min) reached before round ${r}`);
      break;
    }
    const beta = betas[Math.min(r, betas.length - 1)];
    const seedBase = DAGGER_SEED_BASE + 1000 * seed + r;
    let collected: ReturnType<typeof loadDaggerRound>;
    if (values.resume && hasDaggerRound(runDir, r)) {
      collected = loadDaggerRound(runDir, r);
      console.error(`round ${r}: reusing ${collected.record.steps} labelled steps`);
    } else {
      const bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          noTTYOutput: true,
          notTTYSchedule: 15_000,
          format: `round ${r} labels (β ${beta}) [{bar}] {value}/{total} | ETA {eta}s`,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(roundSteps, 0);
      const t0 = performance.now();
      const data = await collectDagger(netRunner(new PolicyNet(start.config, weights)), {
        seedBase,
        steps: roundSteps,
        parallel: int('parallel'),
        beta,
        temperature: Number(values.temperature),
        seed: seed + r,
        onProgress: (d) => bar.update(d),
      });
      bar.stop();
      saveDaggerRound(
        runDir,
        {
          round: r,
          seedBase,
          worlds: data.worlds,
          beta,
          agreement: data.agreement,
          finished: data.finished,
          seconds: (performance.now() - t0) / 1000,
        },
        data,
      );
      collected = loadDaggerRound(runDir, r);
    }
    const c = collected.record;
    seedRanges.push({ base: seedBase, count: c.worlds });
    sets.push(collected.data.set);
    const aggregate = concatDemos(sets);
    const meanLen = c.finished.lengths.length
      ? c.finished.lengths.reduce((a, b) => a + b, 0) / c.finished.lengths.length
      : NaN;
    console.error(
      `round ${r}: ${c.steps} labelled steps in ${c.seconds.toFixed(0)} s on ${c.worlds} worlds; learner ` +
        `agreed with the workforce on ${(100 * c.agreement).toFixed(1)} %; ${c.finished.lengths.length} ` +
        `episodes ended (mean length ${meanLen.toFixed(0)}); aggregate ${aggregate.actions.length} steps`,
    );

    const batch = int('batch');
    const roundDir = join(runDir, `round-${r}`);
    const steps = Math.ceil((epochs * aggregate.actions.length) / batch);
    if (values.resume && hasPolicyCheckpoint(roundDir) && loadPolicyCheckpoint(roundDir).state.step >= steps) {
      ck = loadPolicyCheckpoint(roundDir);
      console.error(`round ${r}: reusing its trained policy`);
    } else {
      ck = await trainBc({
        config: start.config,
        demos: aggregate,
        data: {
          ...from.training.data,
          steps: aggregate.steps,
          episodes: aggregate.episodes,
          demonstrator:
            `${record.demonstrator} + DAgger ` + `(${record.demonstrator} shadowing the learner, ${r + 1} rounds)`,
          seedRanges: [...seedRanges],
        },
        runDir: roundDir,
        steps,
        batch,
        lr: Number(values.lr),
        seed: seed + 100 + r,
        resume: values.resume!,
        maxMinutes: Math.max(0.5, minutesLeft()),
        checkpointEvery: 200,
        validateEvery: 250,
        progress: true,
        init: weights,
        stage: 'dagger',
      });
    }
    weights = ck.weights;
    const lastVal = ck.state.history.findLast((h) => h.valAccuracy !== undefined);
    const outcomes = await policyEpisodes(netRunner(new PolicyNet(start.config, weights)), {
      seed: DAGGER_VALIDATION_SEED + seed,
      episodes: int('eval-episodes'),
      temperature: 1,
    });
    const summary = summarize(outcomes);
    const interval = bootstrapScore(outcomes);
    const fig = {
      round: r,
      beta,
      labelledSteps: c.steps,
      aggregateSteps: aggregate.actions.length,
      agreement: c.agreement,
      trainSteps: ck.state.step,
      trainSeconds: Math.round(ck.state.trainSeconds),
      validationAccuracy: lastVal?.valAccuracy,
      score: summary.score,
      scoreInterval: interval,
      meanLength: summary.meanLength,
      meanReturn: summary.meanReturn,
    };
    figures.push(fig);
    writeFileSync(join(runDir, 'rounds.json'), JSON.stringify(figures, null, 1));
    console.error(
      `round ${r}: ${ck.state.step} steps × ${batch} in ${ck.state.trainSeconds.toFixed(0)} s; ` +
        `validation accuracy ${((lastVal?.valAccuracy ?? NaN) * 100).toFixed(1)} %; ` +
        `${int('eval-episodes')} validation-world episodes: score ${summary.score.toFixed(1)} % ` +
        `(${interval.low.toFixed(1)}–${interval.high.toFixed(1)}), length ` +
        `${summary.meanLength.toFixed(0)}, return ${summary.meanReturn.toFixed(2)}`,
    );
  }
  if (!ck) throw new Error('no round finished');
  const entry = await exportPolicy(ck, {
    modelsDir,
    name,
    command: `npm run train:dagger -- ${process.argv.slice(2).join(' ')}`,
    earlierStages: from.training.stages,
  });
  console.error(
    `exported models/${entry.file} (${entry.bytes} bytes); total ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}

main().catch((error: unknown) => {
  console.error(`train:dagger: ${(error as Error).stack ?? error}`);
  process.exit(2);
});
