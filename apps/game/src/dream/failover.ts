/**
 * A dream that survives its shard: when the shard in use fails (a serving peer left, closed its
 * tab, answered garbage or too late; a relay connection dropped), the next shard is reset from the
 * last confirmed dream state — the frames this dream has received, the last K of which are the
 * model's whole context — and the failed step is asked again there with the same action. Step
 * numbers continue, so no step is lost or repeated.
 */
import type { ShardKind } from './dream-frame.ts';
import type { ShardClient } from './shards.ts';

/** Confirmed frames kept for a reset elsewhere (the relay's /dream takes at most 8). */
const KEEP_FRAMES = 8;

export interface Failover {
  /** The last step confirmed before the switch (the next one comes from `to`). */
  step: number;
  from: ShardKind;
  to: ShardKind;
  why: string;
  /** From the failure to the next shard holding the dream (its connection and reset), ms. */
  switchMs: number;
}

export class FailoverShard implements ShardClient {
  private current: ShardClient;
  private confirmed: number[][] = [];
  private seed: number | undefined;
  /** Dream steps confirmed before the current shard's reset, and in all. */
  private base = 0;
  private last = 0;
  /** Ended by its dreamer (waking): a step that fails from here on is not a shard's failure. */
  private disposed = false;
  readonly failovers: Failover[] = [];

  /**
   * `next` opens the shard to go on with after `failed` (each candidate once), or null when
   * none is left; `onSwitch` hears of every fail-over once the next shard has taken the dream.
   */
  constructor(
    first: ShardClient,
    private readonly next: (failed: ShardClient, why: string) => Promise<ShardClient | null>,
    private readonly onSwitch?: (to: ShardClient, f: Failover) => void,
  ) {
    this.current = first;
  }

  get kind(): ShardKind {
    return this.current.kind;
  }
  get backend(): string {
    return this.current.backend;
  }
  /** The shard serving now. */
  get shard(): ShardClient {
    return this.current;
  }

  async reset(frames: number[][], seed?: number): Promise<void> {
    this.confirmed = frames.slice(-KEEP_FRAMES);
    this.seed = seed;
    this.base = 0;
    this.last = 0;
    try {
      await this.current.reset(this.confirmed, seed);
    } catch (err) {
      if (this.disposed) throw err;
      await this.failOver((err as Error).message);
    }
  }

  async step(action: number | null): Promise<Awaited<ReturnType<ShardClient['step']>>> {
    for (;;) {
      let p: Awaited<ReturnType<ShardClient['step']>>;
      try {
        p = await this.current.step(action);
        const expected = this.last - this.base + 1;
        if (p.step !== expected)
          throw new Error(`the ${this.current.kind} shard answered step ${p.step} where step ${expected} was due`);
      } catch (err) {
        if (this.disposed) throw err;
        await this.failOver((err as Error).message);
        continue;
      }
      this.last++;
      this.confirmed = [...this.confirmed, p.tokens].slice(-KEEP_FRAMES);
      return { ...p, step: this.last };
    }
  }

  private async failOver(why: string): Promise<void> {
    const t0 = performance.now();
    const failed = this.current;
    failed.dispose();
    let reason = why;
    for (;;) {
      const candidate = await this.next(failed, reason);
      if (!candidate) throw new Error(`no dream shard left (${reason})`);
      try {
        await candidate.reset(this.confirmed, this.seed);
      } catch (err) {
        candidate.dispose();
        reason = (err as Error).message;
        continue;
      }
      if (this.disposed) {
        // The dreamer woke while the next shard was opening: close it, hold no session there.
        candidate.dispose();
        throw new Error('the dream ended');
      }
      this.current = candidate;
      this.base = this.last;
      const f: Failover = {
        step: this.last,
        from: failed.kind,
        to: candidate.kind,
        why,
        switchMs: Math.round(performance.now() - t0),
      };
      this.failovers.push(f);
      this.onSwitch?.(candidate, f);
      return;
    }
  }

  dispose(): void {
    this.disposed = true;
    this.current.dispose();
  }
}
