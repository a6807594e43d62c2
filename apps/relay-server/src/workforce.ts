/**
 * The AI workforce of one lobby: named AI workers with bodies in the lobby's world, their brains
 * (the scripted commander — planner → commander → executors from @aikon/agents — thinking in the
 * brain thread, off the lobby tick: workforce-brain.ts; learned policies inferring
 * asynchronously), the approval gate, the kill switch, who may command, and the audit log.
 *
 * Workers act through the lobby's per-tick action path (one action each per tick, merged with
 * the members' intents before `world.step`), so their actions are recorded like anyone's, and
 * their joins are recorded as `kind: 'ai'`.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type AuditEntry,
  describeGoal,
  type Goal,
  type GoalParse,
  interpretGoal,
  type NlConfig,
  type NlResult,
  parseGoal,
  type Plan,
  stepsOntoLava,
} from '@aikon/agents';
import { LearnedSkill, type PolicyRunner } from '@aikon/agents/policy';
import { Action, Item, type World } from '@aikon/engine';
import {
  type ActingBrain,
  type AuditLine,
  type LogRecord,
  type PlanTaskView,
  type PlanView,
  type StructuredGoal,
  WORKFORCE_MAX_WORKERS,
  WORKFORCE_VERSION,
  type WorkerBrain,
  type WorkerView,
  type WorkforceGoalResult,
  type WorkforceSettings,
  type WorkforceState,
} from '@aikon/protocol';
import { RelayError } from './lobby.ts';
import type { RelayMetrics } from './metrics.ts';
import {
  type BrainAttachment,
  type BrainThread,
  type BrainView,
  LobbyBrain,
  type PlanReply,
} from './workforce-brain.ts';

export interface AiWorker {
  workerId: string;
  name: string;
  /** Pseudonym in recordings and the episode index. */
  pid: string;
  slot: number | null;
  /** World tick at which the body was found dead (auto-respawn after RESPAWN_TICKS). */
  deadSince: number | null;
  /** Last activity written to the audit log. */
  lastActivity: string;
  brain: WorkerBrain;
  /** Who chose its last action, and that action (a learned brain's previous action). */
  acting?: ActingBrain | null;
  lastAction?: number;
}

/** What the workforce needs from its lobby. */
export interface WorkforceHost {
  readonly lobbyId: string;
  readonly world: World | null;
  readonly running: boolean;
  /** Gives the worker a body (records a join with kind 'ai'); returns its slot. */
  spawn(worker: AiWorker): number;
  /** Removes the worker's body (records a leave). */
  despawn(worker: AiWorker): void;
  respawn(worker: AiWorker): void;
  /** Sends `workforce:state` to the lobby's room. */
  broadcast(state: WorkforceState): void;
  seatsLeft(): number;
}

/** Ticks a dead worker waits before it respawns (about 3 s at 8 ticks/s). */
const RESPAWN_TICKS = 24;
/** Audit lines kept per lobby (the oldest go first; `auditTotal` keeps counting). */
const AUDIT_MAX = 20_000;
/** Audit lines carried in each `workforce:state`. */
const AUDIT_TAIL = 40;
/** At most this many state broadcasts a second from the tick (commands broadcast at once). */
const BROADCAST_MS = 250;

/** The workforce part of a saved lobby (zod schema in lobby-store.ts). */
export interface PersistedWorkforce {
  settings: WorkforceSettings;
  stopped: boolean;
  planSeq: number;
  workers: {
    workerId: string;
    name: string;
    pid: string;
    slot: number | null;
    deadSince: number | null;
    brain?: WorkerBrain;
  }[];
  goal: { planId: number; text: string; by: string } | null;
}

/** Where a session's workforce audit is appended: the data directory every relay process shares. */
export function auditPath(dataDir: string, sessionId: string): string {
  return join(dataDir, 'audit', `${sessionId}.jsonl`);
}

/** JSON lines (one object per line), for downloads. */
function toJsonl(lines: readonly AuditLine[]): string {
  return lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length > 0 ? '\n' : '');
}

/** The kept audit of a session read from its file (a lobby another relay process owns), as JSON lines. */
export function auditFileJsonl(dataDir: string, sessionId: string): string {
  return toJsonl(readAudit(auditPath(dataDir, sessionId)).slice(-AUDIT_MAX));
}

