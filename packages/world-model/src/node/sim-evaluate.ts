/**
 * Evaluation of the world simulator on held-out episodes, per data source and overall:
 *  - open-loop rollouts (real actions replayed, the dream's own frames fed back) scored at
 *    horizons 1, 4, 16, 64 on the 63 view tokens, beside repeat-last and no-action (noop) baselines;
 *    the inventory + vitals at each horizon (token share and whole-inventory exact share);
 *  - action conditioning: the same rollouts under the taken and under shuffled actions;
 *  - one step from every held-out state: achievement unlock precision/recall, death ROC AUC,
 *    reward exactness;
 *  - the return trip (walk k tiles away and back in a real world; the dream's final view against
 *    the real one), and batched imagination speed.
 */
import {
  ACHIEVEMENTS,
  Action,
  DIRECTIONS,
  Material,
  NUM_ACHIEVEMENTS,
  NUM_ACTIONS,
  Rng,
  VIEW_COLS,
  VIEW_ROWS,
  World,
} from '@aikon/engine';
import type { TokenEpisode } from '../episodes.ts';
import { episodeAges, episodeMoves } from '../sim/data.ts';
import { SimDreams, type SimStart } from '../sim/dream.ts';
import { CENTER, VITALS } from '../sim/layout.ts';
import { MAP_SIZE } from '../sim/map.ts';
import type { SimModel } from '../sim/model.ts';
import { FRAME_TOKENS, INVENTORY_POS, tokenize, VIEW_TOKENS } from '../tokens.ts';
import { SimDreamsPool } from './sim-pool.ts';

export const SIM_HORIZONS = [1, 4, 16, 64] as const;
const H = SIM_HORIZONS[SIM_HORIZONS.length - 1];
const round = (x: number): number => Math.round(x * 100) / 100;
const pct = (a: number, n: number): number | null => (n ? round((100 * a) / n) : null);

const movesOf = new WeakMap<TokenEpisode, Int32Array>();
const agesOf = new WeakMap<TokenEpisode, Uint8Array>();

/** The dream start at observation t of an episode: every real frame so far, the unlocked achievements. */
export function startAt(ep: TokenEpisode, t: number, maxFrames = 64): SimStart {
  const frames: Int32Array[] = [];
  const first = Math.max(0, t - maxFrames + 1);
  for (let k = first; k <= t; k++) frames.push(ep.frames.subarray(k * FRAME_TOKENS, (k + 1) * FRAME_TOKENS));
  let all = movesOf.get(ep);
  if (!all) {
    all = episodeMoves(ep);
    movesOf.set(ep, all);
  }
  const moves = all.subarray(first, t);
  const unlocked = new Uint8Array(NUM_ACHIEVEMENTS);
  if (ep.events) for (let k = 0; k < t; k++) if (ep.events[k] > 0) unlocked[ep.events[k] - 1] = 1;
  // Ages from the whole prefix (the frames above may start later than the episode).
  let ages = agesOf.get(ep);
  if (!ages) {
    ages = episodeAges(ep);
    agesOf.set(ep, ages);
  }
  return { frames, moves, unlocked, ages: ages.subarray(t * VITALS, (t + 1) * VITALS) };
}

function matches(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, from: number, to: number): number {
  let n = 0;
  for (let p = from; p < to; p++) if (a[ao + p] === b[bo + p]) n++;
  return n;
}

type Variant = 'model' | 'noAction' | 'shuffled';
interface RolloutScores {
  view: number;
  inventory: number;
  inventoryExact: number;
  n: number;
  /** View cells whose world tile the start frames showed (seen) or did not (unseen), and their hits;
   * "in place": seen cells of rollouts whose dead-reckoned position is still the real one. Only
   * for episodes with positions. */
  seen: number;
  seenHit: number;
  seenInPlace: number;
  seenInPlaceHit: number;
  unseen: number;
  unseenHit: number;
  /** Rollouts with positions, and those whose dead-reckoned position differs from the real one. */
  placed: number;
  drifted: number;
}
const empty = (): RolloutScores => ({
  view: 0,
  inventory: 0,
  inventoryExact: 0,
  n: 0,
  seen: 0,
  seenHit: 0,
  seenInPlace: 0,
  seenInPlaceHit: 0,
  unseen: 0,
  unseenHit: 0,
  placed: 0,
  drifted: 0,
});

