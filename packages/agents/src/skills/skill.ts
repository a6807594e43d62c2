/**
 * A skill: one way of choosing a worker's action. The executor asks its skills in priority order
 * each tick and the first that applies acts; scripted skills (A* over the worker's senses) and a
 * learned policy are asked the same way.
 */
import type { Player, World } from '@aikon/engine';
import type { ActingBrain } from '@aikon/protocol';
import type { TaskSpec } from '../tasks.ts';

/** What a skill sees on one tick. */
export interface SkillTick {
  readonly world: World;
  /** The worker's own body. */
  readonly p: Player;
  /** The task being run (null: none, or it already ended). */
  readonly task: TaskSpec | null;
  /** The action the body took last tick, whichever skill chose it. */
  readonly prevAction: number;
}

export interface Skill {
  /** What it does, for logs (`defend`, `gather`, `learned policy`…). */
  readonly name: string;
  /** Who chose an action when this skill acts (the audit's and the recording's brain). */
  readonly brain: ActingBrain;
  /** This tick's action, or null when the skill does not apply now. */
  act(tick: SkillTick): number | null;
  /** Called on the ticks another skill acted, for a skill that keeps a memory of its own. */
  passed?(tick: SkillTick): void;
}

/** A scripted skill from a function. */
export function scripted(name: string, act: (tick: SkillTick) => number | null): Skill {
  return { name, brain: 'scripted', act };
}
