import { Action, NUM_ACTIONS, Rng, World } from '@aikon/engine';
import { describe, expect, it } from 'vitest';
import { episodeToTokens } from '../src/episodes.ts';
import { generateEpisode } from '../src/explorer.ts';
import { buildTransitions, episodeMoves, inferMove, makeBatch } from '../src/sim/data.ts';
import { imagine, SimDreams } from '../src/sim/dream.ts';
import {
  advanceAges,
  CENTER,
  DELTAS,
  EVENTS,
  MOVES,
  O_CHANGE,
  O_DELTA,
  O_DONE,
  O_EVENT,
  O_FACING,
  O_MOVE,
  T_OUT,
} from '../src/sim/layout.ts';
import { DreamMap } from '../src/sim/map.ts';
import { HEADS, type SimBatch, type SimLossWeights, SimModel, simFromBytes, simToBytes } from '../src/sim/model.ts';
import { FACING_BASE, FACING_POS, FRAME_TOKENS, INVENTORY_POS, tokenize, VIEW_TOKENS } from '../src/tokens.ts';
import { DreamFrameDataSchema, handleDreamRequest } from '../src/dream-protocol.ts';
import { SimShard } from '../src/sim/shard.ts';

const arch = { globalHidden: 8, globalHidden2: 8, tileHidden: 6 };
const ones: SimLossWeights = { move: 1, facing: 1, inventory: 1, event: 1, done: 1, daylight: 1, tile: 1 };
const only = (h: (typeof HEADS)[number]): SimLossWeights =>
  ({ ...Object.fromEntries(HEADS.map((k) => [k, 0])), [h]: 1 }) as SimLossWeights;

const episodes = [
  episodeToTokens(generateEpisode({ policy: 'scripted', seed: 3, maxSteps: 80 })),
  episodeToTokens(generateEpisode({ policy: 'random', seed: 4, maxSteps: 80 })),
];
const over = { event: 4, death: 30, inventory: 2 };

/** A hand-made batch: two real transitions with hand-set targets. */
function handBatch(): SimBatch {
  const set = buildTransitions(episodes, over);
  const b = makeBatch(set, [5, 17]);
  b.move.set([2, 0]);
  b.facing.set([1, 3]);
  b.event.set([7, 0]);
  b.done.set([0, 1]);
  b.day.set([4, 4]);
  b.invDelta.fill(9); // nothing changes …
  b.invDelta[1] = 8; // … but the first example's food drops by one
  return b;
}

