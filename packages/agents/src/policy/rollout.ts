/**
 * Real-engine Crafter episodes played by a policy alone from the fair view, many at once in
 * lockstep (one batched inference per tick for every episode still running). Episodes are the
 * engine's single-player episodes on `episodeSeed(seed, k)` (10,000 steps or death), so their
 * outcomes are the same records eval:random and eval:agents summarise. Browser-safe.
 */
import { episodeSeed, type EpisodeOutcome, Item, Material, mixSeed, Rng, World } from '@aikon/engine';
import { FRAME_TOKENS, tokenize } from '@aikon/world-model';
import { type PolicyRunner, sampleAction } from './act.ts';
import { FrameHistory } from './features.ts';
import { MEMORY_SLOTS } from './memory.ts';

export interface PolicyEpisodeOutcome extends EpisodeOutcome {
  dead: boolean;
  /** Why it died (null: it lived to the step limit). */
  cause: DeathCause | null;
}

/**
 * What a death is put down to, from the player's state when it died: on lava; else a vital at 0
 * (health drains while drink, food or energy is empty — the first empty one in that order); else
 * damage from creatures (zombies, skeletons' arrows).
 */
export type DeathCause = 'lava' | 'thirst' | 'hunger' | 'fatigue' | 'attacked';

export function deathCause(world: World, slot: number): DeathCause {
  const p = world.player(slot);
  if (world.getMaterial(p.x, p.y) === Material.lava) return 'lava';
  if (p.inventory[Item.drink] === 0) return 'thirst';
  if (p.inventory[Item.food] === 0) return 'hunger';
  if (p.inventory[Item.energy] === 0) return 'fatigue';
  return 'attacked';
}

export interface PolicyEpisodesOptions {
  seed: number;
  episodes: number;
  /** Sampling temperature (1: sample the policy; 0: its most likely action). */
  temperature?: number;
  /** Episodes run in lockstep at most (default all). */
  parallel?: number;
  onEpisode?: (k: number, outcome: PolicyEpisodeOutcome, stepsSoFar: number) => void;
  /**
   * Every fair-view frame episode k's policy acts on, in order, with the action taken just before
   * it (none at the episode's start) — e.g. to dream from the policy's own states.
   */
  onFrame?: (k: number, frame: Int32Array, actionBefore?: number) => void;
}

export async function policyEpisodes(runner: PolicyRunner, o: PolicyEpisodesOptions): Promise<PolicyEpisodeOutcome[]> {
  const K = runner.frames;
  const outcomes: PolicyEpisodeOutcome[] = new Array(o.episodes);
  const parallel = Math.max(1, Math.min(o.parallel ?? o.episodes, o.episodes));
  type Running = { k: number; world: World; history: FrameHistory; rng: Rng };
  const start = (k: number): Running => {
    const world = World.generate({ seed: episodeSeed(o.seed, k) });
    world.addPlayer();
    const history = new FrameHistory(K, runner.memory);
    history.observe(world, 0);
    o.onFrame?.(k, tokenize(world, 0));
    return { k, world, history, rng: new Rng(mixSeed(o.seed ^ 0x5a3, k)) };
  };
  let next = 0;
  let steps = 0;
  const running: Running[] = [];
  while (next < parallel) running.push(start(next++));
  const tokens = new Int32Array(parallel * K * FRAME_TOKENS);
  const prev = new Int32Array(parallel);
  const memory = runner.memory ? new Int32Array(parallel * MEMORY_SLOTS) : undefined;
  while (running.length > 0) {
    const B = running.length;
    for (const [b, r] of running.entries()) r.history.write(tokens, prev, b, memory);
    const out = await runner.run({
      batch: B,
      tokens: tokens.subarray(0, B * K * FRAME_TOKENS),
      prevAction: prev.subarray(0, B),
      memory: memory?.subarray(0, B * MEMORY_SLOTS),
    });
    for (let b = B - 1; b >= 0; b--) {
      const r = running[b];
      const a = sampleAction(out.logits, b, r.rng, o.temperature ?? 1);
      r.world.step([a]);
      steps++;
      r.history.observe(r.world, 0, a);
      const p = r.world.player(0);
      if (p.done) {
        const outcome = {
          length: p.episodeSteps,
          return: p.episodeReturn,
          achievements: p.achievements.slice(),
          dead: p.dead,
          cause: p.dead ? deathCause(r.world, 0) : null,
        };
        outcomes[r.k] = outcome;
        o.onEpisode?.(r.k, outcome, steps);
        if (next < o.episodes) running[b] = start(next++);
        else running.splice(b, 1);
      } else o.onFrame?.(r.k, tokenize(r.world, 0), a);
    }
  }
  return outcomes;
}
