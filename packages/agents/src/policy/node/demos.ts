/**
 * Demonstrations for behaviour cloning, through the datasets pipeline: the workforce (fair
 * sense) plays headless single-player sessions recorded by the relay's own recorder and index
 * (`generateSessions`), and training reads them back the way exports do — the catalog, the
 * episode selection, and a deterministic replay of each session log (`extractEpisodes`) — turning
 * every step's info row into the policy's token frame. Human episodes in the same data directory
 * are read back too when asked, and counted apart.
 */
import {
  type CatalogEpisode,
  generateSessions,
  loadCatalog,
  type PolicySource,
  replayEpisodes,
  selectEpisodes,
} from '@aikon/datasets';
import { daylightAt, DIRECTIONS, type World } from '@aikon/engine';
import { ACTING_BRAINS } from '@aikon/protocol';
import { daylightBucket, encodeObservation, FRAME_TOKENS, MAX_COUNT, VIEW_TOKENS } from '@aikon/world-model';
import { Commander } from '../../commander.ts';
import type { Sense } from '../../senses.ts';

/** The workforce (one commander and worker per body, goal "all achievements") as a recorded player. */
export function workforcePolicy(sense: Sense): PolicySource {
  return {
    name: `workforce-${sense}`,
    create(world: World, slot: number) {
      const commander = new Commander(world, { sense });
      commander.addWorker(slot);
      const set = commander.setGoal({ kind: 'all' }, 'demonstrations');
      if (!set.ok) throw new Error(`goal refused: ${set.reason}`);
      return { act: () => commander.tick().get(slot) ?? 0, brain: 'scripted' };
    },
  };
}

export interface GeneratedDemos {
  sessions: string[];
  worldSeeds: number[];
  steps: number;
}

/** Records `episodes` single-player workforce episodes (one session each) into `dataDir`. */
export function generateDemos(o: {
  dataDir: string;
  episodes: number;
  seed: number;
  sense?: Sense;
  maxSteps?: number;
  onProgress?: (done: number, total: number) => void;
}): GeneratedDemos {
  const out = generateSessions({
    dataDir: o.dataDir,
    episodes: o.episodes,
    sessions: o.episodes,
    players: 1,
    seed: o.seed,
    policy: workforcePolicy(o.sense ?? 'fair'),
    ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}),
    onProgress: o.onProgress,
  });
  const catalog = new Map(loadCatalog(o.dataDir).map((s) => [s.sessionId, s]));
  return {
    sessions: out.map((s) => s.sessionId),
    worldSeeds: out.map((s) => catalog.get(s.sessionId)!.seed),
    steps: out.reduce((n, s) => n + s.ticks, 0),
  };
}

/** Demonstration steps in training layout. */
export interface DemoSet {
  /** [N, 81] the token frame seen before each action. */
  frames: Int32Array;
  /** [N] the demonstrator's action (the label). */
  actions: Uint8Array;
  /** [N] the action actually taken where it differs from the label (DAgger: the learner's); absent: `actions`. */
  taken?: Uint8Array;
  /** [N] reward received for it. */
  rewards: Float32Array;
  /** [N] index of the first step of the step's episode (frame history stops there). */
  episodeStart: Int32Array;
  /** Episode boundaries: episode e covers steps [starts[e], starts[e + 1]). */
  starts: number[];
  /**
   * [N] 1 where a human episode's action was chosen by a learned policy (the game's autopilot,
   * brain `learned` in the log): kept as context (frame history, memory map), never a label.
   * Absent: no such step.
   */
  autopilot?: Uint8Array;
  /**
   * Steps by kind of player ('ai' = workforce demonstrations,
   * 'human' = chosen by recorded people, not their autopilot).
   */
  steps: { ai: number; human: number };
  /** Steps of human episodes their autopilot chose (in `autopilot`; not counted in `steps`). */
  autopilotSteps?: number;
  episodes: { ai: number; human: number };
  /** World seeds of every session that contributed (evaluation must use others). */
  worldSeeds: number[];
  sessions: string[];
}

/**
 * The episodes demonstrations are read from: the workforce's `sessions`
 * (kind 'ai') and, when `human`, every consented human episode.
 */
export function demoEpisodes(dataDir: string, o: { sessions: readonly string[]; human: boolean }): CatalogEpisode[] {
  const catalog = loadCatalog(dataDir);
  const chosen: CatalogEpisode[] = selectEpisodes(catalog, { sessions: [...o.sessions], kind: 'ai' });
  if (o.human) chosen.push(...selectEpisodes(catalog, { kind: 'human' }));
  return chosen;
}

/**
 * Reads back the demonstration sessions (the workforce's `sessions`, kind 'ai') and, when
 * `human`, every consented human episode of the data directory.
 */
export function loadDemos(
  dataDir: string,
  o: { sessions: readonly string[]; human: boolean; onProgress?: (episodes: number, total: number) => void },
): DemoSet {
  const chosen = demoEpisodes(dataDir, o);
  const total = chosen.reduce((n, e) => n + e.length, 0);
  const frames = new Int32Array(total * FRAME_TOKENS);
  const actions = new Uint8Array(total);
  const rewards = new Float32Array(total);
  const episodeStart = new Int32Array(total);
  const starts: number[] = [];
  const autopilot = new Uint8Array(total);
  const steps = { ai: 0, human: 0 };
  let autopilotSteps = 0;
  const episodes = { ai: 0, human: 0 };
  const learned = ACTING_BRAINS.indexOf('learned');
  const view = new Uint8Array(VIEW_TOKENS);
  const inventory = new Uint8Array(16);
  let n = 0;
  const replayed = replayEpisodes(dataDir, chosen, (ep) => {
    const inf = ep.infos;
    starts.push(n);
    const first = n;
    // Daylight from the tick (a pure function of it): the info row keeps it as float32,
    // which can fall into the other bucket at a boundary.
    for (let t = 0; t < ep.length; t++, n++) {
      view.set(inf.semantic.subarray(t * VIEW_TOKENS, (t + 1) * VIEW_TOKENS));
      for (let i = 0; i < 16; i++) inventory[i] = Math.min(MAX_COUNT, Math.max(0, inf.inventory[t * 16 + i]));
      const dx = inf.facing[2 * t];
      const dy = inf.facing[2 * t + 1];
      const facing = DIRECTIONS.findIndex(([x, y]) => x === dx && y === dy);
      encodeObservation(
        {
          view,
          facing,
          sleeping: inf.sleeping[t] === 1,
          inventory,
          daylightBucket: daylightBucket(daylightAt(inf.t[t])),
        },
        frames.subarray(n * FRAME_TOKENS, (n + 1) * FRAME_TOKENS),
      );
      actions[n] = ep.actions[t];
      rewards[n] = ep.rewards[t];
      episodeStart[n] = first;
      if (ep.kind === 'human' && ep.brains[t] === learned) {
        autopilot[n] = 1;
        autopilotSteps++;
      } else steps[ep.kind]++;
    }
    episodes[ep.kind]++;
    o.onProgress?.(episodes.ai + episodes.human, chosen.length);
  });
  if (n !== total) throw new Error(`read back ${n} demonstration steps, the catalog lists ${total}`);
  return {
    frames,
    actions,
    rewards,
    episodeStart,
    starts,
    ...(autopilotSteps > 0 ? { autopilot, autopilotSteps } : {}),
    steps,
    episodes,
    worldSeeds: replayed.worldSeeds,
    sessions: replayed.sessions,
  };
}
