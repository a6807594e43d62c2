/**
 * The body of the workforce brain thread (see workforce-brain.ts): for every lobby it serves, a
 * mirror of the lobby's world kept in step by the lobby's own log records, and the scripted
 * commander (planner → commander → executors of @aikon/agents) that plans on the mirror. After
 * each tick record it thinks once and posts the workers' actions for the next tick.
 */
import { parentPort } from 'node:worker_threads';
import { Commander, describeGoal, Executor, type Goal, type Skill } from '@aikon/agents';
import { Action, World } from '@aikon/engine';
import { applyRecord } from '@aikon/protocol/apply';
import type { BrainDecision, BrainView, FromBrain, ToBrain } from './workforce-brain.ts';

const port = parentPort!;

function post(message: FromBrain): void {
  port.postMessage(message);
}

/**
 * A hybrid worker's learned policy, as its executor sees it here: the last resort before rest
 * (no scripted skill applies). Its decision is the lobby's to make — the policy runs beside the
 * lobby, on the lobby's world — so here it only says that it acts.
 */
const deferToPolicy: Skill = { name: 'learned policy', brain: 'learned', act: () => Action.noop };

/** One lobby's mirror world and its commander. */
class Mirror {
  readonly world: World;
  readonly commander: Commander;
  /** Worker names by slot: the commander's words ('worker 3') become names in the audit lines. */
  private readonly names = new Map<number, string>();
  private audit: { t: number; who: string; what: string }[] = [];
  private muted = false;
  private lastView = '';
  /** The goal the commander runs (planned again after a resynchronisation). */
  private goal: Goal | null;
  private readonly actions = new Map<number, number>();

  constructor(
    readonly lobby: string,
    message: Extract<ToBrain, { k: 'attach' }>,
  ) {
    this.world = World.restore(message.world);
    this.goal = message.goal;
    this.commander = new Commander(this.world, {
      sense: 'fair',
      onAudit: (e) => {
        if (!this.muted) this.audit.push({ t: e.t, who: this.named(e.who), what: this.named(e.what) });
      },
    });
    this.muted = message.quiet;
    for (const w of message.workers) this.add(w.slot, w.name, w.hybrid);
    if (message.stopped) this.commander.stop('server');
    else if (this.goal) {
      const r = this.commander.setGoal(this.goal, 'server');
      if (!r.ok)
        this.audit.push({ t: this.world.t, who: 'server', what: `goal could not be planned again: ${r.reason}` });
    }
    this.muted = false;
  }

  private named(text: string): string {
    return text.replace(/\bworker (\d+)\b/g, (m, slot: string) => this.names.get(Number(slot)) ?? m);
  }

  add(slot: number, name: string, hybrid: boolean): void {
    this.names.set(slot, name);
    const c = this.commander;
    c.addWorker(slot, hybrid ? new Executor(slot, { sense: c.sense, fallback: deferToPolicy }) : undefined);
  }

  remove(slot: number, by: string): void {
    this.commander.removeWorker(slot, by);
    this.names.delete(slot);
  }

  /** The kill switch: its audit line is the lobby's own (written at once, at the lobby's tick). */
  stop(by: string): void {
    this.muted = true;
    this.commander.stop(by);
    this.muted = false;
  }

  handle(m: ToBrain): void {
    switch (m.k) {
      case 'record': {
        const rec = m.record;
        const expected = rec.k === 'tick' ? this.world.t + 1 : this.world.t;
        if (rec.t !== expected) throw new MirrorDiverged(`record ${rec.k} at t = ${rec.t}, mirror at ${this.world.t}`);
        let wrong: ReturnType<typeof applyRecord>;
        try {
          wrong = applyRecord(this.world, rec, this.actions);
        } catch (err) {
          throw new MirrorDiverged(`${rec.k} at t = ${rec.t} does not apply: ${(err as Error).message}`);
        }
        if (wrong) throw new MirrorDiverged(`${wrong.what} at t = ${wrong.t} differs`);
        if (rec.k === 'tick') thinkSoon(this);
        return;
      }
      case 'add':
        this.add(m.slot, m.name, m.hybrid);
        return;
      case 'remove':
        this.remove(m.slot, m.by);
        return;
      case 'stop':
        this.stop(m.by);
        return;
      case 'plan': {
        const r = this.commander.planner.plan(m.goal, this.commander.planState());
        post({ k: 'reply', lobby: this.lobby, id: m.id, result: r.ok ? { ok: true, plan: r.plan } : r });
        this.flush();
        return;
      }
      case 'goal': {
        const r = this.commander.setGoal(m.goal, m.by);
        if (r.ok) {
          this.goal = m.goal;
          if (m.resume) this.commander.resume(m.by);
        }
        post({
          k: 'reply',
          lobby: this.lobby,
          id: m.id,
          result: r.ok ? { ok: true, plan: r.plan } : { ok: false, reason: r.reason },
        });
        this.flush();
        return;
      }
      case 'attach':
      case 'detach':
        return;
    }
  }

