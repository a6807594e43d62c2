import { Action, NUM_ITEMS, VIEW_COLS, VIEW_ROWS, World } from '@aikon/engine';
import { describe, expect, it } from 'vitest';
import {
  CLS,
  decodeObservation,
  encodeObservation,
  episodeToTokens,
  FRAME_TOKENS,
  generateEpisode,
  MASK,
  observe,
  parseEpisode,
  tokenize,
  tokenRange,
  VOCAB,
} from '../src/index.ts';

describe('tokenizer', () => {
  it('reads the 9×7 view around the player with semanticAt, facing, inventory and daylight', () => {
    const world = World.generate({ seed: 3 });
    const p = world.addPlayer();
    for (const a of [Action.move_left, Action.move_up, Action.do, Action.noop]) world.step([a]);
    const o = observe(world, 0);
    for (let j = 0; j < VIEW_ROWS; j++) {
      for (let i = 0; i < VIEW_COLS; i++)
        expect(o.view[j * VIEW_COLS + i]).toBe(world.semanticAt(p.x + i - 4, p.y + j - 3));
    }
    expect(o.view[3 * VIEW_COLS + 4]).toBe(13); // the player stands in the centre cell
    expect(o.facing).toBe(p.facing);
    expect(Array.from(o.inventory)).toEqual(Array.from(p.inventory));
  });

  it('round-trips observations through tokens, off-world cells and sleeping included', () => {
    const world = World.generate({ seed: 11 });
    world.addPlayer();
    for (let t = 0; t < 40; t++) {
      world.step([(t * 7) % 17]);
      const o = observe(world, 0);
      const tokens = encodeObservation(o);
      expect(tokens.length).toBe(FRAME_TOKENS);
      for (let p = 0; p < FRAME_TOKENS; p++) {
        const [lo, hi] = tokenRange(p);
        expect(tokens[p]).toBeGreaterThanOrEqual(lo);
        expect(tokens[p]).toBeLessThan(hi);
      }
      const back = decodeObservation(tokens);
      expect(back).toEqual(o);
      expect(Array.from(tokenize(world, 0))).toEqual(Array.from(tokens));
    }
    const edge = {
      view: new Uint8Array(63),
      facing: 2,
      sleeping: true,
      inventory: new Uint8Array(NUM_ITEMS).fill(9),
      daylightBucket: 7,
    };
    expect(decodeObservation(encodeObservation(edge))).toEqual(edge);
  });

  it('refuses tokens outside their position range', () => {
    const t = tokenize(
      (() => {
        const w = World.generate({ seed: 1 });
        w.addPlayer();
        return w;
      })(),
    );
    for (const bad of [MASK, CLS, VOCAB]) {
      const x = Int32Array.from(t);
      x[5] = bad;
      expect(() => decodeObservation(x)).toThrow(RangeError);
    }
    const y = Int32Array.from(t);
    y[70] = 3; // a semantic id where an inventory count belongs
    expect(() => decodeObservation(y)).toThrow(RangeError);
  });
});

describe('episode files (format v1)', () => {
  it('survive JSON and validate, and their tokens equal a replay through the engine', () => {
    for (const policy of ['random', 'scripted'] as const) {
      const e = generateEpisode({ policy, seed: 5, maxSteps: 60 });
      const parsed = parseEpisode(JSON.parse(JSON.stringify(e)));
      const tok = episodeToTokens(parsed);
      const world = World.generate({ seed: 5 });
      world.addPlayer();
      expect(Array.from(tok.frames.subarray(0, FRAME_TOKENS))).toEqual(Array.from(tokenize(world)));
      for (let t = 0; t < tok.length; t++) {
        world.step([tok.actions[t]]);
        expect(Array.from(tok.frames.subarray((t + 1) * FRAME_TOKENS, (t + 2) * FRAME_TOKENS))).toEqual(
          Array.from(tokenize(world)),
        );
        expect(tok.rewards[t]).toBeCloseTo(world.player(0).reward, 6);
      }
    }
  });

  it('are deterministic per seed, and the explorer does more than wander', () => {
    const a = generateEpisode({ policy: 'scripted', seed: 9, maxSteps: 300 });
    const b = generateEpisode({ policy: 'scripted', seed: 9, maxSteps: 300 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const acts = new Set(a.actions);
    expect(acts.has(Action.do)).toBe(true);
    expect(a.rewards.reduce((x, y) => x + y, 0)).toBeGreaterThan(1);
  });

  it('refuses malformed files', () => {
    const e = generateEpisode({ policy: 'random', seed: 2, maxSteps: 10 });
    expect(() => parseEpisode({ ...e, version: 2 })).toThrow();
    expect(() => parseEpisode({ ...e, actions: e.actions.slice(1) })).toThrow(/actions/);
    expect(() => parseEpisode({ ...e, view: e.view.map((v, i) => (i === 0 ? v.slice(1) : v)) })).toThrow();
    expect(() => parseEpisode({ ...e, actions: e.actions.map(() => 17) })).toThrow();
  });
});

describe('neighbour streams', () => {
  it('map each view cell to its left/right/up/down neighbour, the CLS slot outside the view', async () => {
    const { NEIGHBOURS, SEQ } = await import('../src/tokens.ts');
    const centre = 3 * 9 + 4;
    expect(NEIGHBOURS.map((n) => n[centre])).toEqual([centre - 1, centre + 1, centre - 9, centre + 9]);
    expect(NEIGHBOURS.map((n) => n[0])).toEqual([SEQ - 1, 1, SEQ - 1, 9]);
    expect(NEIGHBOURS.map((n) => n[62])).toEqual([61, SEQ - 1, 53, SEQ - 1]);
    for (const n of NEIGHBOURS) for (let p = 63; p < SEQ; p++) expect(n[p]).toBe(SEQ - 1);
  });
});
