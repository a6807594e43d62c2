/** The state a worker's skills share: its senses, the tick, its queued plan, what it is doing and why. */
import type { Sense } from '../senses.ts';
import { Senses } from '../senses.ts';
import { TUNING, type WorkforceTuning } from '../tuning.ts';

/** Coordination with other workers (the commander's reservations). */
export interface Coordination {
  /** Claims a target tile for `slot`; false when another worker holds it. */
  reserve(tile: number, slot: number): boolean;
  reservedByOther(tile: number, slot: number): boolean;
}

export const NO_COORDINATION: Coordination = { reserve: () => true, reservedByOther: () => false };

/** A survival need being met (with hysteresis: TUNING.vitals). */
export type Need = 'drink' | 'food' | 'sleep' | 'heal' | null;

export class WorkerState {
  readonly senses: Senses;
  /** The world's tick at the last decision. */
  t = 0;
  /** Actions a skill queued (a shelter's walls, a dug pocket), run before anything but defence. */
  script: number[] = [];
  /** What the worker is doing right now, for logs and UIs. */
  activity = 'idle';
  need: Need = null;
  /** Why the running task cannot go on, once a task skill said so (the executor records it). */
  failure: string | null = null;

  constructor(
    readonly slot: number,
    sense: Sense,
    public coordination: Coordination,
    /** At night: 'hide' in a shelter always, or only when 'cautious' (threatened or hurt). */
    public nightPolicy: 'hide' | 'cautious',
    readonly tuning: WorkforceTuning = TUNING,
  ) {
    this.senses = new Senses(sense);
  }

  /** A task skill gives up its task: the executor fails it with `reason` after this tick's decision. */
  fail(reason: string): null {
    this.failure ??= reason;
    return null;
  }
}
