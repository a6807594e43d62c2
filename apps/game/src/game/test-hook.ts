import { ACHIEVEMENTS, Action } from '@aikon/engine';
import { myPlayer, useGame } from './store.ts';
import { useAutopilot } from '../autopilot/autopilot-store.ts';
import { useCameraView } from './camera-store.ts';
import { useSpectate } from './spectate.ts';

/** A small window hook for the end-to-end tests and the bench (no game logic here). */
export interface AikonHook {
  state(): {
    screen: string;
    t: number;
    paused: boolean;
    /** Whether the last frame came from a paused engine (the worker has taken the pause). */
    framePaused: boolean;
    over: boolean;
    /** The action the player took in the last tick. */
    action: number;
    player: { x: number; y: number; facing: number; sleeping: boolean; inventory: number[] } | null;
    achievements: string[];
    firstFrameAt: number | null;
    drawCalls: number;
    /** The renderer's live geometries and textures (three's renderer.info.memory), as last drawn. */
    gpuMemory: { geometries: number; textures: number } | null;
    /** The autopilot: off / loading / on / error, its model and decisions. */
    autopilot: {
      status: string;
      model: string | null;
      error: string | null;
      decisions: number;
      late: number;
      lastAction: number;
    };
    /** The step of the solo game's last save in this browser (null: none yet). */
    savedT: number | null;
    /** The tile the 3D camera centres on (null before the scene draws) and the followed slot. */
    camera: { x: number; y: number } | null;
    /** The camera's azimuth in quarter turns (0: looking north). */
    cameraQuadrant: number;
    following: number | null;
    /** The game's notice line (a refused action says why there). */
    notice: string | null;
  };
  /** `record`: as if the player ticked "record this game" on the home page. */
  startSolo(seed: number, record?: boolean): void;
  hash(): Promise<{ hash: string; t: number }>;
  script(seed: number, actions: number[]): Promise<{ hash: string; t: number }>;
  actions: typeof Action;
}

declare global {
  interface Window {
    __aikon?: AikonHook;
    __aikonFirstFrame?: number;
    __aikonDrawCalls?: number;
    __aikonGpuMemory?: { geometries: number; textures: number };
  }
}

export function installTestHook(): void {
  window.__aikon = {
    state() {
      const s = useGame.getState();
      const me = myPlayer(s.frame);
      const pilot = useAutopilot.getState();
      return {
        screen: s.screen,
        t: s.frame?.t ?? -1,
        paused: s.paused,
        framePaused: s.frame?.paused ?? false,
        over: s.frame?.over ?? false,
        action: me?.action ?? 0,
        player: me ? { x: me.x, y: me.y, facing: me.facing, sleeping: me.sleeping, inventory: me.inventory } : null,
        achievements: me ? ACHIEVEMENTS.filter((_, i) => me.achievements[i] > 0) : [],
        firstFrameAt: window.__aikonFirstFrame ?? null,
        drawCalls: window.__aikonDrawCalls ?? 0,
        gpuMemory: window.__aikonGpuMemory ?? null,
        autopilot: {
          status: pilot.status,
          model: pilot.model,
          error: pilot.error,
          decisions: pilot.stats?.decisions ?? 0,
          late: pilot.stats?.late ?? 0,
          lastAction: pilot.stats?.lastAction ?? -1,
        },
        savedT: s.savedT,
        camera: useCameraView.getState().focus,
        cameraQuadrant: useCameraView.getState().quadrant,
        following: useSpectate.getState().slot,
        notice: s.notice,
      };
    },
    startSolo(seed, record) {
      useGame.getState().startSolo(seed, record);
    },
    hash() {
      const source = useGame.getState().source;
      if (!source) return Promise.reject(new Error('no game running'));
      return source.hash();
    },
    script(seed, actions) {
      const source = useGame.getState().source;
      if (!source) return Promise.reject(new Error('no game running'));
      return source.script(seed, actions);
    },
    actions: Action,
  };
}