  /** The commander decides every worker's action for the tick after the mirror's `t`. */
  think(): void {
    const start = performance.now();
    const decided = this.commander.tick();
    const actions: BrainDecision[] = [];
    for (const [slot, action] of decided) {
      const by = this.commander.workers.find((e) => e.slot === slot)?.executor.actedBy;
      actions.push({ slot, action, skill: by?.name ?? 'none', brain: by?.brain ?? 'scripted' });
    }
    const view = this.view();
    const key = JSON.stringify(view);
    post({
      k: 'decided',
      lobby: this.lobby,
      t: this.world.t,
      actions,
      ms: performance.now() - start,
      ...(key !== this.lastView ? { view } : {}),
      audit: this.audit,
    });
    this.lastView = key;
    this.audit = [];
  }

  /** Audit lines written outside a tick (commands) go out at once. */
  flush(): void {
    if (this.audit.length === 0) return;
    post({ k: 'audit', lobby: this.lobby, audit: this.audit });
    this.audit = [];
  }

  private view(): BrainView {
    const c = this.commander;
    return {
      goal: c.goal ? describeGoal(c.goal) : null,
      finished: c.finished,
      abandoned: c.abandoned,
      workers: c.workers.map((e) => ({
        slot: e.slot,
        task: e.current?.label ?? null,
        activity: e.executor.activity,
        need: e.executor.need,
      })),
      queue: c.queue.map((q) => ({
        id: q.id,
        label: q.label,
        deps: q.deps,
        lane: q.lane,
        state: q.status,
        worker: q.worker,
      })),
    };
  }
}

/** The mirror no longer matches the lobby's world: the lobby sends a fresh snapshot. */
class MirrorDiverged extends Error {}

const mirrors = new Map<string, Mirror>();

/**
 * Mirrors that stepped since they last thought. They think once the messages that are already
 * waiting have been applied: a brain that fell behind catches up to the newest tick and decides
 * for it, rather than deciding for every tick it missed (decisions the lobby would drop).
 */
const due = new Set<Mirror>();
function thinkSoon(mirror: Mirror): void {
  if (due.size === 0) setImmediate(thinkDue);
  due.add(mirror);
}
function thinkDue(): void {
  const now = [...due];
  due.clear();
  for (const mirror of now) {
    if (mirrors.get(mirror.lobby) !== mirror) continue;
    try {
      mirror.think();
    } catch (err) {
      mirrors.delete(mirror.lobby);
      post({ k: 'failed', lobby: mirror.lobby, message: (err as Error).message });
    }
  }
}

port.on('message', (m: ToBrain) => {
  if (m.k === 'attach') {
    try {
      mirrors.set(m.lobby, new Mirror(m.lobby, m));
      mirrors.get(m.lobby)!.think();
    } catch (err) {
      mirrors.delete(m.lobby);
      post({ k: 'failed', lobby: m.lobby, message: (err as Error).message });
    }
    return;
  }
  if (m.k === 'detach') {
    mirrors.delete(m.lobby);
    return;
  }
  const mirror = mirrors.get(m.lobby);
  // Messages after a failure, until the lobby attaches again, have nothing to apply to; a
  // request still gets its answer.
  if (!mirror) {
    if (m.k === 'plan' || m.k === 'goal')
      post({
        k: 'reply',
        lobby: m.lobby,
        id: m.id,
        result: { ok: false, reason: 'the workforce is restarting: try again' },
      });
    return;
  }
  try {
    mirror.handle(m);
  } catch (err) {
    mirrors.delete(m.lobby);
    if (err instanceof MirrorDiverged) post({ k: 'resync', lobby: m.lobby, reason: err.message });
    else post({ k: 'failed', lobby: m.lobby, message: (err as Error).message });
  }
});
