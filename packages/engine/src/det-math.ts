/**
 * Transcendental functions that give the same bits in every JavaScript engine.
 *
 * ECMAScript fixes + − × ÷ and comparisons to IEEE 754 double arithmetic, but leaves Math.exp,
 * Math.cos and their kin "implementation-approximated": V8, SpiderMonkey and JavaScriptCore may
 * round the last bit differently, and one bit in a state value is enough for a recording made in
 * one browser to stop replaying on the server. The functions here use only the exact operations
 * (+ − × ÷, comparisons, integer bit operations on the double's words), so every engine computes
 * the same result.
 *
 * The algorithms and coefficients are fdlibm's (Sun Microsystems 1993: "Permission to use, copy,
 * modify, and distribute this software is freely granted, provided that this notice is
 * preserved"), the library V8 itself uses for Math.exp and Math.cos. Because the operations are
 * the same in the same order, the results equal V8's Math.exp / Math.cos bit for bit (tested),
 * so worlds and observations computed before this module existed do not change in Node or
 * Chromium. Accuracy: under 1 ulp.
 */

// The two 32-bit halves of a double through aliased typed arrays, the high half at the index this
// platform's byte order puts it (measured, not assumed; a DataView reads the same and is slower).
const doubleWord = new Float64Array(1);
const halfWords = new Int32Array(doubleWord.buffer);
const HIGH = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 1 : 0;
const LOW = 1 - HIGH;

/** The high 32 bits (sign, exponent, top of the mantissa) of a double, as a signed integer. */
function highWord(x: number): number {
  doubleWord[0] = x;
  return halfWords[HIGH];
}

/** The double whose high word is `hi` and whose low word is 0. */
function fromHighWord(hi: number): number {
  halfWords[HIGH] = hi;
  halfWords[LOW] = 0;
  return doubleWord[0];
}

// ---- exp ---------------------------------------------------------------------------------

const LN2_HI = 6.9314718036912381649e-1; // 0x3FE62E42 FEE00000: k · LN2_HI is exact for |k| < 2^11
const LN2_LO = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76
const INV_LN2 = 1.442695040888963387; // 0x3FF71547 652B82FE
// exp(r) = 1 + r + r·R1(r) / (2 − R1(r)), R1(r) = r − (P1 r² + … + P5 r¹⁰): a minimax fit on [0, ln2 / 2].
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.6533902205465251539e-6;
const P5 = 4.13813679705723846039e-8;
const EXP_OVERFLOW = 7.09782712893383973096e2;
const EXP_UNDERFLOW = -7.4513321910194110842e2;

