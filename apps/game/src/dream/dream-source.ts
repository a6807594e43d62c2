/**
 * Dream mode as a GameSource: the player's actions drive a dream shard each tick and the
 * predicted frames go to the store like real ones (same HUD, same 3D scene). The real source
 * waits behind it: paused in solo (a shared relay world goes on), its hash and scripts still
 * answer, and waking hands the store back to it exactly where it was.
 */
import type { World } from '@aikon/engine';
import { tokenize, VIEW_TOKENS } from '@aikon/world-model';
import type { GameFrame } from '../game/protocol.ts';
import type { GameSource } from '../game/source.ts';
import { DreamFrameBuilder, tokensFromFrame, type DreamGameFrame, type ShardKind } from './dream-frame.ts';
import type { ShardClient } from './shards.ts';

const LOG_STEPS = 2000;

export class DreamSource implements GameSource {
  readonly kind: GameSource['kind'];
  readonly pausable: boolean | undefined;
  readonly dream = true;
  onFrame: ((frame: GameFrame) => void) | null = null;
  onError: ((message: string) => void) | null = null;
  /** The newest predicted frame's step latency and the count of steps (for the overlay). */
  lastMs = 0;
  steps = 0;
  /** Each step as it arrived with the shard that answered it and its latency (the last LOG_STEPS; e2e and bench). */
  readonly log: Array<{ step: number; shard: ShardKind; ms: number }> = [];
  private builder: DreamFrameBuilder | null = null;
  /**
   * Split view (solo): a copy of the real world at the dream's start, stepped with the same
   * actions, so the player sees where the model drifts from the engine. Null when unavailable.
   */
  shadow: World | null = null;
  /** The real world's newest frame while this dream stands in front of it (shown again on waking). */
  realFrame: GameFrame | null = null;
  /** Asked to start a new game from inside the dream: wake, then start it for real. */
  onRestart: ((seed: number, tickRate: number) => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private tickRate: number;
  private paused = false;
  private stepping = false;
  private stopped = false;
  private pressed: number | null = null;
  private held: number | null = null;
  private stepTimes: number[] = [];
  private last: DreamGameFrame | null = null;

  constructor(
    readonly real: GameSource,
    readonly shard: ShardClient,
    tickRate: number,
  ) {
    this.kind = real.kind;
    this.pausable = real.pausable;
    this.tickRate = tickRate;
  }

  /**
   * Seeds the shard with the tokens of `history` (the last real frames, oldest first; the
   * newest is where the dream starts), shows the first frame and starts ticking.
   */
  async begin(history: readonly GameFrame[], seed = 0): Promise<void> {
    const builder = new DreamFrameBuilder(history[history.length - 1]);
    await this.shard.reset(
      history.map((f) => Array.from(tokensFromFrame(f))),
      seed,
    );
    if (this.stopped) return;
    this.builder = builder;
    this.emit(builder.initial({ shard: this.shard.kind, backend: this.shard.backend, ms: 0 }));
    this.schedule();
  }

  private emit(frame: DreamGameFrame): void {
    frame.paused = this.paused;
    frame.tickRate = this.tickRate;
    const now = performance.now();
    this.stepTimes = this.stepTimes.filter((t) => t > now - 1000);
    frame.tps = this.stepTimes.length;
    this.last = frame;
    this.onFrame?.(frame);
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped || this.paused || !this.builder) return;
    this.timer = setTimeout(() => void this.tick(), 1000 / this.tickRate);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    const builder = this.builder;
    if (this.stopped || this.paused || !builder) return;
    if (this.stepping) return this.schedule();
    const action = this.pressed ?? this.held ?? 0;
    this.pressed = null;
    this.stepping = true;
    const started = performance.now();
    try {
      const p = await this.shard.step(action);
      if (this.stopped) return;
      this.steps = p.step;
      this.lastMs = p.ms;
      this.log.push({ step: p.step, shard: this.shard.kind, ms: p.ms });
      if (this.log.length > LOG_STEPS) this.log.shift();
      this.stepTimes.push(performance.now());
      const frame = builder.apply(p, action, { shard: this.shard.kind, backend: this.shard.backend, ms: p.ms });
      this.splitView(frame, action);
      this.emit(frame);
      // The model predicted death: the dream is over (the overlay says why); waking goes back.
      if (p.ended) return;
    } catch (err) {
      if (!this.stopped) this.onError?.(`the dream stopped: ${(err as Error).message}`);
      return;
    } finally {
      this.stepping = false;
    }
    // Keep the tick rate: the step's own time counts against the interval.
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), Math.max(0, 1000 / this.tickRate - (performance.now() - started)));
  }

  private splitView(frame: DreamGameFrame, action: number): void {
    const w = this.shadow;
    if (!w || !frame.dream) return;
    try {
      if (!w.over) w.step([action]);
      const real = tokenize(w, 0);
      let same = 0;
      for (let k = 0; k < VIEW_TOKENS; k++) if (real[k] === frame.dream.tokens[k]) same++;
      frame.dream.real = Array.from(real);
      frame.dream.agreement = same / VIEW_TOKENS;
    } catch {
      this.shadow = null; // e.g. the real player died: no comparison from here
    }
  }

  start(seed: number, tickRate: number): void {
    this.onRestart?.(seed, tickRate);
  }
  press(action: number): void {
    if (!this.paused) this.pressed = action;
  }
  hold(action: number | null): void {
    this.held = action;
  }
  setTickRate(tickRate: number): void {
    this.tickRate = tickRate;
    this.real.setTickRate(tickRate);
    this.schedule();
  }
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.pressed = null;
    if (this.last) this.emit({ ...this.last });
    this.schedule();
  }
  setAgentView(enabled: boolean): void {
    this.real.setAgentView(enabled);
  }
  script(seed: number, actions: number[]): Promise<{ hash: string; t: number }> {
    return this.real.script(seed, actions);
  }
  /** The real world's hash (it waits, unchanged, while the player dreams). */
  hash(): Promise<{ hash: string; t: number }> {
    return this.real.hash();
  }
  /** Stops dreaming (the shard is closed); the real source lives on. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.shard.dispose();
  }
  /** The store disposes a source it drops (home, new game): the real one goes with it. */
  dispose(): void {
    this.stop();
    this.real.dispose();
  }
}
