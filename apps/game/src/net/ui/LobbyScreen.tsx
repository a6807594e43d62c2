import { useEffect, useState, type FormEvent } from 'react';
import { TICK_RATE_MAX, TICK_RATE_MIN, SEATS_MAX } from '@aikon/protocol/constants';
import { useLobby } from '../lobby-store.ts';
import { playerColor } from '../../game/player-colors.ts';
import { WorkforcePanel } from '../../workforce/WorkforcePanel.tsx';
import { BannedList } from './BannedList.tsx';

const card = 'w-full rounded-2xl border border-white/10 bg-slate-950/60 p-6 shadow-xl';
const input =
  'rounded-lg border border-white/20 bg-slate-900 px-3 py-2 text-white outline-none focus:border-emerald-400';

/** Multiplayer screens before the game: the invite link's name prompt and the lobby page. */
export function LobbyScreen() {
  const view = useLobby((s) => s.view);
  return (
    <div className="h-full overflow-auto bg-gradient-to-b from-sky-900 via-slate-900 to-emerald-950">
      <div className="mx-auto flex max-w-3xl flex-col items-center gap-6 px-4 py-10">
        <h1 className="text-4xl font-black tracking-tight text-white">
          AI<span className="text-emerald-400">-</span>KON <span className="text-slate-400">lobby</span>
        </h1>
        <LobbyError />
        {view === 'join-prompt' && <JoinPrompt />}
        {view === 'connecting' && (
          <p className="text-slate-300" data-testid="lobby-connecting">
            Connecting to the lobby…
          </p>
        )}
        {view === 'lobby' && <LobbyPage />}
      </div>
    </div>
  );
}

export function LobbyError() {
  const error = useLobby((s) => s.error);
  const dismiss = useLobby((s) => s.dismissError);
  const takeoverCode = useLobby((s) => s.takeoverCode);
  const takeOver = useLobby((s) => s.takeOver);
  if (!error) return null;
  return (
    <div
      role="alert"
      data-testid="lobby-error"
      className="flex w-full items-start gap-3 rounded-lg bg-rose-900/80 px-4 py-2 text-rose-100"
    >
      <span className="flex-1">{error}</span>
      {takeoverCode && (
        <button
          type="button"
          data-testid="take-over"
          className="rounded bg-rose-200 px-2 font-semibold text-rose-950 hover:bg-white"
          onClick={() => void takeOver()}
        >
          Play here instead
        </button>
      )}
      <button type="button" className="text-rose-200 underline" onClick={dismiss}>
        dismiss
      </button>
    </div>
  );
}

function JoinPrompt() {
  const code = useLobby((s) => s.inviteCode);
  const remembered = useLobby((s) => s.name);
  const busy = useLobby((s) => s.busy);
  const joinLobby = useLobby((s) => s.joinLobby);
  const [name, setName] = useState(remembered);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (code) void joinLobby(code, name);
  };
  const home = () => {
    useLobby.setState({ view: 'none', inviteCode: null, error: null });
    window.history.replaceState(null, '', new URL('./', document.baseURI));
  };
  return (
    <form className={card} onSubmit={submit} data-testid="join-prompt">
      <h2 className="text-xl font-bold text-white">You are invited to a lobby</h2>
      <p className="mt-1 text-sm text-slate-400">Choose the name the other players see.</p>
      <div className="mt-4 flex flex-wrap items-end gap-3">
        <label className="flex flex-col text-sm text-slate-300">
          Display name
          <input
            data-testid="join-name"
            autoFocus
            value={name}
            maxLength={32}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. Ada"
            className={`mt-1 w-56 ${input}`}
          />
        </label>
        <button
          type="submit"
          data-testid="join-submit"
          disabled={busy || !name.trim()}
          className={
            'rounded-lg bg-emerald-500 px-5 py-2 font-bold ' +
            'text-emerald-950 hover:bg-emerald-400 disabled:opacity-50'
          }
        >
          {busy ? 'Joining…' : 'Join lobby'}
        </button>
        <button
          type="button"
          onClick={home}
          className="rounded-lg border border-white/20 px-4 py-2 text-slate-300 hover:bg-white/5"
        >
          Home
        </button>
      </div>
      <ResearchNotice />
    </form>
  );
}

