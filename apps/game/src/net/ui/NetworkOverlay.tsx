import { type RefObject, useEffect, useRef, useState } from 'react';
import { ACHIEVEMENTS } from '@aikon/engine';
import { TICK_RATE_MAX, TICK_RATE_MIN } from '@aikon/protocol/constants';
import { myPlayer, useGame } from '../../game/store.ts';
import { playerColor } from '../../game/player-colors.ts';
import { useLobby } from '../lobby-store.ts';
import { InviteLink, ResearchNotice } from './LobbyScreen.tsx';
import { DeathButtons, SpectateBar, WatchButton } from './Spectate.tsx';
import { useSpectate } from '../../game/spectate.ts';
import { BannedList } from './BannedList.tsx';

/**
 * What multiplayer adds over the solo HUD: the member list (L folds it), a reconnecting
 * banner, the server's errors, and the respawn screen after death.
 */
export function NetworkOverlay() {
  const frame = useGame((s) => s.frame);
  const me = myPlayer(frame);
  const connected = useLobby((s) => s.connected);
  const error = useLobby((s) => s.error);
  const dismiss = useLobby((s) => s.dismissError);
  const lobby = useLobby((s) => s.lobby);
  const spectating = useSpectate((s) => s.slot !== null);
  const loading = lobby?.awaitingFrames
    ? lobby.members.filter((m) => !m.worker && m.connected && m.slot !== null && !m.ready)
    : [];
  return (
    <div className="pointer-events-none absolute inset-0 text-sm">
      <MemberList />
      {loading.length > 0 && (
        <div
          data-testid="awaiting-frames"
          className="absolute left-1/2 top-20 -translate-x-1/2 rounded-lg bg-slate-800/90 px-4 py-1 text-slate-100"
        >
          The world starts when everyone sees it: waiting for {loading.map((m) => m.name).join(', ')}…
        </div>
      )}
      {!connected && (
        <div
          data-testid="reconnecting"
          className={
            'absolute left-1/2 top-12 -translate-x-1/2 rounded-lg ' +
            'bg-amber-500/90 px-4 py-1 font-semibold text-amber-950'
          }
        >
          Connection lost: reconnecting…
        </div>
      )}
      {error && (
        <div
          role="alert"
          data-testid="net-error"
          className={
            'pointer-events-auto absolute bottom-36 left-1/2 flex -translate-x-1/2 ' +
            'gap-3 rounded-lg bg-rose-900/90 px-4 py-2 text-rose-100'
          }
        >
          {error}
          <button type="button" className="underline" onClick={dismiss}>
            ok
          </button>
        </div>
      )}
      {/* Watching others while dead folds the death dialog into the spectate bar. */}
      {me?.dead && !spectating && <RespawnScreen steps={me.episodeSteps} achievements={me.achievements} />}
      <SpectateBar />
    </div>
  );
}

