import { useEffect } from 'react';
import { useGame } from './game/store.ts';
import { parseSeed } from './game/input.ts';
import { Home } from './ui/Home.tsx';
import { GameScreen } from './ui/GameScreen.tsx';
import { useLobby } from './net/lobby-store.ts';
import { LobbyScreen } from './net/ui/LobbyScreen.tsx';

export function App() {
  const screen = useGame((s) => s.screen);
  const lobbyView = useLobby((s) => s.view);

  // ?seed=123 starts a solo game at once (shareable links, tests, the bench).
  useEffect(() => {
    const param = new URLSearchParams(window.location.search).get('seed');
    if (param === null) return;
    const parsed = parseSeed(param);
    if ('seed' in parsed) useGame.getState().startSolo(parsed.seed);
    else useGame.setState({ homeMessage: `The link's seed is not usable. ${parsed.error}` });
  }, []);

  // Invite links (/?lobby=CODE, /join/CODE) open that lobby.
  useEffect(() => useLobby.getState().openFromLocation(), []);

  if (screen === 'home' && lobbyView !== 'none') return <LobbyScreen />;
  return screen === 'home' ? <Home /> : <GameScreen />;
}
