/**
 * The training loop (`npm run loop`): rounds of
 *   record (workforce demonstrations through the datasets pipeline + every consented human episode)
 *   → train the world simulator on everything recorded → behaviour cloning → actor-critic in the
 *   simulator's dreams → real-engine evaluation on held-out worlds → registration
 * in the target models directory only where a new model beats the current one; otherwise the
 * round's models stay candidates in its run directory. Every stage writes its output and the
 * round's state file (`<run>/round-<r>/state.json`); a rerun skips finished stages and resumes
 * training from checkpoints. Each round's figures go into the target manifest's `history`.
 * The stages call the one implementation of each step (demos, trainSim, trainBc,
 * trainActorCritic, evaluatePolicy), never copies.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@aikon/engine';
import {
  findPolicy,
  findSim,
  getSimConfig,
  type LoopRound,
  loadSim,
  parseManifest,
  type PolicyEntry,
  SimDreams,
  type SimModel,
  type TokenEpisode,
} from '@aikon/world-model';
import {
  type Dataset,
  exportSim,
  hasSimCheckpoint,
  loadDataset,
  loadSimCheckpoint,
  readManifest,
  rolloutReport,
  trainSim,
  upsertEntry,
  upsertSimEntry,
  writeManifest,
} from '@aikon/world-model/node';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { dreamStarts, ImaginedEnvs } from '../policy/imagination.ts';
import { hasMemory, POLICY_CONFIGS } from '../policy/network.ts';
import { AC_DEFAULTS, trainActorCritic } from '../policy/node/actor-critic.ts';
import { trainBc } from '../policy/node/bc.ts';
import { hasPolicyCheckpoint, loadPolicyCheckpoint } from '../policy/node/checkpoint.ts';
import { type DemoSet, demoEpisodes, generateDemos, loadDemos } from '../policy/node/demos.ts';
import { evaluatePolicy, type PolicyEvaluation, writePolicyMetrics } from '../policy/node/evaluate.ts';
import { exportPolicy } from '../policy/node/export-policy.ts';
import { DEMO_SEED_BASE, LOOP_NAMES, LOOP_SIZES, type LoopSizes } from './config.ts';
import { byRecordingOrder, writeRecordedEpisodes } from './world-model-data.ts';

const Loss = z.object({ first: z.number(), last: z.number() });
const Score = z.object({
  score: z.number(),
  scoreInterval: z.object({ low: z.number(), high: z.number(), level: z.number() }),
  meanReturn: z.number(),
  meanLength: z.number(),
});
const Counts = z.object({ ai: z.number().int(), human: z.number().int() });

/** A round's state file: one key per finished stage (format "aikon.loop.round", version 1). */
export const RoundStateSchema = z.object({
  format: z.literal('aikon.loop.round'),
  version: z.literal(1),
  round: z.number().int().min(1),
  quick: z.boolean(),
  record: z
    .object({
      sessions: z.array(z.string()),
      worldSeeds: z.array(z.number().int()),
      steps: z.number().int(),
      seconds: z.number(),
    })
    .optional(),
  worldModel: z
    .object({
      name: z.string(),
      steps: z.number().int(),
      seconds: z.number(),
      loss: Loss,
      sources: z.record(z.string(), z.number()),
      trainEpisodes: z.number().int(),
      heldOutEpisodes: z.number().int(),
      viewAccuracy: z.record(z.string(), z.number()),
      /** The target manifest's default simulator on the same held-out episodes (null: none). */
      incumbent: z.object({ name: z.string(), viewAccuracy: z.record(z.string(), z.number()) }).nullable(),
    })
    .optional(),
  bc: z
    .object({
      name: z.string(),
      steps: z.number().int(),
      seconds: z.number(),
      loss: Loss,
      validationAccuracy: z.number().nullable(),
      sessions: z.number().int(),
      dataSteps: Counts,
      dataEpisodes: Counts,
    })
    .optional(),
  imagination: z
    .object({
      name: z.string(),
      updates: z.number().int(),
      imaginedSteps: z.number().int(),
      seconds: z.number(),
      loss: Loss,
    })
    .optional(),
  evaluation: z
    .object({
      seconds: z.number(),
      policies: z.array(Score.extend({ name: z.string(), stage: z.string() })),
      random: Score,
      incumbent: Score.extend({ name: z.string() }).nullable(),
      incumbentNote: z.string().optional(),
    })
    .optional(),
  registration: z.object({ registered: z.array(z.string()), decision: z.string(), seconds: z.number() }).optional(),
});
export type RoundState = z.infer<typeof RoundStateSchema>;