/** The audit lines of a session's file (unreadable lines are skipped). */
function readAudit(path: string): AuditLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: AuditLine[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const l = JSON.parse(line) as AuditLine;
      if (typeof l.seq === 'number' && typeof l.what === 'string') out.push(l);
    } catch {
      // a line torn by the crash
    }
  }
  return out;
}

interface PlanMeta {
  planId: number;
  goal: string;
  by: string;
  status: PlanView['status'];
  note: string | null;
}

export class LobbyWorkforce {
  readonly settings: WorkforceSettings = { approval: false, commanders: 'host' };
  readonly workers = new Map<string, AiWorker>();
  /** The scripted brain, in the brain thread. */
  private readonly brain: LobbyBrain;
  /** What the commander last showed of itself (null before it first thought). */
  brainView: BrainView | null = null;
  /** The goal the commander runs (sent again when the brain restarts). */
  private running: Goal | null = null;
  stopped = false;
  private readonly audit: AuditLine[] = [];
  private auditSeq = 0;
  private planSeq = 0;
  private meta: PlanMeta | null = null;
  /** A plan waiting for the host's approval (the gate). */
  private pending: (PlanMeta & { parsed: Goal; plan: Plan }) | null = null;
  private lastSent = '';
  /** The session's audit file (JSON lines, append-only) once the game started. */
  private file: WriteStream | null = null;
  private lastBroadcastAt = 0;

  /** The learned-policy skill of each learned and hybrid worker (by worker id), and the policy they share. */
  private readonly learned = new Map<string, LearnedSkill>();
  private runner: PolicyRunner | null = null;
  private runnerError: string | null = null;

  /**
   * @param languageModel the OpenAI-compatible endpoint that reads free-text goals (null: the
   *   goal grammar alone; it is also the fallback whenever the endpoint fails).
   * @param policy loads the policy learned and hybrid workers run (null: none on this relay).
   */
  constructor(
    private readonly host: WorkforceHost,
    brains: BrainThread,
    metrics: RelayMetrics,
    private readonly languageModel: NlConfig | null = null,
    private readonly policy: (() => Promise<PolicyRunner>) | null = null,
  ) {
    this.brain = new LobbyBrain(host.lobbyId, brains, metrics, {
      attachment: () => this.attachment(),
      seen: (view) => this.seen(view),
      audit: (lines) => this.brainAudit(lines),
      failed: (message) => this.fail(message),
      resynced: (reason) => this.log('server', `the workforce brain took the world again (${reason})`),
    });
  }

  /** Starts loading the shared policy (once); workers send noop until it is ready. */
  private ensurePolicy(): void {
    if (this.runner || this.runnerError || !this.policy) return;
    this.runnerError = 'loading';
    this.policy().then(
      (r) => {
        this.runner = r;
        this.runnerError = null;
        this.log('server', `learned policy ready (${r.name})`);
      },
      (err: unknown) => {
        this.runnerError = (err as Error).message;
        this.log('server', `the learned policy could not be loaded: ${this.runnerError}`);
      },
    );
  }

  /** A learned or hybrid worker's policy skill (it sends noop until the policy is loaded). */
  private learnedSkill(w: AiWorker): LearnedSkill {
    let skill = this.learned.get(w.workerId);
    if (!skill) {
      skill = new LearnedSkill(() => this.runner, w.slot ?? 0);
      this.learned.set(w.workerId, skill);
    }
    return skill;
  }

  // ---- audit ------------------------------------------------------------------------------

  log(who: string, what: string, t = this.host.world?.t ?? 0): void {
    const line: AuditLine = {
      seq: ++this.auditSeq,
      at: new Date().toISOString(),
      t,
      who,
      what,
    };
    this.audit.push(line);
    this.file?.write(`${JSON.stringify(line)}\n`);
    if (this.audit.length > AUDIT_MAX) this.audit.splice(0, this.audit.length - AUDIT_MAX);
  }

  /** The commander's lines (named in the brain thread), at the ticks it wrote them. */
  private brainAudit(lines: readonly AuditEntry[]): void {
    for (const l of lines) this.log(l.who, l.what, l.t);
  }

