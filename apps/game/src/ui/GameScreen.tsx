import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { pausedNotice, useGame } from '../game/store.ts';
import { KeyTracker } from '../game/input.ts';
import { Hud } from './Hud.tsx';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { playSound, unlockAudio } from '../game/sound.ts';
import { soundsBetween } from '../game/sound-events.ts';
import type { GameFrame } from '../game/protocol.ts';
import { NetworkOverlay } from '../net/ui/NetworkOverlay.tsx';
import { WorkforceDock } from '../workforce/WorkforcePanel.tsx';
import { DreamOverlay } from '../dream/DreamOverlay.tsx';
import { PeerSharePanel } from '../dream/PeerSharePanel.tsx';
import { useDream } from '../dream/dream-store.ts';
import { isTouchDevice } from '../game/touch.ts';
import { TouchControls } from './TouchControls.tsx';
import { AUTOPILOT_KEY, useAutopilot } from '../autopilot/autopilot-store.ts';

// three.js and the scene load after the first page has shown.
const Scene = lazy(() => import('../scene/Scene.tsx'));

function useKeyboard(): void {
  const tracker = useRef(new KeyTracker());
  useEffect(() => {
    const store = useGame.getState;
    const apply = (change: ReturnType<KeyTracker['keyDown']>) => {
      if (!change) return;
      if (change.hold !== undefined) store().hold(change.hold);
      if (change.press !== null) store().press(change.press);
    };
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.target as HTMLElement | null;
      const typing =
        target instanceof HTMLTextAreaElement || (target instanceof HTMLInputElement && target.type !== 'range');
      if (typing) return;
      // A clicked button or slider keeps focus: let game keys act on the game, not on it.
      if (target instanceof HTMLButtonElement || target instanceof HTMLInputElement) target.blur();
      const s = store();
      switch (e.code) {
        case 'Escape':
          e.preventDefault();
          if (s.helpOpen) s.setHelp(false);
          else if (!s.frame?.over) s.setPaused(!s.paused);
          return;
        case 'KeyH':
        case 'Slash':
          s.setHelp(!s.helpOpen);
          return;
        case 'KeyV':
          s.toggleAgentView();
          return;
        case 'KeyM':
          s.toggleMuted();
          return;
        case 'KeyG':
          if (!e.repeat) useDream.getState().toggle();
          return;
        case AUTOPILOT_KEY:
          if (!e.repeat) useAutopilot.getState().toggle();
          return;
        case 'Backquote':
        case 'F3':
          e.preventDefault();
          s.toggleDev();
          return;
      }
      const change = tracker.current.keyDown(e.code, e.repeat);
      if (change) e.preventDefault();
      // Any action key takes the character back from the autopilot at once (and acts).
      if (change?.press != null) useAutopilot.getState().takeBack();
      if (s.paused && change?.press != null) {
        if (s.source) s.notify(pausedNotice(s.source));
        if (change.hold !== undefined) s.hold(change.hold);
        return;
      }
      apply(change);
    };
    const onKeyUp = (e: KeyboardEvent) => apply(tracker.current.keyUp(e.code));
    const releaseAll = () => apply(tracker.current.releaseAll());
    const onVisibility = () => {
      if (document.visibilityState !== 'visible') releaseAll();
    };
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('keyup', onKeyUp);
    window.addEventListener('blur', releaseAll);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      window.removeEventListener('keyup', onKeyUp);
      window.removeEventListener('blur', releaseAll);
      document.removeEventListener('visibilitychange', onVisibility);
      releaseAll();
    };
  }, []);
}

/** Sound effects from what changed between ticks; audio starts with the first key or click. */
function useSoundEffects(): void {
  useEffect(() => {
    let prev: GameFrame | null = useGame.getState().frame;
    const unsubscribe = useGame.subscribe((state) => {
      const frame = state.frame;
      if (!frame || frame === prev) return;
      if (prev) for (const kind of soundsBetween(prev, frame)) playSound(kind);
      prev = frame;
    });
    window.addEventListener('keydown', unlockAudio);
    window.addEventListener('pointerdown', unlockAudio);
    return () => {
      unsubscribe();
      window.removeEventListener('keydown', unlockAudio);
      window.removeEventListener('pointerdown', unlockAudio);
    };
  }, []);
}

export function GameScreen() {
  useKeyboard();
  useSoundEffects();
  const hasFrame = useGame((s) => s.frame !== null);
  const network = useGame((s) => s.source?.kind === 'network');
  const [touch] = useState(isTouchDevice);
  return (
    // data-touch: the panels at the bottom corners stand higher, above the touch controls.
    <div
      className="group/game relative h-full w-full overflow-hidden bg-slate-950"
      data-testid="game"
      data-touch={touch}
    >
      <ErrorBoundary fallback={<SceneFailed />}>
        {/* The scene (renderer) loads while the world is generated; it draws once a frame is there. */}
        <Suspense fallback={hasFrame && <Loading text="Loading the 3D world…" />}>
          <Scene />
        </Suspense>
      </ErrorBoundary>
      {!hasFrame && <Loading text={network ? 'Joining the shared world…' : 'Generating the world…'} />}
      <Hud />
      {touch && hasFrame && <TouchControls />}
      <DreamOverlay />
      {network && <NetworkOverlay />}
      {network && <WorkforceDock />}
      {network && <PeerSharePanel />}
    </div>
  );
}

function Loading({ text }: { text: string }) {
  return <div className="absolute inset-0 flex items-center justify-center text-lg text-slate-300">{text}</div>;
}

function SceneFailed() {
  // Nothing will be drawn: the world must not wait for a frame (the HUD and agent view still play).
  useEffect(() => useGame.getState().source?.sceneDrawn?.(), []);
  return (
    <div className="absolute inset-0 flex items-center justify-center p-6 text-center text-slate-300">
      The 3D view could not start (WebGL unavailable?). The agent view and HUD still work.
    </div>
  );
}
