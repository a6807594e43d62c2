/**
 * Environments in imagination: the world simulator (@aikon/world-model SimDreams, batched)
 * stands in for the engine. Every dream starts from a real recorded state (its last frames), is
 * stepped with the policy's actions, pays the simulator's predicted reward and ends where it
 * predicts death or after `horizon` steps; then it starts again from another real state. The
 * policy never touches the engine here. Browser-safe.
 */
import { FRAME_TOKENS, type SimDreams, type SimStart } from '@aikon/world-model';
import type { PolicyRunner } from './act.ts';
import type { RolloutEnvs } from './envs.ts';
import { policyEpisodes } from './rollout.ts';
import { FrameHistory } from './features.ts';

export class ImaginedEnvs implements RolloutEnvs {
  readonly histories: FrameHistory[];
  readonly worlds = null;
  readonly count: number;
  private readonly steps: Int32Array;
  private readonly returns: Float64Array;
  private finished = { returns: [] as number[], lengths: [] as number[], achievements: [] as number[][] };

  /**
   * @param start draws a real state to dream from (frames oldest first, at least one)
   * @param horizon imagined steps before a dream is cut and started again
   */
  constructor(
    private readonly dreams: SimDreams,
    frames: number,
    private readonly start: () => SimStart,
    private readonly horizon: number,
  ) {
    this.count = dreams.size;
    this.histories = Array.from({ length: this.count }, () => new FrameHistory(frames));
    this.steps = new Int32Array(this.count);
    this.returns = new Float64Array(this.count);
    for (let i = 0; i < this.count; i++) this.restart(i);
  }

  private restart(i: number): void {
    const s = this.start();
    this.dreams.resetOne(i, s);
    const h = this.histories[i];
    h.reset();
    // The policy's history is the real one up to the start.
    for (const f of s.frames.slice(-h.k)) h.push(Int32Array.from(f));
    this.steps[i] = 0;
    this.returns[i] = 0;
  }

  step(actions: ArrayLike<number>): { rewards: Float32Array; dones: Uint8Array } {
    const r = this.dreams.step(actions);
    const rewards = Float32Array.from(r.reward);
    const dones = new Uint8Array(this.count);
    for (let i = 0; i < this.count; i++) {
      this.steps[i]++;
      this.returns[i] += rewards[i];
      if (r.done[i] || this.steps[i] >= this.horizon) {
        dones[i] = 1;
        this.finished.returns.push(this.returns[i]);
        this.finished.lengths.push(this.steps[i]);
        this.restart(i);
      } else {
        this.histories[i].push(r.tokens.slice(i * FRAME_TOKENS, (i + 1) * FRAME_TOKENS), actions[i]);
      }
    }
    return { rewards, dones };
  }

  drain(): { returns: number[]; lengths: number[]; achievements: number[][] } {
    const out = this.finished;
    this.finished = { returns: [], lengths: [], achievements: [] };
    return out;
  }
}

/**
 * The policy's own real states to dream from: `episodes` real-engine episodes it plays alone on
 * episodeSeed(seed, k) (those worlds go into its provenance), every frame kept per episode, in
 * demoStarts' layout.
 */
export async function policyStates(
  runner: PolicyRunner,
  seed: number,
  episodes: number,
): Promise<{ frames: Int32Array; episodeStart: Int32Array; steps: number }> {
  const perEpisode: Int32Array[][] = Array.from({ length: episodes }, () => []);
  await policyEpisodes(runner, { seed, episodes, onFrame: (k, f) => perEpisode[k].push(f) });
  const steps = perEpisode.reduce((n, e) => n + e.length, 0);
  const frames = new Int32Array(steps * FRAME_TOKENS);
  const episodeStart = new Int32Array(steps);
  let n = 0;
  for (const ep of perEpisode) {
    const first = n;
    for (const f of ep) {
      frames.set(f, n * FRAME_TOKENS);
      episodeStart[n++] = first;
    }
  }
  return { frames, episodeStart, steps };
}

/** Real states to dream from: up to `context` frames ending at a random step of a recorded episode. */
export function demoStarts(
  demos: { frames: Int32Array; episodeStart: Int32Array },
  context: number,
  uniform: () => number,
): () => SimStart {
  const n = demos.episodeStart.length;
  return () => {
    const t = Math.floor(uniform() * n);
    const first = Math.max(demos.episodeStart[t], t - context + 1);
    const frames: Int32Array[] = [];
    for (let k = first; k <= t; k++) frames.push(demos.frames.subarray(k * FRAME_TOKENS, (k + 1) * FRAME_TOKENS));
    return { frames };
  };
}
