/**
 * Environments in imagination: the world simulator (@aikon/world-model SimDreams, batched)
 * stands in for the engine. Every dream starts from a real recorded state (its last frames), is
 * stepped with the policy's actions, pays the simulator's predicted reward and ends where it
 * predicts death or after `horizon` steps; then it starts again from another real state. The
 * policy never touches the engine here. Browser-safe.
 *
 * The policy's side of a dream is what it would have had acting in that episode: its frame
 * history and previous action are the recording's, and — for a policy with memory — its map is
 * built by replaying the recorded episode from its first step to the dream's start through the
 * same MemoryMap (the recording's frames and actions taken), then goes on from the dreamed views,
 * dead-reckoned from the policy's own moves exactly as in the engine (FrameHistory.push).
 */
import { FRAME_TOKENS, type SimDreams, type SimStart } from '@aikon/world-model';
import type { PolicyRunner } from './act.ts';
import type { CutEpisodes, RolloutEnvs } from './envs.ts';
import { MEMORY_SLOTS } from './memory.ts';
import { policyEpisodes } from './rollout.ts';
import { FrameHistory } from './features.ts';

/** Recorded real episodes to dream from, stored end to end. */
export interface RecordedStates {
  /** [N, 81] every step's token frame. */
  readonly frames: Int32Array;
  /** [N] the action taken after each frame (the one that led to the next). */
  readonly actions: ArrayLike<number>;
  /** [N] index of the first step of the step's episode. */
  readonly episodeStart: Int32Array;
}

/** Where a dream starts: what the simulator is given, and how the policy's history is rebuilt. */
export interface DreamStart {
  /** The last `context` real frames (oldest first) for the simulator. */
  readonly sim: SimStart;
  /** The recorded step the dream starts at. */
  readonly step: number;
}

/**
 * Rebuilds `h` as a policy acting in the recorded episode would hold it after seeing step `t`:
 * the last K frames, the action taken before t and — with memory — the map of every frame of
 * the episode up to t (without memory only the last K frames are replayed).
 */
export function replayPrefix(h: FrameHistory, s: RecordedStates, t: number): void {
  h.reset();
  const first = s.episodeStart[t];
  const from = h.map ? first : Math.max(first, t - h.k + 1);
  for (let k = from; k <= t; k++)
    h.push(s.frames.subarray(k * FRAME_TOKENS, (k + 1) * FRAME_TOKENS), k > first ? s.actions[k - 1] : undefined);
}

export class ImaginedEnvs implements RolloutEnvs {
  readonly histories: FrameHistory[];
  readonly worlds = null;
  readonly count: number;
  private readonly steps: Int32Array;
  private readonly returns: Float64Array;
  private readonly cut: CutEpisodes | null;
  private finished = { returns: [] as number[], lengths: [] as number[], achievements: [] as number[][] };

  /**
   * @param start draws a recorded step of `states` to dream from
   * @param horizon imagined steps before a dream is cut and started again
   * @param memory whether the policy reads a memory map (rebuilt from the recorded prefix)
   * @param bootstrapCut report a dream cut at the horizon as cut (`cut`: the trainer bootstraps
   *   from its last state's value) rather than as an end like a predicted death
   */
  constructor(
    private readonly dreams: SimDreams,
    frames: number,
    private readonly states: RecordedStates,
    private readonly start: () => DreamStart,
    private readonly horizon: number,
    memory = false,
    bootstrapCut = false,
  ) {
    this.count = dreams.size;
    this.histories = Array.from({ length: this.count }, () => new FrameHistory(frames, memory));
    this.steps = new Int32Array(this.count);
    this.returns = new Float64Array(this.count);
    const n = this.count;
    this.cut = bootstrapCut
      ? {
          envs: new Uint8Array(n),
          inputs: {
            batch: n,
            tokens: new Int32Array(n * frames * FRAME_TOKENS),
            prevAction: new Int32Array(n),
            memory: memory ? new Int32Array(n * MEMORY_SLOTS) : undefined,
          },
        }
      : null;
    for (let i = 0; i < this.count; i++) this.restart(i);
  }

