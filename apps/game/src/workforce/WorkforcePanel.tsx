import { useEffect, useRef, useState, type FormEvent } from 'react';
import { MAKE_RULES, PLACE_RULES } from '@aikon/engine';
import type { PlanTaskView, PlanView, StructuredGoal, WorkerBrain, WorkerView, WorkforceState } from '@aikon/protocol';
import { useLobby } from '../net/lobby-store.ts';
import { playerColor } from '../game/player-colors.ts';
import { layoutPlan } from './plan-layout.ts';
import { useWorkforce, workerNames } from './workforce-store.ts';
import { WatchButton } from '../net/ui/Spectate.tsx';

const input =
  'rounded-lg border border-white/20 bg-slate-900 px-2 py-1.5 text-white outline-none focus:border-emerald-400';
const heading = 'text-xs font-semibold uppercase tracking-wide text-slate-400';

/**
 * The lobby's AI workforce: workers (add/remove with names), goal input (free text or
 * structured) with the refusal reason, the plan DAG with each task's state and worker, the
 * approval gate, the kill switch, settings, and the audit log with a download button.
 * Shown on the lobby page and, folded, in the game screen of relay games.
 */
export function WorkforcePanel({ compact = false }: { compact?: boolean }) {
  const lobby = useLobby((s) => s.lobby);
  const memberId = useLobby((s) => s.memberId);
  const state = useWorkforce((s) => s.state);
  const error = useWorkforce((s) => s.error);
  if (!lobby) return null;
  const isHost = lobby.hostId === memberId;
  const canCommand = isHost || state?.settings.commanders === 'all';
  const running = lobby.status === 'running';
  return (
    <section
      data-testid="workforce"
      className={
        `w-full rounded-2xl border border-white/10 text-sm ${compact ? 'bg-slate-950/95' : 'bg-slate-950/80'} ` +
        `text-slate-200 shadow-xl ${compact ? 'p-3' : 'p-6'}`
      }
    >
      <div className="flex flex-wrap items-center gap-3">
        <h2 className={`${compact ? 'text-base' : 'text-xl'} font-bold text-white`}>AI workforce</h2>
        {state?.stopped && (
          <span
            data-testid="workforce-stopped"
            className="rounded bg-rose-500/25 px-2 py-0.5 text-xs font-semibold text-rose-200"
          >
            stopped by the kill switch — a new goal resumes
          </span>
        )}
        <KillSwitch disabled={!canCommand || !state || state.workers.length === 0} />
      </div>
      {error && (
        <p role="alert" data-testid="workforce-error" className="mt-2 rounded bg-rose-900/70 px-3 py-1 text-rose-100">
          {error}{' '}
          <button type="button" className="underline" onClick={() => useWorkforce.setState({ error: null })}>
            ok
          </button>
        </p>
      )}
      <Workers workers={state?.workers ?? []} isHost={isHost} />
      {isHost && state && <Settings state={state} />}
      {!isHost && state && (
        <p className="mt-2 text-xs text-slate-400" data-testid="workforce-rules">
          {state.settings.commanders === 'all' ? 'Every member may give goals.' : 'Only the host gives goals.'}
          {state.settings.approval ? ' The host approves each plan.' : ''}
        </p>
      )}
      <GoalInput enabled={canCommand} running={running} />
      {state?.plan && <Plan plan={state.plan} state={state} isHost={isHost} />}
      <Audit state={state} compact={compact} />
    </section>
  );
}

function KillSwitch({ disabled }: { disabled: boolean }) {
  const kill = useWorkforce((s) => s.kill);
  return (
    <button
      type="button"
      data-testid="kill-switch"
      disabled={disabled}
      onClick={() => void kill()}
      title="Stops every AI worker at once, from the next tick"
      className={
        'ml-auto rounded-xl border-2 border-rose-300 bg-rose-600 px-5 py-2 text-base font-black ' +
        'uppercase tracking-wide text-white shadow-lg hover:bg-rose-500 disabled:opacity-40'
      }
    >
      ■ Stop all workers
    </button>
  );
}

const STATUS_COLOR: Record<WorkerView['status'], string> = {
  waiting: 'text-slate-400',
  idle: 'text-sky-300',
  working: 'text-emerald-300',
  dead: 'text-rose-300',
  stopped: 'text-rose-300',
};

/** What each brain is (every WorkerBrain must have a line: the picker lists these). */
const BRAIN_HELP: Record<WorkerBrain, string> = {
  scripted: 'planner + commander + A* skills',
  learned: "the relay's trained policy, from the fair view alone",
  hybrid: 'skills run the tasks; the policy acts when there is no task',
};