const HALF_COLS = (VIEW_COLS - 1) / 2;
const HALF_ROWS = (VIEW_ROWS - 1) / 2;
/** A world tile as one number (positions stay within a few hundred of the world). */
const tileKey = (x: number, y: number): number => (x + 1024) * 4096 + (y + 1024);

/** World tiles (tileKey) shown by the frames a dream starts from: observations first..t. */
function seenTiles(ep: TokenEpisode, t: number, maxFrames = 64): Set<number> | null {
  const pos = ep.positions;
  if (!pos) return null;
  const seen = new Set<number>();
  for (let k = Math.max(0, t - maxFrames + 1); k <= t; k++)
    for (let p = 0; p < VIEW_TOKENS; p++)
      seen.add(
        tileKey(pos[2 * k] + (p % VIEW_COLS) - HALF_COLS, pos[2 * k + 1] + Math.floor(p / VIEW_COLS) - HALF_ROWS),
      );
  return seen;
}

/** Open-loop rollouts from `starts`; scores at each horizon. */
function rollouts(
  model: SimModel,
  starts: { ep: TokenEpisode; t: number }[],
  variant: Variant,
  seed: number,
  batch: number,
): Map<number, RolloutScores> {
  const out = new Map<number, RolloutScores>(SIM_HORIZONS.map((h) => [h, empty()]));
  const rng = new Rng(seed);
  for (let b0 = 0; b0 < starts.length; b0 += batch) {
    const items = starts.slice(b0, b0 + batch);
    const dreams = new SimDreams(model, items.length);
    dreams.reset(items.map(({ ep, t }) => startAt(ep, t)));
    const seen = items.map(({ ep, t }) => seenTiles(ep, t));
    const origin = items.map((_, i) => [dreams.mapOf(i).x, dreams.mapOf(i).y]);
    const perm = items.map((_, i) => i);
    for (let h = 1; h <= H; h++) {
      for (let i = perm.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      const actions = items.map(({ ep, t }, i) => {
        if (variant === 'noAction') return Action.noop;
        if (variant === 'shuffled') return items[perm[i]].ep.actions[items[perm[i]].t + h - 1];
        return ep.actions[t + h - 1];
      });
      const r = dreams.step(actions);
      const s = out.get(h);
      if (!s) continue;
      items.forEach(({ ep, t }, i) => {
        const real = (t + h) * FRAME_TOKENS;
        s.view += matches(r.tokens, i * FRAME_TOKENS, ep.frames, real, 0, VIEW_TOKENS) / VIEW_TOKENS;
        const inv = matches(r.tokens, i * FRAME_TOKENS, ep.frames, real, INVENTORY_POS, INVENTORY_POS + 16);
        s.inventory += inv / 16;
        if (inv === 16) s.inventoryExact++;
        s.n++;
        const tiles = seen[i];
        const pos = ep.positions;
        if (!tiles || !pos) return;
        const map = dreams.mapOf(i);
        const x = pos[2 * (t + h)],
          y = pos[2 * (t + h) + 1];
        const inPlace =
          wrapDelta(map.x - origin[i][0]) === x - pos[2 * t] && wrapDelta(map.y - origin[i][1]) === y - pos[2 * t + 1];
        s.placed++;
        if (!inPlace) s.drifted++;
        for (let p = 0; p < VIEW_TOKENS; p++) {
          if (p === CENTER) continue; // the player itself
          const hit = r.tokens[i * FRAME_TOKENS + p] === ep.frames[real + p] ? 1 : 0;
          if (tiles.has(tileKey(x + (p % VIEW_COLS) - HALF_COLS, y + Math.floor(p / VIEW_COLS) - HALF_ROWS))) {
            s.seen++;
            s.seenHit += hit;
            if (inPlace) {
              s.seenInPlace++;
              s.seenInPlaceHit += hit;
            }
          } else {
            s.unseen++;
            s.unseenHit += hit;
          }
        }
      });
    }
  }
  return out;
}

/** A dead-reckoned displacement on the dreamed map's torus, in −MAP_SIZE/2..MAP_SIZE/2. */
function wrapDelta(d: number): number {
  return ((((d + MAP_SIZE / 2) % MAP_SIZE) + MAP_SIZE) % MAP_SIZE) - MAP_SIZE / 2;
}

/** ROC AUC of scores for positives vs negatives (ties count half). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0,
    neg = 0,
    rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++)
      if (labels[idx[k]]) {
        pos++;
        rankSum += rank;
      }
    i = j + 1;
  }
  neg = idx.length - pos;
  if (!pos || !neg) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** One step from every held-out state (teacher-forced): unlocks, death, reward. */
function oneStep(model: SimModel, episodes: readonly TokenEpisode[], batch: number) {
  const items: { ep: TokenEpisode; t: number }[] = [];
  for (const ep of episodes) for (let t = 0; t < ep.length; t++) items.push({ ep, t });
  let tp = 0,
    fp = 0,
    fn = 0,
    rewardHit = 0,
    viewHit = 0,
    invHit = 0;
  const pDone = new Float32Array(items.length),
    died = new Uint8Array(items.length);
  // Per achievement: real unlocks, those predicted (the same achievement), and false alarms.
  const byAchievement: Record<string, { real: number; hit: number; false: number }> = {};
  const tally = (a: number) => (byAchievement[ACHIEVEMENTS[a]] ??= { real: 0, hit: 0, false: 0 });
  for (let b0 = 0; b0 < items.length; b0 += batch) {
    const chunk = items.slice(b0, b0 + batch);
    const dreams = new SimDreams(model, chunk.length);
    dreams.reset(chunk.map(({ ep, t }) => startAt(ep, t, 16)));
    const r = dreams.step(chunk.map(({ ep, t }) => ep.actions[t]));
    chunk.forEach(({ ep, t }, i) => {
      const realUnlock = ep.rewards[t] >= 0.5;
      const predUnlock = r.unlock[i] >= 0;
      if (realUnlock && predUnlock) tp++;
      else if (predUnlock) fp++;
      else if (realUnlock) fn++;
      // Which achievement: the episode's event where it records events.
      const realId = realUnlock && ep.events ? ep.events[t] - 1 : -1;
      if (realId >= 0) tally(realId).real++;
      if (predUnlock && r.unlock[i] === realId) tally(realId).hit++;
      else if (predUnlock) tally(r.unlock[i]).false++;
      if (Math.abs(r.reward[i] - ep.rewards[t]) < 0.05) rewardHit++;
      viewHit += matches(r.tokens, i * FRAME_TOKENS, ep.frames, (t + 1) * FRAME_TOKENS, 0, VIEW_TOKENS);
      invHit += matches(
        r.tokens,
        i * FRAME_TOKENS,
        ep.frames,
        (t + 1) * FRAME_TOKENS,
        INVENTORY_POS,
        INVENTORY_POS + 16,
      );
      pDone[b0 + i] = 1 - r.continuation[i];
      died[b0 + i] = ep.terminated && t === ep.length - 1 ? 1 : 0;
    });
  }
  const auc = rocAuc(pDone, died);
  return {
    transitions: items.length,
    view: pct(viewHit, items.length * VIEW_TOKENS),
    inventory: pct(invHit, items.length * 16),
    rewardExact: pct(rewardHit, items.length),
    unlocks: {
      real: tp + fn,
      predicted: tp + fp,
      precision: pct(tp, tp + fp),
      recall: pct(tp, tp + fn),
      byAchievement,
    },
    death: { deaths: died.reduce((a, b) => a + b, 0), rocAuc: auc === null ? null : Math.round(auc * 10000) / 10000 },
  };
}

/** Tiles a walk can enter and leave again: no obstacle, no lava (which kills), no creature. */
const OPEN_GROUND = new Set<number>([Material.grass, Material.sand, Material.path]);

/**
 * The return trip in real worlds: from a real state, walk k tiles one way and k back; the dream
 * gets the same actions and starts from that one frame. Scores the dream's final view against the
 * real final view, and against the view it started from (what it saw must still be there).
 *
 * `path: 'open'` (the test: walk k tiles away and back) takes a direction whose k tiles
 * are open ground when the walk starts, so the player really goes k away and comes back; worlds
 * with no such direction are skipped (`skipped`). `path: 'any'` takes a random direction, as the
 * first version of this test did: an obstacle the dreamer has never seen can stop the real walk
 * (the dream cannot know it is there), and then the two end in different places.
 */
export function returnTrip(
  model: SimModel,
  o: { seeds: readonly number[]; k: readonly number[]; warmup: number; path?: 'open' | 'any' },
) {
  const res: Record<
    string,
    { trials: number; skipped: number; matchReal: number; matchStart: number; realReturned: number }
  > = {};
  for (const k of o.k) {
    let real = 0,
      start = 0,
      n = 0,
      skipped = 0,
      returned = 0;
    for (const seed of o.seeds) {
      const world = World.generate({ seed });
      world.addPlayer();
      const rng = new Rng(seed);
      for (let t = 0; t < o.warmup && !world.player(0).dead; t++) world.step([Action.move_left + rng.int(4)]);
      if (world.player(0).dead) continue;
      const frames = [tokenize(world)];
      const { x, y } = world.player(0);
      const first = rng.int(4);
      let d = first;
      if (o.path !== 'any') {
        const open = (dir: number) =>
          Array.from({ length: k }, (_, i) => [
            x + DIRECTIONS[dir][0] * (i + 1),
            y + DIRECTIONS[dir][1] * (i + 1),
          ]).every(([tx, ty]) => OPEN_GROUND.has(world.getMaterial(tx, ty)) && !world.objectAt(tx, ty));
        const found = [0, 1, 2, 3].map((i) => (first + i) % 4).find(open);
        if (found === undefined) {
          skipped++;
          continue;
        }
        d = found;
      }
      const path = [...Array(k).fill(Action.move_left + d), ...Array(k).fill(Action.move_left + (d ^ 1))];
      const dreams = new SimDreams(model, 1);
      dreams.reset([{ frames }]);
      for (const a of path) {
        world.step([a]);
        dreams.step([a]);
        if (world.player(0).dead) break;
      }
      if (world.player(0).dead) continue;
      const end = tokenize(world);
      real += matches(dreams.frames, 0, end, 0, 0, VIEW_TOKENS) / VIEW_TOKENS;
      start += matches(dreams.frames, 0, frames[0], 0, 0, VIEW_TOKENS) / VIEW_TOKENS;
      if (world.player(0).x === x && world.player(0).y === y) returned++;
      n++;
    }
    res[k] = {
      trials: n,
      skipped,
      matchReal: pct(real, n) ?? 0,
      matchStart: pct(start, n) ?? 0,
      realReturned: pct(returned, n) ?? 0,
    };
  }
  return res;
}

/**
 * Batched imagination speed on random actions from held-out starts, one thread: per second of
 * wall time, and per second of this process's CPU time (what the machine's other work cannot
 * take away on a shared machine).
 */
export function imaginationSpeed(
  model: SimModel,
  starts: SimStart[],
  batch: number,
  steps: number,
): { batch: number; stepsPerSecond: number; stepsPerCpuSecond: number } {
  const dreams = new SimDreams(model, batch);
  dreams.reset(Array.from({ length: batch }, (_, i) => starts[i % starts.length]));
  const rng = new Rng(1);
  const actions = new Int32Array(batch);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let s = 0; s < steps; s++) {
    for (let b = 0; b < batch; b++) actions[b] = rng.int(NUM_ACTIONS);
    dreams.step(actions);
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    batch,
    stepsPerSecond: Math.round((batch * steps) / ((performance.now() - t0) / 1000)),
    stepsPerCpuSecond: Math.round((batch * steps) / ((cpu.user + cpu.system) / 1e6)),
  };
}