describe('world simulator: heads and loss', () => {
  it('with zero weights each head costs ln(its classes); raising one target logit lowers only that head', () => {
    const b = handBatch();
    const m = new SimModel(arch);
    const l0 = m.loss(b, ones);
    expect(l0.move).toBeCloseTo(Math.log(MOVES), 5);
    expect(l0.facing).toBeCloseTo(Math.log(8), 5);
    expect(l0.inventory).toBeCloseTo(Math.log(2) + Math.log(DELTAS), 5);
    expect(l0.event).toBeCloseTo(Math.log(EVENTS), 5);
    expect(l0.done).toBeCloseTo(Math.log(2), 5);
    expect(l0.daylight).toBeCloseTo(Math.log(8), 5);
    expect(l0.tile).toBeCloseTo(Math.log(T_OUT), 5);
    b.move.set([2, 2]);
    b.facing.set([1, 1]);
    b.event.set([7, 7]);
    for (const [head, o] of [
      ['move', O_MOVE + 2],
      ['facing', O_FACING + 1],
      ['event', O_EVENT + 7],
    ] as const) {
      const mm = new SimModel(arch);
      mm.gBo[o] = 3;
      const l = mm.loss(b, ones);
      expect(l[head]).toBeLessThan(l0[head]);
      for (const other of HEADS) if (other !== head) expect(l[other]).toBeCloseTo(l0[other], 6);
    }
    // Death: a positive done logit lowers the loss of the dying example and raises the other's.
    const md = new SimModel(arch);
    md.gBo[O_DONE] = 2;
    const one = { ...b, size: 1, done: Uint8Array.of(1) } as SimBatch;
    expect(md.loss(one, only('done')).done).toBeLessThan(new SimModel(arch).loss(one, only('done')).done);
    // Inventory: "item 5 does not change" and "food changes by −1" each lower the inventory loss alone.
    const mi = new SimModel(arch);
    mi.gBo[O_CHANGE + 5] = -4;
    expect(mi.loss(b, ones).inventory).toBeLessThan(l0.inventory);
    const mf = new SimModel(arch);
    mf.gBo[O_DELTA + 1 * DELTAS + 8] = 4;
    expect(mf.loss(b, ones).inventory).toBeCloseTo(
      l0.inventory - Math.log(DELTAS) + mf.loss({ ...b, size: 1 }, only('inventory')).inventory - Math.log(2),
      5,
    );
    expect(mf.loss(b, ones).move).toBeCloseTo(l0.move, 6);
    // Tiles: the output bias of a target class helps the tile head alone.
    const mt = new SimModel(arch);
    mt.tBo[b.tTarget[0]] = 3;
    expect(mt.loss(b, ones).tile).not.toBeCloseTo(l0.tile, 3);
    expect(mt.loss(b, ones).move).toBeCloseTo(l0.move, 6);
  });

  it('the loss gradient matches finite differences for every parameter block', () => {
    const b = handBatch();
    const m = SimModel.init(arch, 3);
    const grad = new Float32Array(m.params.length);
    m.loss(b, ones, grad);
    const views = SimModel.views(arch, m.params);
    const gviews = SimModel.views(arch, grad);
    const rng = new Rng(5);
    for (const name of Object.keys(views)) {
      // Probe the entries with the largest gradients (embedding rows in use), and one random entry.
      const g = gviews[name];
      let k = 0;
      for (let i = 1; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[k])) k = i;
      for (const i of [k, rng.int(g.length)]) {
        const p = views[name];
        const x = p[i];
        const eps = 1e-2;
        p[i] = x + eps;
        const up = m.loss(b, ones).total;
        p[i] = x - eps;
        const down = m.loss(b, ones).total;
        p[i] = x;
        const numeric = (up - down) / (2 * eps);
        expect(Math.abs(numeric - g[i]), `${name}[${i}] analytic ${g[i]} numeric ${numeric}`).toBeLessThan(
          2e-3 + 0.02 * Math.abs(numeric),
        );
      }
    }
  });

  it('the weights file round-trips bit for bit and refuses other bytes', () => {
    const m = SimModel.init(arch, 9);
    const back = simFromBytes(simToBytes(m));
    expect(back.arch).toEqual(arch);
    expect(Array.from(back.params)).toEqual(Array.from(m.params));
    expect(() => simFromBytes(new Uint8Array(64))).toThrow(/not a world-simulator/);
    expect(() => simFromBytes(simToBytes(m).subarray(0, 200))).toThrow(/bytes/);
  });
});

