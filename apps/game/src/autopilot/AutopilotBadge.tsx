import { ACTIONS } from '@aikon/engine';
import { AUTOPILOT_KEY_LABEL, useAutopilot } from './autopilot-store.ts';

/** What the autopilot is doing, over the game: loading, flying (with its decisions), or why it failed. */
export function AutopilotBadge() {
  const { status, model, error, stats } = useAutopilot();
  if (status === 'off') return null;
  const key = <kbd className="rounded bg-white/15 px-1 font-mono">{AUTOPILOT_KEY_LABEL}</kbd>;
  const box =
    'absolute bottom-[9.5rem] left-1/2 -translate-x-1/2 whitespace-nowrap rounded-lg px-4 py-2 text-center shadow-lg';
  if (status === 'error') {
    return (
      <div role="alert" data-testid="autopilot" data-status="error" className={`${box} bg-rose-900/90 text-rose-100`}>
        Autopilot failed: {error} — press {key} to try again
      </div>
    );
  }
  if (status === 'loading') {
    return (
      <div data-testid="autopilot" data-status="loading" className={`${box} bg-slate-800/90 text-slate-100`}>
        Autopilot: loading the policy… — press {key} to cancel
      </div>
    );
  }
  return (
    <div data-testid="autopilot" data-status="on" className={`${box} bg-sky-900/90 text-sky-50`}>
      <div className="font-bold">
        Autopilot: {model} — press {key} to take back
      </div>
      {stats && (
        <div className="text-xs text-sky-200 tabular-nums" data-testid="autopilot-stats">
          {stats.decisions} decisions
          {stats.lastAction >= 0 &&
            ` · last ${ACTIONS[stats.lastAction].replace(/_/g, ' ')} (${stats.lastMs.toFixed(0)} ms)`}
          {stats.late > 0 && ` · ${stats.late} ticks late: the character waited (noop)`}
        </div>
      )}
    </div>
  );
}