export interface LoopOptions {
  /** Rounds to have finished in the run directory (a rerun resumes the unfinished one). */
  iterations: number;
  quick: boolean;
  /** Recordings (the datasets pipeline's data directory): demonstrations go here, human episodes are read from here. */
  dataDir: string;
  /** Round state files, checkpoints and candidate models. */
  runDir: string;
  /** Where models are registered (the manifest whose history the rounds extend). */
  modelsDir: string;
  sizes?: LoopSizes;
  /** Progress bars on stderr. */
  progress: boolean;
  log?: (line: string) => void;
}

const roundDir = (o: LoopOptions, r: number) => join(o.runDir, `round-${r}`);
const statePath = (o: LoopOptions, r: number) => join(roundDir(o, r), 'state.json');
const candidates = (o: LoopOptions, r: number) => join(roundDir(o, r), 'models');

export function readRoundState(runDir: string, r: number): RoundState | null {
  const p = join(runDir, `round-${r}`, 'state.json');
  return existsSync(p) ? RoundStateSchema.parse(JSON.parse(readFileSync(p, 'utf8'))) : null;
}

function saveState(o: LoopOptions, s: RoundState): void {
  mkdirSync(roundDir(o, s.round), { recursive: true });
  writeFileSync(statePath(o, s.round), `${JSON.stringify(RoundStateSchema.parse(s), null, 1)}\n`);
}

function makeBar(o: LoopOptions, label: string, unit: string) {
  if (!o.progress) return null;
  return new cliProgress.SingleBar(
    {
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 15_000,
      format: `${label} [{bar}] {value}/{total} ${unit} | ETA {eta}s`,
    },
    cliProgress.Presets.shades_classic,
  );
}

/** Mean of the first and of the last tenth of a loss curve (at least one point each). */
export function lossEnds(curve: readonly number[]): { first: number; last: number } {
  if (curve.length === 0) return { first: Number.NaN, last: Number.NaN };
  const k = Math.max(1, Math.floor(curve.length / 10));
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { first: mean(curve.slice(0, k)), last: mean(curve.slice(-k)) };
}

const seconds = (t0: number) => Math.round((performance.now() - t0) / 100) / 10;
const scoreOf = (e: Pick<PolicyEvaluation, 'summary' | 'scoreInterval'>) => ({
  score: e.summary.score,
  scoreInterval: e.scoreInterval,
  meanReturn: e.summary.meanReturn,
  meanLength: e.summary.meanLength,
});

/** Runs rounds until `iterations` are finished in the run directory; returns every finished round's history record. */
export async function runLoop(o: LoopOptions): Promise<LoopRound[]> {
  const sizes = o.sizes ?? LOOP_SIZES[o.quick ? 'quick' : 'full'];
  const log = o.log ?? ((line: string) => console.error(line));
  const out: LoopRound[] = [];
  for (let r = 1; r <= o.iterations; r++) {
    const before = readRoundState(o.runDir, r);
    if (before && before.quick !== o.quick)
      throw new Error(`${statePath(o, r)} is a ${before.quick ? '--quick' : 'full'} round; use another --run-dir`);
    const state: RoundState = before ?? { format: 'aikon.loop.round', version: 1, round: r, quick: o.quick };
    if (state.registration) log(`round ${r}: finished earlier (${state.registration.decision})`);
    else await runRound(o, sizes, state, log);
    out.push(historyRecord(o, sizes, state));
  }
  return out;
}

