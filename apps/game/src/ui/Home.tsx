import { useEffect, useState, type FormEvent } from 'react';
import { useGame } from '../game/store.ts';
import { parseSeed, randomSeed } from '../game/input.ts';
import { checkSoloSave, deleteSoloSave, readSoloSave, type SoloSaveCheck } from '../game/solo-save.ts';
import { uploadSoloLogs, useSoloUploads } from '../game/solo-upload.ts';
import { MAX_TICK_RATE, MIN_TICK_RATE } from '../game/protocol.ts';
import { HomeLobby } from '../net/ui/HomeLobby.tsx';

export function Home() {
  const startSolo = useGame((s) => s.startSolo);
  const tickRate = useGame((s) => s.tickRate);
  const setTickRate = useGame((s) => s.setTickRate);
  // A link's seed (?seed=N) waits here when a saved game is offered instead of starting at once.
  const [seedText, setSeedText] = useState(() => new URLSearchParams(window.location.search).get('seed') ?? '');
  const homeMessage = useGame((s) => s.homeMessage);
  const [typedError, setError] = useState<string | null>(null);
  const error = typedError ?? homeMessage;
  // Recording is the player's choice for each visit, off until they tick it.
  const [record, setRecord] = useState(false);

  const playTyped = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseSeed(seedText);
    if ('error' in parsed) {
      setError(parsed.error);
      return;
    }
    setError(null);
    startSolo(parsed.seed, record);
  };

  return (
    <div className="h-full overflow-auto bg-gradient-to-b from-sky-900 via-slate-900 to-emerald-950">
      <div className="mx-auto flex max-w-3xl flex-col items-center gap-8 px-4 py-10">
        <header className="text-center">
          <h1 className="text-6xl font-black tracking-tight text-white drop-shadow-[0_4px_0_rgba(0,0,0,0.5)]">
            AI<span className="text-emerald-400">-</span>KON
          </h1>
          <p className="mt-3 text-lg text-slate-300">Survive, gather, craft. A Crafter world in 3D, in your browser.</p>
        </header>

        <section className="w-full rounded-2xl border border-white/10 bg-slate-950/60 p-6 shadow-xl">
          <h2 className="text-xl font-bold text-white">Play solo</h2>
          <p className="mt-1 text-sm text-slate-400" data-testid="solo-pace">
            Runs entirely in this tab, offline. Real-time: the world runs on whether or not you press a key; Esc pauses.
          </p>
          <SavedGame />
          <div className="mt-4 flex flex-wrap gap-3">
            <button
              type="button"
              data-testid="play-new"
              className={
                'rounded-xl bg-emerald-500 px-6 py-3 text-lg font-bold ' +
                'text-emerald-950 shadow hover:bg-emerald-400'
              }
              onClick={() => startSolo(randomSeed(), record)}
            >
              Play — new world
            </button>
          </div>
          <form className="mt-4 flex flex-wrap items-start gap-3" onSubmit={playTyped}>
            <label className="flex flex-col text-sm text-slate-300">
              Seed
              <input
                data-testid="seed-input"
                value={seedText}
                onChange={(e) => {
                  setSeedText(e.target.value);
                  setError(null);
                  useGame.setState({ homeMessage: null });
                }}
                inputMode="numeric"
                placeholder="e.g. 42"
                maxLength={40}
                className={
                  'mt-1 w-48 rounded-lg border border-white/20 bg-slate-900 ' +
                  'px-3 py-2 text-white outline-none focus:border-emerald-400'
                }
              />
            </label>
            <button
              type="submit"
              data-testid="play-seed"
              className="mt-6 rounded-lg bg-sky-500 px-4 py-2 font-semibold text-sky-950 hover:bg-sky-400"
            >
              Play this seed
            </button>
          </form>
          {error && (
            <p role="alert" data-testid="seed-error" className="mt-2 text-sm font-medium text-rose-300">
              {error}
            </p>
          )}
          <label className="mt-5 flex items-start gap-3 text-sm text-slate-300">
            <input
              type="checkbox"
              data-testid="record-solo"
              className="mt-1 h-4 w-4 accent-emerald-500"
              checked={record}
              onChange={(e) => setRecord(e.target.checked)}
            />
            <span>
              Record this game for the public datasets (off unless you tick it): your key presses and the world's seed,
              with no name, are uploaded to this server when the game ends and published with everyone's play
              (CC-BY-4.0).
            </span>
          </label>
          <SoloUploadStatus />
          <label className="mt-5 flex items-center gap-3 text-sm text-slate-300">
            Speed
            <input
              type="range"
              data-testid="speed"
              min={MIN_TICK_RATE}
              max={MAX_TICK_RATE}
              value={tickRate}
              onChange={(e) => setTickRate(Number(e.target.value))}
            />
            <span className="tabular-nums">{tickRate} ticks/s</span>
          </label>
        </section>

        <HomeLobby />

        <footer className="text-center text-xs text-slate-500">
          W A S D move · Space interact · Tab sleep · H help
        </footer>
        <a
          href="?page=datasets"
          data-testid="open-datasets"
          className={
            '-mt-4 rounded-lg border border-white/15 px-4 py-2 text-sm ' +
            'text-slate-300 hover:border-emerald-400 hover:text-white'
          }
        >
          Datasets: browse and download the recorded play (Minari, Parquet)
        </a>
      </div>
    </div>
  );
}

