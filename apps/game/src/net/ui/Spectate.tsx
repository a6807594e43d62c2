import { useState } from 'react';
import { myPlayer, useGame } from '../../game/store.ts';
import { useSpectate, watchable } from '../../game/spectate.ts';
import { useLobby } from '../lobby-store.ts';

/**
 * Whom the camera follows, over the game (z-20: above the panels, below the dialogs): ◀ ▶ step
 * through the living players and workers, "Back to me" returns the camera. While dead it also
 * carries the death dialog's buttons (the dialog folds into this bar so the world can be watched).
 */
export function SpectateBar() {
  const slot = useSpectate((s) => s.slot);
  const { follow, cycle } = useSpectate.getState();
  const dead = useGame((s) => myPlayer(s.frame)?.dead === true);
  const present = useGame((s) => s.frame?.players.some((p) => p.slot === slot && !p.dead) ?? false);
  // The display name from the frame (name tags' source), read reactively: the bar can open before
  // the frame that carries the followed member's name arrives.
  const name = useGame((s) => (slot === null ? undefined : s.frame?.names?.[slot]));
  if (slot === null) return null;
  const button = 'rounded border border-white/20 px-2 py-0.5 hover:bg-white/10';
  return (
    <div
      data-testid="spectate-bar"
      data-following={slot}
      className={
        'pointer-events-auto absolute left-1/2 top-12 z-20 flex -translate-x-1/2 ' +
        'flex-wrap items-center justify-center gap-2 rounded-xl border ' +
        'border-white/15 bg-slate-950/85 px-3 py-1.5 text-xs text-slate-100 shadow-lg'
      }
    >
      {dead && <span className="font-bold text-rose-300">You are down</span>}
      <span>
        Watching <b data-testid="spectate-name">{name ?? `player ${slot + 1}`}</b>
        {!present && <span className="text-rose-300"> (down)</span>}
      </span>
      <button type="button" data-testid="spectate-prev" className={button} onClick={() => cycle(-1)} title="previous">
        ◀
      </button>
      <button type="button" data-testid="spectate-next" className={button} onClick={() => cycle(1)} title="next">
        ▶
      </button>
      {dead ? (
        <DeathButtons small />
      ) : (
        <button type="button" data-testid="spectate-stop" className={button} onClick={() => follow(null)}>
          Back to me
        </button>
      )}
    </div>
  );
}

/** "Watch" next to a living player or worker (member list, workforce panel). */
export function WatchButton({ slot, name, testId }: { slot: number | null; name: string; testId: string }) {
  const following = useSpectate((s) => s.slot === slot);
  const alive = useGame((s) => slot !== null && s.frame?.players.some((p) => p.slot === slot && !p.dead) === true);
  const self = useGame((s) => s.frame?.me === slot);
  if (slot === null || self) return null;
  return (
    <button
      type="button"
      data-testid={testId}
      disabled={!alive && !following}
      aria-pressed={following}
      title={following ? `Stop following ${name}` : `Follow ${name} with the camera`}
      className={
        'rounded border px-1 text-[10px] disabled:opacity-40 ' +
        (following ? 'border-sky-300 bg-sky-500/30 text-sky-100' : 'border-sky-300/40 text-sky-200 hover:bg-sky-500/20')
      }
      onClick={() => useSpectate.getState().follow(following ? null : slot)}
    >
      {following ? 'following' : 'follow'}
    </button>
  );
}

/** The death dialog's actions: respawn, watch the others (folds the dialog), leave. */
export function DeathButtons({ small = false }: { small?: boolean }) {
  const respawn = useLobby((s) => s.respawn);
  const leave = useGame((s) => s.goHome);
  const others = useGame((s) => watchable(s.frame).length);
  const watching = useSpectate((s) => s.slot !== null);
  const [busy, setBusy] = useState(false);
  const size = small ? 'px-2 py-0.5' : 'px-5 py-2';
  return (
    <>
      <button
        type="button"
        data-testid="respawn"
        disabled={busy}
        className={`rounded-lg bg-emerald-500 font-bold text-emerald-950 disabled:opacity-50 ${size}`}
        onClick={() => {
          setBusy(true);
          void respawn().finally(() => setBusy(false));
        }}
      >
        Respawn
      </button>
      {!watching && (
        <button
          type="button"
          data-testid="spectate-start"
          disabled={others === 0}
          title={others === 0 ? 'Nobody else is alive' : 'Follow another player or worker with the camera'}
          className={`rounded-lg border border-sky-300/50 text-sky-100 disabled:opacity-40 ${size}`}
          onClick={() => useSpectate.getState().cycle(1)}
        >
          Watch the others
        </button>
      )}
      <button
        type="button"
        data-testid="respawn-leave"
        className={`rounded-lg border border-white/20 text-slate-200 ${size}`}
        onClick={leave}
      >
        Leave the lobby
      </button>
    </>
  );
}