async function runRound(
  o: LoopOptions,
  sizes: LoopSizes,
  state: RoundState,
  log: (line: string) => void,
): Promise<void> {
  const r = state.round;
  const dir = roundDir(o, r);
  const cand = candidates(o, r);
  mkdirSync(cand, { recursive: true });
  const save = () => saveState(o, state);

  // 1. Record: this round's workforce demonstrations (the earlier rounds' stay in the data directory).
  if (!state.record) {
    const t0 = performance.now();
    const bar = makeBar(o, `round ${r} · record (workforce, fair)`, 'episodes');
    bar?.start(sizes.demos, 0);
    const g = generateDemos({
      dataDir: o.dataDir,
      episodes: sizes.demos,
      seed: DEMO_SEED_BASE + r,
      sense: 'fair',
      maxSteps: sizes.demoMaxSteps,
      onProgress: (d) => bar?.update(d),
    });
    bar?.stop();
    state.record = { sessions: g.sessions, worldSeeds: g.worldSeeds, steps: g.steps, seconds: seconds(t0) };
    save();
    log(`round ${r} · record: ${g.sessions.length} workforce sessions, ${g.steps} steps in ${state.record.seconds} s`);
  }
  const sessions = allSessions(o, r);

  // 2. The world simulator, on every recorded episode (warm-started from the previous round's).
  if (!state.worldModel) {
    const t0 = performance.now();
    const episodesDir = join(o.runDir, 'world-model-episodes');
    const chosen = demoEpisodes(o.dataDir, { sessions, human: true });
    const bar = makeBar(o, `round ${r} · recorded episodes → world-model files`, 'episodes');
    bar?.start(chosen.length, 0);
    writeRecordedEpisodes(o.dataDir, chosen, episodesDir, (d, t) => {
      bar?.setTotal(t);
      bar?.update(d);
    });
    bar?.stop();
    const data = heldOutSplit(loadDataset(episodesDir), o.quick, sessions);
    if (data.validation.length === 0)
      throw new Error(`no held-out episode among the ${data.train.length} recorded ones; record more`);
    const simDir = join(dir, 'world-model');
    const previous = r > 1 ? join(roundDir(o, r - 1), 'world-model') : null;
    if (!hasSimCheckpoint(simDir) && previous && hasSimCheckpoint(previous)) {
      mkdirSync(simDir, { recursive: true });
      for (const f of ['sim-checkpoint.json', 'sim-checkpoint.bin']) copyFileSync(join(previous, f), join(simDir, f));
    }
    const warm = hasSimCheckpoint(simDir) && previous ? loadSimCheckpoint(previous).state : null;
    const config = getSimConfig(sizes.sim.config, {
      steps: (warm?.step ?? 0) + sizes.sim.steps,
      maxMinutes: (warm?.trainSeconds ?? 0) / 60 + sizes.sim.maxMinutes,
      seed: r,
    });
    const tbar = makeBar(o, `round ${r} · world simulator`, 'steps');
    tbar?.start(config.steps, warm?.step ?? 0);
    const ck = trainSim({
      config,
      data,
      dataDir: episodesDir,
      runDir: simDir,
      resume: true,
      onProgress: (step) => tbar?.update(step),
    });
    tbar?.stop();
    await exportSim(ck, { modelsDir: cand, name: LOOP_NAMES.sim, command: `npm run loop (round ${r})` });
    const viewAccuracy = simViewAccuracy(ck.model, data.validation, sizes.simRollouts);
    const incumbent = await currentSim(o.modelsDir);
    state.worldModel = {
      name: LOOP_NAMES.sim,
      steps: ck.state.step,
      seconds: seconds(t0),
      loss: lossEnds(ck.state.history.filter((h) => h.step > (warm?.step ?? 0)).map((h) => h.loss)),
      sources: data.sources,
      trainEpisodes: data.train.length,
      heldOutEpisodes: data.validation.length,
      viewAccuracy,
      incumbent: incumbent
        ? { name: incumbent.name, viewAccuracy: simViewAccuracy(incumbent.model, data.validation, sizes.simRollouts) }
        : null,
    };
    save();
    log(
      `round ${r} · world simulator: ${ck.state.step} steps, loss ${state.worldModel.loss.first.toFixed(3)} → ` +
        `${state.worldModel.loss.last.toFixed(3)}; held-out view accuracy ${fmtAcc(viewAccuracy)}` +
        (state.worldModel.incumbent
          ? ` (${state.worldModel.incumbent.name}: ${fmtAcc(state.worldModel.incumbent.viewAccuracy)})`
          : ''),
    );
  }

  // 3. Behaviour cloning on every round's demonstrations and the human episodes.
  let demos: DemoSet | null = null;
  const readDemos = (): DemoSet => {
    if (demos) return demos;
    const bar = makeBar(o, `round ${r} · reading demonstrations back`, 'episodes');
    bar?.start(1, 0);
    demos = loadDemos(o.dataDir, {
      sessions,
      human: true,
      onProgress: (d, t) => {
        bar?.setTotal(t);
        bar?.update(d);
      },
    });
    bar?.stop();
    return demos;
  };
  if (!state.bc) {
    const t0 = performance.now();
    const d = readDemos();
    const c = sizes.bc;
    // Warm start from the previous round's BC weights (same configuration): each round clones on more data.
    const previous = r > 1 ? join(roundDir(o, r - 1), 'bc') : null;
    const init = previous && hasPolicyCheckpoint(previous) ? loadPolicyCheckpoint(previous) : null;
    const ck = await trainBc({
      ...(init && JSON.stringify(init.state.config) === JSON.stringify(POLICY_CONFIGS[c.config])
        ? { init: init.weights }
        : {}),
      config: POLICY_CONFIGS[c.config],
      demos: d,
      data: {
        dir: o.dataDir,
        steps: d.steps,
        episodes: d.episodes,
        demonstrator: 'workforce-fair',
        sessions: d.sessions.length,
        worldSeeds: d.worldSeeds,
      },
      runDir: join(dir, 'bc'),
      steps: c.steps,
      batch: c.batch,
      lr: c.lr,
      seed: r,
      resume: true,
      maxMinutes: c.maxMinutes,
      checkpointEvery: 100,
      validateEvery: 100,
      progress: o.progress,
    });
    await exportPolicy(ck, { modelsDir: cand, name: LOOP_NAMES.bc, command: `npm run loop (round ${r})` });
    const val = ck.state.history.findLast((h) => h.valAccuracy !== undefined)?.valAccuracy;
    state.bc = {
      name: LOOP_NAMES.bc,
      steps: ck.state.step,
      seconds: seconds(t0),
      loss: lossEnds(ck.state.history.map((h) => h.loss)),
      validationAccuracy: val ?? null,
      sessions: d.sessions.length,
      dataSteps: d.steps,
      dataEpisodes: d.episodes,
    };
    save();
    log(
      `round ${r} · bc: ${ck.state.step} steps on ${d.steps.ai} workforce + ${d.steps.human} ` +
        `human steps, loss ${state.bc.loss.first.toFixed(3)} → ${state.bc.loss.last.toFixed(3)}, ` +
        `validation accuracy ${val === undefined ? '—' : `${(100 * val).toFixed(1)} %`}`,
    );
  }

  // 4. Actor-critic in the round's simulator, from the BC policy; the engine is never touched.
  if (!state.imagination) {
    const t0 = performance.now();
    const d = readDemos();
    const bc = loadPolicyCheckpoint(join(dir, 'bc'));
    const manifest = JSON.parse(readFileSync(join(cand, 'manifest.json'), 'utf8'));
    const { model } = await loadSim(manifest, async (f) => new Uint8Array(readFileSync(join(cand, f))), LOOP_NAMES.sim);
    const c = sizes.imagination;
    const rng = new Rng(r ^ 0x1a6);
    const states = { frames: d.frames, actions: d.taken ?? d.actions, episodeStart: d.episodeStart };
    const ck = await trainActorCritic({
      config: bc.state.config,
      weights: bc.weights,
      data: bc.state.data,
      stage: 'rl-imagination',
      makeEnvs: () =>
        new ImaginedEnvs(
          new SimDreams(model, c.envs, { temperature: 1, seed: r }),
          bc.state.config.frames,
          states,
          dreamStarts(states, 8, () => rng.uniform()),
          c.dreamSteps,
          hasMemory(bc.state.config),
          c.dreamBootstrap,
        ),
      runDir: join(dir, 'imagination'),
      updates: c.updates,
      horizon: c.horizon,
      minibatch: c.minibatch,
      epochs: c.epochs,
      lr: c.lr,
      gamma: AC_DEFAULTS.gamma,
      lambda: AC_DEFAULTS.lambda,
      entropy: c.entropy,
      criticWarmup: c.criticWarmup,
      kl: c.kl,
      clip: AC_DEFAULTS.clip,
      valueWeight: AC_DEFAULTS.valueWeight,
      seed: r,
      resume: true,
      maxMinutes: c.maxMinutes,
      progress: o.progress,
    });
    const from = findPolicy(readManifest(cand), LOOP_NAMES.bc);
    await exportPolicy(ck, {
      modelsDir: cand,
      name: LOOP_NAMES.imagination,
      command: `npm run loop (round ${r})`,
      earlierStages: from.training.stages,
    });
    state.imagination = {
      name: LOOP_NAMES.imagination,
      updates: ck.state.step,
      imaginedSteps: ck.state.step * c.horizon * c.envs,
      seconds: seconds(t0),
      loss: lossEnds(ck.state.history.map((h) => h.loss)),
    };
    save();
    log(`round ${r} · imagination: ${ck.state.step} updates, ${state.imagination.imaginedSteps} imagined steps`);
  }

  // 5. Real-engine evaluation on held-out worlds: the candidates and the policy they must beat.
  if (!state.evaluation) {
    const t0 = performance.now();
    const e = sizes.evaluation;
    const evaluate = async (modelsDir: string, name: string): Promise<PolicyEvaluation> => {
      const bar = makeBar(o, `round ${r} · evaluate ${name}`, 'episodes');
      bar?.start(e.episodes, 0);
      try {
        return await evaluatePolicy(modelsDir, name, {
          episodes: e.episodes,
          seed: e.seed,
          temperature: e.temperature,
          parallel: e.episodes,
          onEpisode: (k) => bar?.update(k),
        });
      } finally {
        bar?.stop();
      }
    };
    const policies: NonNullable<RoundState['evaluation']>['policies'] = [];
    let random: NonNullable<RoundState['evaluation']>['random'] | null = null;
    for (const name of [LOOP_NAMES.bc, LOOP_NAMES.imagination]) {
      const ev = await evaluate(cand, name);
      writePolicyMetrics(cand, ev, { command: `npm run loop (round ${r})`, seed: e.seed, temperature: e.temperature });
      policies.push({ name, stage: ev.entry.training.stages.at(-1)!.stage, ...scoreOf(ev) });
      random = {
        score: ev.random.score,
        scoreInterval: ev.randomInterval,
        meanReturn: ev.random.meanReturn,
        meanLength: ev.random.meanLength,
      };
    }
    let incumbent: NonNullable<RoundState['evaluation']>['incumbent'] = null;
    let incumbentNote: string | undefined;
    const best = bestPolicy(o.modelsDir);
    if (best) {
      try {
        incumbent = { name: best.name, ...scoreOf(await evaluate(o.modelsDir, best.name)) };
      } catch (err) {
        // A policy trained on these worlds cannot be evaluated on them: its own figures stand in.
        incumbentNote = `${best.name} not re-evaluated (${(err as Error).message}); its manifest figures stand in`;
        const m = best.metrics!;
        incumbent = {
          name: best.name,
          score: m.score,
          scoreInterval: m.scoreInterval,
          meanReturn: m.meanReturn,
          meanLength: m.meanLength,
        };
      }
    }
    state.evaluation = {
      seconds: seconds(t0),
      policies,
      random: random!,
      incumbent,
      ...(incumbentNote ? { incumbentNote } : {}),
    };
    save();
    log(
      `round ${r} · evaluation (${e.episodes} episodes, seed ${e.seed}): ` +
        `${policies.map((p) => `${p.name} ${fmtScore(p)}`).join(', ')}, random ${fmtScore(state.evaluation.random)}` +
        (incumbent ? `, current ${incumbent.name} ${fmtScore(incumbent)}` : ''),
    );
  }

  // 6. Registration: only what beats the current model; the rest stays a candidate.
  if (!state.registration) {
    const t0 = performance.now();
    const registered: string[] = [];
    const reasons: string[] = [];
    const ev = state.evaluation!;
    const best = ev.policies.reduce((a, b) => (b.score > a.score ? b : a));
    if (!ev.incumbent || best.scoreInterval.low > ev.incumbent.score) {
      registerPolicy(cand, best.name, o.modelsDir);
      registered.push(LOOP_NAMES.registered);
      reasons.push(
        ev.incumbent
          ? `${best.name} (${fmtScore(best)}) beats ${ev.incumbent.name} ` +
              `(${ev.incumbent.score.toFixed(1)} %): registered as ${LOOP_NAMES.registered}`
          : `${best.name} (${fmtScore(best)}) registered as ${LOOP_NAMES.registered} (no policy to beat)`,
      );
    } else {
      reasons.push(
        `${best.name} (${fmtScore(best)}) does not beat ${ev.incumbent.name} ` +
          `(${ev.incumbent.score.toFixed(1)} %): kept as a candidate in ${cand}`,
      );
    }
    const wm = state.worldModel!;
    const h = '16';
    if (!wm.incumbent || wm.viewAccuracy[h] > wm.incumbent.viewAccuracy[h]) {
      registerSim(cand, o.modelsDir);
      registered.push(LOOP_NAMES.sim);
      reasons.push(
        wm.incumbent
          ? `${LOOP_NAMES.sim} (view h16 ${wm.viewAccuracy[h]} %) beats ` +
              `${wm.incumbent.name} (${wm.incumbent.viewAccuracy[h]} %): registered`
          : `${LOOP_NAMES.sim} registered (no simulator to beat)`,
      );
    } else {
      reasons.push(
        `${LOOP_NAMES.sim} (view h16 ${wm.viewAccuracy[h]} %) does not beat ` +
          `${wm.incumbent.name} (${wm.incumbent.viewAccuracy[h]} %): kept as a candidate`,
      );
    }
    state.registration = { registered, decision: reasons.join('; '), seconds: seconds(t0) };
    appendHistory(o.modelsDir, historyRecord(o, sizes, state));
    save();
    log(`round ${r} · ${state.registration.decision}`);
  }
}

