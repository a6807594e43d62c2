import type { FromSource, GameFrame, ToSource } from './protocol.ts';
import type { SoloSave } from './solo-save.ts';

/**
 * Where the game's state comes from: a Web Worker running the engine (solo play), a relay
 * connection (multiplayer) or a dream shard; each feeds the same frames.
 */
export interface GameSource {
  readonly kind: 'solo' | 'network';
  /** false: the world cannot pause (a shared relay world); the store then ignores pausing. */
  readonly pausable?: boolean;
  /** With `pausable: false`: this client may still pause the shared world for everyone (a lobby's host). */
  readonly sharedPause?: boolean;
  /** Called with every new state and with errors. */
  onFrame: ((frame: GameFrame) => void) | null;
  onError: ((message: string) => void) | null;
  /**
   * A source that saves its game (solo) reports each save: the
   * step saved, or null once a finished game's save is removed.
   */
  onSaved?: ((t: number | null, error?: string) => void) | null;
  start(seed: number, tickRate: number): void;
  /** A key press (or, with brain 'learned', the autopilot's choice: a lobby records which). */
  press(action: number, brain?: 'learned'): void;
  hold(action: number | null): void;
  setTickRate(tickRate: number): void;
  setPaused(paused: boolean): void;
  setAgentView(enabled: boolean): void;
  /** Test hooks: a fresh world stepped with a fixed action list; the current hash. */
  script(seed: number, actions: number[]): Promise<{ hash: string; t: number }>;
  hash(): Promise<{ hash: string; t: number }>;
  /** A shared world: this client loads a dream model, or has finished (its body is held protected meanwhile). */
  dreamLoading?(loading: boolean): void;
  /** The 3D scene drew its first frame of this source's world (a lobby waits for it). */
  sceneDrawn?(): void;
  /**
   * The player leaves the game (Home): a source that saves its
   * game saves it once more first, then stops (settles then).
   */
  leave?(): Promise<void>;
  dispose(): void;
}

/** How long a left solo game's engine may take to write its last save before it is stopped anyway. */
const LEAVE_SAVE_MS = 2000;

export class WorkerSource implements GameSource {
  readonly kind = 'solo' as const;
  /** The player chose to record the games of this source for the datasets (solo-save.ts, solo-upload.ts). */
  readonly record: boolean;
  /** A recorded game is over and its log waits in the upload queue. */
  onQueued: (() => void) | null = null;
  onFrame: ((frame: GameFrame) => void) | null = null;
  onError: ((message: string) => void) | null = null;
  onSaved: ((t: number | null, error?: string) => void) | null = null;
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, (r: { hash: string; t: number }) => void>();

  constructor(options: { record?: boolean } = {}) {
    this.record = options.record === true;
    this.worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'aikon-engine' });
    this.worker.onmessage = (event: MessageEvent<FromSource>) => {
      const msg = event.data;
      if (msg.type === 'frame') this.onFrame?.(msg.frame);
      else if (msg.type === 'reply') {
        this.waiting.get(msg.id)?.({ hash: msg.hash, t: msg.t });
        this.waiting.delete(msg.id);
      } else if (msg.type === 'saved') this.onSaved?.(msg.t, msg.error);
      else if (msg.type === 'queued') this.onQueued?.();
      else if (msg.type === 'error') this.onError?.(msg.message);
    };
    this.worker.onerror = (event) => {
      this.onError?.(`the game engine stopped: ${event.message || 'unknown error'}`);
    };
  }

  private send(msg: ToSource): void {
    this.worker.postMessage(msg);
  }

  /** The world ticks from the scene's first frames on (`sceneDrawn`), as a lobby does. */
  start(seed: number, tickRate: number): void {
    this.send({ type: 'start', seed, tickRate, waitForScene: true, record: this.record });
  }
  /** Plays on from a saved game, paused; like `start`, it ticks only once the scene has drawn. */
  resume(save: SoloSave, tickRate: number): void {
    this.send({ type: 'resume', save, tickRate });
  }
  sceneDrawn(): void {
    this.send({ type: 'drawn' });
  }
  press(action: number, brain?: 'learned'): void {
    this.send({ type: 'press', action, learned: brain === 'learned' });
  }
  hold(action: number | null): void {
    this.send({ type: 'hold', action });
  }
  setTickRate(tickRate: number): void {
    this.send({ type: 'rate', tickRate });
  }
  setPaused(paused: boolean): void {
    this.send({ type: 'pause', paused });
  }
  setAgentView(enabled: boolean): void {
    this.send({ type: 'agentView', enabled, atlasUrl: new URL('textures/atlas.png', document.baseURI).href });
  }
  private request(build: (id: number) => ToSource): Promise<{ hash: string; t: number }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.send(build(id));
    });
  }
  script(seed: number, actions: number[]): Promise<{ hash: string; t: number }> {
    return this.request((id) => ({ type: 'script', id, seed, actions }));
  }
  hash(): Promise<{ hash: string; t: number }> {
    return this.request((id) => ({ type: 'hash', id }));
  }
  /**
   * Pausing saves the world at once (see the engine worker), so leaving loses no play; the engine
   * stops when that save is written, or after LEAVE_SAVE_MS. Nothing reaches the store meanwhile.
   */
  leave(): Promise<void> {
    this.onFrame = this.onError = this.onSaved = null;
    this.waiting.clear();
    const worker = this.worker;
    return new Promise((resolve) => {
      const stop = () => {
        worker.terminate();
        resolve();
      };
      worker.onmessage = (event: MessageEvent<FromSource>) => {
        if (event.data.type === 'saved') stop();
      };
      worker.onerror = stop;
      this.send({ type: 'pause', paused: true });
      setTimeout(stop, LEAVE_SAVE_MS);
    });
  }
  dispose(): void {
    this.worker.terminate();
    this.waiting.clear();
  }
}