  /** The whole kept log, oldest first. */
  auditLines(): readonly AuditLine[] {
    return this.audit;
  }

  /** JSON lines (one object per line), for downloads. */
  auditJsonl(): string {
    return toJsonl(this.audit);
  }

  // ---- workers ----------------------------------------------------------------------------

  add(by: string, name: string, brain: WorkerBrain = 'scripted'): AiWorker {
    if (brain !== 'scripted' && !this.policy)
      throw new RelayError('invalid_target', 'this relay has no learned policy: only scripted workers');
    if (this.workers.size >= WORKFORCE_MAX_WORKERS) {
      throw new RelayError('too_many_workers', `at most ${WORKFORCE_MAX_WORKERS} AI workers per lobby`);
    }
    if (this.host.seatsLeft() < 1)
      throw new RelayError('lobby_full', 'no seat left for another worker: raise the seats first');
    for (const w of this.workers.values()) {
      if (w.name.toLowerCase() === name.toLowerCase())
        throw new RelayError('invalid_target', `a worker named ${name} is already here`);
    }
    const worker: AiWorker = {
      workerId: `ai-${randomBytes(9).toString('base64url')}`,
      name,
      pid: randomBytes(9).toString('base64url'),
      slot: null,
      deadSince: null,
      lastActivity: '',
      brain,
    };
    this.workers.set(worker.workerId, worker);
    this.log(by, `added AI worker ${name}${brain === 'scripted' ? '' : ` (${brain} brain)`}`);
    if (brain !== 'scripted') this.ensurePolicy();
    if (this.host.running) this.spawn(worker);
    this.broadcast(true);
    return worker;
  }

  remove(by: string, workerId: string): void {
    const worker = this.workers.get(workerId);
    if (!worker) throw new RelayError('worker_not_found', 'no such AI worker in this lobby');
    this.log(by, `removed AI worker ${worker.name}`);
    if (worker.slot !== null) {
      if (worker.brain !== 'learned') this.brain.remove(worker.slot, by);
      this.host.despawn(worker);
      worker.slot = null;
    }
    this.workers.delete(workerId);
    this.learned.delete(workerId);
    this.broadcast(true);
  }

  /** The game starts: the brain takes the world and every worker gets a body. */
  start(auditPath?: string): void {
    // Lines from before the start go first.
    if (auditPath) this.openAudit(auditPath, this.audit);
    this.brain.start();
    for (const w of this.workers.values()) this.spawn(w);
    this.broadcast(true);
  }

  /**
   * Kept beside the recordings (<data-dir>/audit/<session>.jsonl): what was asked and done
   * outlives the lobby. A write error only logs.
   */
  private openAudit(auditPath: string, unwritten: readonly AuditLine[]): void {
    try {
      mkdirSync(dirname(auditPath), { recursive: true });
      this.file = createWriteStream(auditPath, { flags: 'a' });
      this.file.on('error', () => {
        this.file = null;
      });
      for (const line of unwritten) this.file.write(`${JSON.stringify(line)}\n`);
    } catch {
      this.file = null;
    }
  }

  /** The lobby as the brain (re)starts from it: the world now, the workers it directs, the goal. */
  private attachment(): BrainAttachment | null {
    const world = this.host.world;
    if (!world || !this.host.running) return null;
    const workers: BrainAttachment['workers'] = [];
    for (const w of this.workers.values())
      if (w.slot !== null && w.brain !== 'learned')
        workers.push({ slot: w.slot, name: w.name, hybrid: w.brain === 'hybrid' });
    return { world: world.snapshot(), workers, stopped: this.stopped, goal: this.stopped ? null : this.running };
  }

  /** A record the lobby just wrote: the brain's mirror of the world follows it. */
  observe(record: LogRecord): void {
    this.brain.record(record);
  }

  /** What outlives a relay restart (lobby-store.ts): settings, workers and their bodies, the running goal. */
  persisted(): PersistedWorkforce {
    return {
      settings: { ...this.settings },
      stopped: this.stopped,
      planSeq: this.planSeq,
      workers: [...this.workers.values()].map((w) => ({
        workerId: w.workerId,
        name: w.name,
        pid: w.pid,
        slot: w.slot,
        deadSince: w.deadSince,
        brain: w.brain,
      })),
      goal:
        this.meta && this.meta.status === 'running'
          ? { planId: this.meta.planId, text: this.meta.goal, by: this.meta.by }
          : null,
    };
  }

