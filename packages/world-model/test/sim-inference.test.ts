import { NUM_ITEMS, Rng } from '@aikon/engine';
import { describe, expect, it } from 'vitest';
import {
  DELTAS,
  EVENTS,
  G_ACTIVE,
  G_DENSE,
  G_OUT,
  G_ROWS,
  MOVES,
  O_DELTA,
  PRIOR_CELLS,
  T_ACTIVE,
  T_OUT,
  TILE_INPUTS,
  tileRows,
} from '../src/sim/layout.ts';
import { DreamMap } from '../src/sim/map.ts';
import { priorRowCodes, SimInference, SimModel } from '../src/sim/model.ts';
import { VIEW_TOKENS } from '../src/tokens.ts';

// Every parameter random (biases included), so no unit is dead by construction.
const arch = { globalHidden: 24, globalHidden2: 20, tileHidden: 12 };
const model = new SimModel(arch);
const rng = new Rng(5);
for (let i = 0; i < model.params.length; i++) model.params[i] = (rng.uniform() - 0.5) * 0.6;

describe('SimInference (the fast path dreams step with) computes what the model computes', () => {
  it('global logits and item changes, per slot, while each slot changes a few rows per step', () => {
    const slots = 3;
    const net = new SimInference(model, slots);
    const rows = Array.from({ length: slots }, () => Int32Array.from({ length: G_ACTIVE }, () => rng.int(G_ROWS)));
    const h1 = new Float32Array(arch.globalHidden);
    const h2 = new Float32Array(arch.globalHidden2);
    const want = new Float32Array(G_OUT);
    const got = new Float32Array(G_OUT);
    for (let step = 0; step < 40; step++) {
      for (let s = 0; s < slots; s++) {
        // A few rows change (none at some steps, all at step 20: a reset of slot 1).
        if (step === 20 && s === 1) {
          net.restart(1);
          for (let k = 0; k < G_ACTIVE; k++) rows[s][k] = rng.int(G_ROWS);
        } else for (let c = rng.int(4); c > 0; c--) rows[s][rng.int(G_ACTIVE)] = rng.int(G_ROWS);
        model.globalForward(rows[s], 0, h1, h2, want);
        net.global(s, rows[s], 0, got);
        for (let o = 0; o < G_DENSE; o++) expect(got[o]).toBeCloseTo(want[o], 4);
        const k = rng.int(NUM_ITEMS);
        net.delta(k, got);
        for (let c = 0; c < DELTAS; c++)
          expect(got[O_DELTA + k * DELTAS + c]).toBeCloseTo(want[O_DELTA + k * DELTAS + c], 4);
      }
    }
  });

  it('tile logits and their argmax, cached or not, for every cell of random prior windows', () => {
    const net = new SimInference(model, 1, 6); // a small cache: hits, misses and evictions
    const prior = new Uint8Array(PRIOR_CELLS);
    const codes = new Int32Array(PRIOR_CELLS);
    const rows = new Int32Array(T_ACTIVE);
    const h = new Float32Array(arch.tileHidden);
    const want = new Float32Array(T_OUT);
    let checked = 0;
    for (let trial = 0; trial < 30; trial++) {
      // Few distinct tiles, so the same inputs come back (cache hits) across trials.
      for (let i = 0; i < PRIOR_CELLS; i++) prior[i] = rng.int(3) === 0 ? rng.int(TILE_INPUTS) : 3;
      priorRowCodes(prior, 0, codes);
      const [facing, action, event, day, move] = [rng.int(4), rng.int(17), rng.int(3) * 5, rng.int(8), rng.int(MOVES)];
      expect(event).toBeLessThan(EVENTS);
      for (let p = 0; p < VIEW_TOKENS; p++) {
        tileRows(prior, 0, p, facing, action, event, day, move, rows);
        model.tileForward(rows, 0, h, want);
        const slot = net.tileOf(prior, 0, codes, p, facing, action, event, day, move);
        const got = net.tileLogits.subarray(slot * T_OUT, (slot + 1) * T_OUT);
        for (let o = 0; o < T_OUT; o++) expect(got[o]).toBeCloseTo(want[o], 4);
        expect(net.tileArgmax[slot]).toBe(want.indexOf(Math.max(...want)));
        checked++;
      }
    }
    expect(checked).toBe(30 * VIEW_TOKENS);
  });

  it("the dreamed map's window wraps around the torus like the cell-by-cell reading", () => {
    const map = new DreamMap();
    for (let i = 0; i < map.cells.length; i++) map.cells[i] = rng.int(TILE_INPUTS);
    const out = new Uint8Array(PRIOR_CELLS);
    for (const [x, y] of [
      [0, 0],
      [159, 3],
      [5, 159],
      [80, 80],
      [4, 100],
    ]) {
      map.x = x;
      map.y = y;
      map.readPrior(out, 0);
      for (let j = 0; j < 9; j++) for (let i = 0; i < 11; i++) expect(out[j * 11 + i]).toBe(map.at(i - 5, j - 4));
    }
  });
});