function MemberList() {
  const lobby = useLobby((s) => s.lobby);
  const memberId = useLobby((s) => s.memberId);
  const frame = useGame((s) => s.frame);
  const [open, setOpen] = useState(() => window.innerWidth >= 640);
  const box = useRef<HTMLDivElement>(null);
  useMembersHeight(box, lobby !== null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target instanceof HTMLInputElement && target.type !== 'checkbox') return;
      if (e.code === 'KeyL' && !e.ctrlKey && !e.metaKey && !e.altKey) setOpen((o) => !o);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  if (!lobby) return null;
  const isHost = lobby.hostId === memberId;
  const { kick, setConfig } = useLobby.getState();
  const alive = new Map(frame?.players.map((p) => [p.slot, !p.dead]) ?? []);
  return (
    <div
      ref={box}
      className={
        'pointer-events-auto absolute bottom-28 left-2 w-64 group-data-[touch=true]/game:bottom-40 ' +
        'rounded-xl border border-white/10 bg-slate-950/75 p-2 shadow-lg'
      }
      data-testid="players-overlay"
    >
      <button
        type="button"
        data-testid="players-toggle"
        onClick={() => setOpen(!open)}
        className="flex w-full justify-between text-xs font-semibold uppercase tracking-wide text-slate-400"
        title="L"
      >
        <span>
          {open ? '▾' : '▸'} Players {lobby.members.length}/{lobby.config.seats}
        </span>
        <span>[L]</span>
      </button>
      {open && (
        <>
          <ul className="mt-1 flex flex-col gap-0.5" data-testid="players-list">
            {lobby.members.map((m) => (
              <li
                key={m.memberId}
                data-testid="player-row"
                data-name={m.name}
                className="flex items-center gap-2 text-xs text-slate-200"
              >
                <span
                  className="h-2.5 w-2.5 rounded-full"
                  style={{ background: m.memberId === memberId ? '#ffffff' : playerColor(m.slot ?? 0) }}
                />
                <span className="truncate font-semibold">{m.name}</span>
                {m.memberId === memberId && <span className="text-slate-500">you</span>}
                {m.host && <span className="rounded bg-amber-400/20 px-1 text-[10px] text-amber-200">host</span>}
                {/* In a shared world a dead body leaves the map until its player respawns. */}
                {m.slot !== null && frame !== null && alive.get(m.slot) !== true && (
                  <span className="text-rose-300">down</span>
                )}
                <span
                  className={`ml-auto ${m.connected ? 'text-emerald-300' : 'text-amber-300'}`}
                  title={m.connected ? 'connected' : 'disconnected'}
                >
                  {m.connected ? '●' : '○'}
                </span>
                <WatchButton slot={m.slot} name={m.name} testId={`watch-${m.name}`} />
                {isHost && m.memberId !== memberId && (
                  <button
                    type="button"
                    data-testid={`kick-${m.name}`}
                    className="rounded border border-rose-300/40 px-1 text-[10px] text-rose-200 hover:bg-rose-500/20"
                    onClick={() => void kick(m.memberId)}
                  >
                    kick
                  </button>
                )}
              </li>
            ))}
          </ul>
          <BannedList compact />
          {isHost && (
            <label className="mt-1 flex items-center gap-2 text-[11px] text-slate-300">
              speed
              <input
                type="range"
                data-testid="game-tick-rate"
                min={TICK_RATE_MIN}
                max={TICK_RATE_MAX}
                value={lobby.config.tickRate}
                onChange={(e) => void setConfig({ tickRate: Number(e.target.value) })}
                onKeyDown={(e) => e.preventDefault()}
                className="w-24"
              />
              <span className="tabular-nums">{lobby.config.tickRate}/s</span>
            </label>
          )}
          <div className="mt-2 border-t border-white/10 pt-1">
            <ResearchNotice compact />
          </div>
          <div className="text-[11px] [&_input]:py-1 [&_span]:hidden">
            <InviteLink />
          </div>
        </>
      )}
    </div>
  );
}

/**
 * Publishes how far the member list reaches up from the screen's bottom (plus the column's top
 * offset and a gap) as `--members-clearance` on the game screen: the HUD's left column, which
 * stands above it on the same side, ends there instead of under it.
 */
function useMembersHeight(box: RefObject<HTMLDivElement | null>, shown: boolean): void {
  useEffect(() => {
    const el = shown ? box.current : null;
    const screen = el?.closest<HTMLElement>('[data-testid=game]');
    if (!el || !screen) return;
    const publish = () => {
      const clearance = screen.getBoundingClientRect().bottom - el.getBoundingClientRect().top + 16;
      screen.style.setProperty('--members-clearance', `${Math.round(clearance)}px`);
    };
    // At once, then on every fold, unfold or new member (observer callbacks wait for a frame).
    publish();
    const observer = new ResizeObserver(publish);
    observer.observe(el);
    return () => {
      observer.disconnect();
      screen.style.removeProperty('--members-clearance');
    };
  }, [box, shown]);
}

function RespawnScreen({ steps, achievements }: { steps: number; achievements: number[] }) {
  const unlocked = ACHIEVEMENTS.filter((_, i) => achievements[i] > 0);
  return (
    // z-30: dialogs stand above every panel (the workforce dock, the member list).
    <div className="pointer-events-auto absolute inset-0 z-30 flex bg-black/60 p-4" data-testid="respawn-screen">
      <div
        className={'m-auto w-full max-w-md rounded-2xl border border-white/10 bg-slate-900 p-6 text-center shadow-2xl'}
      >
        <h2 className="text-4xl font-black text-rose-400">You died</h2>
        <p className="mt-2 text-slate-300">
          {steps} steps survived · {unlocked.length}/22 achievements. The world goes on without you until you respawn.
        </p>
        <div className="mt-5 flex flex-wrap justify-center gap-2">
          <DeathButtons />
        </div>
      </div>
    </div>
  );
}
