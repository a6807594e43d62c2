/**
 * DAgger (Ross et al. 2011) data: the learner plays real-engine episodes while the scripted
 * workforce (fair sense) *shadows* it — a Commander with one worker bound to the learner's own
 * body, so its senses and memory map are fed from the learner's trajectory — and every visited
 * state is labelled with the action the workforce would take there. With probability `beta` the
 * workforce's action is the one executed (the usual mixture for early rounds); otherwise the
 * learner's sampled action is. The labels correct the states a cloned policy drifts into, which
 * demonstrations alone never show it. A learner with a memory map acts on the map of its own
 * trajectory; the labelled episodes are stored whole, with the actions taken, so that training
 * rebuilds the same map (demoMemory).
 */
import { episodeSeed, mixSeed, Rng, World } from '@aikon/engine';
import { FRAME_TOKENS, tokenize } from '@aikon/world-model';
import { Commander } from '../../commander.ts';
import { type PolicyRunner, sampleAction } from '../act.ts';
import { FrameHistory } from '../features.ts';
import { MEMORY_SLOTS } from '../memory.ts';
import type { DemoSet } from './demos.ts';

export interface DaggerOptions {
  /** Worlds episodeSeed(seedBase, 0 … episodes started − 1); recorded so that evaluation refuses them. */
  readonly seedBase: number;
  /** Labelled steps to collect (running episodes are cut when the budget is spent). */
  readonly steps: number;
  /** Episodes played in lockstep (one batched inference per tick). */
  readonly parallel: number;
  /** Probability that the workforce's action is executed instead of the learner's. */
  readonly beta: number;
  readonly temperature: number;
  readonly seed: number;
  readonly onProgress?: (steps: number, total: number) => void;
}

export interface DaggerData {
  /** Labelled states in DemoSet layout: `actions` are the workforce's labels, `taken` what was executed. */
  readonly set: DemoSet;
  /** Episodes started (worlds used: episodeSeed(seedBase, 0 … worlds − 1)). */
  readonly worlds: number;
  /** Episodes that ended (death or 10,000 steps) within the budget: their lengths and returns. */
  readonly finished: { lengths: number[]; returns: number[] };
  /** Share of steps where the learner's sampled action equalled the label. */
  readonly agreement: number;
}

interface Shadowed {
  world: World;
  commander: Commander;
  history: FrameHistory;
  /** This episode's steps so far (episodes run interleaved; each is written out whole, contiguous). */
  frames: Int32Array[];
  labels: number[];
  taken: number[];
  rewards: number[];
}

export async function collectDagger(runner: PolicyRunner, o: DaggerOptions): Promise<DaggerData> {
  const K = runner.frames;
  const frames = new Int32Array(o.steps * FRAME_TOKENS);
  const actions = new Uint8Array(o.steps);
  const taken = new Uint8Array(o.steps);
  const rewards = new Float32Array(o.steps);
  const episodeStart = new Int32Array(o.steps);
  const starts: number[] = [];
  const rng = new Rng(mixSeed(o.seed, 0xda66));
  let worlds = 0;
  let written = 0;
  let collected = 0;
  let agree = 0;
  const finished = { lengths: [] as number[], returns: [] as number[] };
  const start = (): Shadowed => {
    const world = World.generate({ seed: episodeSeed(o.seedBase, worlds++) });
    world.addPlayer();
    const commander = new Commander(world, { sense: 'fair' });
    commander.addWorker(0);
    const set = commander.setGoal({ kind: 'all' }, 'dagger');
    if (!set.ok) throw new Error(`goal refused: ${set.reason}`);
    const history = new FrameHistory(K, runner.memory);
    history.observe(world, 0);
    return { world, commander, history, frames: [], labels: [], taken: [], rewards: [] };
  };
  const flush = (r: Shadowed): void => {
    if (r.labels.length === 0) return;
    starts.push(written);
    const first = written;
    r.labels.forEach((label, t) => {
      frames.set(r.frames[t], written * FRAME_TOKENS);
      actions[written] = label;
      taken[written] = r.taken[t];
      rewards[written] = r.rewards[t];
      episodeStart[written++] = first;
    });
  };
  const running: Shadowed[] = Array.from({ length: o.parallel }, start);
  const tokens = new Int32Array(o.parallel * K * FRAME_TOKENS);
  const prev = new Int32Array(o.parallel);
  const memory = runner.memory ? new Int32Array(o.parallel * MEMORY_SLOTS) : undefined;
  while (collected < o.steps) {
    const B = running.length;
    for (const [b, r] of running.entries()) r.history.write(tokens, prev, b, memory);
    const out = await runner.run({
      batch: B,
      tokens: tokens.subarray(0, B * K * FRAME_TOKENS),
      prevAction: prev.subarray(0, B),
      memory: memory?.subarray(0, B * MEMORY_SLOTS),
    });
    for (let b = 0; b < B && collected < o.steps; b++) {
      const r = running[b];
      const label = r.commander.tick().get(0) ?? 0;
      const own = sampleAction(out.logits, b, rng, o.temperature);
      if (own === label) agree++;
      const act = rng.uniform() < o.beta ? label : own;
      r.frames.push(tokenize(r.world, 0));
      r.labels.push(label);
      r.taken.push(act);
      r.world.step([act]);
      const p = r.world.player(0);
      r.rewards.push(p.reward);
      collected++;
      r.history.observe(r.world, 0, act);
      if (p.done) {
        finished.lengths.push(p.episodeSteps);
        finished.returns.push(p.episodeReturn);
        flush(r);
        running[b] = start();
      }
    }
    o.onProgress?.(collected, o.steps);
  }
  for (const r of running) flush(r);
  return {
    set: {
      frames,
      actions,
      taken,
      rewards,
      episodeStart,
      starts,
      steps: { ai: written, human: 0 },
      episodes: { ai: starts.length, human: 0 },
      worldSeeds: [],
      sessions: [],
    },
    worlds,
    finished,
    agreement: agree / Math.max(1, collected),
  };
}

/**
 * Demonstration sets joined end to end (episode indices shifted; `taken` filled with the labels where a set has none).
 */
export function concatDemos(sets: readonly DemoSet[]): DemoSet {
  const N = sets.reduce((k, s) => k + s.actions.length, 0);
  const frames = new Int32Array(N * FRAME_TOKENS);
  const actions = new Uint8Array(N);
  const taken = new Uint8Array(N);
  const rewards = new Float32Array(N);
  const episodeStart = new Int32Array(N);
  const starts: number[] = [];
  let o = 0;
  for (const s of sets) {
    frames.set(s.frames, o * FRAME_TOKENS);
    actions.set(s.actions, o);
    taken.set(s.taken ?? s.actions, o);
    rewards.set(s.rewards, o);
    for (let i = 0; i < s.actions.length; i++) episodeStart[o + i] = s.episodeStart[i] + o;
    for (const st of s.starts) starts.push(st + o);
    o += s.actions.length;
  }
  return {
    frames,
    actions,
    taken,
    rewards,
    episodeStart,
    starts,
    steps: { ai: sets.reduce((k, s) => k + s.steps.ai, 0), human: sets.reduce((k, s) => k + s.steps.human, 0) },
    episodes: {
      ai: sets.reduce((k, s) => k + s.episodes.ai, 0),
      human: sets.reduce((k, s) => k + s.episodes.human, 0),
    },
    worldSeeds: sets.flatMap((s) => s.worldSeeds),
    sessions: sets.flatMap((s) => s.sessions),
  };
}