  /**
   * After a relay restart: the saved settings and workers (their bodies are in the restored
   * world), the audit log read back from its file, and the running goal planned again from the
   * world as it is (the plan itself is not kept: it is derived from the goal).
   */
  restore(saved: PersistedWorkforce, world: World | null, auditPath?: string): void {
    Object.assign(this.settings, saved.settings);
    this.stopped = saved.stopped;
    this.planSeq = saved.planSeq;
    for (const w of saved.workers) {
      const alive = w.slot !== null && world?.findPlayer(w.slot) ? w.slot : null;
      this.workers.set(w.workerId, { ...w, slot: alive, lastActivity: '', brain: w.brain ?? 'scripted' });
    }
    if (!world) return;
    if (auditPath) {
      for (const line of readAudit(auditPath).slice(-AUDIT_MAX)) this.audit.push(line);
      this.auditSeq = this.audit.at(-1)?.seq ?? 0;
      this.openAudit(auditPath, []);
    }
    // The brain takes the restored world with the workers that kept their bodies.
    this.brain.start();
    for (const w of this.workers.values()) {
      if (w.slot !== null) this.enlist(w, false);
      else this.spawn(w);
      if (w.brain !== 'scripted') this.ensurePolicy();
    }
    this.log('server', 'the relay restarted: lobby restored');
    if (saved.goal && !this.stopped) {
      const { text, by, planId } = saved.goal;
      const parsed = parseGoal(text);
      const replanned = parsed.ok
        ? this.install('server', parsed.goal, by, planId)
        : Promise.reject(new RelayError('goal_refused', parsed.reason));
      replanned.catch((err: Error) => this.log('server', `goal "${text}" could not be planned again: ${err.message}`));
    }
    this.broadcast(true);
  }

  private spawn(worker: AiWorker): void {
    worker.slot = this.host.spawn(worker);
    worker.deadSince = null;
    this.enlist(worker, true);
  }

  /**
   * A learned worker takes no tasks; scripted and hybrid ones work for the commander (a hybrid
   * worker's executor defers to its policy skill where no scripted skill applies). `tell`: the
   * brain does not know it yet (a restored body was in the world the brain started from).
   */
  private enlist(worker: AiWorker, tell: boolean): void {
    if (worker.brain !== 'learned' && tell) this.brain.add(worker.slot!, worker.name, worker.brain === 'hybrid');
    this.learned.get(worker.workerId)?.reset();
  }

  // ---- commands ---------------------------------------------------------------------------

  setSettings(by: string, change: Partial<WorkforceSettings>): void {
    if (change.approval !== undefined && change.approval !== this.settings.approval) {
      this.settings.approval = change.approval;
      this.log(by, `approval gate ${change.approval ? 'on: plans wait for the host' : 'off'}`);
      if (!change.approval && this.pending)
        this.log(by, `plan #${this.pending.planId} still waits: approve or reject it`);
    }
    if (change.commanders !== undefined && change.commanders !== this.settings.commanders) {
      this.settings.commanders = change.commanders;
      this.log(
        by,
        change.commanders === 'host' ? 'only the host may command the workers' : 'every member may command the workers',
      );
    }
    this.broadcast(true);
  }