  private restart(i: number): void {
    const s = this.start();
    this.dreams.resetOne(i, s.sim);
    replayPrefix(this.histories[i], this.states, s.step);
    this.steps[i] = 0;
    this.returns[i] = 0;
  }
  step(actions: ArrayLike<number>): { rewards: Float32Array; dones: Uint8Array; cut?: CutEpisodes } {
    const r = this.dreams.step(actions);
    const rewards = Float32Array.from(r.reward);
    const dones = new Uint8Array(this.count);
    const cut = this.cut;
    cut?.envs.fill(0);
    for (let i = 0; i < this.count; i++) {
      this.steps[i]++;
      this.returns[i] += rewards[i];
      const h = this.histories[i];
      if (r.done[i] || this.steps[i] >= this.horizon) {
        dones[i] = 1;
        if (cut && !r.done[i]) {
          // Cut alive: the state it was cut at, as the policy would see it, for the bootstrap.
          h.push(r.tokens.slice(i * FRAME_TOKENS, (i + 1) * FRAME_TOKENS), actions[i]);
          h.write(cut.inputs.tokens, cut.inputs.prevAction, i, cut.inputs.memory);
          cut.envs[i] = 1;
        }
        this.finished.returns.push(this.returns[i]);
        this.finished.lengths.push(this.steps[i]);
        this.restart(i);
      } else {
        h.push(r.tokens.slice(i * FRAME_TOKENS, (i + 1) * FRAME_TOKENS), actions[i]);
      }
    }
    return { rewards, dones, ...(cut ? { cut } : {}) };
  }

  drain(): { returns: number[]; lengths: number[]; achievements: number[][] } {
    const out = this.finished;
    this.finished = { returns: [], lengths: [], achievements: [] };
    return out;
  }
}

/**
 * The policy's own real states to dream from: `episodes` real-engine episodes it plays alone on
 * episodeSeed(seed, k) (those worlds go into its provenance), every frame and the action it took
 * there kept per episode, end to end.
 */
export async function policyStates(
  runner: PolicyRunner,
  seed: number,
  episodes: number,
): Promise<RecordedStates & { steps: number }> {
  const perEpisode: { frames: Int32Array[]; actionsBefore: number[] }[] = Array.from({ length: episodes }, () => ({
    frames: [],
    actionsBefore: [],
  }));
  await policyEpisodes(runner, {
    seed,
    episodes,
    onFrame: (k, f, before) => {
      perEpisode[k].frames.push(f);
      perEpisode[k].actionsBefore.push(before ?? 0);
    },
  });
  const steps = perEpisode.reduce((n, e) => n + e.frames.length, 0);
  const frames = new Int32Array(steps * FRAME_TOKENS);
  const actions = new Uint8Array(steps);
  const episodeStart = new Int32Array(steps);
  let n = 0;
  for (const ep of perEpisode) {
    const first = n;
    ep.frames.forEach((f, t) => {
      frames.set(f, n * FRAME_TOKENS);
      // The action after the episode's last kept frame (the one that ended it) is never replayed.
      actions[n] = ep.actionsBefore[t + 1] ?? 0;
      episodeStart[n++] = first;
    });
  }
  return { frames, actions, episodeStart, steps };
}

/** Dream starts: a uniformly drawn recorded step, with up to `context` frames ending there for the simulator. */
export function dreamStarts(states: RecordedStates, context: number, uniform: () => number): () => DreamStart {
  const n = states.episodeStart.length;
  return () => {
    const t = Math.floor(uniform() * n);
    const first = Math.max(states.episodeStart[t], t - context + 1);
    const frames: Int32Array[] = [];
    for (let k = first; k <= t; k++) frames.push(states.frames.subarray(k * FRAME_TOKENS, (k + 1) * FRAME_TOKENS));
    return { sim: { frames }, step: t };
  };
}
