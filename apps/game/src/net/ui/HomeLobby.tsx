import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useLobby } from '../lobby-store.ts';

/** The home screen's multiplayer part: a display name, "Create lobby" and "Join by code". */
export function HomeLobby() {
  const remembered = useLobby((s) => s.name);
  const busy = useLobby((s) => s.busy);
  const error = useLobby((s) => s.error);
  const notice = useLobby((s) => s.notice);
  const { createLobby, joinLobby } = useLobby.getState();
  const [name, setName] = useState(remembered);
  const [code, setCode] = useState('');
  const create = (e: FormEvent) => {
    e.preventDefault();
    void createLobby(name);
  };
  const join = (e: FormEvent) => {
    e.preventDefault();
    void joinLobby(code, name);
  };
  const note = error ?? notice;
  // A note (a broken or unknown invite link, a refusal) is scrolled into sight: on a small
  // screen the lobby card is below the fold, and a newcomer must see why nothing happened.
  const noteRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (note) noteRef.current?.scrollIntoView({ block: 'center' });
  }, [note]);
  return (
    <section className="w-full rounded-2xl border border-white/10 bg-slate-950/60 p-6 shadow-xl">
      <h2 className="text-xl font-bold text-white">Play together</h2>
      <p className="mt-1 text-sm text-slate-400">
        A shared world on the relay server: friends join with an invite link, and the host can add AI workers.
      </p>
      <label className="mt-4 flex flex-col text-sm text-slate-300">
        Display name
        <input
          data-testid="display-name"
          value={name}
          maxLength={32}
          onChange={(e) => {
            setName(e.target.value);
            useLobby.setState({ error: null, notice: null });
          }}
          placeholder="the name others see"
          className={
            'mt-1 w-56 rounded-lg border border-white/20 bg-slate-900 ' +
            'px-3 py-2 text-white outline-none focus:border-emerald-400'
          }
        />
      </label>
      <div className="mt-4 grid gap-4 sm:grid-cols-2">
        <form onSubmit={create} className="flex flex-col gap-2">
          <h3 className="font-semibold text-white">Create a lobby</h3>
          <button
            type="submit"
            data-testid="create-lobby"
            disabled={busy}
            className={
              'self-start rounded-lg bg-emerald-500 px-4 py-2 font-semibold ' +
              'text-emerald-950 hover:bg-emerald-400 disabled:opacity-50'
            }
          >
            Create lobby
          </button>
        </form>
        <form onSubmit={join} className="flex flex-col gap-2">
          <h3 className="font-semibold text-white">Join by code</h3>
          <div className="flex gap-2">
            <input
              data-testid="lobby-code"
              value={code}
              onChange={(e) => {
                setCode(e.target.value.slice(0, 300));
                useLobby.setState({ error: null });
              }}
              placeholder="invite code or link"
              className={
                'min-w-0 flex-1 rounded-lg border border-white/20 bg-slate-900 px-3 ' +
                'py-2 font-mono text-sm text-white outline-none focus:border-emerald-400'
              }
            />
            <button
              type="submit"
              data-testid="join-lobby"
              disabled={busy}
              className={
                'rounded-lg bg-sky-500 px-4 py-2 font-semibold text-sky-950 hover:bg-sky-400 disabled:opacity-50'
              }
            >
              Join
            </button>
          </div>
        </form>
      </div>
      {note && (
        <p
          ref={noteRef}
          role={error ? 'alert' : 'status'}
          data-testid="lobby-note"
          className={`mt-3 text-sm ${error ? 'text-rose-300' : 'text-amber-200'}`}
        >
          {note}
        </p>
      )}
    </section>
  );
}
