/**
 * The engine's transcendental functions (det-math.ts) against values stored from them: any
 * JavaScript engine whose arithmetic disagrees fails here (the file runs unchanged in a browser).
 * In V8 they must also equal Math.exp / Math.cos / Math.sqrt bit for bit, which is what keeps
 * worlds and observations from before det-math.ts unchanged in Node and Chromium.
 */
import { describe, expect, it } from 'vitest';
import { cos, exp, sqrtInt } from '../src/det-math.ts';
import { daylightAt, World } from '../src/index.ts';

const view = new DataView(new ArrayBuffer(8));

function bits(x: number): string {
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}

/** FNV-1a over the 64-bit patterns of the values. */
function digest(values: Iterable<number>): string {
  let h = 0xcbf29ce484222325n;
  for (const v of values) {
    view.setFloat64(0, v);
    h ^= view.getBigUint64(0);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

function grid(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

describe('deterministic math: stored values', () => {
  it('exp and cos at single points', () => {
    const expected: [number, string][] = [
      [-2, '3fc152aaa3bf81cc'],
      [-0.5, '3fe368b2fc6f960a'],
      [0.25, '3ff48b5e3c3e8186'],
      [1, '4005bf0a8b145769'],
      [3.7, '4044394144eeec81'],
      [-20, '3e21b48655f37267'],
    ];
    for (const [x, hex] of expected) expect(bits(exp(x)), `exp(${x})`).toBe(hex);
    const cosines: [number, string][] = [
      [0.1, '3fefd712f9a817c0'],
      [1, '3fe14a280fb5068c'],
      [2.5, 'bfe9a2f7ef858b7d'],
      [4, 'bfe4eaa606db24c1'],
      [-3, 'bfefae04be85e5d2'],
    ];
    for (const [x, hex] of cosines) expect(bits(cos(x)), `cos(${x})`).toBe(hex);
    expect([exp(0), exp(-Infinity), exp(Infinity), exp(800), exp(-800), cos(0)]).toEqual([
      1,
      0,
      Infinity,
      Infinity,
      0,
      1,
    ]);
    expect(exp(NaN)).toBeNaN();
    expect(() => cos(1e7)).toThrow(RangeError);
  });

  it('exp over [−40, 40], cos over [−12, 12], √ of 0..4096, the daylight cycle (digests of 20,001 values each)', () => {
    expect(digest(grid(-40, 40, 20001).map(exp))).toBe('bf6c83a278f19501');
    expect(digest(grid(-12, 12, 20001).map(cos))).toBe('ec8378abf40310ab');
    expect(digest(Array.from({ length: 4097 }, (_, n) => sqrtInt(n)))).toBe('7e8abf006b49b05d');
    expect(digest(Array.from({ length: 300 }, (_, t) => daylightAt(t)))).toBe('5e82ab1e4a6a36c7');
  });

  it('generated worlds (noise, sigmoid, distances) have the stored hashes', () => {
    expect([0, 1, 2].map((seed) => World.generate({ seed }).hash())).toEqual([
      '3f108b38b742be78',
      '5ddb89df59717eb6',
      '279028f114076c1b',
    ]);
  });
});

describe("deterministic math equals V8's Math functions", () => {
  const isV8 = typeof process !== 'undefined' && typeof process.versions?.v8 === 'string';

  it.runIf(isV8)('exp, cos and sqrtInt give Math.exp, Math.cos and Math.sqrt bit for bit', () => {
    let state = 12345;
    const uniform = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 4294967296;
    };
    for (let i = 0; i < 60000; i++) {
      const x = (2 * uniform() - 1) * [1, 10, 100, 700, 1e-3, 1e-9][i % 6];
      if (exp(x) !== Math.exp(x)) expect.fail(`exp(${x}) = ${exp(x)}, Math.exp gives ${Math.exp(x)}`);
      const y = (2 * uniform() - 1) * [1, 4, 10, 100, 1e5, 0.5][i % 6];
      if (cos(y) !== Math.cos(y)) expect.fail(`cos(${y}) = ${cos(y)}, Math.cos gives ${Math.cos(y)}`);
    }
    for (let n = 0; n < 70000; n++) if (sqrtInt(n) !== Math.sqrt(n)) expect.fail(`sqrtInt(${n})`);
    for (let t = 0; t < 300; t++) {
      const c = Math.abs(Math.cos(Math.PI * ((t % 300) / 300 + 0.3)));
      expect(daylightAt(t)).toBe(1 - c * c * c);
    }
  });
});
