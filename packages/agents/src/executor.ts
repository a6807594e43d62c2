/**
 * One executor per AI worker: turns the task the commander gave it into one action per tick by
 * asking its skills in priority order (skills/): defence (fight), a queued plan, the survival
 * reflex (survive), the task's skill family (gather, craft, fight, survive), an optional
 * `fallback` skill (a learned policy: it acts where no scripted skill applies), then rest. Every
 * skill reads one tuning table (tuning.ts). It acts only by returning an action index for its
 * player slot.
 */
import { Action, type Player, type World } from '@aikon/engine';
import type { Pathfinder } from './pathfind.ts';
import type { Sense, Senses } from './senses.ts';
import { Craft } from './skills/craft.ts';
import { Fight } from './skills/fight.ts';
import { Gather } from './skills/gather.ts';
import { Navigator } from './skills/navigate.ts';
import { type Skill, type SkillTick, scripted } from './skills/skill.ts';
import { Needs, Survival } from './skills/survive.ts';
import { type Coordination, NO_COORDINATION, type Need, WorkerState } from './skills/worker.ts';
import { achievementIndex, describeTask, type TaskSpec, taskAmount, taskTimeout } from './tasks.ts';
import type { WorkforceTuning } from './tuning.ts';

export type { Coordination, Need };

export interface AssignedTask {
  id: number;
  spec: TaskSpec;
}

export type TaskStatus = 'idle' | 'running' | 'done' | 'failed';

export interface OutcomeRecord {
  taskId: number;
  kind: TaskSpec['kind'];
  label: string;
  success: boolean;
  steps: number;
  reason?: string;
  t: number;
}

export interface ExecutorOptions {
  sense?: Sense;
  coordination?: Coordination;
  /** Shared A* workspace (workers on one thread may share one). */
  pathfinder?: Pathfinder;
  /** At night: 'hide' in a shelter always, or only when 'cautious' (threatened or hurt). */
  nightPolicy?: 'hide' | 'cautious';
  /** Acts where no scripted skill applies, before the idle rest (a hybrid worker's learned policy). */
  fallback?: Skill;
  /** Thresholds the skills act on (default: TUNING). */
  tuning?: WorkforceTuning;
}

export class Executor {
  readonly slot: number;
  readonly senses: Senses;
  readonly pf: Pathfinder;
  task: AssignedTask | null = null;
  status: TaskStatus = 'idle';
  failReason = '';
  readonly outcomes: OutcomeRecord[] = [];
  /** The skills in the order they are asked each tick; the first that applies acts. */
  readonly skills: readonly Skill[];
  /** The skill that chose the last action (null: none, e.g. the worker was asleep or dead). */
  actedBy: Skill | null = null;
  /** Timing of decisions (ms) when `profile` is on. */
  profile = false;
  readonly decisionMs: number[] = [];

  private readonly state: WorkerState;
  private readonly nav: Navigator;
  private readonly survival: Survival;
  private readonly craft: Craft;
  private taskStart = 0;
  private baseline = 0;
  private lastAction = Action.noop;

  constructor(slot: number, options: ExecutorOptions = {}) {
    this.slot = slot;
    const s = new WorkerState(
      slot,
      options.sense ?? 'privileged',
      options.coordination ?? NO_COORDINATION,
      options.nightPolicy ?? 'hide',
      options.tuning,
    );
    this.state = s;
    this.senses = s.senses;
    this.nav = new Navigator(s, options.pathfinder);
    this.pf = this.nav.pf;
    const nav = this.nav;
    this.survival = new Survival(s, nav);
    const gather = new Gather(s, nav, this.survival);
    const fight = new Fight(s, nav, this.survival);
    this.craft = new Craft(s, nav);
    const plan = scripted('plan', () => (s.script.length > 0 ? s.script.shift()! : null));
    this.skills = [
      fight.defend,
      plan,
      new Needs(s, nav, this.survival, gather, fight),
      gather.task,
      this.craft.task,
      fight.task,
      this.survival.task,
      ...(options.fallback ? [options.fallback] : []),
      this.survival.rest,
    ];
  }

  /** The commander's reservations. */
  get coordination(): Coordination {
    return this.state.coordination;
  }
  set coordination(c: Coordination) {
    this.state.coordination = c;
  }

  /** What the executor is doing right now, for logs and UIs. */
  get activity(): string {
    return this.state.activity;
  }

  /** The survival need being met (null: none). */
  get need(): Need {
    return this.state.need;
  }

  get nightPolicy(): 'hide' | 'cautious' {
    return this.state.nightPolicy;
  }
  set nightPolicy(policy: 'hide' | 'cautious') {
    this.state.nightPolicy = policy;
  }

  // ---- task lifecycle -------------------------------------------------------------------

  assign(task: AssignedTask, world: World): void {
    const p = world.findPlayer(this.slot);
    this.task = task;
    this.status = 'running';
    this.failReason = '';
    this.taskStart = world.t;
    const ach = achievementIndex(task.spec);
    this.baseline = ach >= 0 && p ? p.achievements[ach] : 0;
    this.craft.reset();
    this.nav.reset();
  }

