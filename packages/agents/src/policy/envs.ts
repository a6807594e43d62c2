/**
 * Batches of environments for actor-critic rollouts, auto-resetting: the real engine here; the
 * world model's imagination implements the same interface. Browser-safe.
 */
import { episodeSeed, World } from '@aikon/engine';
import { FrameHistory, type PolicyInputs } from './features.ts';

/** Episodes a step cut by a time limit (their `dones` are 1, but the player lived on). */
export interface CutEpisodes {
  /** [count] 1 where the environment's episode was cut at this step. */
  readonly envs: Uint8Array;
  /** The policy's inputs at the state each was cut at (batch `count`; rows not cut are stale). */
  readonly inputs: PolicyInputs;
}

export interface RolloutEnvs {
  readonly count: number;
  /** Each environment's frame history (the policy's input). */
  readonly histories: readonly FrameHistory[];
  /**
   * Takes one action per environment; an environment whose episode ended starts a new one. `cut`,
   * when given, names the episodes that were cut rather than ended, for the trainer to bootstrap.
   */
  step(actions: ArrayLike<number>): { rewards: Float32Array; dones: Uint8Array; cut?: CutEpisodes };
  /** The real worlds used so far, episodeSeed(base, 0 … count − 1) (null: none, e.g. imagination). */
  readonly worlds: { base: number; count: number } | null;
  /** Episodes finished so far: their returns and lengths (cleared by `drain`). */
  drain(): { returns: number[]; lengths: number[]; achievements: number[][] };
}

/** `count` single-player Crafter worlds on seeds episodeSeed(seedBase, 0), (…, 1), …: one per episode started. */
export class RealEnvs implements RolloutEnvs {
  readonly histories: FrameHistory[];
  private readonly live: World[];
  private finished = { returns: [] as number[], lengths: [] as number[], achievements: [] as number[][] };

  constructor(
    readonly count: number,
    frames: number,
    readonly seedBase: number,
    public nextEpisode = 0,
    memory = false,
  ) {
    this.histories = Array.from({ length: count }, () => new FrameHistory(frames, memory));
    this.live = Array.from({ length: count }, (_, i) => this.start(i));
  }

  get worlds(): { base: number; count: number } {
    return { base: this.seedBase, count: this.nextEpisode };
  }

  private start(i: number): World {
    const world = World.generate({ seed: episodeSeed(this.seedBase, this.nextEpisode++) });
    world.addPlayer();
    this.histories[i].reset();
    this.histories[i].observe(world, 0);
    return world;
  }

  step(actions: ArrayLike<number>): { rewards: Float32Array; dones: Uint8Array } {
    const rewards = new Float32Array(this.count);
    const dones = new Uint8Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const w = this.live[i];
      w.step([actions[i]]);
      const p = w.player(0);
      rewards[i] = p.reward;
      if (p.done) {
        dones[i] = 1;
        this.finished.returns.push(p.episodeReturn);
        this.finished.lengths.push(p.episodeSteps);
        this.finished.achievements.push(Array.from(p.achievements));
        this.live[i] = this.start(i);
      } else {
        this.histories[i].observe(w, 0, actions[i]);
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