/** The same measure over a SimDreamsPool of `threads` worker threads (CPU time of all threads). */
export async function poolSpeed(
  model: SimModel,
  starts: SimStart[],
  batch: number,
  steps: number,
  threads: number,
): Promise<{ batch: number; threads: number; stepsPerSecond: number; stepsPerCpuSecond: number }> {
  const pool = await SimDreamsPool.create(model, batch, { threads });
  try {
    await pool.reset(Array.from({ length: batch }, (_, i) => starts[i % starts.length]));
    const rng = new Rng(1);
    const actions = new Int32Array(batch);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let s = 0; s < steps; s++) {
      for (let b = 0; b < batch; b++) actions[b] = rng.int(NUM_ACTIONS);
      await pool.step(actions);
    }
    const cpu = process.cpuUsage(cpu0);
    return {
      batch,
      threads,
      stepsPerSecond: Math.round((batch * steps) / ((performance.now() - t0) / 1000)),
      stepsPerCpuSecond: Math.round((batch * steps) / ((cpu.user + cpu.system) / 1e6)),
    };
  } finally {
    await pool.close();
  }
}

export interface SimEvalOptions {
  readonly episodes: readonly TokenEpisode[];
  readonly rollouts: number;
  readonly seed: number;
  readonly batch: number;
  /** World seeds of the return trip (not the training seeds). */
  readonly returnSeeds: readonly number[];
}

