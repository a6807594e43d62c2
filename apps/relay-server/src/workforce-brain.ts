/**
 * The scripted workforce's brain, off the lobby tick: one worker thread per relay process
 * (workforce-brain-thread.ts) holds, for every lobby with AI workers, a mirror of the lobby's
 * world and the commander that plans on it. The lobby feeds the mirror its own log records as
 * it writes them (joins, leaves, respawns, ticks: the mirror replays them exactly, and checks
 * the recorded hashes); after each tick the thread decides the workers' actions for the next
 * tick and posts them back. A tick never waits for the brain: a worker whose action has not
 * arrived in time does noop (counted in `aikon_relay_workforce_late_actions_total`).
 *
 * A mirror that no longer matches (a hash or a placement differs, a record does not apply) is
 * rebuilt from a fresh snapshot; a brain that fails stops the lobby's workers (kill switch), and
 * the next goal starts it again.
 */
import { Worker } from 'node:worker_threads';
import type { AuditEntry, Goal, Plan, QueuedStatus } from '@aikon/agents';
import type { ActingBrain, LogRecord, SessionRecord } from '@aikon/protocol';
import type { Logger } from 'pino';
import type { RelayMetrics } from './metrics.ts';

/** What the commander shows of itself after a tick (sent when it changed). */
export interface BrainView {
  /** The goal being worked on (described), if any. */
  goal: string | null;
  finished: boolean;
  abandoned: string | null;
  workers: { slot: number; task: string | null; activity: string; need: string | null }[];
  queue: { id: number; label: string; deps: number[]; lane: number; state: QueuedStatus; worker: number | null }[];
}

/** A lobby's state when the brain (re)starts planning for it. */
export interface BrainAttachment {
  /** `World.snapshot()` of the lobby's world now: the records after it follow. */
  world: Uint8Array;
  /** Workers the commander directs (scripted and hybrid ones with a body). */
  workers: { slot: number; name: string; hybrid: boolean }[];
  stopped: boolean;
  /** The running goal, planned again from the world as it is. */
  goal: Goal | null;
}

/**
 * A worker's action for the next tick and the skill that chose it. A hybrid worker's executor
 * defers to its learned policy where no scripted skill applies (`brain: 'learned'`): the policy
 * runs beside the lobby (onnxruntime), and acts there.
 */
export interface BrainDecision {
  slot: number;
  action: number;
  skill: string;
  brain: ActingBrain;
}

export type PlanReply = { ok: true; plan: Plan } | { ok: false; reason: string };

/** Main thread → brain thread (in order: records and commands share one port). */
export type ToBrain =
  | ({ k: 'attach'; lobby: string; quiet: boolean } & BrainAttachment)
  | { k: 'detach'; lobby: string }
  | { k: 'record'; lobby: string; record: Exclude<LogRecord, SessionRecord> }
  | { k: 'add'; lobby: string; slot: number; name: string; hybrid: boolean }
  | { k: 'remove'; lobby: string; slot: number; by: string }
  | { k: 'stop'; lobby: string; by: string }
  | { k: 'plan'; lobby: string; id: number; goal: Goal }
  | { k: 'goal'; lobby: string; id: number; goal: Goal; by: string; resume: boolean };

/** Brain thread → main thread. */
export type FromBrain =
  | {
      k: 'decided';
      lobby: string;
      /** The mirror's world.t: the actions are for the lobby tick that starts at this t. */
      t: number;
      actions: BrainDecision[];
      /** How long the commander thought, in ms. */
      ms: number;
      view?: BrainView;
      audit: AuditEntry[];
    }
  | { k: 'audit'; lobby: string; audit: AuditEntry[] }
  | { k: 'reply'; lobby: string; id: number; result: PlanReply }
  | { k: 'resync'; lobby: string; reason: string }
  | { k: 'failed'; lobby: string; message: string };

/** What a lobby's workforce gives and takes from its brain. */
export interface BrainOwner {
  /** The lobby's state for a (re)start of the brain; null while there is no world. */
  attachment(): BrainAttachment | null;
  seen(view: BrainView): void;
  audit(lines: readonly AuditEntry[]): void;
  /** The brain failed (or its thread died): the workers stop. */
  failed(message: string): void;
  /** The mirror was rebuilt from a fresh snapshot (why). */
  resynced(reason: string): void;
}

/**
 * The process's brain thread, shared by the lobbies of every relay server in it (a process runs
 * one, tests several); it starts with the first server (it loads the agents package: a second
 * or two) and stops with the last.
 */
export class BrainThread {
  private worker: Worker | null = null;
  private readonly lobbies = new Map<string, LobbyBrain>();
  private closed = false;
  private static shared: { thread: BrainThread; users: number } | null = null;

  private constructor(private readonly log: Logger) {}

  /** The process's brain thread for one more relay server (started if it is not running). */
  static acquire(log: Logger): BrainThread {
    BrainThread.shared ??= { thread: new BrainThread(log), users: 0 };
    BrainThread.shared.users++;
    BrainThread.shared.thread.warm();
    return BrainThread.shared.thread;
  }

