/**
 * The training loop's rounds (`npm run loop`), read from the models manifest's `history`: each
 * round's best policy score with its 95 % interval (registered rounds filled, candidates hollow,
 * the random agent on the same worlds in grey) and the world simulator's held-out view accuracy.
 */
import { type LoopRound, parseLoopHistory } from '@aikon/world-model';
import { useEffect, useState } from 'react';
import { COLORS, niceMax } from './charts.tsx';

const WM_COLORS = { '1': '#a78bfa', '16': '#f472b6' } as const;

async function fetchHistory(signal: AbortSignal): Promise<LoopRound[]> {
  const res = await fetch(new URL('models/manifest.json', document.baseURI), { signal });
  if (!res.ok) throw new Error(`models/manifest.json: HTTP ${res.status}`);
  return parseLoopHistory(await res.json());
}

const best = (r: LoopRound) => r.policies.reduce((a, b) => (b.score > a.score ? b : a));
const label = (r: LoopRound, i: number) => `#${i + 1} r${r.round}`;

interface Axes {
  W: number;
  H: number;
  left: number;
  top: number;
  plotW: number;
  plotH: number;
  x: (i: number) => number;
  y: (v: number) => number;
}

function axes(n: number, max: number): Axes {
  const W = 640;
  const H = 200;
  const left = 44;
  const top = 10;
  const plotW = W - left - 16;
  const plotH = H - top - 24;
  return {
    W,
    H,
    left,
    top,
    plotW,
    plotH,
    x: (i) => left + (n <= 1 ? plotW / 2 : (i * plotW) / (n - 1)),
    y: (v) => top + plotH - (Math.max(0, v) / max) * plotH,
  };
}

function Grid({ a, max, rounds, unit }: { a: Axes; max: number; rounds: LoopRound[]; unit: string }) {
  const every = Math.max(1, Math.ceil(rounds.length / 8));
  return (
    <>
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line x1={a.left} x2={a.W - 8} y1={a.y(max * f)} y2={a.y(max * f)} stroke={COLORS.grid} />
          <text x={a.left - 6} y={a.y(max * f) + 4} textAnchor="end" fontSize={11} fill={COLORS.text}>
            {`${+(max * f).toFixed(1)}${unit}`}
          </text>
        </g>
      ))}
      {rounds.map((r, i) =>
        i % every === 0 ? (
          <text key={i} x={a.x(i)} y={a.H - 6} textAnchor="middle" fontSize={10} fill={COLORS.text}>
            {label(r, i)}
          </text>
        ) : null,
      )}
    </>
  );
}

/** Best policy score per round with its interval; the random agent's score on the same worlds. */
export function LoopScoreChart({ rounds }: { rounds: LoopRound[] }) {
  const max = niceMax(
    Math.max(1, ...rounds.map((r) => Math.max(best(r).scoreInterval.high, r.random.score, r.incumbent?.score ?? 0))),
  );
  const a = axes(rounds.length, max);
  const line = rounds.map((r, i) => `${i === 0 ? 'M' : 'L'}${a.x(i)},${a.y(best(r).score)}`).join(' ');
  return (
    <svg
      viewBox={`0 0 ${a.W} ${a.H}`}
      className="h-auto w-full"
      role="img"
      aria-label="Crafter score per training round"
      data-testid="chart-loop-score"
      data-points={rounds.length}
    >
      <Grid a={a} max={max} rounds={rounds} unit=" %" />
      {rounds.length > 1 && <path d={line} fill="none" stroke={COLORS.steps} strokeWidth={1.5} />}
      {rounds.map((r, i) => {
        const b = best(r);
        const registered = r.registered.some((n) => n.startsWith('loop-policy'));
        return (
          <g key={i} data-testid="loop-score-point" data-score={b.score.toFixed(2)} data-registered={registered}>
            <title>
              {`${label(r, i)}: ${b.name} ${b.score.toFixed(1)} % (95 % ` +
                `${b.scoreInterval.low.toFixed(1)}–${b.scoreInterval.high.toFixed(1)}), random ` +
                `${r.random.score.toFixed(1)} %${registered ? ', registered' : ', kept as a candidate'}`}
            </title>
            <line
              x1={a.x(i)}
              x2={a.x(i)}
              y1={a.y(b.scoreInterval.low)}
              y2={a.y(b.scoreInterval.high)}
              stroke={COLORS.steps}
              strokeWidth={2}
            />
            <circle
              cx={a.x(i)}
              cy={a.y(b.score)}
              r={5}
              fill={registered ? COLORS.steps : '#0f172a'}
              stroke={COLORS.steps}
              strokeWidth={2}
            />
            <circle cx={a.x(i)} cy={a.y(r.random.score)} r={3} fill={COLORS.text} />
          </g>
        );
      })}
    </svg>
  );
}