/** e^x, bit-identical in every engine (and to V8's Math.exp). */
export function exp(x: number): number {
  const hx = highWord(x);
  const negative = hx < 0;
  const ax = hx & 0x7fffffff;
  if (ax >= 0x40862e42) {
    // |x| ≥ 709.78…: NaN, infinities, overflow and underflow.
    if (Number.isNaN(x)) return x;
    if (x === Infinity) return Infinity;
    if (x === -Infinity) return 0;
    if (x > EXP_OVERFLOW) return Infinity;
    if (x < EXP_UNDERFLOW) return 0;
  }
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (ax > 0x3fd62e42) {
    // |x| > ln2 / 2: reduce to r = x − k·ln2 with |r| ≤ ln2 / 2, r held as hi − lo.
    if (ax < 0x3ff0a2b2) {
      // |x| < 1.5 ln2: k = ±1. (fdlibm special-cases x = 1, whose last bit the formula misses.)
      if (x === 1) return Math.E;
      hi = negative ? x + LN2_HI : x - LN2_HI;
      lo = negative ? -LN2_LO : LN2_LO;
      k = negative ? -1 : 1;
    } else {
      k = Math.trunc(INV_LN2 * x + (negative ? -0.5 : 0.5));
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (ax < 0x3e300000) {
    // |x| < 2^-28: e^x rounds to 1 + x.
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - (lo - (x * c) / (2 - c) - hi);
  // Scale by 2^k, in two exact steps where 2^k alone is not a normal double.
  if (k >= -1021) {
    if (k === 1024) return y * 2 * 8.98846567431158e307;
    return y * fromHighWord((0x3ff + k) << 20);
  }
  return y * fromHighWord((0x3ff + k + 1000) << 20) * 9.332636185032189e-302;
}

// ---- cos ---------------------------------------------------------------------------------

// cos and sin on [−π/4, π/4]: minimax polynomials, then a correction for the reduction's tail y.
const C1 = 4.16666666666666019037e-2;
const C2 = -1.38888888888741095749e-3;
const C3 = 2.48015872894767294178e-5;
const C4 = -2.75573143513906633035e-7;
const C5 = 2.0875723212981748279e-9;
const C6 = -1.13596475577881948265e-11;
const S1 = -1.66666666666666324348e-1;
const S2 = 8.33333333332248946124e-3;
const S3 = -1.98412698298579493134e-4;
const S4 = 2.75573137070700676789e-6;
const S5 = -2.50507602534068634195e-8;
const S6 = 1.58969099521155010221e-10;

/** cos(x + y) for |x| ≤ π/4, y the tail of x. */
function kernelCos(x: number, y: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3e400000 && Math.trunc(x) === 0) return 1; // |x| < 2^-27
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3fd33333) return 1 - (0.5 * z - (z * r - x * y)); // |x| < 0.3
  // Subtract qx ≈ |x| / 4 first so that 1 − qx and z / 2 − qx are exact.
  const qx = ix > 0x3fe90000 ? 0.28125 : fromHighWord(ix - 0x00200000);
  return 1 - qx - (0.5 * z - qx - (z * r - x * y));
}

/** sin(x + y) for |x| ≤ π/4, y the tail of x. */
function kernelSin(x: number, y: number): number {
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  return x - (z * (0.5 * y - v * r) - y - v * S1);
}

// π/2 split in three 33-bit heads (n · head is exact for small n) and the tails after each.
const INV_PIO2 = 6.36619772367581382433e-1;
const PIO2_1 = 1.57079632673412561417;
const PIO2_1T = 6.07710050650619224932e-11;
const PIO2_2 = 6.0771005063039659766e-11;
const PIO2_2T = 2.02226624879595063154e-21;
const PIO2_3 = 2.0222662487111664558e-21;
const PIO2_3T = 8.47842766036889956997e-32;
/** High words of n·π/2, n = 1..32: an argument this close to a multiple may lose bits to cancellation. */
const NPIO2_HIGH = [
  0x3ff921fb, 0x400921fb, 0x4012d97c, 0x401921fb, 0x401f6a7a, 0x4022d97c, 0x4025fdbb, 0x402921fb, 0x402c463a,
  0x402f6a7a, 0x4031475c, 0x4032d97c, 0x40346b9c, 0x4035fdbb, 0x40378fdb, 0x403921fb, 0x403ab41b, 0x403c463a,
  0x403dd85a, 0x403f6a7a, 0x40407e4c, 0x4041475c, 0x4042106c, 0x4042d97c, 0x4043a28c, 0x40446b9c, 0x404534ac,
  0x4045fdbb, 0x4046c6cb, 0x40478fdb, 0x404858eb, 0x404921fb,
];
const reduced = [0, 0];

/** x − n·π/2 into `reduced` (head, tail); returns n. For π/4 < |x| ≲ 2^19·π/2. */
function reduceHalfPi(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix < 0x4002d97c) {
    // |x| < 3π/4: n = ±1.
    const sign = hx > 0 ? 1 : -1;
    let z = x - sign * PIO2_1;
    if (ix !== 0x3ff921fb) {
      reduced[0] = z - sign * PIO2_1T;
      reduced[1] = z - reduced[0] - sign * PIO2_1T;
    } else {
      // Near π/2: 33 + 33 + 53 bits of π.
      z -= sign * PIO2_2;
      reduced[0] = z - sign * PIO2_2T;
      reduced[1] = z - reduced[0] - sign * PIO2_2T;
    }
    return sign;
  }
  const t = Math.abs(x);
  const n = Math.trunc(t * INV_PIO2 + 0.5);
  let r = t - n * PIO2_1;
  let w = n * PIO2_1T;
  let head: number;
  if (n < 32 && ix !== NPIO2_HIGH[n - 1]) {
    head = r - w;
  } else {
    const j = ix >> 20;
    head = r - w;
    if (j - ((highWord(head) >> 20) & 0x7ff) > 16) {
      // Cancellation: a second round with the next 33 bits of π/2.
      const t2 = r;
      w = n * PIO2_2;
      r = t2 - w;
      w = n * PIO2_2T - (t2 - r - w);
      head = r - w;
      if (j - ((highWord(head) >> 20) & 0x7ff) > 49) {
        const t3 = r;
        w = n * PIO2_3;
        r = t3 - w;
        w = n * PIO2_3T - (t3 - r - w);
        head = r - w;
      }
    }
  }
  const tail = r - head - w;
  if (hx < 0) {
    reduced[0] = -head;
    reduced[1] = -tail;
    return -n;
  }
  reduced[0] = head;
  reduced[1] = tail;
  return n;
}

