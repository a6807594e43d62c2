/**
 * "Share my dream compute" (relay games): one button that measures this tab's dream worker and
 * offers it to the lobby, then while serving shows the offer (steps/s, backend, model), the
 * dreamers served now, steps and bytes served, and this tab's own frame time, so its player sees
 * that serving does not make the game stutter. Also lists the lobby's other serving members.
 */
import { usePeers } from './peer-store.ts';

export function PeerSharePanel() {
  const serving = usePeers((s) => s.serving);
  const stats = usePeers((s) => s.stats);
  const message = usePeers((s) => s.message);
  const frameTimes = usePeers((s) => s.frameTimes);
  const offers = usePeers((s) => s.offers);
  const toggle = usePeers((s) => s.toggleServing);
  return (
    <div
      className={
        'pointer-events-auto absolute bottom-20 right-2 flex ' +
        'max-w-[22rem] flex-col items-end gap-1 text-[11px] text-slate-200'
      }
      data-testid="peer-share"
      data-serving={serving}
    >
      {serving === 'on' && stats && (
        <div className="rounded bg-slate-950/80 px-2 py-1 text-right tabular-nums" data-testid="peer-share-stats">
          serving dreams · {stats.stepsPerSecond.toFixed(0)} steps/s · {stats.backend}
          <br />
          {stats.dreamers} dreaming here · {stats.stepsServed} steps · {(stats.bytesServed / 1024).toFixed(0)} KiB
          served
          <br />
          <span data-testid="peer-frame-time">
            my frame time {frameTimes ? `${frameTimes.p50.toFixed(1)} ms (p95 ${frameTimes.p95.toFixed(1)} ms)` : '…'}
          </span>
        </div>
      )}
      {message && serving === 'error' && (
        <div role="alert" className="rounded bg-rose-950/85 px-2 py-1 text-rose-100" data-testid="peer-share-error">
          {message}
        </div>
      )}
      {offers.length > 0 && (
        <div className="rounded bg-slate-950/70 px-2 py-0.5 text-violet-200" data-testid="peer-offers">
          dream compute shared by {offers.map((o) => `${o.name} (${o.stepsPerSecond.toFixed(0)} steps/s)`).join(', ')}
        </div>
      )}
      <button
        type="button"
        data-testid="peer-share-toggle"
        disabled={serving === 'starting'}
        onClick={() => void toggle()}
        className={
          'rounded-lg border border-violet-300/30 bg-slate-950/80 px-3 ' +
          'py-1 font-semibold hover:bg-slate-800 disabled:opacity-60'
        }
        title="Let the lobby's members dream on this tab's dream worker (peer to peer, WebRTC)"
      >
        {serving === 'on'
          ? 'Stop sharing my dream compute'
          : serving === 'starting'
            ? 'Measuring my dream compute…'
            : 'Share my dream compute'}
      </button>
    </div>
  );
}
