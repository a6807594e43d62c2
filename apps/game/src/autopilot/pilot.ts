/**
 * The autopilot's decisions: one inference per tick on the own character's fair view, its action
 * sent as the keyboard's would be. Nothing waits for an inference: a frame starts one, and its
 * action is pressed the moment it is ready. If the next tick comes first, that tick was a noop
 * (counted as late); the decision still goes out for the tick after, and the newest frame is
 * inferred on at once — a slow machine makes the autopilot act later, never not at all.
 */
import { mixSeed, Rng } from '@aikon/engine';
// The light entries (not @aikon/agents/policy, whose ONNX export would land in the page's bundle).
import { type PolicyRunner, sampleAction } from '@aikon/agents/policy/act';
import { FrameHistory } from '@aikon/agents/policy/features';
import { MEMORY_SLOTS } from '@aikon/agents/policy/memory';
import { FRAME_TOKENS } from '@aikon/world-model';
import type { GameFrame } from '../game/protocol.ts';
import { myPlayer } from '../game/store.ts';
import { tokensFromFrame } from '../game/frame-tokens.ts';

export interface PilotStats {
  /** Actions the policy chose and pressed. */
  decisions: number;
  /** Ticks that came before any decision since the tick before them: the character did noop. */
  late: number;
  /** The last action pressed (-1: none yet). */
  lastAction: number;
  /** Milliseconds of the last inference, page to worker and back. */
  lastMs: number;
}

export class Pilot {
  private readonly history: FrameHistory;
  private readonly rng: Rng;
  /** The tick of the last frame seen (null: none yet). */
  private lastT: number | null = null;
  private running = false;
  /** A frame came while an inference was running: infer on the newest one when it returns. */
  private behind = false;
  /** An action went out since the last frame (else that frame's tick was a noop). */
  private pressed = false;
  /** Bumped when a running inference's decision is no longer wanted (a new body or world). */
  private generation = 0;
  private stopped = false;
  readonly stats: PilotStats = { decisions: 0, late: 0, lastAction: -1, lastMs: 0 };

  constructor(
    private readonly runner: PolicyRunner,
    private readonly press: (action: number) => void,
    private readonly onChange: (stats: PilotStats) => void,
    private readonly onError: (err: Error) => void,
    seed: number,
  ) {
    this.history = new FrameHistory(runner.frames, runner.memory);
    this.rng = new Rng(mixSeed(seed, 0xa070));
  }

  /** A frame from the game source; only a new tick of a living, unpaused character is acted on. */
  onFrame(frame: GameFrame): void {
    if (this.stopped || frame.paused || frame.over) return;
    if (this.lastT !== null && frame.t === this.lastT) return;
    const me = myPlayer(frame);
    if (!me || me.dead) {
      // Dead (a lobby's body may respawn): the next body starts with fresh frames.
      this.forget();
      this.lastT = null;
      return;
    }
    // The own character's fair view from what the client knows (its frame), as tokenize() gives a relay worker.
    const tokens = tokensFromFrame(frame);
    // A new world (restart) or a jump back: start over.
    if (this.lastT !== null && frame.t < this.lastT) {
      this.forget();
      this.lastT = null;
    }
    const first = this.lastT === null;
    this.lastT = frame.t;
    this.history.push(tokens, first ? undefined : me.action);
    if (!first && !this.pressed) {
      // No decision went out before this tick: the character did noop.
      this.stats.late++;
      this.onChange(this.stats);
    }
    this.pressed = false;
    if (this.running) this.behind = true;
    else this.infer();
  }

  /** The frames so far belong to another body or world: drop them and any decision on them. */
  private forget(): void {
    this.history.reset();
    this.generation++;
    this.behind = false;
  }

  private infer(): void {
    const tokens = new Int32Array(this.runner.frames * FRAME_TOKENS);
    const prevAction = new Int32Array(1);
    const memory = this.runner.memory ? new Int32Array(MEMORY_SLOTS) : undefined;
    this.history.write(tokens, prevAction, 0, memory);
    const generation = this.generation;
    const started = performance.now();
    this.running = true;
    this.runner.run({ batch: 1, tokens, prevAction, ...(memory ? { memory } : {}) }).then(
      (out) => {
        this.running = false;
        if (this.stopped || generation !== this.generation) return;
        const action = sampleAction(out.logits, 0, this.rng);
        this.press(action);
        this.pressed = true;
        this.stats.decisions++;
        this.stats.lastAction = action;
        this.stats.lastMs = performance.now() - started;
        this.onChange(this.stats);
        if (this.behind) {
          this.behind = false;
          this.infer();
        }
      },
      (err: unknown) => {
        this.running = false;
        if (!this.stopped) this.onError(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  /** No more presses, even from an inference already running. */
  stop(): void {
    this.stopped = true;
  }
}