  /**
   * A member's goal. Free text goes to the language model when one is configured (else, and on
   * any trouble, the goal grammar reads it); `mayStill` re-checks the member's right to command
   * once the endpoint has answered.
   */
  async goal(
    by: string,
    request: { text: string } | { goal: StructuredGoal },
    mayStill: () => void = () => {},
  ): Promise<WorkforceGoalResult> {
    const text = 'text' in request ? request.text : describeGoal(request.goal as Goal);
    const refuse = (reason: string): never => {
      this.log(by, `goal "${text}" refused: ${reason}`);
      this.broadcast(true);
      throw new RelayError('goal_refused', reason);
    };
    const ready = (): void => {
      if (!this.host.world || !this.host.running) refuse('start the game first: plans are made from the world');
      if (this.workers.size === 0) refuse('add an AI worker first');
    };
    ready();
    let parsed: GoalParse;
    let read: Pick<NlResult, 'via' | 'note'> | null = null;
    if ('text' in request) {
      const r = await interpretGoal(text, this.languageModel);
      // The game may have ended, the workers or the member gone, while the endpoint thought.
      mayStill();
      ready();
      if (r.via === 'endpoint' && r.ok)
        this.log(by, `"${text}" read by the language model as "${describeGoal(r.goal)}"`);
      else if (this.languageModel && r.note)
        this.log('server', `language model not used for "${text}" (${r.note}); the goal grammar read it`);
      parsed = r;
      read = { via: r.via, ...(r.note ? { note: r.note } : {}) };
    } else parsed = parseGoal(text);
    if (!parsed.ok) return refuse(parsed.reason);
    const goal = parsed.goal;
    if (this.settings.approval) {
      const r = await this.brain.plan(goal);
      if (!r.ok) return refuse(r.reason);
      if (this.pending) this.log(by, `plan #${this.pending.planId} replaced before approval`);
      const planId = ++this.planSeq;
      this.pending = {
        planId,
        goal: describeGoal(goal),
        by,
        status: 'awaiting',
        note: null,
        parsed: goal,
        plan: r.plan,
      };
      this.log(
        by,
        `asked for "${describeGoal(goal)}": plan #${planId} ` +
          `(${r.plan.tasks.length} tasks) waits for the host's approval`,
      );
      this.broadcast(true);
      return { goal: describeGoal(goal), planId, tasks: r.plan.tasks.length, awaitingApproval: true, ...read };
    }
    return { ...(await this.install(by, goal, by, ++this.planSeq)), ...read };
  }

  /** Runs a goal: the brain plans it from the world as it is; a refusal keeps the previous goal. */
  private async install(by: string, goal: Goal, askedBy: string, planId: number): Promise<WorkforceGoalResult> {
    const kills = this.kills;
    const r: PlanReply = await this.brain.setGoal(goal, by, this.stopped);
    if (!r.ok) {
      this.broadcast(true);
      throw new RelayError('goal_refused', r.reason);
    }
    this.running = goal;
    this.meta = { planId, goal: describeGoal(goal), by: askedBy, status: 'running', note: null };
    // The kill switch pulled while the brain planned stops this goal too.
    if (this.kills !== kills) {
      this.meta.status = 'stopped';
      this.meta.note = 'kill switch';
    } else this.stopped = false;
    this.broadcast(true);
    return { goal: describeGoal(goal), planId, tasks: r.plan.tasks.length, awaitingApproval: false };
  }

  async approve(by: string, planId: number, approve: boolean): Promise<WorkforceGoalResult | null> {
    const pending = this.pending;
    if (!pending || pending.planId !== planId) throw new RelayError('no_plan', `no plan #${planId} waits for approval`);
    this.pending = null;
    if (!approve) {
      this.log(by, `rejected plan #${planId} ("${pending.goal}", asked by ${pending.by})`);
      this.meta = { ...pending, status: 'rejected', note: `rejected by ${by}` };
      this.lastPreview = pending.plan;
      this.broadcast(true);
      return null;
    }
    this.log(by, `approved plan #${planId} ("${pending.goal}", asked by ${pending.by})`);
    // Planned again from the world as it is now (it may have changed while the plan waited).
    return this.install(by, pending.parsed, pending.by, pending.planId);
  }

  /** Times the kill switch was pulled (a goal accepted meanwhile stays stopped). */
  private kills = 0;

  /** Kill switch: every worker sends noop from the next tick on, until a new goal is accepted. */
  kill(by: string): void {
    this.stopped = true;
    this.kills++;
    this.running = null;
    this.log(by, 'kill switch: all workers stopped');
    this.brain.stop(by);
    if (this.pending) {
      this.meta = { ...this.pending, status: 'stopped', note: 'kill switch' };
      this.lastPreview = this.pending.plan;
      this.pending = null;
    } else if (this.meta && this.meta.status === 'running') {
      this.meta.status = 'stopped';
      this.meta.note = `kill switch pulled by ${by}`;
    }
    this.broadcast(true);
  }

