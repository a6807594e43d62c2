/**
 * Actor-critic fine-tuning from a policy in models/ (the BC policy), in the real engine or in
 * imagination (the world simulator):
 *   npm run train:rl -- --from bc-small [--name bc-small-rl] [--env real|imagination] [--envs 32] [--updates 300]
 *                       [--horizon 64] [--lr 0.0001] [--entropy 0.01] [--max-minutes 20] [--resume]
 *                       [--kl 0] [--critic-warmup 0] [--sim NAME] [--starts demos|policy] [--starts-of bc-small]
 *                       [--start-sessions 30] [--start-episodes 64] [--dream-steps 64] [--dream-bootstrap]
 *                       [--data-dir ./data] [--models-dir ./models]
 * Real: worlds episodeSeed(1000000 + seed, k), recorded in the provenance (evaluation refuses them).
 * Imagination: dreams start from real recorded states — the demonstrations of the BC run
 * `--starts-of` (its data/policies/<run>/demos.json; the first `--start-sessions` sessions, read
 * back through the datasets pipeline) — and run `--dream-steps` steps or until predicted death; the
 * policy never touches the engine while it trains. `--dream-bootstrap`: a dream cut at `--dream-steps`
 * is bootstrapped from the critic's value of its last state, not ended like a predicted death (without
 * it a 15-step dream values survival past step 15 at nothing). `--starts policy` dreams from the starting
 * policy's own real states instead: `--start-episodes` episodes it plays before training, on
 * episodeSeed(4000000 + seed, k) (recorded in the provenance). `--kl B` adds B × KL(start policy ‖
 * policy) on the visited states to the loss (the guard against learning what only the simulator
 * pays for). `--critic-warmup U`: the first U updates train the critic alone (value loss and the
 * guard), so that the actor's first advantages are not a borrowed critic's error. A policy with a
 * memory map gets, at each dream's start, the map of the recorded episode up to there
 * (imagination.ts). Checkpoints in <data>/policies/<name>/; the result is exported.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '@aikon/engine';
import { findPolicy, loadSim, SimDreams } from '@aikon/world-model';
import { readManifest } from '@aikon/world-model/node';
import { z } from 'zod';
import { RealEnvs, type RolloutEnvs } from '../src/policy/envs.ts';
import { netRunner } from '../src/policy/act.ts';
import { dreamStarts, ImaginedEnvs, policyStates, type RecordedStates } from '../src/policy/imagination.ts';
import { hasMemory, PolicyNet } from '../src/policy/network.ts';
import { loadDemos } from '../src/policy/node/demos.ts';
import { AC_DEFAULTS, trainActorCritic } from '../src/policy/node/actor-critic.ts';
import { exportPolicy } from '../src/policy/node/export-policy.ts';
import { importPolicyOnnx } from '../src/policy/onnx-export.ts';

export const RL_SEED_BASE = 1_000_000;
export const POLICY_STARTS_SEED_BASE = 4_000_000;

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
      env: { type: 'string', default: 'real' },
      sim: { type: 'string' },
      'starts-of': { type: 'string', default: 'bc-small' },
      'start-sessions': { type: 'string', default: '30' },
      starts: { type: 'string', default: 'demos' },
      'start-episodes': { type: 'string', default: '64' },
      kl: { type: 'string', default: String(AC_DEFAULTS.kl) },
      'critic-warmup': { type: 'string', default: '0' },
      'dream-steps': { type: 'string', default: '64' },
      'dream-bootstrap': { type: 'boolean', default: false },
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
  const dataDir = resolve(cwd, values['data-dir']!);
  if (values.env !== 'real' && values.env !== 'imagination')
    throw new Error(`--env must be real or imagination, got ${values.env}`);
  const kl = Number(values.kl);
  if (!(kl >= 0)) throw new Error(`--kl must be ≥ 0, got ${values.kl}`);
  const criticWarmup = Number(values['critic-warmup']);
  if (!Number.isSafeInteger(criticWarmup) || criticWarmup < 0)
    throw new Error(`--critic-warmup must be an integer ≥ 0, got ${values['critic-warmup']}`);
  if (values.starts !== 'demos' && values.starts !== 'policy')
    throw new Error(`--starts must be demos or policy, got ${values.starts}`);
  let data = from.training.data;
  let makeEnvs: (started: number) => RolloutEnvs;
  if (values.env === 'real')
    makeEnvs = (started) => new RealEnvs(int('envs'), frames, RL_SEED_BASE + seed, started, hasMemory(start.config));
  else {
    const { entry: simEntry, model } = await loadSim(
      JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8')),
      async (f) => new Uint8Array(readFileSync(join(modelsDir, f))),
      values.sim,
    );
    let states: RecordedStates;
    if (values.starts === 'policy') {
      const base = POLICY_STARTS_SEED_BASE + seed;
      const own = await policyStates(
        netRunner(new PolicyNet(start.config, start.weights)),
        base,
        int('start-episodes'),
      );
      data = { ...data, seedRanges: [...(data.seedRanges ?? []), { base, count: int('start-episodes') }] };
      console.error(
        `imagination: ${simEntry.name}; ${own.steps} real start states ` +
          `of ${from.name}'s own ${int('start-episodes')} episodes`,
      );
      states = own;
    } else {
      const record = z
        .object({ sessions: z.array(z.string()) })
        .parse(JSON.parse(readFileSync(join(dataDir, 'policies', values['starts-of']!, 'demos.json'), 'utf8')));
      const sessions = record.sessions.slice(0, int('start-sessions'));
      const demos = loadDemos(dataDir, { sessions, human: true });
      console.error(
        `imagination: ${simEntry.name}; ${demos.frames.length / 81} real start states from ` +
          `${sessions.length} sessions (${demos.steps.ai} workforce, ${demos.steps.human} human steps)`,
      );
      states = { frames: demos.frames, actions: demos.taken ?? demos.actions, episodeStart: demos.episodeStart };
    }
    const rng = new Rng(seed ^ 0x1a6);
    makeEnvs = () =>
      new ImaginedEnvs(
        new SimDreams(model, int('envs'), { temperature: 1, seed }),
        frames,
        states,
        dreamStarts(states, 8, () => rng.uniform()),
        int('dream-steps'),
        hasMemory(start.config),
        values['dream-bootstrap'],
      );
  }
  const ck = await trainActorCritic({
    config: start.config,
    weights: start.weights,
    data,
    stage: values.env === 'real' ? 'rl-real' : 'rl-imagination',
    makeEnvs,
    runDir: join(dataDir, 'policies', name),
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
    kl,
    criticWarmup,
    seed,
    resume: values.resume!,
    maxMinutes: Number(values['max-minutes']),
    progress: true,
  });
  const last = ck.state.history.findLast((h) => h.meanReturn !== undefined);
  console.error(
    `${ck.state.stage}: ${ck.state.step} updates (${ck.state.step * int('horizon') * int('envs')} ` +
      `${values.env === 'real' ? 'env' : 'imagined'} steps) in ${ck.state.trainSeconds.toFixed(0)} s; last ` +
      `50 training episodes: return ${last?.meanReturn?.toFixed(2)}, length ${last?.meanLength?.toFixed(0)}`,
  );
  const entry = await exportPolicy(ck, {
    modelsDir,
    name,
    command: `npm run train:rl -- ${process.argv.slice(2).join(' ')}`,
    earlierStages: from.training.stages,
  });
  console.error(`exported models/${entry.file}`);
}

main().catch((error: unknown) => {
  console.error(`train:rl: ${(error as Error).stack ?? error}`);
  process.exit(2);
});