  /** A relay server closed: the last one stops the thread. */
  async release(): Promise<void> {
    const shared = BrainThread.shared;
    if (!shared || shared.thread !== this || --shared.users > 0) return;
    BrainThread.shared = null;
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  /** Starts the thread (again, after it died). */
  private warm(): void {
    if (this.worker || this.closed) return;
    const worker = new Worker(new URL('./workforce-brain-entry.mjs', import.meta.url));
    this.worker = worker;
    worker.unref();
    worker.on('message', (m: FromBrain) => this.lobbies.get(m.lobby)?.receive(m));
    const lost = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (this.closed) return;
      this.log.error({ why }, 'workforce brain thread died; its lobbies stop their workers');
      for (const brain of [...this.lobbies.values()]) brain.lost(`the workforce brain stopped (${why})`);
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
  }

  post(message: ToBrain): void {
    this.warm();
    this.worker?.postMessage(message);
  }

  register(brain: LobbyBrain): void {
    this.lobbies.set(brain.lobby, brain);
  }

  unregister(brain: LobbyBrain): void {
    if (this.lobbies.get(brain.lobby) === brain) this.lobbies.delete(brain.lobby);
  }
}

/** One lobby's handle on the brain thread. */
export class LobbyBrain {
  private attached = false;
  private decided: { t: number; actions: Map<number, BrainDecision> } | null = null;
  private requestSeq = 0;
  private readonly pending = new Map<number, (reply: PlanReply) => void>();

  constructor(
    readonly lobby: string,
    private readonly thread: BrainThread,
    private readonly metrics: RelayMetrics,
    private readonly owner: BrainOwner,
  ) {
    thread.register(this);
  }

  /** Sends the lobby's state, if it has a world; from then on its records follow. */
  private attach(quiet: boolean, state = this.owner.attachment()): boolean {
    if (!state) return false;
    this.thread.post({ k: 'attach', lobby: this.lobby, quiet, ...state });
    this.attached = true;
    this.decided = null;
    return true;
  }

  /**
   * The game started or came back: the brain takes the world as it is now if there are workers
   * for it to run. Without any it waits for the first one (or a plan request): mirroring every
   * record of a lobby of people only was the largest thing a tick posted.
   */
  start(): void {
    const state = this.owner.attachment();
    if (this.attached || (state && state.workers.length > 0)) this.attach(false, state);
  }

  /** A record the lobby just wrote (its world has changed, or stepped). */
  record(record: LogRecord): void {
    if (this.attached && record.k !== 'session') this.thread.post({ k: 'record', lobby: this.lobby, record });
  }

  /** A worker for the brain; the first one attaches it (the attachment lists the worker). */
  add(slot: number, name: string, hybrid: boolean): void {
    if (this.attached) this.thread.post({ k: 'add', lobby: this.lobby, slot, name, hybrid });
    else this.attach(false);
  }

  remove(slot: number, by: string): void {
    if (this.attached) this.thread.post({ k: 'remove', lobby: this.lobby, slot, by });
  }

  stop(by: string): void {
    if (this.attached) this.thread.post({ k: 'stop', lobby: this.lobby, by });
  }

  /** Plans a goal from the world as the brain sees it, without running it (the approval gate). */
  plan(goal: Goal): Promise<PlanReply> {
    return this.request((id) => ({ k: 'plan', lobby: this.lobby, id, goal }));
  }

  /** Runs a goal (planned in the brain); `resume` lifts the kill switch when it is accepted. */
  setGoal(goal: Goal, by: string, resume: boolean): Promise<PlanReply> {
    return this.request((id) => ({ k: 'goal', lobby: this.lobby, id, goal, by, resume }));
  }

  private request(make: (id: number) => ToBrain): Promise<PlanReply> {
    if (!this.attached && !this.attach(true))
      return Promise.resolve({ ok: false, reason: 'start the game first: plans are made from the world' });
    const id = ++this.requestSeq;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.thread.post(make(id));
    });
  }

  /** The workers' actions for the tick that starts at world.t, or null if the brain is late. */
  actionsAt(t: number): ReadonlyMap<number, BrainDecision> | null {
    return this.decided?.t === t ? this.decided.actions : null;
  }

  /** Workers that did noop this tick because the brain was late. */
  late(workers: number): void {
    this.metrics.workforceLate.inc(workers);
  }

  receive(m: FromBrain): void {
    switch (m.k) {
      case 'decided': {
        if (!this.attached) return;
        const actions = new Map<number, BrainDecision>();
        for (const d of m.actions) actions.set(d.slot, d);
        this.decided = { t: m.t, actions };
        this.metrics.workforceThink.observe(m.ms / 1000);
        if (m.audit.length > 0) this.owner.audit(m.audit);
        if (m.view) this.owner.seen(m.view);
        return;
      }
      case 'audit':
        this.owner.audit(m.audit);
        return;
      case 'reply': {
        const resolve = this.pending.get(m.id);
        this.pending.delete(m.id);
        resolve?.(m.result);
        return;
      }
      case 'resync':
        this.attached = false;
        this.owner.resynced(m.reason);
        this.attach(true);
        return;
      case 'failed':
        this.lost(m.message);
        return;
    }
  }

  /** The brain failed for this lobby: requests are answered, the workers stop. */
  lost(message: string): void {
    this.attached = false;
    this.decided = null;
    this.answerPending(message);
    this.owner.failed(message);
  }

  private answerPending(reason: string): void {
    for (const resolve of this.pending.values()) resolve({ ok: false, reason });
    this.pending.clear();
  }

  /** The lobby closed or was suspended. */
  close(): void {
    if (this.attached) this.thread.post({ k: 'detach', lobby: this.lobby });
    this.attached = false;
    this.decided = null;
    this.answerPending('the lobby closed');
    this.thread.unregister(this);
  }
}