  /** The brain failed: stop every worker and say so in the audit log. */
  fail(message: string): void {
    if (this.stopped) return;
    this.log('server', `workforce error, all workers stopped: ${message}`);
    this.kill('server');
  }

  /** A rejected or stopped proposal keeps showing its tasks. */
  private lastPreview: Plan | null = null;
  /** A finished or abandoned plan keeps showing its tasks as they ended (the brain may start afresh). */
  private endedQueue: BrainView['queue'] | null = null;

  // ---- the tick ---------------------------------------------------------------------------

  /**
   * Adds this tick's worker actions (one per live worker) and who chose each (`acting`: its
   * brain). Runs inside the lobby tick, and never waits: the scripted workers' actions were
   * decided in the brain thread after the previous tick (noop where they have not arrived), a
   * learned brain's inference runs off the tick too.
   */
  actions(into: Map<number, number>, acting?: Map<number, ActingBrain>): void {
    const world = this.host.world;
    if (!world || this.workers.size === 0) return;
    for (const w of this.workers.values()) {
      if (w.slot === null) continue;
      const p = world.findPlayer(w.slot);
      if (!p) continue;
      // In a shared world a dead body leaves the map (removed) but keeps its slot until respawn.
      if (p.dead) {
        w.deadSince ??= world.t;
        if (world.t - w.deadSince >= RESPAWN_TICKS) {
          this.host.respawn(w);
          w.deadSince = null;
          w.lastAction = 0;
          this.learned.get(w.workerId)?.reset();
          this.log(w.name, 'respawned');
        }
      } else w.deadSince = null;
    }
    const decided = this.brain.actionsAt(world.t);
    let late = 0;
    for (const w of this.workers.values()) {
      if (w.slot === null) continue;
      const p = world.findPlayer(w.slot);
      if (!p || p.dead || p.removed) continue;
      const tick = { world, p, task: null, prevAction: w.lastAction ?? 0 };
      let a: number;
      let who: ActingBrain;
      let skill = 'learned policy';
      if (w.brain === 'learned') {
        const learned = this.learnedSkill(w).act(tick);
        a = this.stopped ? 0 : learned;
        who = 'learned';
      } else {
        // The skill that chose the executor's action (in the brain thread) says whose it was;
        // where it deferred to the policy, the worker's learned skill acts here (the kill switch
        // is the commander's).
        const d = decided?.get(w.slot);
        if (!d && !this.stopped) late++;
        who = this.stopped || !d ? 'scripted' : d.brain;
        skill = d?.skill ?? 'none';
        if (who === 'learned') {
          // The executor's guard is in the brain thread; a hybrid's policy step passes the same lava check here.
          a = this.learnedSkill(w).act(tick);
          if (stepsOntoLava((x, y) => world.getMaterial(x, y), p.x, p.y, a)) a = Action.noop;
        } else {
          a = this.stopped ? 0 : (d?.action ?? 0);
          if (w.brain === 'hybrid') this.learnedSkill(w).passed(tick);
        }
      }
      into.set(w.slot, a);
      acting?.set(w.slot, who);
      w.lastAction = a;
      if (who !== w.acting) {
        if (w.brain === 'hybrid' && !this.stopped)
          this.log(w.name, who === 'learned' ? 'learned policy acts (no skill applies)' : `skills act (${skill})`);
        w.acting = who;
      }
    }
    if (late > 0) this.brain.late(late);
    this.broadcast(false);
  }

  /** The commander's view after a tick: activities worth an audit line, the goal's end. */
  private seen(view: BrainView): void {
    this.brainView = view;
    // What each worker does and why, when it changes (the reflex or need says why).
    if (!this.stopped) {
      for (const entry of view.workers) {
        const w = this.bySlot(entry.slot);
        if (!w) continue;
        const activity = this.activityOf(entry.activity, entry.need, entry.task);
        if (activity !== w.lastActivity) {
          w.lastActivity = activity;
          this.log(w.name, activity);
        }
      }
    }
    if (this.meta?.status === 'running') {
      if (view.finished || view.abandoned) this.endedQueue = view.queue;
      if (view.finished) {
        this.meta.status = 'done';
        this.running = null;
        this.log('commander', `goal done: ${this.meta.goal} (asked by ${this.meta.by})`);
      } else if (view.abandoned) {
        this.meta.status = 'abandoned';
        this.meta.note = view.abandoned;
        this.running = null;
      }
    }
  }

