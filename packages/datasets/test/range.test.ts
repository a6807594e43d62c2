import { describe, expect, it } from 'vitest';
import { parseRange } from '../src/api.ts';
import { Pseudonymizer } from '../src/pseudonym.ts';

describe('HTTP Range parsing', () => {
  it('handles single ranges, suffixes, open ends and bad input', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=90-500', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('invalid');
    expect(parseRange('bytes=5-2', 100)).toBe('invalid');
    expect(parseRange('bytes=-0', 100)).toBe('invalid');
    expect(parseRange('bytes=-', 100)).toBe('invalid');
    expect(parseRange('items=0-1', 100)).toBe('invalid');
    // Several ranges: served whole (200), which RFC 9110 allows.
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
  });
});

describe('pseudonyms', () => {
  it('are stable within a dataset and differ across datasets', () => {
    const secret = Buffer.alloc(32, 7);
    const a = new Pseudonymizer(secret, 'dataset-a');
    const a2 = new Pseudonymizer(secret, 'dataset-a');
    const b = new Pseudonymizer(secret, 'dataset-b');
    expect(a.player('pid-1')).toBe(a2.player('pid-1'));
    expect(a.player('pid-1')).not.toBe(a.player('pid-2'));
    expect(a.player('pid-1')).not.toBe(b.player('pid-1'));
    expect(a.player('pid-1')).toMatch(/^p-[0-9a-f]{16}$/);
    expect(new Pseudonymizer(Buffer.alloc(32, 8), 'dataset-a').player('pid-1')).not.toBe(a.player('pid-1'));
  });
});
