/**
 * A learned policy as one more skill (src/skills/skill.ts): a hybrid worker's executor asks it
 * where no scripted skill applies, and a learned worker asks it alone. It runs off the tick
 * (LearnedBrain): once asked it always acts — its newest finished decision, or noop while none
 * is ready or the policy is still loading — and on the ticks another skill acts it keeps its
 * frames coherent. Browser-safe.
 */
import { Action } from '@aikon/engine';
import type { Skill, SkillTick } from '../skills/skill.ts';
import type { PolicyRunner } from './act.ts';
import { LearnedBrain } from './brain.ts';

export class LearnedSkill implements Skill {
  readonly name = 'learned policy';
  readonly brain = 'learned';
  private policy: LearnedBrain | null = null;

  /**
   * @param runner the policy runtime, or null while it is loading (the skill sends noop).
   * @param seed seeds the sampling of actions.
   */
  constructor(
    private readonly runner: () => PolicyRunner | null,
    private readonly seed: number,
    private readonly temperature = 1,
  ) {}

  /** The brain once the runtime is there (inferences, missed ticks and errors are its counters). */
  get learned(): LearnedBrain | null {
    if (!this.policy) {
      const runner = this.runner();
      if (runner) this.policy = new LearnedBrain(runner, this.seed, this.temperature);
    }
    return this.policy;
  }

  act({ world, p, prevAction }: SkillTick): number {
    return this.learned?.act(world, p.slot, prevAction) ?? Action.noop;
  }

  passed({ world, p, prevAction }: SkillTick): void {
    this.learned?.observe(world, p.slot, prevAction);
  }

  /** A new body (respawn): the frames of the old one are forgotten. */
  reset(): void {
    this.policy?.reset();
  }
}
