/**
 * The engine's OpenSimplex (src/open-simplex.ts) against the `open-simplex-noise` package it
 * follows: the same value, bit for bit, for every seed and point tried — worlds depend on it.
 */
import { makeNoise3D } from 'open-simplex-noise';
import { describe, expect, it } from 'vitest';
import { NoiseLayer, noiseBound, OpenSimplex3 } from '../src/open-simplex.ts';
import { Rng } from '../src/index.ts';

describe('OpenSimplex3', () => {
  it('equals open-simplex-noise bit for bit (12 seeds × 4,000 points, with reseeding)', () => {
    const ours = new OpenSimplex3(0);
    const points = new Rng(5);
    let compared = 0;
    for (const seed of [0, 1, 2, 12345, 2147483646, 4294967295, 4294967296 + 7, -1, -99999, 0.5, 77, 1 << 30]) {
      const theirs = makeNoise3D(seed);
      ours.reseed(seed);
      for (let k = 0; k < 4000; k++) {
        // World generation's range (x / scale, y / scale for x, y in 0..63, layers 0..8), then
        // a wider one with negative coordinates.
        const wide = k >= 3000;
        const x = wide ? (points.uniform() - 0.5) * 400 : points.uniform() * 64;
        const y = wide ? (points.uniform() - 0.5) * 400 : points.uniform() * 64;
        const z = wide ? (points.uniform() - 0.5) * 50 : points.int(9);
        const expected = theirs(x, y, z);
        const got = ours.noise(x, y, z);
        if (!Object.is(got, expected)) expect({ seed, x, y, z, got }).toEqual({ seed, x, y, z, got: expected });
        compared++;
      }
    }
    expect(compared).toBe(48_000);
  });

  it('noiseBound bounds |noise| at its point for every seed tried, and is reached (16 seeds × 2,000 points)', () => {
    // World generation skips the start noise far from the start on the strength of this bound.
    const noise = new OpenSimplex3(0);
    const points = new Rng(3);
    const xs = Array.from({ length: 2000 }, () => points.uniform() * 30);
    const ys = Array.from({ length: 2000 }, () => points.uniform() * 30);
    let closest = 0;
    for (let seed = 0; seed < 16; seed++) {
      noise.reseed(seed * 104729 + 1);
      for (let i = 0; i < xs.length; i++) {
        const z = i % 9;
        const ratio = Math.abs(noise.noise(xs[i], ys[i], z)) / noiseBound(xs[i], ys[i], z);
        if (!(ratio <= 1)) expect({ seed, x: xs[i], y: ys[i], z, ratio }).toBe('bounded');
        closest = Math.max(closest, ratio);
      }
    }
    expect(closest).toBeGreaterThan(0.9);
  });

  it('a NoiseLayer gives noise() bit for bit at its points, for each seed and after reseeding', () => {
    const points = new Rng(11);
    const n = 3000;
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // Most points in world generation's range, the rest wide, negative coordinates included.
      const wide = i >= 2000;
      xs[i] = wide ? (points.uniform() - 0.5) * 400 : (points.int(64) * 2) / 3;
      ys[i] = wide ? (points.uniform() - 0.5) * 400 : points.int(64) / 15;
    }
    const layers = [new NoiseLayer(xs, ys, 7), new NoiseLayer(ys, xs, -2.5)];
    // Two noises sampling the same layers in turn: each must see its own seed's gradients.
    const a = new OpenSimplex3(0);
    const b = new OpenSimplex3(1);
    let compared = 0;
    for (const seed of [0, 3, 2147483646, 4294967295, -7, 123456789]) {
      a.reseed(seed);
      b.reseed(seed + 1);
      for (const [layer, z] of [
        [layers[0], 7],
        [layers[1], -2.5],
      ] as const) {
        for (let i = 0; i < n; i++) {
          const [x, y] = layer === layers[0] ? [xs[i], ys[i]] : [ys[i], xs[i]];
          for (const noise of [a, b]) {
            const got = noise.layerValue(layer, i);
            const expected = noise.noise(x, y, z);
            if (!Object.is(got, expected)) expect({ seed, x, y, z, got }).toEqual({ seed, x, y, z, got: expected });
            compared++;
          }
        }
      }
      const filled = new Float64Array(n);
      a.fillLayer(layers[0], filled);
      for (let i = 0; i < n; i++) if (!Object.is(filled[i], a.noise(xs[i], ys[i], 7))) expect(i).toBe(-1);
    }
    expect(compared).toBe(6 * 2 * n * 2);
  });
});