/** Every round's demonstration sessions up to round r. */
function allSessions(o: LoopOptions, r: number): string[] {
  const out: string[] = [];
  for (let k = 1; k <= r; k++) {
    const s = readRoundState(o.runDir, k);
    if (!s?.record) throw new Error(`round ${k} of ${o.runDir} has no recorded demonstrations`);
    out.push(...s.record.sessions);
  }
  return out;
}

/**
 * The dataset's own split (a hash of each episode id: stable as rounds add episodes), except for
 * --quick, whose handful of episodes could all land on one side: there every third one in recording
 * order. Recording order, not id order: a session id starts with its wall-clock second, so sorting
 * by id moved episodes across the split whenever the recording crossed a second (a flaky CI test).
 */
function heldOutSplit(data: Dataset, quick: boolean, sessions: readonly string[]): Dataset {
  if (!quick) return data;
  const all = [...data.train, ...data.validation].sort(byRecordingOrder(sessions));
  return { ...data, train: all.filter((_, i) => i % 3 !== 2), validation: all.filter((_, i) => i % 3 === 2) };
}

/** Greedy open-loop view accuracy (percent) by horizon on held-out episodes. */
function simViewAccuracy(model: SimModel, episodes: readonly TokenEpisode[], rollouts: number): Record<string, number> {
  const rep = rolloutReport(model, episodes, { rollouts, seed: 1, batch: 64 });
  return Object.fromEntries(Object.entries(rep.horizons).map(([h, v]) => [h, v.model]));
}

