/**
 * A worker's brain: `scripted` (planner + commander + A* skills), `learned` (a policy from the
 * fair view alone) or `hybrid` (the planner picks the goal and the skills run its tasks; the
 * policy, as one more skill (skill.ts), acts where no scripted skill applies). Browser-safe.
 */
import { mixSeed, Rng, type World } from '@aikon/engine';
import type { ActingBrain, WorkerBrain } from '@aikon/protocol';
import { FRAME_TOKENS } from '@aikon/world-model';
import { type PolicyRunner, sampleAction } from './act.ts';
import { FrameHistory } from './features.ts';
import { MEMORY_SLOTS } from './memory.ts';

/** The kinds (WorkerBrain) and who chose an action (ActingBrain) are the wire's (@aikon/protocol). */
export type BrainKind = WorkerBrain;
export type { ActingBrain };

/**
 * A learned worker's policy, run off the tick: `act` never waits for an inference. It records the
 * newest frame, starts an inference on the history when none is running, and returns the newest
 * finished decision, each used once (null when none is ready: the caller sends noop). A slow
 * inference makes decisions rarer, never a tick later.
 */
export class LearnedBrain {
  private readonly history: FrameHistory;
  private readonly rng: Rng;
  private running = false;
  private ready: number | null = null;
  private generation = 0;
  /** Inferences finished; ticks that found no decision ready. */
  inferences = 0;
  missed = 0;
  error: Error | null = null;

  constructor(
    private readonly runner: PolicyRunner,
    seed: number,
    private readonly temperature = 1,
  ) {
    this.history = new FrameHistory(runner.frames, runner.memory);
    this.rng = new Rng(mixSeed(seed, 0xb7a1));
  }

  /**
   * The action for this tick from the world as `slot` sees it now (null: no decision ready).
   * `prevAction` is the action the body took last tick, whoever chose it.
   */
  act(world: World, slot: number, prevAction: number): number | null {
    this.history.observe(world, slot, prevAction);
    if (!this.running && !this.error) this.infer();
    const a = this.ready;
    this.ready = null;
    if (a === null) this.missed++;
    return a;
  }

  /** Keeps the frames coherent while another brain acts (a hybrid worker running a task). */
  observe(world: World, slot: number, prevAction: number): void {
    this.history.observe(world, slot, prevAction);
    // A decision from before another brain acted is stale.
    if (this.running) this.generation++;
    this.ready = null;
  }

  /** A new body (respawn): the frames of the old one are forgotten. */
  reset(): void {
    this.history.reset();
    this.ready = null;
    this.generation++;
  }

  private infer(): void {
    const tokens = new Int32Array(this.runner.frames * FRAME_TOKENS);
    const prevAction = new Int32Array(1);
    const memory = this.runner.memory ? new Int32Array(MEMORY_SLOTS) : undefined;
    this.history.write(tokens, prevAction, 0, memory);
    const generation = this.generation;
    this.running = true;
    this.runner.run({ batch: 1, tokens, prevAction, memory }).then(
      (out) => {
        this.running = false;
        this.inferences++;
        if (generation === this.generation) this.ready = sampleAction(out.logits, 0, this.rng, this.temperature);
      },
      (err: unknown) => {
        this.running = false;
        this.error = err instanceof Error ? err : new Error(String(err));
      },
    );
  }

  /** Resolves once no inference is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, 1));
  }
}