/** Rollout and one-step figures of one set of episodes (one data source, or all). */
export function rolloutReport(
  model: SimModel,
  episodes: readonly TokenEpisode[],
  o: Omit<SimEvalOptions, 'episodes' | 'returnSeeds'>,
) {
  const rng = new Rng(o.seed);
  const long = episodes.filter((e) => e.length >= H + 1);
  const starts: { ep: TokenEpisode; t: number }[] = [];
  for (let i = 0; i < o.rollouts && long.length > 0; i++) {
    const ep = long[i % long.length];
    starts.push({ ep, t: rng.int(ep.length - H + 1) });
  }
  const model_ = rollouts(model, starts, 'model', o.seed, o.batch);
  const noAction = rollouts(model, starts, 'noAction', o.seed, o.batch);
  const shuffled = rollouts(model, starts, 'shuffled', o.seed + 1, o.batch);
  const horizons: Record<string, { model: number; repeatLast: number; noAction: number }> = {};
  const inventory: Record<string, { model: number; modelExact: number; repeatLast: number; noAction: number }> = {};
  const actionConditioning: Record<string, { taken: number; shuffled: number; margin: number }> = {};
  const memory: Record<
    string,
    {
      seen: number | null;
      seenInPlace: number | null;
      unseen: number | null;
      unseenShare: number | null;
      drifted: number | null;
    }
  > = {};
  for (const h of SIM_HORIZONS) {
    let rlView = 0,
      rlInv = 0;
    for (const { ep, t } of starts) {
      rlView += matches(ep.frames, t * FRAME_TOKENS, ep.frames, (t + h) * FRAME_TOKENS, 0, VIEW_TOKENS) / VIEW_TOKENS;
      rlInv +=
        matches(ep.frames, t * FRAME_TOKENS, ep.frames, (t + h) * FRAME_TOKENS, INVENTORY_POS, INVENTORY_POS + 16) / 16;
    }
    const m = model_.get(h)!,
      na = noAction.get(h)!,
      sh = shuffled.get(h)!;
    const n = Math.max(1, m.n);
    horizons[h] = {
      model: round((100 * m.view) / n),
      repeatLast: round((100 * rlView) / n),
      noAction: round((100 * na.view) / n),
    };
    inventory[h] = {
      model: round((100 * m.inventory) / n),
      modelExact: round((100 * m.inventoryExact) / n),
      repeatLast: round((100 * rlInv) / n),
      noAction: round((100 * na.inventory) / n),
    };
    actionConditioning[h] = {
      taken: horizons[h].model,
      shuffled: round((100 * sh.view) / n),
      margin: round(horizons[h].model - (100 * sh.view) / n),
    };
    memory[h] = {
      seen: pct(m.seenHit, m.seen),
      seenInPlace: pct(m.seenInPlaceHit, m.seenInPlace),
      unseen: pct(m.unseenHit, m.unseen),
      unseenShare: pct(m.unseen, m.seen + m.unseen),
      drifted: pct(m.drifted, m.placed),
    };
  }
  return {
    episodes: episodes.length,
    rollouts: starts.length,
    horizons,
    inventory,
    actionConditioning,
    memory,
    oneStep: oneStep(model, episodes, o.batch),
  };
}

