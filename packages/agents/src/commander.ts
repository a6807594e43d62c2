/**
 * The commander: holds the plan's tasks in a priority queue, assigns each ready task to an
 * idle capable worker (the lane's worker, else the nearest with the fewest open tasks),
 * validates every reported result against the world state, retries, reassigns or escalates
 * failures to the planner, and reserves targets so workers do not fight over one tree.
 */
import {
  Achievement,
  ACHIEVEMENTS,
  type AchievementName,
  Item,
  Material,
  type MaterialName,
  ObjectKind,
  PLANT_RIPE_AFTER,
  type World,
  WORLD_SIZE,
} from '@aikon/engine';
import { type Coordination, Executor } from './executor.ts';
import { describeGoal, type Goal, type GoalParse, parseGoal } from './goals.ts';
import { type Plan, type PlanResult, type PlanState, Planner, type PlanTask } from './planner.ts';
import type { Sense } from './senses.ts';
import { achievementIndex, type TaskSpec, taskAmount } from './tasks.ts';

const N = WORLD_SIZE;

export type QueuedStatus = 'pending' | 'assigned' | 'done' | 'dropped';

export interface QueuedTask extends PlanTask {
  status: QueuedStatus;
  /** The worker that runs it (once assigned). */
  worker: number | null;
  attempts: number;
  /** Workers that failed this task (it goes to another one when its lane allows). */
  failedOn: number[];
  /** World facts at assignment, for validation. */
  before: { inventory: number[]; counter: number; tiles: number; plants: number; t: number } | null;
}

export interface AuditEntry {
  t: number;
  who: string;
  what: string;
}

export interface CommanderOptions {
  sense?: Sense;
  planner?: Planner;
  /** Attempts per task before the failure goes back to the planner. */
  maxAttempts?: number;
  /** Re-plans allowed per goal before it is given up. */
  maxReplans?: number;
  /** Called with every audit entry as it is written (e.g. to stream the log to a lobby). */
  onAudit?: (entry: AuditEntry) => void;
}

interface WorkerEntry {
  slot: number;
  executor: Executor;
  current: QueuedTask | null;
}

export class Commander implements Coordination {
  readonly world: World;
  readonly planner: Planner;
  readonly sense: Sense;
  readonly workers: WorkerEntry[] = [];
  readonly audit: AuditEntry[] = [];
  goal: Goal | null = null;
  plan: Plan | null = null;
  queue: QueuedTask[] = [];
  /** Lane → worker slot. */
  readonly lanes = new Map<number, number>();
  /** The planner's suggested lane → worker allocation for the current plan. */
  suggested = new Map<number, number>();
  replans = 0;
  /** Set when the goal was given up (reason). */
  abandoned: string | null = null;
  stopped = false;
  private readonly reservations = new Map<number, number>();
  private readonly maxAttempts: number;
  private readonly maxReplans: number;
  private nextId = 0;
  /** Achievements left out of 'all' plans for a while (they kept failing) → until step. */
  private readonly excluded = new Map<AchievementName, number>();
  private readonly failures = new Map<string, number>();
  private nextIdlePlan = 0;
  private readonly onAudit: ((entry: AuditEntry) => void) | undefined;

  constructor(world: World, options: CommanderOptions = {}) {
    this.world = world;
    this.sense = options.sense ?? 'privileged';
    this.planner = options.planner ?? new Planner();
    this.maxAttempts = options.maxAttempts ?? 2;
    this.maxReplans = options.maxReplans ?? 200;
    this.onAudit = options.onAudit;
    this.planner.stats ??= (label) => {
      let tries = 0;
      let ok = 0;
      for (const w of this.workers) {
        for (const o of w.executor.outcomes) {
          if (o.label !== label) continue;
          tries++;
          if (o.success) ok++;
        }
      }
      return tries > 0 ? { tries, successRate: ok / tries } : undefined;
    };
  }

  private log(who: string, what: string): void {
    const entry = { t: this.world.t, who, what };
    this.audit.push(entry);
    this.onAudit?.(entry);
    if (this.audit.length > 5000) this.audit.splice(0, 1000);
  }

  addWorker(slot: number, executor?: Executor): Executor {
    const ex = executor ?? new Executor(slot, { sense: this.sense, coordination: this });
    ex.coordination = this;
    this.workers.push({ slot, executor: ex, current: null });
    this.log('commander', `worker ${slot} joined (${ex.senses.sense} sense)`);
    return ex;
  }