/** Gameplay is recorded for research; each player can opt out of dataset export. */
export function ResearchNotice({ compact = false }: { compact?: boolean }) {
  const consent = useLobby((s) => s.exportConsent);
  const setConsent = useLobby((s) => s.setExportConsent);
  return (
    <div
      className={compact ? 'text-[11px] text-slate-300' : 'mt-4 rounded-lg bg-white/5 p-3 text-sm text-slate-300'}
      data-testid="research-notice"
    >
      {!compact && (
        <p>
          Gameplay in lobbies is recorded for research: the actions and what happened in the world, under a random
          pseudonym (never your display name). Recordings become datasets for training and evaluating AI.
        </p>
      )}
      <label className={`pointer-events-auto flex items-center gap-2 ${compact ? '' : 'mt-2'}`}>
        <input
          type="checkbox"
          data-testid="export-consent"
          checked={consent}
          onChange={(e) => void setConsent(e.target.checked)}
        />
        {compact
          ? 'recorded for research · include me in dataset exports'
          : 'Include my play in dataset exports (untick to opt out)'}
      </label>
    </div>
  );
}

function LobbyPage() {
  const lobby = useLobby((s) => s.lobby)!;
  const memberId = useLobby((s) => s.memberId);
  const connected = useLobby((s) => s.connected);
  const busy = useLobby((s) => s.busy);
  const { start, leave, kick, setConfig } = useLobby.getState();
  const isHost = lobby.hostId === memberId;
  const { seats, seed, tickRate } = lobby.config;
  return (
    <>
      <section className={card} data-testid="lobby">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 className="text-xl font-bold text-white">
            {lobby.status === 'waiting' ? 'Waiting to start' : lobby.status === 'running' ? 'Running' : 'Closed'}
            {!connected && (
              <span className="ml-3 text-sm font-normal text-amber-300" data-testid="reconnecting">
                reconnecting…
              </span>
            )}
          </h2>
          <button
            type="button"
            data-testid="lobby-leave"
            className="rounded-lg border border-white/20 px-4 py-2 text-slate-300 hover:bg-white/5"
            onClick={() => void leave()}
          >
            Leave
          </button>
        </div>
        <InviteLink />
        <h3 className="mt-5 text-sm font-semibold uppercase tracking-wide text-slate-400">
          Players {lobby.members.length}/{seats}
        </h3>
        <ul className="mt-2 flex flex-col gap-1" data-testid="lobby-members">
          {lobby.members.map((m, i) => (
            <li
              key={m.memberId}
              data-testid="member"
              data-name={m.name}
              data-host={m.host ? 'true' : 'false'}
              className="flex items-center gap-2 rounded-lg bg-white/5 px-3 py-1.5 text-slate-200"
            >
              <span className="h-3 w-3 rounded-full" style={{ background: playerColor(m.slot ?? i) }} />
              <span className="font-semibold">{m.name}</span>
              {m.memberId === memberId && <span className="text-xs text-slate-400">(you)</span>}
              {m.host && (
                <span className="rounded bg-amber-400/20 px-1.5 text-xs font-semibold text-amber-200">host</span>
              )}
              {m.kind === 'ai' && <span className="rounded bg-sky-400/20 px-1.5 text-xs text-sky-200">AI</span>}
              <span className={`ml-auto text-xs ${m.connected ? 'text-emerald-300' : 'text-amber-300'}`}>
                {m.connected ? '● connected' : '○ disconnected'}
              </span>
              {!m.exportConsent && (
                <span className="text-xs text-slate-400" title="opted out of dataset export">
                  no export
                </span>
              )}
              {isHost && m.memberId !== memberId && (
                <button
                  type="button"
                  data-testid={`kick-${m.name}`}
                  className="rounded border border-rose-300/40 px-2 text-xs text-rose-200 hover:bg-rose-500/20"
                  onClick={() => void kick(m.memberId)}
                >
                  kick
                </button>
              )}
            </li>
          ))}
        </ul>
        <BannedList />
        <h3 className="mt-5 text-sm font-semibold uppercase tracking-wide text-slate-400">World</h3>
        {isHost ? (
          <HostSettings
            seats={seats}
            seed={seed}
            tickRate={tickRate}
            running={lobby.status === 'running'}
            members={lobby.members.length}
            setConfig={setConfig}
          />
        ) : (
          <p className="mt-2 text-sm text-slate-300" data-testid="lobby-settings">
            seed {seed} · {tickRate} ticks/s · {seats} seats
          </p>
        )}
        <div className="mt-6">
          {isHost ? (
            <button
              type="button"
              data-testid="start-game"
              disabled={busy || lobby.status !== 'waiting'}
              className={
                'rounded-xl bg-emerald-500 px-6 py-3 text-lg font-bold ' +
                'text-emerald-950 shadow hover:bg-emerald-400 disabled:opacity-50'
              }
              onClick={() => void start()}
            >
              Start the game
            </button>
          ) : (
            <p className="text-slate-300" data-testid="waiting-for-host">
              {lobby.status === 'waiting' ? 'Waiting for the host to start the game…' : 'Joining the game…'}
            </p>
          )}
        </div>
        <ResearchNotice />
      </section>
      <WorkforcePanel />
    </>
  );
}