describe('world simulator: data and dreamed map', () => {
  it('moves come from recorded positions and agree with the view shift where the view tells', () => {
    const ep = episodes[0];
    const moves = episodeMoves(ep);
    let agree = 0,
      moved = 0;
    for (let t = 0; t < ep.length; t++) {
      if (moves[t] > 0) moved++;
      if (moves[t] > 0 && inferMove(ep.frames, t * FRAME_TOKENS, (t + 1) * FRAME_TOKENS, ep.actions[t]) === moves[t])
        agree++;
    }
    expect(moved).toBeGreaterThan(10);
    expect(agree / moved).toBeGreaterThan(0.95);
  });

  it('the map returns what was seen after walking 8 tiles away and back (the return-trip harness)', () => {
    const world = World.generate({ seed: 77 });
    world.addPlayer();
    const map = new DreamMap();
    const start = tokenize(world);
    map.write(start, 0);
    const path = [...Array(8).fill(Action.move_left), ...Array(8).fill(Action.move_right)];
    for (const a of path) {
      const before = world.player(0);
      const [x, y] = [before.x, before.y];
      world.step([a]);
      const p = world.player(0);
      map.move(p.x === x && p.y === y ? 0 : a); // move class 1 + d = the move action
      map.write(tokenize(world), 0);
    }
    const prior = new Uint8Array(99);
    map.readPrior(prior, 0);
    const end = tokenize(world);
    // Every remembered view cell (not the player's) equals the real world now, except creatures that moved.
    let same = 0;
    for (let p = 0; p < VIEW_TOKENS; p++)
      if (p !== CENTER && prior[(Math.floor(p / 9) + 1) * 11 + (p % 9) + 1] === end[p]) same++;
    expect(same / (VIEW_TOKENS - 1)).toBeGreaterThan(0.95);
  });

  it("energy's age restarts when the player falls asleep, so each energy gain of a sleep comes at the same age", () => {
    const ENERGY = 3;
    // Stay awake until energy has dropped to 6 (and `awake` steps more), then sleep: 6 → 7 → 8 → 9.
    const gainAges = (awake: number): number[] => {
      const world = World.generate({ seed: 5 });
      world.addPlayer();
      const ages = new Uint8Array(4);
      let prev = tokenize(world);
      const out: number[] = [];
      const step = (action: number) => {
        world.step([action]);
        const next = tokenize(world);
        const asleepBefore = prev[FACING_POS] - FACING_BASE >= 4;
        if (asleepBefore && next[INVENTORY_POS + ENERGY] > prev[INVENTORY_POS + ENERGY]) out.push(ages[ENERGY]);
        advanceAges(prev, 0, next, 0, ages, 0);
        prev = next;
      };
      for (let t = 0; t < 400 && world.player(0).inventory[ENERGY] > 6; t++) step(Action.noop);
      for (let t = 0; t < awake; t++) step(Action.noop);
      for (let t = 0; t < 40; t++) step(Action.sleep);
      return out;
    };
    // Falling asleep right after energy dropped, and 5 steps after (without the restart the
    // first gain came at the age energy had when the player fell asleep, plus 10 or 11).
    expect(gainAges(0)).toEqual([10, 10, 10]);
    expect(gainAges(5)).toEqual([10, 10, 10]);
  });
});

describe('world simulator: batched imagination', () => {
  const model = SimModel.init({ globalHidden: 16, globalHidden2: 16, tileHidden: 8 }, 1);
  const starts = episodes.map((ep) => ({ frames: [ep.frames.subarray(0, FRAME_TOKENS)] }));

  it('imagine returns time-major tokens, rewards and continuation for every dream, deterministically per seed', () => {
    const policy = (_f: Int32Array, t: number) => [t % NUM_ACTIONS, (t * 3) % NUM_ACTIONS];
    const a = imagine(model, starts, policy, 12, { temperature: 1, seed: 4 });
    const b = imagine(model, starts, policy, 12, { temperature: 1, seed: 4 });
    expect(a.tokens.length).toBe(13 * 2 * FRAME_TOKENS);
    expect(a.rewards.length).toBe(24);
    expect(Array.from(a.tokens.subarray(0, FRAME_TOKENS))).toEqual(
      Array.from(episodes[0].frames.subarray(0, FRAME_TOKENS)),
    );
    expect(Array.from(a.tokens)).toEqual(Array.from(b.tokens));
    expect(Array.from(a.actions.subarray(2, 4))).toEqual([1, 3]);
    for (const c of a.continuation) expect(c >= 0 && c <= 1).toBe(true);
  });

  it('rewards a predicted event once (the first unlock), plus a tenth of the health change', () => {
    const m = new SimModel(model.arch, model.params.slice());
    m.gBo.fill(0);
    m.gWo.fill(0);
    m.gBo[O_EVENT + 1 + 6] = 50; // collect_wood, always
    m.gBo[O_CHANGE + 0] = 50; // health changes, always …
    m.gBo[O_DELTA + 0 * DELTAS + 9 - 1] = 50; // … by −1; the other items keep (change logit 0)
    const d = new SimDreams(m, 1);
    d.reset([starts[0]]);
    const r1 = d.step([Action.do]);
    expect(r1.unlock[0]).toBe(6);
    expect(r1.reward[0]).toBeCloseTo(0.9, 5);
    const r2 = d.step([Action.do]);
    expect(r2.unlock[0]).toBe(-1);
    expect(r2.reward[0]).toBeCloseTo(-0.1, 5);
    expect(d.unlockedOf(0)[6]).toBe(1);
  });

  it('refuses unknown actions and wrong batch sizes', () => {
    const d = new SimDreams(model, 2);
    d.reset(starts);
    expect(() => d.step([0])).toThrow(/2 actions/);
    expect(() => d.step([0, 17])).toThrow(/unknown action/);
    expect(() => d.reset([{ frames: [new Int32Array(5)] }, starts[0]])).toThrow(/81 tokens/);
  });
});