async function currentSim(modelsDir: string): Promise<{ name: string; model: SimModel } | null> {
  const path = join(modelsDir, 'manifest.json');
  if (!existsSync(path)) return null;
  const manifest = JSON.parse(readFileSync(path, 'utf8'));
  if ((parseManifest(manifest).simulators ?? []).length === 0) return null;
  const { entry, model } = await loadSim(manifest, async (f) => new Uint8Array(readFileSync(join(modelsDir, f))));
  return { name: entry.name, model };
}

/** The target's policy with the best evaluated score (what OrtPolicy.load picks without a name). */
function bestPolicy(modelsDir: string): PolicyEntry | null {
  const policies = readManifest(modelsDir).models.filter(
    (m): m is PolicyEntry => 'kind' in m && m.kind === 'policy' && m.metrics !== undefined,
  );
  return policies.reduce<PolicyEntry | null>((a, b) => (!a || b.metrics!.score > a.metrics!.score ? b : a), null);
}

function registerPolicy(candDir: string, name: string, modelsDir: string): void {
  const entry = findPolicy(readManifest(candDir), name);
  const file = `${LOOP_NAMES.registered}.onnx`;
  mkdirSync(modelsDir, { recursive: true });
  copyFileSync(join(candDir, entry.file), join(modelsDir, file));
  upsertEntry(modelsDir, {
    ...entry,
    name: LOOP_NAMES.registered,
    file,
    description: `${entry.description} (the loop's ${name}, ${candDir})`,
  });
}

