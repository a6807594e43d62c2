import { afterEach, describe, expect, it } from 'vitest';
import { Action } from '@aikon/engine';
import { useGame } from '../src/game/store.ts';
import { SoloCore } from '../src/game/solo-core.ts';
import { setCameraView, useCameraView } from '../src/game/camera-store.ts';
import type { GameFrame } from '../src/game/protocol.ts';
import type { GameSource } from '../src/game/source.ts';

/** A game source driven by hand: what a relay connection would look like to the store. */
class FakeSource implements GameSource {
  readonly kind = 'network' as const;
  onFrame: ((frame: GameFrame) => void) | null = null;
  onError: ((message: string) => void) | null = null;
  sent: string[] = [];
  disposed = false;
  start(seed: number, tickRate: number) {
    this.sent.push(`start ${seed} ${tickRate}`);
  }
  press(action: number) {
    this.sent.push(`press ${action}`);
  }
  hold(action: number | null) {
    this.sent.push(`hold ${action}`);
  }
  setTickRate(rate: number) {
    this.sent.push(`rate ${rate}`);
  }
  setPaused(paused: boolean) {
    this.sent.push(`pause ${paused}`);
  }
  setAgentView(enabled: boolean) {
    this.sent.push(`agentView ${enabled}`);
  }
  script(): Promise<{ hash: string; t: number }> {
    return Promise.resolve({ hash: '', t: 0 });
  }
  hash(): Promise<{ hash: string; t: number }> {
    return Promise.resolve({ hash: '', t: 0 });
  }
  dispose() {
    this.disposed = true;
  }
}

function frameFrom(core: SoloCore, patch: Partial<GameFrame> = {}): GameFrame {
  return { ...core.frame(), ...patch };
}

afterEach(() => {
  useGame.getState().goHome();
  useCameraView.setState({ quadrant: 0, focus: null });
});

describe('game store with a pluggable source', () => {
  it('shows frames from the source and toasts new achievements', () => {
    const source = new FakeSource();
    useGame.getState().play(source, 7);
    expect(source.sent).toEqual(['start 7 8', 'agentView true']);
    const core = new SoloCore(7);
    source.onFrame!(frameFrom(core));
    expect(useGame.getState().frame?.t).toBe(0);
    const frame = frameFrom(core);
    frame.players[0].newAchievements = [6];
    source.onFrame!(frame);
    expect(useGame.getState().toasts.map((t) => t.achievement)).toEqual(['collect_wood']);
  });

  it('forwards presses, maps them to the camera, and refuses them while paused or over', () => {
    const source = new FakeSource();
    useGame.getState().play(source, 1);
    const core = new SoloCore(1);
    source.onFrame!(frameFrom(core));
    useGame.getState().press(Action.do);
    // The scene turned the camera half round (looking south): W walks south.
    setCameraView(2, 10, 12);
    expect(useCameraView.getState()).toEqual({ quadrant: 2, focus: { x: 10, y: 12 } });
    useGame.getState().press(Action.move_up);
    expect(source.sent.slice(-2)).toEqual([`press ${Action.do}`, `press ${Action.move_down}`]);

    useGame.getState().setPaused(true);
    source.sent = [];
    useGame.getState().press(Action.do);
    expect(source.sent).toEqual([]);
    expect(useGame.getState().notice).toMatch(/Paused/);

    useGame.getState().setPaused(false);
    source.onFrame!(frameFrom(core, { over: true }));
    source.sent = [];
    useGame.getState().press(Action.do);
    expect(source.sent).toEqual([]);
  });

  it('pauses while the help is open and resumes after', () => {
    const source = new FakeSource();
    useGame.getState().play(source, 1);
    source.onFrame!(frameFrom(new SoloCore(1)));
    useGame.getState().setHelp(true);
    expect(useGame.getState().paused).toBe(true);
    useGame.getState().setHelp(false);
    expect(useGame.getState().paused).toBe(false);
    expect(source.sent.filter((m) => m.startsWith('pause'))).toEqual(['pause true', 'pause false']);
  });

  it('does not pause a source that cannot pause (a shared relay world): presses still go through', () => {
    const source = Object.assign(new FakeSource(), { pausable: false as const });
    useGame.getState().play(source, 1);
    source.onFrame!(frameFrom(new SoloCore(1)));
    useGame.getState().setPaused(true);
    expect(useGame.getState().paused).toBe(false);
    expect(useGame.getState().notice).toMatch(/Only the host can pause/);
    useGame.getState().setHelp(true);
    expect(useGame.getState().helpOpen).toBe(true);
    expect(useGame.getState().paused).toBe(false);
    useGame.getState().setHelp(false);
    useGame.getState().press(Action.move_left);
    expect(source.sent.filter((m) => m.startsWith('pause'))).toEqual([]);
    expect(source.sent).toContain(`press ${Action.move_left}`);
  });

  it("the host pauses a lobby's shared world for all; the flag comes back in frames; help does not pause it", () => {
    const source = Object.assign(new FakeSource(), { pausable: false as const, sharedPause: true });
    useGame.getState().play(source, 1);
    const core = new SoloCore(1);
    source.onFrame!(frameFrom(core));
    useGame.getState().setHelp(true);
    useGame.getState().setHelp(false);
    expect(source.sent.filter((m) => m.startsWith('pause'))).toEqual([]);
    useGame.getState().setPaused(true);
    expect(source.sent.filter((m) => m.startsWith('pause'))).toEqual(['pause true']);
    expect(useGame.getState().paused).toBe(false);
    core.setPaused(true);
    source.onFrame!(frameFrom(core));
    expect(useGame.getState().paused).toBe(true);
    useGame.getState().press(Action.move_left);
    expect(useGame.getState().notice).toMatch(/paused the world for everyone/);
    expect(source.sent).not.toContain(`press ${Action.move_left}`);
  });

  it('clamps the tick rate and disposes the source on the way home', () => {
    const source = new FakeSource();
    useGame.getState().play(source, 1);
    useGame.getState().setTickRate(40);
    expect(useGame.getState().tickRate).toBe(15);
    useGame.getState().setTickRate(8);
    useGame.getState().goHome();
    expect(source.disposed).toBe(true);
    expect(useGame.getState().screen).toBe('home');
  });
});
