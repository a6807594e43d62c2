import { NUM_ACTIONS } from '@aikon/engine';
import type { RelayClient } from '@aikon/protocol/client';
import type { GameSource } from '../game/source.ts';
import type { GameFrame } from '../game/protocol.ts';
import { frameFromMirror } from './mirror-frame.ts';

export interface RelayGameSourceOptions {
  /** Called once when the game lets go of the source (Quit, Home): leave the lobby there. */
  onDispose?: () => void;
}

/**
 * Multiplayer behind the client's GameSource seam: the relay's authoritative world, as the
 * client helper's WorldMirror keeps it, becomes GameFrames; the player's keys become
 * `game:action` intents.
 *
 * Key rule (the same as solo): the tick's action is the last key pressed during the tick,
 * else the held key, else noop. The server applies the last intent it received before the
 * tick, so a press is sent at once, and a held key is sent once per tick, right after each
 * delta, unless a key was pressed since (a later press still overrides it).
 */
export class RelayGameSource implements GameSource {
  readonly kind = 'network' as const;
  /** A shared world does not pause for one player; its host pauses it for everyone (`sharedPause`). */
  readonly pausable = false;
  onFrame: ((frame: GameFrame) => void) | null = null;
  onError: ((message: string) => void) | null = null;
  private held: number | null = null;
  private pressedThisTick = false;
  private unsubscribe: (() => void)[] = [];
  /** Actions sent and not yet acknowledged, by seq. */
  private readonly sent = new Map<number, number>();
  private lastAck = -1;
  private deltaTimes: number[] = [];
  private isDisposed = false;
  private started = false;
  private lastPosition: { x: number; y: number; facing: number } | null = null;
  /** The lobby's pause as last shown (no deltas come while paused: its change is a frame of its own). */
  private shownPaused = false;
  /** The scene has drawn this world: every later snapshot is answered with `game:ready` at once. */
  private drawn = false;
  /** The last frame delivered (also for tests). */
  lastFrame: GameFrame | null = null;

  constructor(
    readonly client: RelayClient,
    private readonly options: RelayGameSourceOptions = {},
  ) {}

  /** Seed and tick rate belong to the lobby; the arguments are ignored. */
  start(_seed?: number, _tickRate?: number): void {
    if (this.started || this.isDisposed) return;
    this.started = true;
    this.unsubscribe.push(
      this.client.onSnapshot(() => {
        this.lastAck = -1;
        this.sent.clear();
        this.emit([], 0);
        if (this.drawn) this.client.ready();
      }),
      this.client.onDelta((delta) => {
        const now = performance.now();
        this.deltaTimes.push(now);
        while (this.deltaTimes.length > 0 && this.deltaTimes[0] <= now - 1000) this.deltaTimes.shift();
        let myAction = 0;
        const ack = this.client.mirror.self?.ack ?? -1;
        if (ack !== this.lastAck && ack >= 0) {
          myAction = this.sent.get(ack) ?? 0;
          for (const seq of this.sent.keys()) if (seq <= ack) this.sent.delete(seq);
          this.lastAck = ack;
        }
        this.emit(delta.you?.fresh ?? [], myAction);
        // A new tick began on the server: repeat the held key for it unless a key was pressed.
        if (!this.pressedThisTick && this.held !== null) this.send(this.held);
        this.pressedThisTick = false;
      }),
      this.client.onLobby((state) => {
        if ((state.config.paused === true) !== this.shownPaused) this.emit([], 0);
      }),
    );
    if (this.client.mirror.ready) this.emit([], 0);
  }

  private emit(fresh: number[], myAction: number): void {
    if (this.isDisposed || !this.client.mirror.ready) return;
    const lobby = this.client.lobby;
    const names: Record<number, string> = {};
    for (const m of lobby?.members ?? []) if (m.slot !== null) names[m.slot] = m.name;
    const body = this.client.mirror.me();
    if (body) this.lastPosition = { x: body.x, y: body.y, facing: body.dir };
    this.shownPaused = lobby?.config.paused === true;
    const frame = frameFromMirror(this.client.mirror, {
      tickRate: lobby?.config.tickRate ?? 8,
      paused: this.shownPaused,
      tps: this.deltaTimes.length,
      fresh,
      myAction,
      names,
      lastPosition: this.lastPosition,
    });
    this.lastFrame = frame;
    this.onFrame?.(frame);
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /**
   * The scene drew the world: the relay may start ticking (a new game waits for every member)
   * and ends this member's hold (a body stays protected while its page loads).
   */
  sceneDrawn(): void {
    if (this.drawn || this.isDisposed) return;
    this.drawn = true;
    this.client.ready();
  }

  /** This member loads a dream model (the shared world goes on): the relay holds its body protected meanwhile. */
  dreamLoading(loading: boolean): void {
    if (this.isDisposed) return;
    this.client
      .dreamLoading(loading)
      .catch((error: Error) => this.onError?.(`the relay refused the dream hold: ${error.message}`));
  }

  /** Whether this client has a living body (a dead player's intents are refused). */
  get alive(): boolean {
    const mirror = this.client.mirror;
    if (!mirror.ready || mirror.slot === null) return false;
    if (mirror.self?.dead) return false;
    const me = mirror.me();
    return me !== undefined && !me.dead;
  }

  private send(action: number, brain?: 'learned'): void {
    if (this.isDisposed || !this.alive || !this.client.connected) return;
    const seq = this.client.sendAction(action, brain ? { brain } : {});
    this.sent.set(seq, action);
    if (this.sent.size > 256) this.sent.delete(this.sent.keys().next().value!);
  }

  press(action: number, brain?: 'learned'): void {
    if (!Number.isInteger(action) || action < 0 || action >= NUM_ACTIONS) return;
    this.pressedThisTick = true;
    this.send(action, brain);
  }

  hold(action: number | null): void {
    this.held = action;
  }

  /** The lobby's tick rate belongs to the host: a host's change goes to the server. */
  setTickRate(tickRate: number): void {
    const lobby = this.client.lobby;
    if (!lobby || lobby.hostId !== this.client.memberId || lobby.config.tickRate === tickRate) return;
    this.client.setConfig({ tickRate }).catch((err: unknown) => this.onError?.(errorText(err)));
  }

  /** The lobby's host may pause the shared world for everyone. */
  get sharedPause(): boolean {
    const lobby = this.client.lobby;
    return lobby !== null && lobby.hostId === this.client.memberId;
  }

  setPaused(paused: boolean): void {
    const lobby = this.client.lobby;
    if (!this.sharedPause || !lobby || (lobby.config.paused === true) === paused) return;
    this.client.setConfig({ paused }).catch((err: unknown) => this.onError?.(errorText(err)));
  }

  /** The agent view needs the engine's World; a relay client has only the mirror. */
  setAgentView(_enabled: boolean): void {}

  respawn(): Promise<void> {
    return this.client.respawn();
  }

  script(): Promise<{ hash: string; t: number }> {
    return Promise.reject(new Error('scripted runs are solo only'));
  }

  hash(): Promise<{ hash: string; t: number }> {
    return Promise.reject(new Error('the world hash is on the relay server in multiplayer'));
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.onFrame = null;
    this.onError = null;
    this.options.onDispose?.();
  }
}

export function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'error' in err) {
    const e = (err as { error: { code?: string; message?: string } }).error;
    if (e && typeof e.message === 'string') return e.message;
  }
  if (err instanceof Error)
    return err.message === 'operation has timed out' ? 'The relay server did not answer in time.' : err.message;
  return String(err);
}
