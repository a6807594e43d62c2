import { describe, expect, it } from 'vitest';
import { describeGoal, parseGoal, validateGoal } from '../src/goals.ts';

const ok = (text: string) => {
  const r = parseGoal(text);
  if (!r.ok) throw new Error(`refused "${text}": ${r.reason}`);
  return r.goal;
};
const refused = (text: string) => {
  const r = parseGoal(text);
  expect(r.ok, `"${text}" should be refused`).toBe(false);
  return r.ok ? '' : r.reason;
};

describe('goal grammar: structured forms', () => {
  it('reads the six structured forms', () => {
    expect(ok('collect wood 5')).toEqual({ kind: 'collect', item: 'wood', amount: 5 });
    expect(ok('collect diamond')).toEqual({ kind: 'collect', item: 'diamond', amount: 1 });
    expect(ok('make iron_pickaxe')).toEqual({ kind: 'make', item: 'iron_pickaxe' });
    expect(ok('place furnace')).toEqual({ kind: 'place', what: 'furnace' });
    expect(ok('place plant')).toEqual({ kind: 'place', what: 'plant' });
    expect(ok('unlock collect_diamond')).toEqual({ kind: 'unlock', achievement: 'collect_diamond' });
    expect(ok('survive 2 days')).toEqual({ kind: 'survive', days: 2 });
    expect(ok('all achievements')).toEqual({ kind: 'all' });
    expect(ok('  Collect   Stone  3 ')).toEqual({ kind: 'collect', item: 'stone', amount: 3 });
  });

  it('round-trips through describeGoal', () => {
    for (const text of [
      'collect wood 5',
      'make iron_pickaxe',
      'place furnace',
      'unlock collect_diamond',
      'survive 2 days',
      'all achievements',
    ]) {
      expect(describeGoal(ok(text))).toBe(text);
      expect(ok(describeGoal(ok(text)))).toEqual(ok(text));
    }
  });
});

describe('goal grammar: free text', () => {
  it.each([
    ['get me an iron pickaxe', { kind: 'make', item: 'iron_pickaxe' }],
    ['Could you craft a wooden sword please?', { kind: 'make', item: 'wood_sword' }],
    ['find a diamond', { kind: 'collect', item: 'diamond', amount: 1 }],
    ['chop 3 wood', { kind: 'collect', item: 'wood', amount: 3 }],
    ['gather five stones', { kind: 'collect', item: 'stone', amount: 5 }],
    ['build a table', { kind: 'place', what: 'table' }],
    ['put down a furnace', { kind: 'place', what: 'furnace' }],
    ['plant a sapling', { kind: 'place', what: 'plant' }],
    ['kill a zombie', { kind: 'unlock', achievement: 'defeat_zombie' }],
    ['defeat the skeletons', { kind: 'unlock', achievement: 'defeat_skeleton' }],
    ['eat a cow', { kind: 'unlock', achievement: 'eat_cow' }],
    ['drink some water', { kind: 'unlock', achievement: 'collect_drink' }],
    ['go to sleep', { kind: 'unlock', achievement: 'wake_up' }],
    ['survive the night', { kind: 'survive', days: 1 }],
    ['survive three days', { kind: 'survive', days: 3 }],
    ['do everything', { kind: 'all' }],
  ])('%s', (text, goal) => {
    expect(ok(text)).toEqual(goal);
  });
});

describe('goal grammar: bad or impossible goals are refused with a reason', () => {
  it.each([
    ['', /empty/],
    ['collect wood 10', /at most 9/],
    ['collect wood 0', /at least 1/],
    ['collect unobtainium', /unknown item/],
    ['collect wood_pickaxe', /made, not collected/],
    ['make diamond', /cannot be made/],
    ['make golden_pickaxe', /unknown item/],
    ['place water', /nothing can be placed/],
    ['unlock fly', /unknown achievement/],
    ['survive 40 days', /33 days/],
    ['survive', /how long/],
    ['get me a pickaxe', /which pickaxe/],
    ['fly to the moon', /cannot understand/],
    ['craft some wood', /cannot be made/],
    ['kill', /defeat what/],
  ])('%j', (text, reason) => {
    expect(refused(text)).toMatch(reason);
  });

  it('refuses text that is too long', () => {
    expect(refused('collect wood '.repeat(40))).toMatch(/too long/);
  });
});

describe('validateGoal (for goals from the natural-language adapter)', () => {
  it('accepts well-formed goals and rejects the rest', () => {
    expect(validateGoal({ kind: 'collect', item: 'coal', amount: 2 })).toEqual({
      ok: true,
      goal: { kind: 'collect', item: 'coal', amount: 2 },
    });
    expect(validateGoal({ kind: 'make', item: 'stone_sword' }).ok).toBe(true);
    expect(validateGoal({ kind: 'all' }).ok).toBe(true);
    expect(validateGoal({ kind: 'collect', item: 'coal', amount: 12 }).ok).toBe(false);
    expect(validateGoal({ kind: 'make', item: 'wood' }).ok).toBe(false);
    expect(validateGoal({ kind: 'teleport' }).ok).toBe(false);
    expect(validateGoal(null).ok).toBe(false);
    expect(validateGoal('collect wood').ok).toBe(false);
  });
});
