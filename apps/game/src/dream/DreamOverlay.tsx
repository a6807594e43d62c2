/**
 * Dream mode on screen: the Dream/Wake button (G), and while dreaming a violet tint and
 * vignette over the scene, the DREAM badge (shard, backend, step latency, steps), the dream
 * camera (the predicted frame as pixels, DreamCamera.tsx) and the predicted 9×7 view as tokens.
 */
import { useGame } from '../game/store.ts';
import { DreamCamera } from './DreamCamera.tsx';
import type { DreamGameFrame } from './dream-frame.ts';
import { useDream } from './dream-store.ts';

/** Colours of the semantic ids (materials, then creatures) for the predicted-view map. */
const SEMANTIC_COLORS = [
  '#000000',
  '#3b82f6',
  '#4ade80',
  '#9ca3af',
  '#a3a3a3',
  '#a16207',
  '#92400e',
  '#166534',
  '#1e293b',
  '#525252',
  '#d6d3d1',
  '#f59e0b',
  '#ef4444',
  '#f8fafc',
  '#fde68a',
  '#15803d',
  '#e5e7eb',
  '#fb923c',
  '#84cc16',
];

function PredictedView({ tokens, testId = 'dream-tokens' }: { tokens: number[]; testId?: string }) {
  return (
    <div
      data-testid={testId}
      data-tokens={tokens.slice(0, 63).join(',')}
      className="grid grid-cols-9 gap-px rounded bg-black/60 p-1"
      title="predicted 9×7 view (tokens)"
    >
      {tokens.slice(0, 63).map((t, k) => (
        <div key={k} className="h-2.5 w-2.5" style={{ background: SEMANTIC_COLORS[t] ?? '#f0f' }} />
      ))}
    </div>
  );
}

const SHARD_LABEL = { browser: 'browser shard', server: 'server shard', peer: 'peer shard' } as const;

export function DreamOverlay() {
  const status = useDream((s) => s.status);
  const shard = useDream((s) => s.shard);
  const backend = useDream((s) => s.backend);
  const reason = useDream((s) => s.reason);
  const message = useDream((s) => s.message);
  const toggle = useDream((s) => s.toggle);
  const dismiss = useDream((s) => s.dismiss);
  const dream = useGame((s) => (s.frame as DreamGameFrame | null)?.dream);
  const screen = useGame((s) => s.screen);
  const shared = useGame((s) => s.source?.pausable === false);
  if (screen !== 'game') return null;
  const dreaming = status === 'dreaming';
  return (
    <div className="pointer-events-none absolute inset-0 text-sm">
      {dreaming && (
        <>
          <div data-testid="dream-tint" className="absolute inset-0 bg-violet-700/20 mix-blend-multiply" />
          <div
            className="absolute inset-0"
            style={{ background: 'radial-gradient(ellipse at center, transparent 45%, rgba(46,16,101,0.75) 100%)' }}
          />
          <div
            className="absolute left-1/2 top-12 flex -translate-x-1/2 flex-col items-center gap-1"
            data-testid="dream-badge"
          >
            <div
              className={
                'rounded-full border border-violet-300/70 bg-violet-600/85 px-5 py-0.5 text-lg ' +
                'font-black tracking-[0.4em] text-violet-50 shadow-lg shadow-violet-900'
              }
            >
              DREAM
            </div>
            <div className="rounded bg-slate-950/75 px-2 py-0.5 text-center text-[11px] text-violet-100" title={reason}>
              <span data-testid="dream-shard">{SHARD_LABEL[shard ?? 'browser']}</span>
              {' · '}
              <span className="text-violet-300">{backend}</span>
              <br />
              <span className="tabular-nums" data-testid="dream-step">
                dream step {dream?.step ?? 0}
              </span>
              {' · '}
              <span className="tabular-nums" data-testid="dream-ms">
                {dream ? `${dream.ms.toFixed(1)} ms/step` : '…'}
              </span>
              {dream?.continuation !== undefined && (
                <>
                  {' · '}
                  <span
                    className="tabular-nums"
                    data-testid="dream-continuation"
                    title="the model's probability that you live through the next step"
                  >
                    alive {(dream.continuation * 100).toFixed(dream.continuation > 0.99 ? 1 : 0)}%
                  </span>
                </>
              )}
              {shared && (
                <>
                  <br />
                  <span className="text-amber-200">the shared world goes on: your body stands still there</span>
                </>
              )}
            </div>
          </div>
          {dream?.ended === 'death' && (
            <div
              role="status"
              data-testid="dream-ended"
              className={
                'absolute left-1/2 top-1/3 -translate-x-1/2 rounded-lg ' +
                'bg-rose-950/90 px-4 py-2 text-center text-rose-100'
              }
            >
              The dream is over: you died in it (the model predicted death, p = {dream.doneProbability.toFixed(2)}).
              <br />
              Wake (G) to return to the real world where you left it.
            </div>
          )}
          {dream?.unlocked && !dream.ended && (
            <div
              data-testid="dream-unlocked"
              className={
                'absolute left-1/2 top-28 -translate-x-1/2 rounded ' +
                'bg-violet-950/80 px-3 py-0.5 text-xs text-amber-200'
              }
            >
              dreamt achievement: {dream.unlocked.replace(/_/g, ' ')}
            </div>
          )}
          {dream && (
            <div className="absolute bottom-2 right-2 flex gap-2 text-[10px] text-violet-100">
              <DreamCamera tokens={dream.tokens} step={dream.step} />
              <div className="flex flex-col gap-1">
                <span>predicted view</span>
                <PredictedView tokens={dream.tokens} />
              </div>
              {dream.real && (
                <div
                  className="flex flex-col gap-1"
                  title="the real engine, fed the same actions from where the dream began"
                >
                  <span>
                    real engine ·{' '}
                    <span data-testid="dream-agreement">{Math.round((dream.agreement ?? 0) * 100)}% alike</span>
                  </span>
                  <PredictedView tokens={dream.real} testId="dream-real-tokens" />
                </div>
              )}
            </div>
          )}
        </>
      )}
      {status === 'loading' && (
        <div
          data-testid="dream-loading"
          className="absolute left-1/2 top-12 -translate-x-1/2 rounded-lg bg-violet-900/85 px-4 py-1 text-violet-100"
        >
          Falling asleep… (loading the dream model)
        </div>
      )}
      {status === 'error' && message && (
        <div
          role="alert"
          data-testid="dream-error"
          className={
            'pointer-events-auto absolute left-1/2 top-12 flex -translate-x-1/2 ' +
            'gap-3 rounded-lg bg-rose-900/90 px-4 py-2 text-rose-100'
          }
        >
          <span>{message}</span>
          <button type="button" className="underline" onClick={dismiss}>
            OK
          </button>
        </div>
      )}
      <button
        type="button"
        data-testid="dream-button"
        disabled={status === 'loading'}
        onClick={toggle}
        title={
          dreaming
            ? 'Wake up: back to the real world where you left it (G)'
            : 'Dream: play on inside the world model from here (G)'
        }
        className={
          'pointer-events-auto absolute bottom-2 left-2 rounded-lg border px-3 py-1 text-xs font-semibold shadow ' +
          (dreaming
            ? 'border-amber-300/60 bg-amber-400/90 text-amber-950'
            : 'border-violet-300/50 bg-violet-700/85 text-violet-50') +
          ' disabled:opacity-60'
        }
      >
        {dreaming ? 'Wake (G)' : status === 'loading' ? 'Falling asleep…' : 'Dream (G)'}
      </button>
    </div>
  );
}
