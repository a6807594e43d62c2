/**
 * Actor-critic fine-tuning in the real engine, from a policy in models/ (the BC policy):
 *   npm run train:rl -- --from bc-small [--name bc-small-rl] [--envs 32] [--updates 300] [--horizon 64]
 *                       [--lr 0.0001] [--entropy 0.01] [--max-minutes 20] [--resume] [--data-dir ./data] [--models-dir ./models]
 * Worlds are episodeSeed(1000000 + seed, k), recorded in the provenance (evaluation refuses them).
 * Checkpoints in <data>/policies/<name>/; the result is exported to the models directory.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findPolicy } from '@aikon/world-model';
import { readManifest } from '@aikon/world-model/node';
import { RealEnvs } from '../src/policy/envs.ts';
import { AC_DEFAULTS, trainActorCritic } from '../src/policy/node/actor-critic.ts';
import { exportPolicy } from '../src/policy/node/export-policy.ts';
import { importPolicyOnnx } from '../src/policy/onnx-export.ts';

export const RL_SEED_BASE = 1_000_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      name: { type: 'string' },
      envs: { type: 'string', default: '32' },
      updates: { type: 'string', default: '300' },
      horizon: { type: 'string', default: String(AC_DEFAULTS.horizon) },
      minibatch: { type: 'string', default: String(AC_DEFAULTS.minibatch) },
      epochs: { type: 'string', default: String(AC_DEFAULTS.epochs) },
      lr: { type: 'string', default: String(AC_DEFAULTS.lr) },
      entropy: { type: 'string', default: String(AC_DEFAULTS.entropy) },
      seed: { type: 'string', default: '0' },
      'max-minutes': { type: 'string', default: '20' },
      resume: { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: process.env.AIKON_DATA_DIR ?? './data' },
      'models-dir': { type: 'string', default: './models' },
    },
    strict: true,
  });
  if (!values.from) throw new Error('--from NAME (a policy in the models directory) is required');
  const int = (k: keyof typeof values): number => {
    const v = Number(values[k]);
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`--${k} must be a positive integer, got ${values[k]}`);
    return v;
  };
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const modelsDir = resolve(cwd, values['models-dir']!);
  const name = values.name ?? `${values.from}-rl`;
  const from = findPolicy(readManifest(modelsDir), values.from);
  const start = importPolicyOnnx(new Uint8Array(readFileSync(join(modelsDir, from.file))));
  const seed = Number(values.seed);
  const frames = start.config.frames;
  const ck = await trainActorCritic({
    config: start.config,
    weights: start.weights,
    data: from.training.data,
    stage: 'rl-real',
    makeEnvs: (started) => new RealEnvs(int('envs'), frames, RL_SEED_BASE + seed, started),
    runDir: join(resolve(cwd, values['data-dir']!), 'policies', name),
    updates: int('updates'),
    horizon: int('horizon'),
    minibatch: int('minibatch'),
    epochs: int('epochs'),
    lr: Number(values.lr),
    gamma: AC_DEFAULTS.gamma,
    lambda: AC_DEFAULTS.lambda,
    entropy: Number(values.entropy),
    clip: AC_DEFAULTS.clip,
    valueWeight: AC_DEFAULTS.valueWeight,
    seed,
    resume: values.resume!,
    maxMinutes: Number(values['max-minutes']),
    progress: true,
  });
  const last = ck.state.history.findLast((h) => h.meanReturn !== undefined);
  console.error(`rl-real: ${ck.state.step} updates (${ck.state.step * int('horizon') * int('envs')} env steps) in ${ck.state.trainSeconds.toFixed(0)} s; last 50 training episodes: return ${last?.meanReturn?.toFixed(2)}, length ${last?.meanLength?.toFixed(0)}`);
  const entry = await exportPolicy(ck, { modelsDir, name, command: `npm run train:rl -- ${process.argv.slice(2).join(' ')}`, earlierStages: from.training.stages });
  console.error(`exported models/${entry.file}`);
}

main().catch((error: unknown) => {
  console.error(`train:rl: ${(error as Error).stack ?? error}`);
  process.exit(2);
});