function registerSim(candDir: string, modelsDir: string): void {
  const entry = findSim(JSON.parse(readFileSync(join(candDir, 'manifest.json'), 'utf8')), LOOP_NAMES.sim);
  copyFileSync(join(candDir, entry.file), join(modelsDir, entry.file));
  upsertSimEntry(modelsDir, entry);
}

function appendHistory(modelsDir: string, rec: LoopRound): void {
  const m = readManifest(modelsDir);
  const history = (m.history ?? []).filter((h) => !(h.runDir === rec.runDir && h.round === rec.round));
  writeManifest(modelsDir, { ...m, history: [...history, rec] });
}

function historyRecord(o: LoopOptions, sizes: LoopSizes, s: RoundState): LoopRound {
  const wm = s.worldModel!;
  const ev = s.evaluation!;
  return {
    round: s.round,
    runDir: o.runDir,
    quick: s.quick,
    finishedAt: new Date().toISOString(),
    evaluation: { seed: sizes.evaluation.seed, episodes: sizes.evaluation.episodes },
    data: { sessions: s.bc!.sessions, steps: s.bc!.dataSteps, episodes: s.bc!.dataEpisodes },
    worldModel: { name: wm.name, steps: wm.steps, viewAccuracy: wm.viewAccuracy, heldOutEpisodes: wm.heldOutEpisodes },
    policies: ev.policies,
    random: ev.random,
    incumbent: ev.incumbent,
    registered: s.registration!.registered,
    decision: s.registration!.decision,
    seconds: {
      record: s.record!.seconds,
      worldModel: wm.seconds,
      bc: s.bc!.seconds,
      imagination: s.imagination!.seconds,
      evaluation: ev.seconds,
      registration: s.registration!.seconds,
    },
  };
}

function fmtScore(s: { score: number; scoreInterval: { low: number; high: number } }): string {
  return `${s.score.toFixed(1)} % (${s.scoreInterval.low.toFixed(1)}–${s.scoreInterval.high.toFixed(1)})`;
}
function fmtAcc(a: Record<string, number>): string {
  return Object.entries(a)
    .map(([h, v]) => `h${h} ${v} %`)
    .join(', ');
}
