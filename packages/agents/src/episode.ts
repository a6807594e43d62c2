/**
 * One single-player Crafter episode played by the workforce (one worker, one commander).
 * Outcomes use the engine's `EpisodeOutcome`, so the engine's `summarize` reads them.
 */
import { episodeSeed, type EpisodeOutcome, World } from '@aikon/engine';
import { Commander } from './commander.ts';
import type { Goal } from './goals.ts';
import type { Sense } from './senses.ts';

export interface AgentEpisodeOptions {
  sense: Sense;
  goal?: Goal | string;
  /** Stop earlier than the episode's end (tests). */
  maxSteps?: number;
  /** Called after every step (tests, debugging). */
  onStep?: (world: World, commander: Commander) => void;
}

export interface AgentEpisodeOutcome extends EpisodeOutcome {
  /** Step at which each achievement first unlocked (-1 if never), ACHIEVEMENTS order. */
  unlockedAt: number[];
  dead: boolean;
  replans: number;
  decisions: number;
}

export function agentEpisode(seed: number, k: number, options: AgentEpisodeOptions): AgentEpisodeOutcome {
  const world = World.generate({ seed: episodeSeed(seed, k) });
  const player = world.addPlayer();
  const commander = new Commander(world, { sense: options.sense });
  commander.addWorker(player.slot);
  const set = commander.setGoal(options.goal ?? { kind: 'all' }, 'eval');
  if (!set.ok) throw new Error(`goal refused: ${set.reason}`);
  const unlockedAt = new Array<number>(player.achievements.length).fill(-1);
  const maxSteps = options.maxSteps ?? Infinity;
  let decisions = 0;
  while (!player.done && world.t < maxSteps) {
    const actions = commander.tick();
    decisions++;
    world.step(actions);
    for (const a of player.newAchievements) unlockedAt[a] = world.t;
    options.onStep?.(world, commander);
  }
  return {
    length: player.episodeSteps,
    return: player.episodeReturn,
    achievements: player.achievements.slice(),
    unlockedAt,
    dead: player.dead,
    replans: commander.replans,
    decisions,
  };
}