  /** Takes a worker out of the team (it left the world): its task goes back to the queue. */
  removeWorker(slot: number, who = 'host'): boolean {
    const i = this.workers.findIndex((w) => w.slot === slot);
    if (i < 0) return false;
    const w = this.workers[i];
    w.executor.cancel();
    this.release(slot);
    this.workers.splice(i, 1);
    this.log(who, `worker ${slot} removed`);
    const q = w.current;
    w.current = null;
    if (q && q.status === 'assigned') {
      q.status = 'pending';
      q.worker = null;
    }
    // Lanes bound to it (and their held items) are gone with it: plan again from what is left.
    let bound = false;
    for (const [lane, s] of this.lanes) {
      if (s !== slot) continue;
      this.lanes.delete(lane);
      bound = true;
    }
    if (
      bound &&
      this.goal &&
      !this.abandoned &&
      this.queue.some((o) => o.status === 'pending' || o.status === 'assigned')
    ) {
      this.escalate(`worker ${slot} removed`);
    }
    return true;
  }

  /** Lets stopped workers act again (after the kill switch, once a new goal is set). */
  resume(who = 'host'): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.log(who, 'workers resumed');
  }

  // ---- coordination ---------------------------------------------------------------------

  reserve(tile: number, slot: number): boolean {
    const holder = this.reservations.get(tile);
    if (holder !== undefined && holder !== slot) return false;
    // One target per worker: drop its previous claim.
    for (const [t, s] of this.reservations) if (s === slot && t !== tile) this.reservations.delete(t);
    this.reservations.set(tile, slot);
    return true;
  }

  reservedByOther(tile: number, slot: number): boolean {
    const holder = this.reservations.get(tile);
    return holder !== undefined && holder !== slot;
  }

  private release(slot: number): void {
    for (const [t, s] of this.reservations) if (s === slot) this.reservations.delete(t);
  }

  // ---- goals and plans ------------------------------------------------------------------

  /** Sets the goal (text or structured) and plans it; a refusal leaves the previous goal. */
  setGoal(goal: Goal | string, who = 'host'): PlanResult | (GoalParse & { ok: false }) {
    let parsed: Goal;
    if (typeof goal === 'string') {
      const r = parseGoal(goal);
      if (!r.ok) {
        this.log(who, `goal "${goal}" refused: ${r.reason}`);
        return r;
      }
      parsed = r.goal;
    } else parsed = goal;
    const result = this.planner.plan(parsed, this.planState());
    if (!result.ok) {
      this.log(who, `goal "${describeGoal(parsed)}" refused: ${result.reason}`);
      return result;
    }
    this.log(who, `goal set: ${describeGoal(parsed)} (${result.plan.tasks.length} tasks)`);
    for (const w of this.workers) {
      w.executor.cancel();
      w.current = null;
      this.release(w.slot);
    }
    this.goal = parsed;
    this.abandoned = null;
    this.replans = 0;
    this.install(result.plan);
    return result;
  }

  private install(plan: Plan): void {
    this.plan = plan;
    const base = this.nextId;
    this.nextId += plan.tasks.length;
    this.queue = plan.tasks.map((t) => ({
      ...t,
      id: base + t.id,
      deps: t.deps.map((d) => base + d),
      lane: t.lane,
      status: 'pending' as QueuedStatus,
      worker: null,
      attempts: 0,
      failedOn: [],
      before: null,
    }));
    // Lanes bind lazily, on their first assignment (nearest idle worker with the fewest open
    // tasks); the planner's allocation is kept as the suggestion a host can review.
    this.lanes.clear();
    const alive = this.aliveWorkers();
    this.suggested = this.planner.allocate(
      plan,
      alive.map((w) => ({ slot: w.slot, inventory: this.world.player(w.slot).inventory })),
    );
    // Lanes that count on what the lead worker already holds stay with the lead.
    if (alive.length > 0) for (const lane of plan.pinnedLanes ?? []) this.lanes.set(lane, alive[0].slot);
  }

  private aliveWorkers(): WorkerEntry[] {
    return this.workers.filter((w) => {
      const p = this.world.findPlayer(w.slot);
      return p !== undefined && !p.dead && !p.removed;
    });
  }

  /** The state the planner plans from: the lead worker's inventory, team achievements, stations. */
  planState(): PlanState {
    const alive = this.aliveWorkers();
    const lead = alive[0] ? this.world.player(alive[0].slot) : null;
    const achievements = new Array<number>(ACHIEVEMENTS.length).fill(0);
    for (const w of alive) {
      const p = this.world.player(w.slot);
      for (let i = 0; i < achievements.length; i++) achievements[i] = Math.max(achievements[i], p.achievements[i]);
    }
    const stations = new Set<MaterialName>();
    const present = new Set<number>();
    const seen = lead ? this.workers.find((w) => w.slot === lead.slot)!.executor.senses : null;
    const privileged = this.sense === 'privileged';
    const mat = privileged || !seen ? this.world.material : seen.mat;
    for (let i = 0; i < mat.length; i++) present.add(mat[i]);
    if (present.has(Material.table)) stations.add('table');
    if (present.has(Material.furnace)) stations.add('furnace');
    let plants = 0;
    if (privileged) for (const o of this.world.objects) if (!o.removed && o.kind === ObjectKind.plant) plants++;
    if (!privileged && seen) plants = seen.plants.size;
    const t = this.world.t;
    const exclude = new Set<AchievementName>();
    for (const [name, until] of this.excluded) if (until > t) exclude.add(name);
    return {
      inventory: lead ? lead.inventory : new Int32Array(16),
      achievements,
      stations,
      plants,
      exclude,
      available: (m) =>
        privileged ? present.has(Material[m]) || m === 'grass' : present.has(Material[m]) ? true : undefined,
    };
  }

  // ---- the tick -------------------------------------------------------------------------

  /** Stops every worker at once (kill switch): from now on they only send noop. */
  stop(who = 'host'): void {
    this.stopped = true;
    for (const w of this.workers) w.executor.cancel();
    this.log(who, 'kill switch: all workers stopped');
  }

  /** Monitors, assigns and asks every worker for its action; the caller steps the world. */
  tick(): Map<number, number> {
    const actions = new Map<number, number>();
    if (this.stopped) {
      for (const w of this.workers) actions.set(w.slot, 0);
      return actions;
    }
    this.monitor();
    this.assign();
    for (const w of this.workers) {
      const p = this.world.findPlayer(w.slot);
      if (!p || p.dead || p.removed) continue;
      actions.set(w.slot, w.executor.decide(this.world));
    }
    // Fair workers share what they have seen (used from the next tick on).
    if (this.sense === 'fair' && this.workers.length > 1) {
      const team = this.workers.map((w) => w.executor.senses);
      for (const a of team) for (const b of team) if (a !== b) a.merge(b);
    }
    return actions;
  }

  private monitor(): void {
    const world = this.world;
    // Tasks done as a side effect (a nap gives wake_up, a reflex kills a zombie) — only those
    // whose output nobody else waits for.
    const needed = new Set<number>();
    for (const q of this.queue)
      if (q.status === 'pending' || q.status === 'assigned') for (const d of q.deps) needed.add(d);
    for (const q of this.queue) {
      if (q.status !== 'pending' || !q.unlockOnly || needed.has(q.id)) continue;
      const ach = achievementIndex(q.spec);
      if (ach < 0) continue;
      const lane = this.lanes.get(q.lane);
      for (const w of this.aliveWorkers()) {
        if (
          lane !== undefined &&
          q.spec.kind !== 'collect' &&
          q.spec.kind !== 'sleep' &&
          q.spec.kind !== 'defeat' &&
          q.spec.kind !== 'eat' &&
          lane !== w.slot
        )
          continue;
        if (world.player(w.slot).achievements[ach] > 0 && (q.spec.kind !== 'place' || q.spec.what !== 'plant')) {
          q.status = 'done';
          this.log(`worker ${w.slot}`, `${q.label}: already unlocked`);
          break;
        }
      }
    }
    for (const w of this.workers) {
      const p = world.findPlayer(w.slot);
      const q = w.current;
      if (!p || p.dead || p.removed) {
        if (q) {
          this.log(`worker ${w.slot}`, `died during ${q.label}`);
          w.current = null;
          w.executor.cancel();
          this.release(w.slot);
          this.escalate(`worker ${w.slot} dead`);
        }
        continue;
      }
      if (!q) continue;
      const status = w.executor.selfEvaluate(world);
      if (status === 'running') continue;
      w.current = null;
      this.release(w.slot);
      if (status === 'done') {
        const problem = this.validate(q, w.slot);
        if (problem === null) {
          q.status = 'done';
          this.log(`worker ${w.slot}`, `done: ${q.label} (t=${world.t})`);
          continue;
        }
        this.log('commander', `rejected ${q.label} from worker ${w.slot}: ${problem}`);
        this.retry(q, problem);
      } else if (status === 'failed') {
        this.log(`worker ${w.slot}`, `failed: ${q.label}: ${w.executor.failReason}`);
        this.retry(q, w.executor.failReason);
      }
      w.executor.cancel();
    }
    // An 'all' goal with nothing left to run re-plans now and then: left-out achievements
    // come back once their wait is over.
    if (
      this.goal?.kind === 'all' &&
      !this.abandoned &&
      world.t >= this.nextIdlePlan &&
      !this.queue.some((q) => q.status === 'pending' || q.status === 'assigned')
    ) {
      this.nextIdlePlan = world.t + 100;
      this.replans--;
      this.escalate('nothing left to run');
    }
  }

  /** Checks a reported result against the world; null if it holds, else what is wrong. */
  validate(q: QueuedTask, slot: number): string | null {
    const p = this.world.player(slot);
    const before = q.before;
    if (!before) return 'task was never assigned';
    const spec = q.spec;
    const ach = achievementIndex(spec);
    if (ach >= 0 && p.achievements[ach] - before.counter < taskAmount(spec)) return 'achievement counter did not grow';
    switch (spec.kind) {
      case 'collect': {
        if (spec.item === 'drink') return null; // a vital: it also drains while the task runs
        const i = Item[spec.item];
        if (p.inventory[i] <= before.inventory[i] && p.inventory[i] < 9) return `${spec.item} did not grow`;
        return null;
      }
      case 'make': {
        const i = Item[spec.item];
        if (p.inventory[i] <= before.inventory[i] && p.inventory[i] < 9) return `${spec.item} not in the inventory`;
        return null;
      }
      case 'place': {
        if (spec.what === 'plant') return this.countPlants() >= 1 ? null : 'no plant stands';
        const tiles = this.countTiles(spec.what);
        if (tiles <= before.tiles) return `no new ${spec.what} stands`;
        return null;
      }
      case 'survive':
        return p.dead ? 'worker died' : null;
      default:
        return null;
    }
  }

  private countTiles(what: string): number {
    const id = Material[what as MaterialName];
    let n = 0;
    const mat = this.world.material;
    for (let i = 0; i < mat.length; i++) if (mat[i] === id) n++;
    return n;
  }

  private countPlants(): number {
    let n = 0;
    for (const o of this.world.objects) if (!o.removed && o.kind === ObjectKind.plant) n++;
    return n;
  }

  private retry(q: QueuedTask, reason: string): void {
    q.attempts++;
    if (q.worker !== null) q.failedOn.push(q.worker);
    if (q.attempts < this.maxAttempts && !/^missing /.test(reason)) {
      q.status = 'pending';
      // Reassign: a lane whose inventory chain has not started yet may move to another worker.
      const started = this.queue.some((o) => o.lane === q.lane && o.status === 'done');
      const pinned = this.plan?.pinnedLanes?.includes(q.lane) ?? false;
      if (!started && !pinned && this.aliveWorkers().some((w) => !q.failedOn.includes(w.slot)))
        this.lanes.delete(q.lane);
      this.log('commander', `retry ${q.label} (attempt ${q.attempts + 1})`);
      q.worker = null;
      return;
    }
    q.status = 'dropped';
    const key = q.label;
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const ach = achievementIndex(q.spec);
    if (this.goal?.kind === 'all' && n >= 2 && ach >= 0) {
      // Keep trying the rest; this one waits a while (the world may change, e.g. night brings zombies).
      this.excluded.set(ACHIEVEMENTS[ach], this.world.t + 600 * n);
    }
    this.escalate(`${q.label}: ${reason}`);
  }

  /** Sends a failure back to the planner: re-plan the goal from the current state. */
  private escalate(reason: string): void {
    if (!this.goal || this.abandoned) return;
    if (++this.replans > this.maxReplans) {
      this.abandoned = `too many re-plans (last: ${reason})`;
      this.log('planner', `goal abandoned: ${this.abandoned}`);
      return;
    }
    const result = this.planner.replan(this.goal, this.planState());
    if (!result.ok) {
      this.abandoned = result.reason;
      this.log('planner', `re-plan refused: ${result.reason}`);
      this.queue = [];
      return;
    }
    this.log('planner', `re-plan #${this.replans} after ${reason}: ${result.plan.tasks.length} tasks`);
    const keep = new Map<number, WorkerEntry>();
    for (const w of this.workers) {
      if (w.current) {
        w.executor.cancel();
        w.current = null;
        this.release(w.slot);
      }
      keep.set(w.slot, w);
    }
    this.install(result.plan);
  }

  private ready(q: QueuedTask): boolean {
    if (q.status !== 'pending') return false;
    for (const d of q.deps) {
      const dep = this.queue.find((o) => o.id === d);
      if (dep && dep.status !== 'done') return false;
    }
    return true;
  }

  private openTasks(slot: number): number {
    let n = 0;
    for (const q of this.queue)
      if ((q.status === 'pending' || q.status === 'assigned') && this.lanes.get(q.lane) === slot) n++;
    return n;
  }

  private distanceTo(slot: number, spec: TaskSpec): number {
    const p = this.world.player(slot);
    let material: number | null = null;
    if (spec.kind === 'collect') material = Material[spec.material];
    else if (spec.kind === 'make') material = Material.table;
    if (material === null) return 0;
    const mat =
      this.sense === 'privileged'
        ? this.world.material
        : this.workers.find((w) => w.slot === slot)!.executor.senses.mat;
    let best = 2 * N;
    for (let i = 0; i < mat.length; i++) {
      if (mat[i] !== material) continue;
      const d = Math.abs(((i / N) | 0) - p.x) + Math.abs((i % N) - p.y);
      if (d < best) best = d;
    }
    return best;
  }

  private assign(): void {
    const idle = this.aliveWorkers().filter((w) => w.current === null);
    if (idle.length === 0) return;
    // A ripe plant moves "eat plant" to the front (it may be trampled or eaten by others later).
    const ripe = this.workers.some((w) =>
      [...w.executor.senses.plants.values()].some((m) => m.grown > PLANT_RIPE_AFTER),
    );
    const prio = (q: QueuedTask): number =>
      ripe && q.spec.kind === 'eat' && q.spec.food === 'plant' ? 88 : q.priority;
    const ready = this.queue.filter((q) => this.ready(q)).sort((a, b) => prio(b) - prio(a) || a.id - b.id);
    for (const q of ready) {
      if (idle.length === 0) break;
      const bound = this.lanes.get(q.lane);
      let chosen: WorkerEntry | undefined;
      if (bound !== undefined) chosen = idle.find((w) => w.slot === bound);
      // its worker is busy
      if (bound !== undefined && !chosen && this.aliveWorkers().some((w) => w.slot === bound)) continue;
      if (!chosen) {
        // Nearest idle worker with the fewest open tasks.
        let bestKey = Infinity;
        for (const w of idle) {
          if (q.failedOn.includes(w.slot) && idle.some((o) => !q.failedOn.includes(o.slot))) continue;
          const key = this.openTasks(w.slot) * 1000 + this.distanceTo(w.slot, q.spec);
          if (key < bestKey) {
            bestKey = key;
            chosen = w;
          }
        }
      }
      if (!chosen) continue;
      this.lanes.set(q.lane, chosen.slot);
      const p = this.world.player(chosen.slot);
      const ach = achievementIndex(q.spec);
      q.status = 'assigned';
      q.worker = chosen.slot;
      q.before = {
        inventory: Array.from(p.inventory),
        counter: ach >= 0 ? p.achievements[ach] : 0,
        tiles: q.spec.kind === 'place' && q.spec.what !== 'plant' ? this.countTiles(q.spec.what) : 0,
        plants: 0,
        t: this.world.t,
      };
      chosen.current = q;
      chosen.executor.assign({ id: q.id, spec: q.spec }, this.world);
      this.log(`worker ${chosen.slot}`, `assigned: ${q.label}`);
      idle.splice(idle.indexOf(chosen), 1);
    }
  }

  /** Whether every task of the current plan is done. */
  get finished(): boolean {
    return this.queue.length > 0 && this.queue.every((q) => q.status === 'done');
  }

  /** Team achievements unlocked so far (by name). */
  unlocked(): AchievementName[] {
    const out: AchievementName[] = [];
    for (const name of ACHIEVEMENTS) {
      if (this.workers.some((w) => (this.world.findPlayer(w.slot)?.achievements[Achievement[name]] ?? 0) > 0))
        out.push(name);
    }
    return out;
  }
}
