import { useLobby } from '../lobby-store.ts';

/**
 * The members the host removed (a kick bans their address from the lobby), each with a button
 * that lets them back in. Shown to the host only, on the lobby page and in game.
 */
export function BannedList({ compact = false }: { compact?: boolean }) {
  const lobby = useLobby((s) => s.lobby);
  const memberId = useLobby((s) => s.memberId);
  const unban = useLobby((s) => s.unban);
  const banned = lobby?.banned ?? [];
  if (!lobby || lobby.hostId !== memberId || banned.length === 0) return null;
  const text = compact ? 'text-[11px]' : 'text-sm';
  return (
    <div className={`mt-2 ${text} text-slate-300`} data-testid="banned-list">
      <span className="text-slate-400">Removed (cannot rejoin):</span>
      <ul className="mt-1 flex flex-col gap-0.5">
        {banned.map((b) => (
          <li key={b.memberId} className="flex items-center gap-2" data-testid="banned-member" data-name={b.name}>
            <span className="truncate">{b.name}</span>
            <button
              type="button"
              data-testid={`unban-${b.name}`}
              className="ml-auto rounded border border-emerald-300/40 px-1.5 text-emerald-200 hover:bg-emerald-500/20"
              onClick={() => void unban(b.memberId)}
            >
              let back in
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