describe('world simulator: dream shard and protocol', () => {
  const base = SimModel.init({ globalHidden: 16, globalHidden2: 16, tileHidden: 8 }, 2);
  const frames = [Array.from(episodes[0].frames.subarray(0, FRAME_TOKENS))];

  it('a dream ends when the model predicts death: the frame says why, steps are refused until a reset', async () => {
    const m = new SimModel(base.arch, base.params.slice());
    m.gWo.fill(0);
    m.gBo.fill(0);
    m.gBo[O_DONE] = 20; // certain death
    m.gBo[O_EVENT + 1 + 9] = 20; // eat_cow
    const shard = new SimShard(m);
    expect(await handleDreamRequest(shard, { type: 'reset', v: 1, id: 1, frames })).toEqual({
      type: 'ready',
      v: 1,
      id: 1,
    });
    const frame = await handleDreamRequest(shard, { type: 'step', v: 1, id: 2, action: Action.do });
    expect(frame.type).toBe('frame');
    // Across a process boundary: JSON, then the zod schema the client validates with.
    const back = DreamFrameDataSchema.parse(JSON.parse(JSON.stringify(frame)));
    expect(back).toMatchObject({ done: true, ended: 'death', unlocked: 'eat_cow', event: 10 });
    expect(back.continuation).toBeLessThan(1e-6);
    expect(back.reward).toBeCloseTo(1, 5);
    const refused = await handleDreamRequest(shard, { type: 'step', v: 1, id: 3, action: Action.noop });
    expect(refused).toMatchObject({ type: 'error', id: 3 });
    expect((refused as { message: string }).message).toMatch(/ended.*died/);
    await handleDreamRequest(shard, { type: 'reset', v: 1, id: 4, frames });
    expect((await handleDreamRequest(shard, { type: 'step', v: 1, id: 5, action: null })).type).toBe('frame');
  });

  it('a living dream goes on; token-dream frames (no new fields) still parse', async () => {
    const m = new SimModel(base.arch, base.params.slice());
    m.gBo[O_DONE] = -20;
    const shard = new SimShard(m, { seed: 3 });
    shard.reset({ frames: frames.map((f) => Int32Array.from(f)) });
    for (let i = 0; i < 5; i++) expect((await shard.step(Action.move_left)).done).toBe(false);
    expect(shard.frames.length).toBe(2);
    const old = {
      step: 1,
      tokens: frames[0],
      view: frames[0].slice(0, 63),
      facing: 3,
      sleeping: false,
      inventory: Array(16).fill(9),
      daylightBucket: 4,
      reward: 0,
      done: false,
      doneProbability: 0.01,
      ms: 3,
    };
    expect(DreamFrameDataSchema.parse(old).ended).toBeUndefined();
  });
});
