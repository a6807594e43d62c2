/**
 * The Datasets page (`?page=datasets`, lazy-loaded): what has been recorded, charts of it, a
 * filter, and exports (Minari, Parquet, replay logs) with progress and download links. Talks to
 * the relay's dataset API on the same origin.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  achievementLabel,
  ApiError,
  type Charts,
  datasetsApi,
  EMPTY_FILTER,
  type EpisodesPage,
  type ExportFormat,
  type FilterForm,
  formatBytes,
  formatCount,
  type Job,
  type SessionInfo,
  type Summary,
} from './api.ts';
import { AchievementBars, COLORS, Legend, StackedBars } from './charts.tsx';
import { TrainingRounds } from './TrainingRounds.tsx';

const FORMATS: { format: ExportFormat; label: string; note: string }[] = [
  { format: 'minari', label: 'Minari (HDF5)', note: 'minari.load_dataset' },
  { format: 'parquet', label: 'Parquet', note: 'pandas, DuckDB, HF datasets' },
  { format: 'replay', label: 'Replay logs', note: 'exact re-simulation' },
];

const GENERATE = 'npm run dataset -- generate --episodes 20 --policy random --seed 1';

function message(err: unknown): string {
  return err instanceof ApiError ? err.message : ((err as Error)?.message ?? String(err));
}

function bucketLabel(iso: string, bucket: string): string {
  const d = iso.slice(5, 10);
  if (bucket === 'minute' || bucket === 'hour') return `${d} ${iso.slice(11, 16)}`;
  if (bucket === 'day') return d;
  return iso.slice(0, 10);
}

function Card({ label, value, testId, sub }: { label: string; value: string; testId: string; sub?: string }) {
  return (
    <div className="rounded-xl border border-white/10 bg-slate-900/70 px-4 py-3">
      <div className="text-xs uppercase tracking-wide text-slate-400">{label}</div>
      <div className="mt-1 text-2xl font-bold tabular-nums text-white" data-testid={testId}>
        {value}
      </div>
      {sub && <div className="text-xs text-slate-500">{sub}</div>}
    </div>
  );
}

function Panel({
  title,
  children,
  right,
  testId,
}: {
  title: string;
  children: ReactNode;
  right?: ReactNode;
  testId?: string;
}) {
  return (
    <section className="rounded-2xl border border-white/10 bg-slate-950/60 p-5" data-testid={testId}>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-lg font-bold text-white">{title}</h2>
        {right}
      </div>
      {children}
    </section>
  );
}

function Alert({ children, testId }: { children: ReactNode; testId: string }) {
  return (
    <p
      role="alert"
      data-testid={testId}
      className="mt-3 rounded-lg border border-rose-400/30 bg-rose-950/40 px-3 py-2 text-sm text-rose-200 select-text"
    >
      {children}
    </p>
  );
}

function EmptyState({ noApi }: { noApi: string | null }) {
  return (
    <Panel title="No data yet" testId="datasets-empty">
      {noApi ? (
        <p className="text-sm text-amber-200">{noApi}</p>
      ) : (
        <p className="text-sm text-slate-300">
          Nothing has been recorded in this server's data directory. Every lobby played on the relay is recorded; to get
          data right away, generate AI play:
        </p>
      )}
      <pre
        className={
          'mt-3 overflow-x-auto rounded-lg bg-black/50 px-3 py-2 font-mono text-sm text-emerald-300 select-text'
        }
      >
        {GENERATE}
      </pre>
      <p className="mt-2 text-xs text-slate-500">
        It writes session logs to <code>./data/recordings</code> (or <code>--data-dir</code> /{' '}
        <code>AIKON_DATA_DIR</code>), the same directory the relay serves; reload this page afterwards.
      </p>
    </Panel>
  );
}

function FilterPanel({
  achievements,
  applied,
  onApply,
  busy,
  error,
}: {
  achievements: string[];
  applied: FilterForm;
  onApply: (f: FilterForm) => void;
  busy: boolean;
  error: string | null;
}) {
  const [form, setForm] = useState<FilterForm>(applied);
  const set = <K extends keyof FilterForm>(key: K, value: FilterForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(form);
  };
  const input =
    'mt-1 w-full rounded-lg border border-white/20 bg-slate-900 ' +
    'px-3 py-1.5 text-white outline-none focus:border-emerald-400';
  return (
    <Panel title="Filter" testId="datasets-filter">
      <form
        onSubmit={submit}
        className="grid gap-3 text-sm text-slate-300 sm:grid-cols-3 lg:grid-cols-6"
        data-testid="filter-form"
      >
        <label className="flex flex-col">
          Players
          <select
            data-testid="filter-kind"
            value={form.kind}
            onChange={(e) => set('kind', e.target.value as FilterForm['kind'])}
            className={input}
          >
            <option value="">human and AI</option>
            <option value="human">human only</option>
            <option value="ai">AI only</option>
          </select>
        </label>
        <label className="flex flex-col">
          From
          <input
            data-testid="filter-from"
            type="date"
            value={form.from}
            onChange={(e) => set('from', e.target.value)}
            className={input}
          />
        </label>
        <label className="flex flex-col">
          To (inclusive)
          <input
            data-testid="filter-to"
            type="date"
            value={form.to}
            onChange={(e) => set('to', e.target.value)}
            className={input}
          />
        </label>
        <label className="flex flex-col">
          Min. length (steps)
          <input
            data-testid="filter-min-length"
            inputMode="numeric"
            placeholder="e.g. 100"
            value={form.minLength}
            onChange={(e) => set('minLength', e.target.value)}
            className={input}
          />
        </label>
        <label className="flex flex-col">
          Min. score (return)
          <input
            data-testid="filter-min-return"
            inputMode="decimal"
            placeholder="e.g. 2"
            value={form.minReturn}
            onChange={(e) => set('minReturn', e.target.value)}
            className={input}
          />
        </label>
        <div className="flex items-end gap-2">
          <button
            type="submit"
            data-testid="filter-apply"
            disabled={busy}
            className={
              'rounded-lg bg-emerald-500 px-4 py-2 font-semibold ' +
              'text-emerald-950 hover:bg-emerald-400 disabled:opacity-60'
            }
          >
            Apply
          </button>
          <button
            type="button"
            data-testid="filter-reset"
            className="rounded-lg border border-white/20 px-3 py-2 text-slate-300 hover:bg-white/5"
            onClick={() => {
              setForm(EMPTY_FILTER);
              onApply(EMPTY_FILTER);
            }}
          >
            Reset
          </button>
        </div>
        <details className="sm:col-span-3 lg:col-span-6" data-testid="filter-achievements">
          <summary className="cursor-pointer text-slate-300">
            Achievements (episodes that unlocked all of)
            {form.achievements.length > 0 ? `: ${form.achievements.map(achievementLabel).join(', ')}` : ''}
          </summary>
          <div className="mt-2 grid grid-cols-2 gap-1 sm:grid-cols-4 lg:grid-cols-6">
            {achievements.map((a) => (
              <label key={a} className="flex items-center gap-2 text-xs text-slate-300">
                <input
                  type="checkbox"
                  data-testid={`filter-ach-${a}`}
                  checked={form.achievements.includes(a)}
                  onChange={(e) =>
                    set(
                      'achievements',
                      e.target.checked ? [...form.achievements, a] : form.achievements.filter((x) => x !== a),
                    )
                  }
                />
                {achievementLabel(a)}
              </label>
            ))}
          </div>
        </details>
      </form>
      {error && <Alert testId="filter-error">{error}</Alert>}
    </Panel>
  );
}

function ChartsPanel({ charts, kind }: { charts: Charts | null; kind: FilterForm['kind'] }) {
  if (!charts) return null;
  const tl = charts.timeline;
  const showHuman = kind !== 'ai';
  const showAi = kind !== 'human';
  const kinds = [
    ...(showHuman ? [{ name: 'human', color: COLORS.human }] : []),
    ...(showAi ? [{ name: 'AI', color: COLORS.ai }] : []),
  ];
  const episodeBars = tl.buckets.map((b) => ({
    label: bucketLabel(b.start, tl.bucket),
    segments: [
      ...(showHuman ? [{ name: 'human', value: b.human, color: COLORS.human }] : []),
      ...(showAi ? [{ name: 'AI', value: b.ai, color: COLORS.ai }] : []),
    ],
  }));
  const stepBars = tl.buckets.map((b) => ({
    label: bucketLabel(b.start, tl.bucket),
    segments: [{ name: 'steps', value: b.steps, color: COLORS.steps }],
  }));
  const returnBars = charts.returns.bins.map((b) => ({
    label: charts.returns.binWidth === 1 ? `${b.from}` : `${b.from}–${b.to}`,
    segments: [
      ...(showHuman ? [{ name: 'human', value: b.human, color: COLORS.human }] : []),
      ...(showAi ? [{ name: 'AI', value: b.ai, color: COLORS.ai }] : []),
    ],
  }));
  return (
    <div className="grid gap-4 lg:grid-cols-2" data-testid="datasets-charts">
      {/* Each episode counts in the bucket of its own start, not its session's. */}
      <Panel title={`Episodes per ${tl.bucket} (by when each began)`} right={<Legend items={kinds} />}>
        <StackedBars bars={episodeBars} testId="chart-episodes" label={`Episodes per ${tl.bucket}, human and AI`} />
      </Panel>
      <Panel title={`Steps per ${tl.bucket}`} right={<Legend items={[{ name: 'steps', color: COLORS.steps }]} />}>
        <StackedBars bars={stepBars} testId="chart-steps" label={`Steps per ${tl.bucket}`} />
      </Panel>
      <Panel
        title="Achievement success rates"
        right={
          <div className="flex flex-col items-end gap-1">
            <Legend items={kinds} />
            <span className="text-xs text-slate-400" data-testid="crafter-scores">
              Crafter score{showHuman ? ` · human ${charts.scores.human.toFixed(1)} %` : ''}
              {showAi ? ` · AI ${charts.scores.ai.toFixed(1)} %` : ''}
            </span>
          </div>
        }
      >
        <AchievementBars rows={charts.achievements} showHuman={showHuman} showAi={showAi} />
      </Panel>
      <Panel title="Score (episode return) distribution" right={<Legend items={kinds} />}>
        <StackedBars bars={returnBars} testId="chart-returns" label="Episodes by return" height={200} />
        <p className="mt-1 text-xs text-slate-500">
          Return = achievements unlocked + health change (Crafter's reward), per episode.
        </p>
      </Panel>
    </div>
  );
}

