import { describe, expect, it } from 'vitest';
import { layoutPlan } from '../src/workforce/plan-layout.ts';

describe('plan DAG layout', () => {
  it('puts each task one column after its deepest dependency, stacked in id order', () => {
    // wood ×1 → table; wood ×2 → pickaxe (also needs the table)
    const layout = layoutPlan([
      { id: 10, deps: [] },
      { id: 11, deps: [10] },
      { id: 12, deps: [] },
      { id: 13, deps: [11, 12] },
    ]);
    expect(Object.fromEntries(layout.pos)).toEqual({
      10: { col: 0, row: 0 },
      11: { col: 1, row: 0 },
      12: { col: 0, row: 1 },
      13: { col: 2, row: 0 },
    });
    expect(layout.cols).toBe(3);
    expect(layout.rows).toBe(2);
    expect(layout.edges).toEqual([
      { from: 10, to: 11 },
      { from: 11, to: 13 },
      { from: 12, to: 13 },
    ]);
  });

  it('ignores dependencies outside the plan and survives a cycle', () => {
    const layout = layoutPlan([
      { id: 1, deps: [99] },
      { id: 2, deps: [3] },
      { id: 3, deps: [2] },
    ]);
    expect(layout.pos.get(1)).toEqual({ col: 0, row: 0 });
    expect(layout.pos.size).toBe(3);
    expect(layoutPlan([]).cols).toBe(0);
  });
});
