/** Small charts for the Datasets page, drawn as plain SVG (no chart library). */
import { achievementLabel, formatCount } from './api.ts';

export const COLORS = {
  human: '#38bdf8',
  ai: '#fbbf24',
  steps: '#34d399',
  grid: 'rgba(148,163,184,0.18)',
  text: '#94a3b8',
};

/** A "nice" upper bound for an axis (1, 2, 2.5, 5 × 10^k). */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function compact(n: number): string {
  if (Math.abs(n) >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (Math.abs(n) >= 1e4) return `${+(n / 1e3).toFixed(0)}k`;
  if (Math.abs(n) >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return `${+n.toFixed(2)}`;
}

export interface Segment {
  name: string;
  value: number;
  color: string;
}

export interface Bar {
  label: string;
  segments: Segment[];
}

/** Vertical stacked bars with a y axis (0, half, max) and a few x labels. */
export function StackedBars({
  bars,
  testId,
  label,
  height = 180,
}: {
  bars: Bar[];
  testId: string;
  label: string;
  height?: number;
}) {
  const W = 640;
  const H = height;
  const left = 44;
  const bottom = 22;
  const top = 8;
  const plotW = W - left - 8;
  const plotH = H - top - bottom;
  const max = niceMax(Math.max(0, ...bars.map((b) => b.segments.reduce((s, x) => s + x.value, 0))));
  const slot = bars.length > 0 ? plotW / bars.length : plotW;
  const gap = Math.min(6, slot * 0.2);
  const labelEvery = Math.max(1, Math.ceil(bars.length / 6));
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      className="h-auto w-full"
      role="img"
      aria-label={label}
      data-testid={testId}
      data-bars={bars.length}
    >
      {[0, 0.5, 1].map((f) => {
        const y = top + plotH - f * plotH;
        return (
          <g key={f}>
            <line x1={left} x2={W - 8} y1={y} y2={y} stroke={COLORS.grid} />
            <text x={left - 6} y={y + 4} textAnchor="end" fontSize={11} fill={COLORS.text}>
              {compact(max * f)}
            </text>
          </g>
        );
      })}
      {bars.map((b, i) => {
        let acc = 0;
        const x = left + i * slot + gap / 2;
        const w = Math.max(1, slot - gap);
        const total = b.segments.reduce((s, x) => s + x.value, 0);
        return (
          <g key={i} data-testid={`${testId}-bar`}>
            <title>
              {`${b.label}: ${b.segments.map((s) => `${s.name} ${formatCount(s.value)}`).join(', ')}` +
                (b.segments.length > 1 ? ` (total ${formatCount(total)})` : '')}
            </title>
            {b.segments.map((s) => {
              const h = (s.value / max) * plotH;
              acc += h;
              return h > 0 ? (
                <rect
                  key={s.name}
                  x={x}
                  y={top + plotH - acc}
                  width={w}
                  height={h}
                  fill={s.color}
                  rx={Math.min(2, w / 4)}
                />
              ) : null;
            })}
            {i % labelEvery === 0 && (
              <text x={x + w / 2} y={H - 6} textAnchor="middle" fontSize={10} fill={COLORS.text}>
                {b.label}
              </text>
            )}
          </g>
        );
      })}
      {bars.length === 0 && (
        <text x={W / 2} y={H / 2} textAnchor="middle" fontSize={13} fill={COLORS.text}>
          no episodes
        </text>
      )}
    </svg>
  );
}

/** Horizontal grouped bars: each achievement's success rate for human and AI episodes. */
export function AchievementBars({
  rows,
  showHuman,
  showAi,
}: {
  rows: { name: string; human: number; ai: number }[];
  showHuman: boolean;
  showAi: boolean;
}) {
  const W = 640;
  const rowH = 18;
  const left = 150;
  const right = 44;
  const top = 4;
  const H = top + rows.length * rowH + 18;
  const plotW = W - left - right;
  const barH = showHuman && showAi ? 6 : 10;
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      className="h-auto w-full"
      role="img"
      aria-label="Achievement success rates, human and AI"
      data-testid="chart-achievements"
    >
      {[0, 0.25, 0.5, 0.75, 1].map((f) => (
        <g key={f}>
          <line x1={left + f * plotW} x2={left + f * plotW} y1={top} y2={H - 16} stroke={COLORS.grid} />
          <text x={left + f * plotW} y={H - 4} textAnchor="middle" fontSize={10} fill={COLORS.text}>
            {Math.round(f * 100)}%
          </text>
        </g>
      ))}
      {rows.map((r, i) => {
        const y = top + i * rowH;
        const bars: { v: number; color: string; who: string }[] = [];
        if (showHuman) bars.push({ v: r.human, color: COLORS.human, who: 'human' });
        if (showAi) bars.push({ v: r.ai, color: COLORS.ai, who: 'AI' });
        const best = Math.max(...bars.map((b) => b.v), 0);
        return (
          <g key={r.name} data-testid="chart-achievements-row">
            <title>
              {`${achievementLabel(r.name)}: ${bars.map((b) => `${b.who} ${(b.v * 100).toFixed(1)}%`).join(', ')}`}
            </title>
            <text x={left - 8} y={y + rowH / 2 + 4} textAnchor="end" fontSize={11} fill="#cbd5e1">
              {achievementLabel(r.name)}
            </text>
            {bars.map((b, k) => (
              <rect
                key={b.who}
                x={left}
                y={y + (rowH - bars.length * barH - (bars.length - 1) * 2) / 2 + k * (barH + 2)}
                width={Math.max(b.v > 0 ? 1.5 : 0, b.v * plotW)}
                height={barH}
                fill={b.color}
                rx={1.5}
              />
            ))}
            <text x={left + best * plotW + 4} y={y + rowH / 2 + 4} fontSize={10} fill={COLORS.text}>
              {best > 0 ? `${(best * 100).toFixed(best < 0.1 ? 1 : 0)}%` : ''}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function Legend({ items }: { items: { name: string; color: string }[] }) {
  return (
    <div className="flex flex-wrap gap-3 text-xs text-slate-400">
      {items.map((i) => (
        <span key={i.name} className="flex items-center gap-1.5">
          <span className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: i.color }} />
          {i.name}
        </span>
      ))}
    </div>
  );
}