export async function evaluateSim(model: SimModel, o: SimEvalOptions) {
  const sources = [...new Set(o.episodes.map((e) => e.source))].sort();
  const overall = rolloutReport(model, o.episodes, o);
  const bySource = Object.fromEntries(
    sources.map((s) => [
      s,
      rolloutReport(
        model,
        o.episodes.filter((e) => e.source === s),
        o,
      ),
    ]),
  );
  const trip = returnTrip(model, { seeds: o.returnSeeds, k: [2, 4, 8], warmup: 20, path: 'open' });
  const tripAnyPath = returnTrip(model, { seeds: o.returnSeeds, k: [2, 4, 8], warmup: 20, path: 'any' });
  const speedStarts = o.episodes.slice(0, 64).map((ep) => startAt(ep, 0));
  const speed = [1, 256].map((b) => imaginationSpeed(model, speedStarts, b, b === 1 ? 4000 : 100));
  const pooled = await poolSpeed(model, speedStarts, 256, 100, 2);
  return {
    tokenAccuracy:
      'percent of the 63 view tokens (9×7 semantic ids) equal to the ' +
      'real observation; noAction = the noop action at every step',
    achievements: ACHIEVEMENTS.length,
    ...overall,
    bySource,
    returnTrip: trip,
    returnTripAnyPath: tripAnyPath,
    imagination: [...speed, pooled],
  };
}
export type SimEvalResult = Awaited<ReturnType<typeof evaluateSim>>;
