/**
 * Real-engine Crafter episodes played by a policy alone from the fair view, many at once in
 * lockstep (one batched inference per tick for every episode still running). Episodes are the
 * engine's single-player episodes on `episodeSeed(seed, k)` (10,000 steps or death), so their
 * outcomes are the same records eval:random and eval:agents summarise. Browser-safe.
 */
import { episodeSeed, type EpisodeOutcome, mixSeed, Rng, World } from '@aikon/engine';
import { FRAME_TOKENS, tokenize } from '@aikon/world-model';
import { type PolicyRunner, sampleAction } from './act.ts';
import { FrameHistory } from './features.ts';

export interface PolicyEpisodeOutcome extends EpisodeOutcome {
  dead: boolean;
}

export interface PolicyEpisodesOptions {
  seed: number;
  episodes: number;
  /** Sampling temperature (1: sample the policy; 0: its most likely action). */
  temperature?: number;
  /** Episodes run in lockstep at most (default all). */
  parallel?: number;
  onEpisode?: (k: number, outcome: PolicyEpisodeOutcome, stepsSoFar: number) => void;
  /** Every fair-view frame episode k's policy acts on, in order (e.g. to dream from the policy's own states). */
  onFrame?: (k: number, frame: Int32Array) => void;
}

export async function policyEpisodes(runner: PolicyRunner, o: PolicyEpisodesOptions): Promise<PolicyEpisodeOutcome[]> {
  const K = runner.frames;
  const outcomes: PolicyEpisodeOutcome[] = new Array(o.episodes);
  const parallel = Math.max(1, Math.min(o.parallel ?? o.episodes, o.episodes));
  type Running = { k: number; world: World; history: FrameHistory; rng: Rng };
  const start = (k: number): Running => {
    const world = World.generate({ seed: episodeSeed(o.seed, k) });
    world.addPlayer();
    const history = new FrameHistory(K);
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
  while (running.length > 0) {
    const B = running.length;
    for (const [b, r] of running.entries()) r.history.write(tokens, prev, b);
    const out = await runner.run({
      batch: B,
      tokens: tokens.subarray(0, B * K * FRAME_TOKENS),
      prevAction: prev.subarray(0, B),
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
        };
        outcomes[r.k] = outcome;
        o.onEpisode?.(r.k, outcome, steps);
        if (next < o.episodes) running[b] = start(next++);
        else running.splice(b, 1);
      } else o.onFrame?.(r.k, tokenize(r.world, 0));
    }
  }
  return outcomes;
}
