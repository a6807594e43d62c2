/**
 * The world's pseudo-random generator: sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG),
 * seeded through splitmix32. Integer-only arithmetic, so it yields the same stream in every
 * JavaScript engine, and its whole state is four 32-bit words that a snapshot can carry.
 * (Hand-written rather than a library because the state must be inlined into snapshots and
 * the generator sits on the step loop's hot path.)
 */
export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed: number) {
    this.seed(seed);
  }

  seed(seed: number): void {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() | 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  getState(): [number, number, number, number] {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  setState(state: readonly number[]): void {
    this.a = state[0] | 0;
    this.b = state[1] | 0;
    this.c = state[2] | 0;
    this.d = state[3] | 0;
  }
}

/** Mixes integers into one 32-bit seed (used for per-episode seeds and render noise). */
export function mixSeed(...values: number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) {
    let x = v >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
    x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
    x ^= x >>> 16;
    h = Math.imul(h ^ x, 0x01000193);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

/**
 * The world seed of the k-th episode after `reset({ seed })`: k = 0 is `seed` itself (so the
 * world equals `World.generate({ seed })`), later episodes get seeds derived from it.
 */
export function episodeSeed(seed: number, k: number): number {
  if (k === 0) return seed;
  return mixSeed(seed % 4294967296, Math.floor(seed / 4294967296), k);
}
