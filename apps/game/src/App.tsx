import { useEffect } from 'react';
import { useGame } from './game/store.ts';
import { parseSeed } from './game/input.ts';
import { Home } from './ui/Home.tsx';
import { GameScreen } from './ui/GameScreen.tsx';
import { useLobby } from './net/lobby-store.ts';
import { LobbyScreen } from './net/ui/LobbyScreen.tsx';
import { readSoloSave } from './game/solo-save.ts';

export function App() {
  const screen = useGame((s) => s.screen);
  const lobbyView = useLobby((s) => s.view);

  // ?seed=123 starts a solo game at once (shareable links, tests, the bench), unless a saved solo
  // game is in this browser (a refresh, a later visit): then the home page offers it first.
  useEffect(() => {
    const param = new URLSearchParams(window.location.search).get('seed');
    if (param === null) return;
    const parsed = parseSeed(param);
    if (!('seed' in parsed)) {
      useGame.setState({ homeMessage: `The link's seed is not usable. ${parsed.error}` });
      return;
    }
    readSoloSave().then(
      (saved) => {
        if (saved === null && useGame.getState().screen === 'home') useGame.getState().startSolo(parsed.seed);
      },
      () => useGame.getState().startSolo(parsed.seed), // no storage here: nothing to offer
    );
  }, []);

  // Invite links (/?lobby=CODE, /join/CODE) open that lobby.
  useEffect(() => useLobby.getState().openFromLocation(), []);

  if (screen === 'home' && lobbyView !== 'none') return <LobbyScreen />;
  return screen === 'home' ? <Home /> : <GameScreen />;
}