  private bySlot(slot: number): AiWorker | undefined {
    for (const w of this.workers.values()) if (w.slot === slot) return w;
    return undefined;
  }

  private activityOf(activity: string, need: string | null, task: string | null): string {
    const why = need ? `need: ${need}` : task ? `task: ${task}` : 'no task';
    return `${activity} (${why})`;
  }

  // ---- state ------------------------------------------------------------------------------

  state(): WorkforceState {
    const world = this.host.world;
    const view = this.brainView;
    const idOf = (slot: number | null): string | null => (slot === null ? null : (this.bySlot(slot)?.workerId ?? null));
    const workers: WorkerView[] = [];
    for (const w of this.workers.values()) {
      const p = w.slot !== null && world ? world.findPlayer(w.slot) : undefined;
      const entry = view?.workers.find((e) => e.slot === w.slot);
      let status: WorkerView['status'] = 'waiting';
      if (p)
        status = p.dead
          ? 'dead'
          : this.stopped
            ? 'stopped'
            : entry?.task || w.acting === 'learned'
              ? 'working'
              : 'idle';
      workers.push({
        workerId: w.workerId,
        name: w.name,
        slot: w.slot,
        status,
        task: entry?.task ?? null,
        activity: !p
          ? 'waiting for the game to start'
          : this.stopped
            ? 'stopped by the kill switch'
            : w.acting === 'learned'
              ? this.runner
                ? 'learned policy acts'
                : `waiting for the learned policy (${this.runnerError ?? 'loading'})`
              : entry
                ? `${entry.activity}${entry.need ? ` (need: ${entry.need})` : ''}`
                : 'idle',
        health: p ? p.inventory[Item.health] : null,
        brain: w.brain,
        acting: w.acting ?? null,
      });
    }
    let plan: PlanView | null = null;
    if (this.pending) {
      plan = { ...this.metaView(this.pending), tasks: previewTasks(this.pending.plan) };
    } else if (this.meta) {
      const tasks: PlanTaskView[] =
        (this.meta.status === 'rejected' || (this.meta.status === 'stopped' && this.lastPreview)) && this.lastPreview
          ? previewTasks(this.lastPreview)
          : (
              (this.meta.status === 'done' || this.meta.status === 'abandoned' ? this.endedQueue : null) ??
              view?.queue ??
              []
            ).map((q) => ({
              id: q.id,
              label: q.label,
              deps: q.deps,
              lane: q.lane,
              state: q.state,
              workerId: idOf(q.worker),
            }));
      plan = { ...this.metaView(this.meta), tasks };
    }
    return {
      v: WORKFORCE_VERSION,
      settings: { ...this.settings },
      stopped: this.stopped,
      workers,
      plan,
      audit: this.audit.slice(-AUDIT_TAIL),
      auditTotal: this.auditSeq,
      languageModel: this.languageModel?.model ?? null,
    };
  }

  private metaView(m: PlanMeta): Omit<PlanView, 'tasks'> {
    return { planId: m.planId, goal: m.goal, by: m.by, status: m.status, note: m.note };
  }

  /** Sends the state when it changed: at once (`now`) or at most every BROADCAST_MS. */
  broadcast(now: boolean): void {
    const at = performance.now();
    if (!now && at - this.lastBroadcastAt < BROADCAST_MS) return;
    const state = this.state();
    const key = JSON.stringify(state);
    if (key === this.lastSent) return;
    this.lastSent = key;
    this.lastBroadcastAt = at;
    this.host.broadcast(state);
  }

  /** The lobby closes (or is suspended): bodies are removed by the lobby; the brain lets go of the world. */
  close(): void {
    this.brain.close();
    this.file?.end();
    this.file = null;
  }
}

function previewTasks(plan: Plan): PlanTaskView[] {
  return plan.tasks.map((t) => ({
    id: t.id,
    label: t.label,
    deps: t.deps,
    lane: t.lane,
    state: 'pending',
    workerId: null,
  }));
}