export function InviteLink() {
  const inviteUrl = useLobby((s) => s.inviteUrl);
  const code = useLobby((s) => s.lobby?.code);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(t);
  }, [copied]);
  // The server builds the link from its public origin; the page's origin is what this browser reached.
  const link = code ? new URL(`./?lobby=${code}`, document.baseURI).href : (inviteUrl ?? '');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      const el = document.getElementById('invite-link') as HTMLInputElement | null;
      el?.select();
      setCopied(document.execCommand?.('copy') ?? false);
    }
  };
  return (
    <div className="mt-4 flex flex-wrap items-center gap-2">
      <span className="text-sm text-slate-300">Invite link</span>
      <input
        id="invite-link"
        data-testid="invite-link"
        readOnly
        value={link}
        onFocus={(e) => e.target.select()}
        className={`min-w-0 flex-1 font-mono text-xs ${input}`}
      />
      <button
        type="button"
        data-testid="copy-invite"
        className={
          'pointer-events-auto rounded-lg bg-sky-500 px-3 py-2 ' + 'text-sm font-semibold text-sky-950 hover:bg-sky-400'
        }
        onClick={() => void copy()}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

function HostSettings(props: {
  seats: number;
  seed: number;
  tickRate: number;
  running: boolean;
  members: number;
  setConfig: (c: { seats?: number; seed?: number; tickRate?: number }) => Promise<void>;
}) {
  const [seats, setSeats] = useState(String(props.seats));
  const [seed, setSeed] = useState(String(props.seed));
  useEffect(() => setSeats(String(props.seats)), [props.seats]);
  useEffect(() => setSeed(String(props.seed)), [props.seed]);
  const commitSeats = () => {
    const n = Number(seats);
    const current = () => setSeats(String(useLobby.getState().lobby?.config.seats ?? props.seats));
    // A refused change (e.g. fewer seats than members) puts the lobby's value back.
    if (Number.isInteger(n) && n !== props.seats) void props.setConfig({ seats: n }).then(current);
    else current();
  };
  const commitSeed = () => {
    const n = Number(seed.trim());
    if (seed.trim() !== '' && Number.isSafeInteger(n) && n >= 0) {
      if (n !== props.seed)
        void props
          .setConfig({ seed: n })
          .then(() => setSeed(String(useLobby.getState().lobby?.config.seed ?? props.seed)));
    } else {
      useLobby.setState({ error: 'The seed must be a whole number from 0 up.' });
      setSeed(String(props.seed));
    }
  };
  const onEnter = (commit: () => void) => (e: React.KeyboardEvent) => {
    if (e.key === 'Enter') commit();
  };
  return (
    <div className="mt-2 flex flex-wrap items-end gap-4 text-sm text-slate-300" data-testid="lobby-settings">
      <label className="flex flex-col">
        Seats
        <input
          type="number"
          data-testid="lobby-seats"
          min={Math.max(1, props.members)}
          max={SEATS_MAX}
          value={seats}
          onChange={(e) => setSeats(e.target.value)}
          onBlur={commitSeats}
          onKeyDown={onEnter(commitSeats)}
          className={`mt-1 w-20 ${input}`}
        />
      </label>
      <label className="flex flex-col">
        World seed
        <input
          data-testid="lobby-seed"
          inputMode="numeric"
          disabled={props.running}
          value={seed}
          onChange={(e) => setSeed(e.target.value)}
          onBlur={commitSeed}
          onKeyDown={onEnter(commitSeed)}
          className={`mt-1 w-40 ${input} disabled:opacity-50`}
        />
      </label>
      <label className="flex flex-col">
        Speed: {props.tickRate} ticks/s
        <input
          type="range"
          data-testid="lobby-tick-rate"
          min={TICK_RATE_MIN}
          max={TICK_RATE_MAX}
          value={props.tickRate}
          onChange={(e) => void props.setConfig({ tickRate: Number(e.target.value) })}
          className="mt-3 w-40"
        />
      </label>
    </div>
  );
}