/** The round's simulator: greedy open-loop view accuracy on held-out recorded episodes, at 1 and 16 steps. */
export function LoopWorldModelChart({ rounds }: { rounds: LoopRound[] }) {
  const a = axes(rounds.length, 100);
  return (
    <svg
      viewBox={`0 0 ${a.W} ${a.H}`}
      className="h-auto w-full"
      role="img"
      aria-label="World-model accuracy per training round"
      data-testid="chart-loop-wm"
      data-points={rounds.length}
    >
      <Grid a={a} max={100} rounds={rounds} unit=" %" />
      {(['1', '16'] as const).map((h) => (
        <g key={h}>
          {rounds.length > 1 && (
            <path
              d={rounds
                .map((r, i) => `${i === 0 ? 'M' : 'L'}${a.x(i)},${a.y(r.worldModel.viewAccuracy[h] ?? 0)}`)
                .join(' ')}
              fill="none"
              stroke={WM_COLORS[h]}
              strokeWidth={1.5}
            />
          )}
          {rounds.map((r, i) => (
            <circle
              key={i}
              data-testid="loop-wm-point"
              data-horizon={h}
              data-accuracy={r.worldModel.viewAccuracy[h]}
              cx={a.x(i)}
              cy={a.y(r.worldModel.viewAccuracy[h] ?? 0)}
              r={4}
              fill={WM_COLORS[h]}
            >
              <title>
                {`${label(r, i)}: ${r.worldModel.name} view accuracy ${r.worldModel.viewAccuracy[h]} % ` +
                  `at ${h} step${h === '1' ? '' : 's'} (${r.worldModel.heldOutEpisodes} held-out episodes)`}
              </title>
            </circle>
          ))}
        </g>
      ))}
    </svg>
  );
}

function Key({ color, children, hollow }: { color: string; children: string; hollow?: boolean }) {
  return (
    <span className="flex items-center gap-1">
      <span
        className="inline-block h-2.5 w-2.5 rounded-full"
        style={hollow ? { border: `2px solid ${color}` } : { background: color }}
      />
      {children}
    </span>
  );
}

export function TrainingRounds() {
  const [rounds, setRounds] = useState<LoopRound[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    fetchHistory(ctl.signal)
      .then(setRounds)
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) setError((err as Error).message);
      });
    return () => ctl.abort();
  }, []);
  return (
    <section className="rounded-2xl border border-white/10 bg-slate-950/60 p-5" data-testid="training-rounds">
      <div className="mb-3">
        <h2 className="text-lg font-bold text-white">Training loop</h2>
        <p className="text-sm text-slate-400">
          Each round records play, trains the world simulator and a policy (behaviour cloning, then actor-critic in the
          simulator's dreams), evaluates it in the real game on unseen worlds, and registers it only if it beats the
          current one.
        </p>
      </div>
      {error && (
        <p
          className="text-sm text-rose-300"
          data-testid="training-rounds-error"
        >{`Could not read the models manifest: ${error}`}</p>
      )}
      {rounds !== null && rounds.length === 0 && (
        <p className="text-sm text-slate-400" data-testid="training-rounds-empty">
          No training rounds yet: run <code className="select-text">npm run loop</code>.
        </p>
      )}
      {rounds !== null && rounds.length > 0 && (
        <>
          <div className="grid gap-4 lg:grid-cols-2">
            <div>
              <div className="mb-1 flex flex-wrap items-center justify-between gap-2 text-xs text-slate-400">
                <span className="font-semibold text-slate-200">Crafter score per round (95 % interval)</span>
                <span className="flex gap-3">
                  <Key color={COLORS.steps}>registered</Key>
                  <Key color={COLORS.steps} hollow>
                    candidate
                  </Key>
                  <Key color={COLORS.text}>random</Key>
                </span>
              </div>
              <LoopScoreChart rounds={rounds} />
            </div>
            <div>
              <div className="mb-1 flex flex-wrap items-center justify-between gap-2 text-xs text-slate-400">
                <span className="font-semibold text-slate-200">World-model view accuracy (held-out)</span>
                <span className="flex gap-3">
                  <Key color={WM_COLORS['1']}>1 step</Key>
                  <Key color={WM_COLORS['16']}>16 steps</Key>
                </span>
              </div>
              <LoopWorldModelChart rounds={rounds} />
            </div>
          </div>
          <div className="mt-3 overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="loop-rounds-table">
              <thead className="text-xs uppercase text-slate-400">
                <tr>
                  <th className="py-1 pr-3">Round</th>
                  <th className="py-1 pr-3 text-right">Steps (AI / human)</th>
                  <th className="py-1 pr-3">Best policy</th>
                  <th className="py-1 pr-3 text-right">Random</th>
                  <th className="py-1 pr-3 text-right">World model h1 / h16</th>
                  <th className="py-1 pr-3 text-right">Wall time</th>
                  <th className="py-1">Decision</th>
                </tr>
              </thead>
              <tbody className="text-slate-200">
                {rounds.map((r, i) => {
                  const b = best(r);
                  const secs = Object.values(r.seconds).reduce((s, x) => s + x, 0);
                  return (
                    <tr key={i} className="border-t border-white/5 align-top" data-testid="loop-round-row">
                      <td className="py-1 pr-3 whitespace-nowrap">
                        {label(r, i)}
                        {r.quick ? ' (quick)' : ''}
                      </td>
                      <td className="py-1 pr-3 text-right tabular-nums">
                        {`${r.data.steps.ai.toLocaleString('en')} / ${r.data.steps.human.toLocaleString('en')}`}
                      </td>
                      <td className="py-1 pr-3 whitespace-nowrap tabular-nums">
                        {`${b.name} ${b.score.toFixed(1)} % ` +
                          `(${b.scoreInterval.low.toFixed(1)}–${b.scoreInterval.high.toFixed(1)})`}
                      </td>
                      <td className="py-1 pr-3 text-right tabular-nums">{`${r.random.score.toFixed(1)} %`}</td>
                      <td className="py-1 pr-3 text-right tabular-nums">
                        {`${r.worldModel.viewAccuracy['1']} / ${r.worldModel.viewAccuracy['16']} %`}
                      </td>
                      <td className="py-1 pr-3 text-right tabular-nums">{`${(secs / 60).toFixed(1)} min`}</td>
                      <td className="py-1 text-xs text-slate-400 select-text">{r.decision}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