/**
 * cos x, bit-identical in every engine (and to V8's fdlibm Math.cos), for |x| up to 2^19·π/2
 * ≈ 823550 (the Cody–Waite reduction's range; the engine needs [0, 2π)). Throws beyond it.
 */
export function cos(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelCos(x, 0); // |x| ≤ π/4
  if (ix > 0x413921fb) throw new RangeError(`cos: |x| must be at most 2^19·π/2, got ${x}`);
  const n = reduceHalfPi(x);
  const [head, tail] = reduced;
  switch (n & 3) {
    case 0:
      return kernelCos(head, tail);
    case 1:
      return -kernelSin(head, tail);
    case 2:
      return -kernelCos(head, tail);
    default:
      return kernelSin(head, tail);
  }
}

// ---- square roots of integers ------------------------------------------------------------

/**
 * √n for an integer 0 ≤ n < 2^26, rounded to nearest (the value Math.sqrt gives in V8, tested),
 * from Newton steps and an exact comparison of neighbours. Engines do round Math.sqrt correctly
 * in practice, but the language leaves square roots among the approximated functions' kin; this
 * needs nothing but + − × ÷.
 */
export function sqrtInt(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n >= 67108864)
    throw new RangeError(`sqrtInt: want an integer in [0, 2^26), got ${n}`);
  if (n < 2) return n;
  // Newton from above decreases monotonically until it reaches ⌊√n⌋-ish precision.
  let y = n / 2 + 0.5;
  for (;;) {
    const next = 0.5 * (y + n / y);
    if (next >= y) break;
    y = next;
  }
  // y is now within an ulp or two of √n. Pick the neighbour whose square is nearest n, with the
  // squares computed exactly: y has ≤ 27 significant bits after splitting, so y·y splits exactly.
  let best = y;
  let bestError = Math.abs(squareMinus(y, n));
  for (const candidate of [nextDown(y), nextUp(y)]) {
    const error = Math.abs(squareMinus(candidate, n));
    if (error < bestError) {
      best = candidate;
      bestError = error;
    }
  }
  return best;
}

/** y² − n exactly enough to compare neighbours (Dekker's split product; n < 2^26, y < 2^13). */
function squareMinus(y: number, n: number): number {
  const split = 134217729 * y; // 2^27 + 1
  const yh = split - (split - y);
  const yl = y - yh;
  // y² = yh² + 2·yh·yl + yl², each term exact; sum the big ones first with n.
  return yh * yh - n + 2 * yh * yl + yl * yl;
}

/** For stepping a double by one unit in the last place (off the hot paths). */
const words = new DataView(new ArrayBuffer(8));

function nextUp(y: number): number {
  words.setFloat64(0, y);
  words.setBigUint64(0, words.getBigUint64(0) + 1n);
  return words.getFloat64(0);
}

function nextDown(y: number): number {
  words.setFloat64(0, y);
  words.setBigUint64(0, words.getBigUint64(0) - 1n);
  return words.getFloat64(0);
}