function EpisodeTable({ page }: { page: EpisodesPage }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="episode-table">
        <thead className="text-xs uppercase text-slate-400">
          <tr>
            <th className="py-1 pr-3">Began</th>
            <th className="py-1 pr-3">Session</th>
            <th className="py-1 pr-3">Player</th>
            <th className="py-1 pr-3 text-right">Length</th>
            <th className="py-1 pr-3 text-right">Return</th>
            <th className="py-1 pr-3">Achievements</th>
            <th className="py-1">Ended by</th>
          </tr>
        </thead>
        <tbody className="text-slate-200">
          {page.episodes.map((e) => (
            <tr key={e.id} className="border-t border-white/5" data-testid="episode-row" data-kind={e.kind}>
              <td
                className="py-1 pr-3 whitespace-nowrap tabular-nums"
                title={`session started ${e.startedAt.slice(0, 19).replace('T', ' ')}`}
              >
                {e.beganAt.slice(0, 16).replace('T', ' ')}
              </td>
              <td className="py-1 pr-3 font-mono text-xs text-slate-400 select-text" title={e.session}>
                {e.session.slice(-12)}:{e.slot}
                {e.live && <LiveBadge />}
              </td>
              <td className="py-1 pr-3">
                <span
                  className="rounded px-1.5 py-0.5 text-xs font-semibold text-slate-950"
                  style={{ background: e.kind === 'human' ? COLORS.human : COLORS.ai }}
                >
                  {e.kind === 'human' ? 'human' : 'AI'}
                </span>
              </td>
              <td className="py-1 pr-3 text-right tabular-nums">{formatCount(e.length)}</td>
              <td className="py-1 pr-3 text-right tabular-nums">{e.return.toFixed(1)}</td>
              <td className="py-1 pr-3 text-xs text-slate-400" title={e.achievements.map(achievementLabel).join(', ')}>
                {e.achievements.length === 0 ? '—' : e.achievements.map(achievementLabel).join(', ')}
              </td>
              <td className="py-1 text-xs text-slate-400">{e.endReason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.total > page.episodes.length && (
        <p className="mt-2 text-xs text-slate-500">
          Showing the first {page.episodes.length} of {formatCount(page.total)} matching episodes (earliest first).
          Exports include all of them.
        </p>
      )}
    </div>
  );
}

function LiveBadge() {
  return (
    <span
      data-testid="live-badge"
      className="ml-1.5 rounded bg-rose-500/80 px-1 font-sans text-[10px] font-bold uppercase text-white"
    >
      in progress
    </span>
  );
}

const SESSION_ROWS = 12;

/** Every recorded session, newest first: live ones as in progress with their episodes so far. */
function SessionsPanel({ sessions }: { sessions: SessionInfo[] }) {
  const newest = [...sessions].sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  const state = (s: SessionInfo) =>
    s.recording ? 'live' : s.verified ? (s.recovered ? 'recovered' : 'complete') : 'unverified';
  const label = {
    live: 'in progress',
    complete: 'complete',
    recovered: 'recovered after a crash',
    unverified: 'not verified',
  } as const;
  return (
    <Panel
      title="Sessions"
      testId="datasets-sessions"
      right={
        <span className="text-xs text-slate-400">
          newest first{sessions.some((s) => s.recording) ? ' · live sessions refresh every 10 s' : ''}
        </span>
      }
    >
      <table className="w-full text-left text-sm">
        <thead className="text-xs uppercase text-slate-400">
          <tr>
            <th className="py-1 pr-3">Started</th>
            <th className="py-1 pr-3">Session</th>
            <th className="py-1 pr-3">State</th>
            <th className="py-1 pr-3 text-right">Ticks</th>
            <th className="py-1 text-right">Episodes</th>
          </tr>
        </thead>
        <tbody className="text-slate-200">
          {newest.slice(0, SESSION_ROWS).map((s) => (
            <tr key={s.id} className="border-t border-white/5" data-testid="session-row" data-state={state(s)}>
              <td className="py-1 pr-3 whitespace-nowrap tabular-nums">
                {s.startedAt ? s.startedAt.slice(0, 16).replace('T', ' ') : '—'}
              </td>
              <td className="py-1 pr-3 font-mono text-xs text-slate-400 select-text" title={s.id}>
                {s.kind === 'solo' && (
                  <span className="mr-1 rounded bg-sky-900/70 px-1 font-sans text-sky-200" data-testid="session-solo">
                    solo
                  </span>
                )}
                {s.id.slice(-12)}
              </td>
              <td className="py-1 pr-3 text-xs" title={s.problem ?? undefined}>
                {s.recording ? <LiveBadge /> : <span className="text-slate-300">{label[state(s)]}</span>}
              </td>
              <td className="py-1 pr-3 text-right tabular-nums" data-testid="session-ticks">
                {s.ticks || s.recording ? formatCount(s.ticks) : '—'}
                {s.recording ? ' so far' : ''}
              </td>
              <td className="py-1 text-right tabular-nums" data-testid="session-episodes">
                {formatCount(s.episodes)}
                {s.recording ? ' so far' : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {newest.length > SESSION_ROWS && (
        <p className="mt-2 text-xs text-slate-500">and {formatCount(newest.length - SESSION_ROWS)} older sessions.</p>
      )}
      {sessions.some((s) => s.recording) && (
        <p className="mt-2 text-xs text-slate-500">
          A session in progress shows the episodes that have ended so far; it is verified and exported once it ends.
        </p>
      )}
    </Panel>
  );
}

function JobRow({ job }: { job: Job }) {
  const pct = Math.round(Math.max(0, Math.min(1, job.progress.fraction)) * 100);
  const label = FORMATS.find((f) => f.format === job.format)?.label ?? job.format;
  return (
    <li
      className="rounded-xl border border-white/10 bg-slate-900/60 p-3"
      data-testid={`job-${job.format}`}
      data-state={job.state}
    >
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
        <span className="font-semibold text-white">
          {label} <span className="font-mono text-xs font-normal text-slate-400 select-text">{job.name}</span>
        </span>
        <span className="text-xs text-slate-400">
          {formatCount(job.episodes)} episodes · {formatCount(job.steps)} steps
        </span>
      </div>
      <div
        className="mt-2 h-2.5 w-full overflow-hidden rounded-full bg-slate-800"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-label={`${label} export progress`}
        data-testid={`job-${job.format}-progress`}
      >
        <div
          className={
            'h-full rounded-full transition-[width] duration-300 ' +
            `${job.state === 'failed' ? 'bg-rose-500' : job.state === 'done' ? 'bg-emerald-400' : 'bg-sky-400'}`
          }
          style={{ width: `${pct}%` }}
        />
      </div>
      <div className="mt-1.5 flex flex-wrap items-center justify-between gap-2 text-xs">
        <span className="text-slate-400" data-testid={`job-${job.format}-status`}>
          {job.state === 'done'
            ? 'done'
            : job.state === 'failed'
              ? 'failed'
              : `${job.state} · ${job.progress.phase} · ${pct}%`}
        </span>
        {job.state === 'done' && job.download && (
          <a
            href={job.download}
            download
            className="rounded-lg bg-emerald-500 px-3 py-1 font-semibold text-emerald-950 hover:bg-emerald-400"
            data-testid={`job-${job.format}-download`}
          >
            Download .tar{job.bytes !== undefined ? ` (${formatBytes(job.bytes)})` : ''}
          </a>
        )}
      </div>
      {job.error && <Alert testId={`job-${job.format}-error`}>{job.error.message}</Alert>}
    </li>
  );
}

function ExportPanel({ applied, matching, live }: { applied: FilterForm; matching: number | null; live: number }) {
  const [jobs, setJobs] = useState<Job[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState<ExportFormat | null>(null);
  const alive = useRef(true);
  const timers = useRef(new Map<string, number>());

  const upsert = useCallback((job: Job) => setJobs((js) => [job, ...js.filter((j) => j.id !== job.id)]), []);

  const poll = useCallback(
    (id: string) => {
      if (timers.current.has(id)) return;
      const tick = async () => {
        timers.current.delete(id);
        if (!alive.current) return;
        try {
          const job = await datasetsApi.job(id);
          if (!alive.current) return;
          upsert(job);
          if (job.state === 'queued' || job.state === 'running') timers.current.set(id, window.setTimeout(tick, 400));
        } catch (err) {
          if (alive.current) setError(message(err));
        }
      };
      timers.current.set(id, window.setTimeout(tick, 250));
    },
    [upsert],
  );

  useEffect(() => {
    alive.current = true;
    const all = timers.current;
    datasetsApi
      .jobs()
      .then(({ jobs }) => {
        if (!alive.current) return;
        setJobs(jobs);
        for (const j of jobs) if (j.state === 'queued' || j.state === 'running') poll(j.id);
      })
      .catch(() => {});
    return () => {
      alive.current = false;
      for (const t of all.values()) clearTimeout(t);
      all.clear();
    };
  }, [poll]);

  const start = async (format: ExportFormat) => {
    setError(null);
    setStarting(format);
    try {
      const job = await datasetsApi.startExport(format, applied);
      upsert(job);
      if (job.state === 'queued' || job.state === 'running') poll(job.id);
    } catch (err) {
      setError(message(err));
    } finally {
      setStarting(null);
    }
  };

  return (
    <Panel
      title="Export"
      testId="datasets-export"
      right={
        <span className="text-xs text-slate-400">
          {matching === null ? '' : `the ${formatCount(matching)} episodes matching the filter`}
          {live > 0 ? ` (and ${formatCount(live)} from sessions in progress, exported once they end)` : ''}
        </span>
      }
    >
      <div className="flex flex-wrap gap-3">
        {FORMATS.map((f) => (
          <button
            key={f.format}
            type="button"
            data-testid={`export-${f.format}`}
            disabled={starting !== null || matching === 0}
            onClick={() => void start(f.format)}
            className={
              'flex flex-col items-start rounded-xl border border-white/15 bg-slate-900 px-4 ' +
              'py-2 text-left hover:border-emerald-400 hover:bg-slate-800 disabled:opacity-50'
            }
          >
            <span className="font-semibold text-white">{f.label}</span>
            <span className="text-xs text-slate-400">{f.note}</span>
          </button>
        ))}
      </div>
      {error && <Alert testId="export-error">{error}</Alert>}
      {jobs.length > 0 && (
        <ul className="mt-4 grid gap-2" data-testid="job-list">
          {jobs.map((j) => (
            <JobRow key={j.id} job={j} />
          ))}
        </ul>
      )}
      <p className="mt-3 text-xs text-slate-500">
        Each export is a .tar with a README datacard (CC BY 4.0); players appear only as per-dataset pseudonyms and
        those who opted out are left out. The same filter and data give the same export, served from the cache.
      </p>
    </Panel>
  );
}

export default function DatasetsPage() {
  const [summary, setSummary] = useState<Summary | null>(null);
  const [summaryError, setSummaryError] = useState<string | null>(null);
  const [applied, setApplied] = useState<FilterForm>(EMPTY_FILTER);
  const [page, setPage] = useState<EpisodesPage | null>(null);
  const [charts, setCharts] = useState<Charts | null>(null);
  const [filterError, setFilterError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sessions, setSessions] = useState<SessionInfo[]>([]);
  // Bumped every 10 s while a session is live: the counts, sessions and charts are read again.
  const [refresh, setRefresh] = useState(0);
  const seq = useRef(0);
  const appliedRef = useRef(applied);
  appliedRef.current = applied;

  useEffect(() => {
    document.title = 'Datasets · AI-KON';
    const ctl = new AbortController();
    const first = refresh === 0;
    Promise.all([datasetsApi.summary({ signal: ctl.signal }), datasetsApi.sessions({ signal: ctl.signal })])
      .then(([sum, list]) => {
        setSummary(sum);
        setSessions(list.sessions);
      })
      .catch((err) => {
        // A failed refresh keeps what is shown; only the first load reports.
        if (!ctl.signal.aborted && first) setSummaryError(message(err));
      });
    return () => ctl.abort();
  }, [refresh]);

  const live = (summary?.liveSessions ?? 0) > 0;
  useEffect(() => {
    if (!live) return;
    const timer = window.setInterval(() => setRefresh((n) => n + 1), 10_000);
    return () => clearInterval(timer);
  }, [live]);

  const apply = useCallback(async (form: FilterForm) => {
    const mine = ++seq.current;
    setBusy(true);
    try {
      const [p, c] = await Promise.all([datasetsApi.episodes(form), datasetsApi.charts(form)]);
      if (mine !== seq.current) return;
      setPage(p);
      setCharts(c);
      setApplied(form);
      setFilterError(null);
    } catch (err) {
      if (mine === seq.current) setFilterError(message(err));
    } finally {
      if (mine === seq.current) setBusy(false);
    }
  }, []);

  const hasData = summary !== null && summary.sessions > 0;
  useEffect(() => {
    if (hasData) void apply(EMPTY_FILTER);
  }, [hasData, apply]);
  useEffect(() => {
    if (refresh > 0 && hasData) void apply(appliedRef.current);
  }, [refresh, hasData, apply]);

  const s = summary?.stats;
  const noApi = summaryError;
  return (
    <div
      className="h-full overflow-auto bg-gradient-to-b from-slate-900 via-slate-950 to-slate-950"
      data-testid="datasets-page"
    >
      <div className="mx-auto flex max-w-6xl flex-col gap-5 px-4 py-6">
        <header className="flex flex-wrap items-end justify-between gap-3">
          <div>
            <a href="./" className="text-sm text-emerald-300 hover:underline" data-testid="datasets-home">
              ← AI-KON
            </a>
            <h1 className="text-3xl font-black tracking-tight text-white">Datasets</h1>
            <p className="text-sm text-slate-400">
              Every step played here is research data: browse it, filter it, and download it as Minari, Parquet or
              replay logs.
            </p>
          </div>
          {summary && <span className="text-xs text-slate-500">licence {summary.licence}</span>}
        </header>

        {summary === null && !summaryError && (
          <p className="text-slate-400" data-testid="datasets-loading">
            Loading the dataset catalog… (the first visit replays every recording once)
          </p>
        )}
        {(noApi || (summary && !hasData)) && <EmptyState noApi={noApi} />}

        {summary && s && hasData && (
          <>
            <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6" data-testid="datasets-counts">
              <Card
                label="Sessions"
                value={formatCount(summary.sessions)}
                testId="count-sessions"
                sub={
                  [
                    summary.liveSessions > 0 ? `${summary.liveSessions} in progress` : '',
                    summary.unverifiedSessions > 0 ? `${summary.unverifiedSessions} not verified` : '',
                  ]
                    .filter(Boolean)
                    .join(' · ') || 'all verified'
                }
              />
              <Card
                label="Episodes"
                value={formatCount(s.episodes)}
                testId="count-episodes"
                sub={`mean length ${s.meanLength.toFixed(0)}`}
              />
              <Card label="Steps" value={formatCount(s.steps)} testId="count-steps" />
              <Card label="Human episodes" value={formatCount(s.human)} testId="count-human" />
              <Card label="AI episodes" value={formatCount(s.ai)} testId="count-ai" />
              <Card
                label="Crafter score"
                value={`${s.score.toFixed(1)} %`}
                testId="count-score"
                sub={`mean return ${s.meanReturn.toFixed(2)}`}
              />
            </div>
            <FilterPanel
              achievements={summary.achievements}
              applied={applied}
              onApply={(f) => void apply(f)}
              busy={busy}
              error={filterError}
            />
            {page && (
              <p className="text-sm text-slate-300" data-testid="filter-result">
                <span data-testid="filter-total">{formatCount(page.total)}</span> matching episodes ·{' '}
                {formatCount(page.stats.steps)} steps · human {formatCount(page.stats.human)} · AI{' '}
                {formatCount(page.stats.ai)}
              </p>
            )}
            <SessionsPanel sessions={sessions} />
            <ChartsPanel charts={charts} kind={applied.kind} />
            <ExportPanel applied={applied} matching={page ? page.total - page.live : null} live={page?.live ?? 0} />
            {page && (
              <Panel title="Episodes" testId="datasets-episodes">
                <EpisodeTable page={page} />
              </Panel>
            )}
          </>
        )}
        {!noApi && <TrainingRounds />}
      </div>
    </div>
  );
}