  /** Drops the current task (commander reassigning, kill switch). */
  cancel(): void {
    this.task = null;
    this.status = 'idle';
    this.state.script.length = 0;
  }

  /** Checks the current task against the worker's own counters: done, failed or running. */
  selfEvaluate(world: World): TaskStatus {
    const task = this.task;
    if (!task || this.status !== 'running') return this.status;
    const p = world.findPlayer(this.slot);
    if (!p || p.dead) return this.finish(world.t, false, 'worker dead');
    const spec = task.spec;
    if (spec.kind === 'survive') {
      if (world.t - this.taskStart >= spec.steps) return this.finish(world.t, true);
      return 'running';
    }
    const ach = achievementIndex(spec);
    const progress = p.achievements[ach] - this.baseline;
    if (progress >= taskAmount(spec)) {
      if (spec.kind === 'place' && spec.what === 'plant' && !this.craft.plantProtected()) return 'running';
      return this.finish(world.t, true);
    }
    if (world.t - this.taskStart > taskTimeout(spec)) return this.finish(world.t, false, 'timeout');
    return 'running';
  }

  private finish(t: number, success: boolean, reason?: string): TaskStatus {
    const task = this.task!;
    this.status = success ? 'done' : 'failed';
    this.failReason = reason ?? '';
    this.outcomes.push({
      taskId: task.id,
      kind: task.spec.kind,
      label: describeTask(task.spec),
      success,
      steps: t - this.taskStart,
      reason,
      t,
    });
    this.state.script.length = 0;
    return this.status;
  }

  /** Success rate and mean steps of past outcomes of one kind of task (for the planner). */
  record(kind: TaskSpec['kind'], label?: string): { tries: number; successRate: number; meanSteps: number } {
    const rows = this.outcomes.filter((o) => o.kind === kind && (label === undefined || o.label === label));
    if (rows.length === 0) return { tries: 0, successRate: 1, meanSteps: 0 };
    const ok = rows.filter((o) => o.success);
    return {
      tries: rows.length,
      successRate: ok.length / rows.length,
      meanSteps: ok.length > 0 ? ok.reduce((s, o) => s + o.steps, 0) / ok.length : Infinity,
    };
  }

  // ---- the decision ---------------------------------------------------------------------

  /** Refreshes senses and the path-finding terrain without deciding (tests, tools). */
  observe(world: World): void {
    const p = world.findPlayer(this.slot);
    if (!p) return;
    this.state.t = world.t;
    this.senses.update(world, p);
    this.nav.prepareTerrain(p);
  }

  /** The action for this tick (the caller steps the world). */
  decide(world: World): number {
    if (!this.profile) return this.decideInner(world);
    const t0 = performance.now();
    const a = this.decideInner(world);
    this.decisionMs.push(performance.now() - t0);
    return a;
  }

  private decideInner(world: World): number {
    const p = world.findPlayer(this.slot);
    const s = this.state;
    s.t = world.t;
    this.actedBy = null;
    if (!p || p.dead || p.removed) return Action.noop;
    this.senses.update(world, p);
    const tick: SkillTick = {
      world,
      p,
      task: this.task && this.status === 'running' ? this.task.spec : null,
      prevAction: this.lastAction,
    };
    let action: number = Action.noop;
    if (p.sleeping) s.activity = 'sleeping';
    else {
      this.nav.prepareTerrain(p);
      for (const skill of this.skills) {
        const a = skill.act(tick);
        if (s.failure !== null) {
          this.fail(s.failure);
          s.failure = null;
        }
        if (a === null) continue;
        this.actedBy = skill;
        // The rest is the last resort: it needs no guard against getting stuck.
        action = skill === this.survival.rest ? a : this.nav.guard(p, a);
        break;
      }
    }
    for (const skill of this.skills) if (skill !== this.actedBy) skill.passed?.(tick);
    return this.acted(action);
  }

  private acted(action: number): number {
    this.lastAction = action;
    return action;
  }

  private fail(reason: string): void {
    if (this.status !== 'running') return;
    const task = this.task!;
    this.status = 'failed';
    this.failReason = reason;
    this.outcomes.push({
      taskId: task.id,
      kind: task.spec.kind,
      label: describeTask(task.spec),
      success: false,
      steps: this.state.t - this.taskStart,
      reason,
      t: this.state.t,
    });
  }

  // ---- shelters (tests and tools) -------------------------------------------------------

  /** Whether creatures cannot reach a tile next to (x, y) (see Survival.enclosed). */
  enclosed(x: number, y: number, extraBlocked: number): boolean {
    return this.survival.enclosed(x, y, extraBlocked);
  }

  /** The shortest wall-building plan around the worker (see Survival.planWalls). */
  planWalls(p: Player): number[] | null {
    return this.survival.planWalls(p);
  }
}