function Workers({ workers, isHost }: { workers: WorkerView[]; isHost: boolean }) {
  const members = useLobby((s) => s.lobby?.members);
  // The lobby page colours members by slot, else by place in the list: the same here.
  const colorOf = (w: WorkerView) =>
    playerColor(w.slot ?? Math.max(0, members?.findIndex((m) => m.memberId === w.workerId) ?? 0));
  const add = useWorkforce((s) => s.addWorker);
  const remove = useWorkforce((s) => s.removeWorker);
  const [name, setName] = useState('');
  const [brain, setBrain] = useState<WorkerBrain>('scripted');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    if (await add(name, brain)) setName('');
  };
  return (
    <div className="mt-3">
      <h3 className={heading}>Workers {workers.length}</h3>
      <ul className="mt-1 flex flex-col gap-1" data-testid="workforce-workers">
        {workers.length === 0 && (
          <li className="text-slate-400">No AI workers yet.{isHost ? ' Add one by name below.' : ''}</li>
        )}
        {workers.map((w) => (
          <li
            key={w.workerId}
            data-testid="worker"
            data-name={w.name}
            data-status={w.status}
            className="flex items-center gap-2 rounded-lg bg-white/5 px-2 py-1"
          >
            <span className="h-3 w-3 shrink-0 rounded-full" style={{ background: colorOf(w) }} />
            <span className="font-semibold">{w.name}</span>
            <span className={`text-xs ${STATUS_COLOR[w.status]}`}>{w.status}</span>
            {w.brain && w.brain !== 'scripted' && (
              <span
                data-testid="worker-brain"
                className="rounded bg-violet-500/20 px-1 text-xs text-violet-200"
                title={`brain: ${w.brain}; last action chosen by: ${w.acting ?? '—'}`}
              >
                {w.brain}
                {w.brain === 'hybrid' && w.acting ? ` · ${w.acting}` : ''}
              </span>
            )}
            {w.health !== null && (
              <span className="text-xs text-rose-200" title="health">
                ♥{w.health}
              </span>
            )}
            <span className="min-w-0 flex-1 truncate text-xs text-slate-400" title={w.activity}>
              {w.task ? `${w.task} · ` : ''}
              {w.activity}
            </span>
            <WatchButton slot={w.slot} name={w.name} testId={`follow-worker-${w.name}`} />
            {isHost && (
              <button
                type="button"
                data-testid={`remove-worker-${w.name}`}
                className="rounded border border-rose-300/40 px-2 text-xs text-rose-200 hover:bg-rose-500/20"
                onClick={() => void remove(w.workerId)}
              >
                remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {isHost && (
        <form className="mt-2 flex gap-2" onSubmit={(e) => void submit(e)}>
          <input
            data-testid="worker-name"
            value={name}
            maxLength={32}
            onChange={(e) => setName(e.target.value)}
            placeholder="worker name, e.g. Ada"
            className={`w-48 ${input}`}
          />
          <select
            data-testid="worker-brain-select"
            value={brain}
            onChange={(e) => setBrain(e.target.value as WorkerBrain)}
            className={input}
            title={BRAIN_HELP[brain]}
          >
            {(Object.keys(BRAIN_HELP) as WorkerBrain[]).map((b) => (
              <option key={b} value={b} title={BRAIN_HELP[b]}>
                {b} brain
              </option>
            ))}
          </select>
          <button
            type="submit"
            data-testid="add-worker"
            disabled={!name.trim()}
            className={
              'rounded-lg bg-sky-500 px-3 py-1.5 font-semibold text-sky-950 hover:bg-sky-400 disabled:opacity-50'
            }
          >
            Add AI worker
          </button>
        </form>
      )}
    </div>
  );
}

function Settings({ state }: { state: WorkforceState }) {
  const setSettings = useWorkforce((s) => s.setSettings);
  return (
    <div className="mt-3 flex flex-wrap items-center gap-4 text-xs text-slate-300" data-testid="workforce-settings">
      <label className="flex items-center gap-2">
        <input
          type="checkbox"
          data-testid="approval-gate"
          checked={state.settings.approval}
          onChange={(e) => void setSettings({ approval: e.target.checked })}
        />
        I approve each plan before it runs
      </label>
      <label className="flex items-center gap-2">
        Who may give goals
        <select
          data-testid="commanders"
          value={state.settings.commanders}
          onChange={(e) => void setSettings({ commanders: e.target.value as 'host' | 'all' })}
          className="rounded border border-white/20 bg-slate-900 px-1 py-0.5"
        >
          <option value="host">only me (host)</option>
          <option value="all">every member</option>
        </select>
      </label>
    </div>
  );
}

const COLLECTABLE = ['wood', 'stone', 'coal', 'iron', 'diamond', 'sapling', 'drink'] as const;
const MAKEABLE = MAKE_RULES.map((r) => r.item);
const PLACEABLE = PLACE_RULES.map((r) => r.name);
type GoalKind = 'collect' | 'make' | 'place';
const itemsOf = (kind: GoalKind): readonly string[] =>
  kind === 'collect' ? COLLECTABLE : kind === 'make' ? MAKEABLE : PLACEABLE;

function GoalInput({ enabled, running }: { enabled: boolean; running: boolean }) {
  const giveGoal = useWorkforce((s) => s.giveGoal);
  const busy = useWorkforce((s) => s.busy);
  const goalError = useWorkforce((s) => s.goalError);
  const result = useWorkforce((s) => s.goalResult);
  const languageModel = useWorkforce((s) => s.state?.languageModel ?? null);
  const [text, setText] = useState('');
  const [kind, setKind] = useState<GoalKind>('collect');
  const [item, setItem] = useState<string>('wood');
  const [amount, setAmount] = useState(1);
  const options = itemsOf(kind);
  // A new kind's item list may not hold the chosen item: then its first item is chosen.
  const chooseKind = (next: GoalKind) => {
    setKind(next);
    const nextOptions = itemsOf(next);
    if (!nextOptions.includes(item)) setItem(nextOptions[0]);
  };
  const submitText = async (e: FormEvent) => {
    e.preventDefault();
    if (text.trim() && (await giveGoal(text))) setText('');
  };
  const submitStructured = () => {
    const goal = (
      kind === 'collect' ? { kind, item, amount } : kind === 'make' ? { kind, item } : { kind, what: item }
    ) as StructuredGoal;
    void giveGoal(goal);
  };
  const disabled = !enabled || busy;
  return (
    <div className="mt-4">
      <h3 className={heading}>Goal</h3>
      {!enabled && <p className="mt-1 text-xs text-slate-400">Only the host may give goals in this lobby.</p>}
      {enabled && !running && (
        <p className="mt-1 text-xs text-slate-400">Goals are planned from the world: start the game first.</p>
      )}
      {enabled && (
        <p className="mt-1 text-xs text-slate-400" data-testid="goal-reader">
          {languageModel
            ? `Free text is read by the language model “${languageModel}”, with the goal grammar as the fallback.`
            : 'Free text is read by the goal grammar.'}
        </p>
      )}
      <form className="mt-1 flex flex-wrap gap-2" onSubmit={(e) => void submitText(e)}>
        <input
          data-testid="goal-text"
          value={text}
          maxLength={200}
          disabled={!enabled}
          onChange={(e) => setText(e.target.value)}
          placeholder='e.g. "collect wood 3", "make wood_pickaxe", "get me an iron pickaxe"'
          className={`min-w-0 flex-1 ${input} disabled:opacity-50`}
        />
        <button
          type="submit"
          data-testid="goal-submit"
          disabled={disabled || !text.trim()}
          className={
            'rounded-lg bg-emerald-500 px-4 py-1.5 font-bold ' +
            'text-emerald-950 hover:bg-emerald-400 disabled:opacity-50'
          }
        >
          Give goal
        </button>
      </form>
      <div className="mt-2 flex flex-wrap items-center gap-2 text-xs" data-testid="goal-structured">
        <span className="text-slate-400">or pick:</span>
        <select
          value={kind}
          disabled={!enabled}
          onChange={(e) => chooseKind(e.target.value as GoalKind)}
          data-testid="goal-kind"
          className="rounded border border-white/20 bg-slate-900 px-1 py-0.5"
        >
          <option value="collect">collect</option>
          <option value="make">make</option>
          <option value="place">place</option>
        </select>
        <select
          value={item}
          disabled={!enabled}
          onChange={(e) => setItem(e.target.value)}
          data-testid="goal-item"
          className="rounded border border-white/20 bg-slate-900 px-1 py-0.5"
        >
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
        {kind === 'collect' && (
          <input
            type="number"
            min={1}
            max={9}
            value={amount}
            disabled={!enabled}
            onChange={(e) => setAmount(Math.max(1, Math.min(99, Number(e.target.value) || 1)))}
            data-testid="goal-amount"
            className="w-14 rounded border border-white/20 bg-slate-900 px-1 py-0.5"
          />
        )}
        <button
          type="button"
          data-testid="goal-structured-submit"
          disabled={disabled}
          onClick={submitStructured}
          className={
            'rounded bg-emerald-700 px-2 py-0.5 font-semibold ' +
            'text-emerald-50 hover:bg-emerald-600 disabled:opacity-50'
          }
        >
          Give
        </button>
      </div>
      {goalError && (
        <p role="alert" data-testid="goal-error" className="mt-2 rounded bg-amber-900/60 px-3 py-1 text-amber-100">
          Refused: {goalError}
        </p>
      )}
      {result && !goalError && (
        <p className="mt-2 text-xs text-emerald-200" data-testid="goal-accepted">
          “{result.goal}”: plan #{result.planId}, {result.tasks} task{result.tasks === 1 ? '' : 's'}
          {result.awaitingApproval ? ' — waits for the host’s approval' : ' — running'}
          {result.via === 'endpoint' && ' · read by the language model'}
          {result.via === 'grammar' && result.note && ` · read by the grammar (${result.note})`}
        </p>
      )}
    </div>
  );
}

const TASK_STYLE: Record<PlanTaskView['state'], string> = {
  pending: 'border-slate-500/60 bg-slate-800/80',
  assigned: 'border-amber-300 bg-amber-900/60',
  done: 'border-emerald-400 bg-emerald-900/60',
  dropped: 'border-rose-400 bg-rose-950/70 line-through',
};
const PLAN_STATUS: Record<PlanView['status'], string> = {
  awaiting: 'waits for approval',
  running: 'running',
  done: 'done',
  abandoned: 'given up',
  rejected: 'rejected',
  stopped: 'stopped',
};

const CARD_W = 170;
const CARD_H = 46;
const GAP_X = 34;
const GAP_Y = 8;

function Plan({ plan, state, isHost }: { plan: PlanView; state: WorkforceState; isHost: boolean }) {
  const decide = useWorkforce((s) => s.decide);
  const names = workerNames(state);
  const layout = layoutPlan(plan.tasks);
  const width = Math.max(1, layout.cols) * (CARD_W + GAP_X) - GAP_X;
  const height = Math.max(1, layout.rows) * (CARD_H + GAP_Y) - GAP_Y;
  const at = (id: number) => {
    const p = layout.pos.get(id)!;
    return { x: p.col * (CARD_W + GAP_X), y: p.row * (CARD_H + GAP_Y) };
  };
  const done = plan.tasks.filter((t) => t.state === 'done').length;
  return (
    <div className="mt-4" data-testid="plan" data-status={plan.status} data-plan-id={plan.planId}>
      <h3 className={heading}>Plan #{plan.planId}</h3>
      <p className="mt-1">
        <span className="font-semibold text-white">{plan.goal}</span>
        <span className="text-slate-400"> · asked by {plan.by} · </span>
        <span
          data-testid="plan-status"
          className={
            plan.status === 'done'
              ? 'text-emerald-300'
              : plan.status === 'awaiting'
                ? 'text-amber-300'
                : 'text-slate-200'
          }
        >
          {PLAN_STATUS[plan.status]}
        </span>
        <span className="text-slate-400">
          {' '}
          · {done}/{plan.tasks.length} tasks done
        </span>
        {plan.note && <span className="text-slate-400"> · {plan.note}</span>}
      </p>
      {plan.status === 'awaiting' && (
        <div
          className={
            'mt-2 flex flex-wrap items-center gap-3 rounded-lg ' +
            'border border-amber-300/50 bg-amber-900/30 px-3 py-2'
          }
          data-testid="approval"
        >
          <span className="text-amber-100">This plan waits for the host’s approval before any worker moves.</span>
          {isHost ? (
            <>
              <button
                type="button"
                data-testid="approve-plan"
                className="rounded-lg bg-emerald-500 px-4 py-1 font-bold text-emerald-950 hover:bg-emerald-400"
                onClick={() => void decide(plan.planId, true)}
              >
                Approve
              </button>
              <button
                type="button"
                data-testid="reject-plan"
                className="rounded-lg border border-rose-300/60 px-4 py-1 text-rose-200 hover:bg-rose-500/20"
                onClick={() => void decide(plan.planId, false)}
              >
                Reject
              </button>
            </>
          ) : (
            <span className="text-xs text-slate-300">(the host decides)</span>
          )}
        </div>
      )}
      <div className="mt-2 overflow-auto rounded-lg bg-black/30 p-2" style={{ maxHeight: 320 }}>
        <div className="relative" style={{ width, height }} data-testid="plan-dag">
          <svg className="pointer-events-none absolute inset-0" width={width} height={height} aria-hidden="true">
            {layout.edges.map((e) => {
              const a = at(e.from);
              const b = at(e.to);
              const x1 = a.x + CARD_W;
              const y1 = a.y + CARD_H / 2;
              const x2 = b.x;
              const y2 = b.y + CARD_H / 2;
              return (
                <path
                  key={`${e.from}-${e.to}`}
                  d={`M${x1},${y1} C${x1 + GAP_X / 2},${y1} ${x2 - GAP_X / 2},${y2} ${x2},${y2}`}
                  stroke="rgba(148,163,184,0.6)"
                  fill="none"
                  strokeWidth={1.5}
                />
              );
            })}
          </svg>
          {plan.tasks.map((t) => {
            const p = at(t.id);
            const worker = t.workerId ? (names.get(t.workerId) ?? 'a removed worker') : null;
            return (
              <div
                key={t.id}
                data-testid="plan-task"
                data-state={t.state}
                data-label={t.label}
                title={`${t.label} — ${t.state}${worker ? ` — ${worker}` : ''}`}
                className={
                  'absolute overflow-hidden rounded-md border px-2 ' +
                  `py-1 text-[11px] leading-4 ${TASK_STYLE[t.state]}`
                }
                style={{ left: p.x, top: p.y, width: CARD_W, height: CARD_H }}
              >
                <div className="truncate font-semibold text-white">{t.label}</div>
                <div className="truncate text-slate-300">
                  {t.state === 'done'
                    ? '✓ done'
                    : t.state === 'assigned' && plan.status === 'stopped'
                      ? 'halted'
                      : t.state}
                  {worker ? ` · ${worker}` : ''}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function Audit({ state, compact }: { state: WorkforceState | null; compact: boolean }) {
  const download = useWorkforce((s) => s.downloadAudit);
  const lines = state?.audit ?? [];
  const box = useRef<HTMLOListElement>(null);
  const lastSeq = lines[lines.length - 1]?.seq;
  // biome-ignore lint/correctness/useExhaustiveDependencies: scrolls to the newest line whenever one arrives
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length, lastSeq]);
  return (
    <div className="mt-4">
      <div className="flex items-center gap-3">
        <h3 className={heading}>Audit log</h3>
        <span className="text-xs text-slate-500">
          {state?.auditTotal ?? 0} entries · who asked for what, what each worker did and why
        </span>
        <button
          type="button"
          data-testid="audit-download"
          onClick={() => void download()}
          className="ml-auto rounded border border-white/20 px-2 py-0.5 text-xs text-slate-200 hover:bg-white/10"
        >
          Download (.jsonl)
        </button>
      </div>
      <ol
        ref={box}
        data-testid="audit"
        className={
          'mt-1 overflow-y-auto rounded-lg bg-black/40 p-2 font-mono text-[11px] ' +
          `leading-4 text-slate-300 ${compact ? 'max-h-32' : 'max-h-56'}`
        }
      >
        {lines.length === 0 && <li className="text-slate-500">Nothing yet.</li>}
        {lines.map((l) => (
          <li key={l.seq} data-testid="audit-line">
            <span className="text-slate-500">t{l.t} </span>
            <span className="text-sky-300">{l.who}</span>: {l.what}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** In the game screen of relay games: a folded button that opens the panel (bottom right). */
export function WorkforceDock() {
  const open = useWorkforce((s) => s.dockOpen);
  const toggle = useWorkforce((s) => s.toggleDock);
  const state = useWorkforce((s) => s.state);
  const working = state?.workers.filter((w) => w.status === 'working').length ?? 0;
  return (
    <div
      className={
        'pointer-events-auto absolute bottom-28 right-2 group-data-[touch=true]/game:bottom-40 ' +
        'flex max-h-[70%] w-[min(36rem,calc(100%-1rem))] flex-col items-end gap-1'
      }
      data-testid="workforce-dock"
      data-open={open}
    >
      <button
        type="button"
        data-testid="workforce-toggle"
        onClick={toggle}
        className={
          'rounded-lg border border-white/15 bg-slate-950/80 px-3 py-1 ' +
          'text-xs font-semibold text-slate-200 hover:bg-slate-800'
        }
      >
        AI workforce · {state?.workers.length ?? 0} workers{working ? ` · ${working} working` : ''}
        {state?.plan ? ` · ${PLAN_STATUS[state.plan.status]}` : ''} {open ? '▾' : '▴'}
      </button>
      {open && (
        <div className="w-full overflow-y-auto [scrollbar-width:thin]">
          <WorkforcePanel compact />
        </div>
      )}
    </div>
  );
}