/**
 * Recorded solo games of this browser not uploaded yet: how many, and
 * why (tried again on each visit and when the browser comes online).
 */
function SoloUploadStatus() {
  const { waiting, refused, uploading, lastError } = useSoloUploads();
  useEffect(() => {
    void uploadSoloLogs();
    const retry = () => void uploadSoloLogs();
    window.addEventListener('online', retry);
    return () => window.removeEventListener('online', retry);
  }, []);
  if (waiting === 0 && refused.length === 0) return null;
  return (
    <div data-testid="solo-uploads" className="mt-3 text-sm text-slate-300">
      {waiting > 0 && (
        <p>
          {waiting === 1 ? '1 recorded solo game waits' : `${waiting} recorded solo games wait`} to upload
          {uploading ? ' (uploading…)' : lastError ? `: ${lastError}; tried again on your next visit.` : '.'}
        </p>
      )}
      {refused.length > 0 && (
        <p className="text-amber-200">
          The server refused {refused.length === 1 ? '1 recorded game' : `${refused.length} recorded games`}:{' '}
          {refused[0]}
        </p>
      )}
    </div>
  );
}

/** The solo game saved in this browser: continue it, or why it cannot be (and a way to discard it). */
function SavedGame() {
  const continueSolo = useGame((s) => s.continueSolo);
  const leaving = useGame((s) => s.leaving);
  const [saved, setSaved] = useState<SoloSaveCheck | null>(null);
  useEffect(() => {
    let live = true;
    // A game just left is still writing its last save: read once that has settled.
    (leaving ?? Promise.resolve()).then(readSoloSave).then(
      (raw) => live && setSaved(raw === null ? null : checkSoloSave(raw)),
      (error: unknown) =>
        live && setSaved({ ok: false, error: `The saved solo game could not be read (${(error as Error).message}).` }),
    );
    return () => {
      live = false;
    };
  }, [leaving]);
  if (!saved) return null;
  if (!saved.ok) {
    return (
      <div className="mt-4 rounded-xl border border-amber-400/40 bg-amber-950/40 p-3 text-sm text-amber-100">
        <p role="alert" data-testid="save-error">
          {saved.error}
        </p>
        <button
          type="button"
          data-testid="discard-save"
          className="mt-2 rounded-lg border border-amber-300/50 px-3 py-1 text-amber-100 hover:bg-amber-900/60"
          onClick={() =>
            void deleteSoloSave().then(() => {
              setSaved(null);
              void uploadSoloLogs(); // a discarded recorded game is uploaded as it was
            })
          }
        >
          Discard it
        </button>
      </div>
    );
  }
  const { save } = saved;
  return (
    <div className="mt-4 flex flex-wrap items-center gap-3">
      <button
        type="button"
        data-testid="continue-solo"
        className="rounded-xl bg-amber-400 px-6 py-3 text-lg font-bold text-amber-950 shadow hover:bg-amber-300"
        onClick={() => continueSolo(save)}
      >
        Continue your solo game (seed {save.seed}, step {save.t})
      </button>
      <span className="text-xs text-slate-400">
        saved {new Date(save.savedAt).toLocaleString()} · a new game below replaces it
        {save.recording && ' · recorded: uploads when it ends (or is replaced)'}
      </span>
    </div>
  );
}
