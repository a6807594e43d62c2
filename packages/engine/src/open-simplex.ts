/**
 * 3-D OpenSimplex noise (Kurt Spencer's 2014 algorithm), the noise of Crafter's world generation:
 * the same values, bit for bit, as `makeNoise3D` of the `open-simplex-noise` package (3.0.0,
 * public domain, "The Unlicense"), which this file follows operation for operation; the test
 * compares the two. What differs is only where the time goes:
 *   - the contribution lattice, which does not depend on the seed, is built once per process
 *     (the package builds it on every makeNoise3D call, ≈ 0.3 ms) and stored in flat typed arrays
 *     instead of linked objects;
 *   - the permutation of a seed is computed with integer arithmetic into reused arrays (the
 *     package allocates a Uint32Array per random draw); the values are the same because every
 *     intermediate of the package's double arithmetic is an exact integer below 2^53.
 */

const NORM_3D = 1.0 / 103.0;
const SQUISH_3D = (Math.sqrt(3 + 1) - 1) / 3;
const STRETCH_3D = (1 / Math.sqrt(3 + 1) - 1) / 3;

// The package's tables, unchanged.
const BASE_3D = [
  [0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1],
  [2, 1, 1, 0, 2, 1, 0, 1, 2, 0, 1, 1, 3, 1, 1, 1],
  [1, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 2, 1, 1, 0, 2, 1, 0, 1, 2, 0, 1, 1],
];
const GRADIENTS_3D = Float64Array.of(
  -11,
  4,
  4,
  -4,
  11,
  4,
  -4,
  4,
  11,
  11,
  4,
  4,
  4,
  11,
  4,
  4,
  4,
  11,
  -11,
  -4,
  4,
  -4,
  -11,
  4,
  -4,
  -4,
  11,
  11,
  -4,
  4,
  4,
  -11,
  4,
  4,
  -4,
  11,
  -11,
  4,
  -4,
  -4,
  11,
  -4,
  -4,
  4,
  -11,
  11,
  4,
  -4,
  4,
  11,
  -4,
  4,
  4,
  -11,
  -11,
  -4,
  -4,
  -4,
  -11,
  -4,
  -4,
  -4,
  -11,
  11,
  -4,
  -4,
  4,
  -11,
  -4,
  4,
  -4,
  -11,
);
const LOOKUP_PAIRS_3D = [
  0, 2, 1, 1, 2, 2, 5, 1, 6, 0, 7, 0, 32, 2, 34, 2, 129, 1, 133, 1, 160, 5, 161, 5, 518, 0, 519, 0, 546, 4, 550, 4, 645,
  3, 647, 3, 672, 5, 673, 5, 674, 4, 677, 3, 678, 4, 679, 3, 680, 13, 681, 13, 682, 12, 685, 14, 686, 12, 687, 14, 712,
  20, 714, 18, 809, 21, 813, 23, 840, 20, 841, 21, 1198, 19, 1199, 22, 1226, 18, 1230, 19, 1325, 23, 1327, 22, 1352, 15,
  1353, 17, 1354, 15, 1357, 17, 1358, 16, 1359, 16, 1360, 11, 1361, 10, 1362, 11, 1365, 10, 1366, 9, 1367, 9, 1392, 11,
  1394, 11, 1489, 10, 1493, 10, 1520, 8, 1521, 8, 1878, 9, 1879, 9, 1906, 7, 1910, 7, 2005, 6, 2007, 6, 2032, 8, 2033,
  8, 2034, 7, 2037, 6, 2038, 7, 2039, 6,
];
const P_3D = [
  0, 0, 1, -1, 0, 0, 1, 0, -1, 0, 0, -1, 1, 0, 0, 0, 1, -1, 0, 0, -1, 0, 1, 0, 0, -1, 1, 0, 2, 1, 1, 0, 1, 1, 1, -1, 0,
  2, 1, 0, 1, 1, 1, -1, 1, 0, 2, 0, 1, 1, 1, -1, 1, 1, 1, 3, 2, 1, 0, 3, 1, 2, 0, 1, 3, 2, 0, 1, 3, 1, 0, 2, 1, 3, 0, 2,
  1, 3, 0, 1, 2, 1, 1, 1, 0, 0, 2, 2, 0, 0, 1, 1, 0, 1, 0, 2, 0, 2, 0, 1, 1, 0, 0, 1, 2, 0, 0, 2, 2, 0, 0, 0, 0, 1, 1,
  -1, 1, 2, 0, 0, 0, 0, 1, -1, 1, 1, 2, 0, 0, 0, 0, 1, 1, 1, -1, 2, 3, 1, 1, 1, 2, 0, 0, 2, 2, 3, 1, 1, 1, 2, 2, 0, 0,
  2, 3, 1, 1, 1, 2, 0, 2, 0, 2, 1, 1, -1, 1, 2, 0, 0, 2, 2, 1, 1, -1, 1, 2, 2, 0, 0, 2, 1, -1, 1, 1, 2, 0, 0, 2, 2, 1,
  -1, 1, 1, 2, 0, 2, 0, 2, 1, 1, 1, -1, 2, 2, 0, 0, 2, 1, 1, 1, -1, 2, 0, 2, 0,
];

/**
 * The lattice: contribution sets (a base set followed by two extra vertices each), flattened.
 * Contribution c has offsets (DX[c], DY[c], DZ[c]) from the cell origin and lattice vertex
 * (XSB[c], YSB[c], ZSB[c]); set s is the contributions FIRST[s] … FIRST[s + 1] − 1, in the order
 * the package's linked list visits them (the sum's order, so the rounding, is the same).
 */
const { FIRST, DX, DY, DZ, XSB, YSB, ZSB, SET_OF_HASH } = (() => {
  const sets: number[][][] = [];
  for (let i = 0; i < P_3D.length; i += 9) {
    const base = BASE_3D[P_3D[i]];
    const set: number[][] = [];
    for (let k = 0; k < base.length; k += 4) set.push([base[k], base[k + 1], base[k + 2], base[k + 3]]);
    set.push([P_3D[i + 1], P_3D[i + 2], P_3D[i + 3], P_3D[i + 4]]);
    set.push([P_3D[i + 5], P_3D[i + 6], P_3D[i + 7], P_3D[i + 8]]);
    sets.push(set);
  }
  const all = sets.flat();
  const first = new Int32Array(sets.length + 1);
  for (let s = 0; s < sets.length; s++) first[s + 1] = first[s] + sets[s].length;
  // As the package computes them: dx = −xsb − multiplier · SQUISH_3D.
  const offset = (axis: number) => Float64Array.from(all, (c) => -c[axis] - c[0] * SQUISH_3D);
  const vertex = (axis: number) => Int32Array.from(all, (c) => c[axis]);
  const setOfHash = new Int32Array(2048).fill(-1);
  for (let i = 0; i < LOOKUP_PAIRS_3D.length; i += 2) setOfHash[LOOKUP_PAIRS_3D[i]] = LOOKUP_PAIRS_3D[i + 1];
  return {
    FIRST: first,
    DX: offset(1),
    DY: offset(2),
    DZ: offset(3),
    XSB: vertex(1),
    YSB: vertex(2),
    ZSB: vertex(3),
    SET_OF_HASH: setOfHash,
  };
})();
if (FIRST[FIRST.length - 1] > 256) throw new Error('NoiseLayer keeps contribution ids in bytes');

/** `locate`'s result: dx0, dy0, dz0, xsb, ysb, zsb, contribution set. */
const CELL = new Float64Array(7);

/**
 * The seed-independent start of a noise evaluation at (x, y, z): the point's lattice cell and
 * its offsets from the cell's origin into `cell`, and the cell's contribution set; false when
 * no set applies (the noise is 0 there).
 */
function locate(x: number, y: number, z: number, cell: Float64Array): boolean {
  const stretchOffset = (x + y + z) * STRETCH_3D;
  const xs = x + stretchOffset;
  const ys = y + stretchOffset;
  const zs = z + stretchOffset;
  const xsb = Math.floor(xs);
  const ysb = Math.floor(ys);
  const zsb = Math.floor(zs);
  const squishOffset = (xsb + ysb + zsb) * SQUISH_3D;
  const xins = xs - xsb;
  const yins = ys - ysb;
  const zins = zs - zsb;
  const inSum = xins + yins + zins;
  const hash =
    (yins - zins + 1) |
    ((xins - yins + 1) << 1) |
    ((xins - zins + 1) << 2) |
    (inSum << 3) |
    ((inSum + zins) << 5) |
    ((inSum + yins) << 7) |
    ((inSum + xins) << 9);
  const set = SET_OF_HASH[hash];
  if (set < 0) return false;
  cell[0] = x - (xsb + squishOffset);
  cell[1] = y - (ysb + squishOffset);
  cell[2] = z - (zsb + squishOffset);
  cell[3] = xsb;
  cell[4] = ysb;
  cell[5] = zsb;
  cell[6] = set;
  return true;
}

/**
 * An upper bound of |noise(x, y, z)| over every seed: over the point's contributions (which do not
 * depend on the seed), attn⁴ times the largest |gradient · offset| of the 24 gradients, summed and
 * normalised, with a relative 10⁻⁹ for rounding.
 */
export function noiseBound(x: number, y: number, z: number): number {
  const cell = CELL;
  if (!locate(x, y, z, cell)) return 0;
  let bound = 0;
  for (let c = FIRST[cell[6]], end = FIRST[cell[6] + 1]; c < end; c++) {
    const dx = cell[0] + DX[c];
    const dy = cell[1] + DY[c];
    const dz = cell[2] + DZ[c];
    const attn = 2 - dx * dx - dy * dy - dz * dz;
    if (attn <= 0) continue;
    let most = 0;
    for (let g = 0; g < GRADIENTS_3D.length; g += 3) {
      most = Math.max(most, Math.abs(GRADIENTS_3D[g] * dx + GRADIENTS_3D[g + 1] * dy + GRADIENTS_3D[g + 2] * dz));
    }
    bound += attn * attn * attn * attn * most;
  }
  return bound * NORM_3D * (1 + 1e-9);
}

/** Stamps of seeded permutations, unique across instances: a layer's gradients belong to one. */
let permutations = 0;

/**
 * A fixed list of points with everything of their noise that does not depend on the seed worked
 * out once: per point its offsets from its cell's origin and the contributions whose attenuation
 * is positive there, with attn⁴ (which depends on the point alone). A contribution's gradient
 * depends on the seed only through its lattice vertex, and a layer's points share few vertices
 * (≈ 1 per point against ≈ 6 contributions), so a seed's gradients are looked up once per
 * vertex (`OpenSimplex3.layerValue` does it on the first sample after a reseed). World
 * generation samples the same points in every world.
 */
export class NoiseLayer {
  /** dx0, dy0, dz0 per point. */
  readonly origin: Float64Array;
  /** Point i's contributions are first[i] … first[i + 1] − 1 of `contribution`, `weight`, `vertexOf`. */
  readonly first: Int32Array;
  readonly contribution: Uint8Array;
  /** attn⁴ of each contribution, computed as `noise` does: ((attn · attn) · attn) · attn. */
  readonly weight: Float64Array;
  /** Each contribution's lattice vertex: an index into `vertices`. */
  readonly vertexOf: Uint16Array;
  /** The distinct lattice vertices, mod 256 per axis: x | y << 8 | z << 16. */
  readonly vertices: Int32Array;
  /** The gradient index of each vertex under the permutation stamped `stampedBy` (0: none yet). */
  readonly gradients: Uint8Array;
  stampedBy = 0;

  /** Points (xs[i], ys[i], z). */
  constructor(xs: Float64Array, ys: Float64Array, z: number) {
    const n = xs.length;
    const origin = new Float64Array(3 * n);
    const first = new Int32Array(n + 1);
    // At most one entry per contribution of a set: trimmed at the end.
    let most = 0;
    for (let set = 0; set + 1 < FIRST.length; set++) most = Math.max(most, FIRST[set + 1] - FIRST[set]);
    const contribution = new Uint8Array(n * most);
    const weight = new Float64Array(n * most);
    const vertexOf = new Int32Array(n * most);
    const vertices = new Map<number, number>();
    const cell = CELL;
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (locate(xs[i], ys[i], z, cell)) {
        const dx0 = cell[0];
        const dy0 = cell[1];
        const dz0 = cell[2];
        origin[3 * i] = dx0;
        origin[3 * i + 1] = dy0;
        origin[3 * i + 2] = dz0;
        for (let c = FIRST[cell[6]], end = FIRST[cell[6] + 1]; c < end; c++) {
          const dx = dx0 + DX[c];
          const dy = dy0 + DY[c];
          const dz = dz0 + DZ[c];
          const attn = 2 - dx * dx - dy * dy - dz * dz;
          if (attn > 0) {
            const vertex =
              ((cell[3] + XSB[c]) & 0xff) | (((cell[4] + YSB[c]) & 0xff) << 8) | (((cell[5] + ZSB[c]) & 0xff) << 16);
            let v = vertices.get(vertex);
            if (v === undefined) {
              v = vertices.size;
              vertices.set(vertex, v);
            }
            contribution[k] = c;
            weight[k] = attn * attn * attn * attn;
            vertexOf[k] = v;
            k++;
          }
        }
      }
      first[i + 1] = k;
    }
    if (vertices.size > 65536) throw new RangeError('too many lattice vertices for one NoiseLayer');
    this.origin = origin;
    this.first = first;
    this.contribution = contribution.slice(0, k);
    this.weight = weight.slice(0, k);
    this.vertexOf = Uint16Array.from(vertexOf.subarray(0, k));
    this.vertices = Int32Array.from(vertices.keys());
    this.gradients = new Uint8Array(vertices.size);
  }
}

/** One step of the package's seed shuffle (an LCG mod 2^32). */
function shuffle(seed: number): number {
  return (Math.imul(seed, 1664525) + 1013904223) >>> 0;
}

/** A seeded 3-D OpenSimplex noise; `reseed` makes it another seed's noise without allocating. */
export class OpenSimplex3 {
  private readonly perm = new Uint8Array(256);
  private readonly perm3D = new Uint8Array(256);
  private readonly source = new Uint8Array(256);
  /** Identifies this permutation (see `permutations`). */
  private stamp = 0;

  constructor(seed: number) {
    this.reseed(seed);
  }

  /** The permutation of `makeNoise3D(seed)` (the seed taken mod 2^32, as its Uint32Array does). */
  reseed(clientSeed: number): void {
    const { perm, perm3D, source } = this;
    this.stamp = ++permutations;
    for (let i = 0; i < 256; i++) source[i] = i;
    let seed = shuffle(shuffle(shuffle(clientSeed >>> 0)));
    for (let i = 255; i >= 0; i--) {
      seed = shuffle(seed);
      const r = (seed + 31) % (i + 1);
      perm[i] = source[r];
      perm3D[i] = (perm[i] % 24) * 3;
      source[r] = source[i];
    }
  }

  /** The noise value at (x, y, z), in about [−1, 1]. */
  noise(x: number, y: number, z: number): number {
    const cell = CELL;
    if (!locate(x, y, z, cell)) return 0;
    const perm = this.perm;
    const perm3D = this.perm3D;
    const dx0 = cell[0];
    const dy0 = cell[1];
    const dz0 = cell[2];
    const xsb = cell[3];
    const ysb = cell[4];
    const zsb = cell[5];
    let value = 0;
    for (let c = FIRST[cell[6]], end = FIRST[cell[6] + 1]; c < end; c++) {
      const dx = dx0 + DX[c];
      const dy = dy0 + DY[c];
      const dz = dz0 + DZ[c];
      const attn = 2 - dx * dx - dy * dy - dz * dz;
      if (attn > 0) {
        const indexPartA = perm[(xsb + XSB[c]) & 0xff];
        const indexPartB = perm[(indexPartA + ysb + YSB[c]) & 0xff];
        const index = perm3D[(indexPartB + zsb + ZSB[c]) & 0xff];
        const valuePart = GRADIENTS_3D[index] * dx + GRADIENTS_3D[index + 1] * dy + GRADIENTS_3D[index + 2] * dz;
        value += attn * attn * attn * attn * valuePart;
      }
    }
    return value * NORM_3D;
  }

  /**
   * `noise` at point `i` of `layer`, bit for bit: the same contributions in the same order, with
   * their seed-independent parts (offsets, attenuation) read from the layer.
   */
  layerValue(layer: NoiseLayer, i: number): number {
    if (layer.stampedBy !== this.stamp) this.stampGradients(layer);
    return pointValue(layer.origin, layer.first, layer.contribution, layer.weight, layer.vertexOf, layer.gradients, i);
  }

  /** `layerValue` at every point of `layer` into `out` (the layer's arrays read once, not per point). */
  fillLayer(layer: NoiseLayer, out: Float64Array): void {
    if (layer.stampedBy !== this.stamp) this.stampGradients(layer);
    const { origin, first, contribution, weight, vertexOf, gradients } = layer;
    for (let i = 0; i < out.length; i++)
      out[i] = pointValue(origin, first, contribution, weight, vertexOf, gradients, i);
  }

  /** The gradient index of each of the layer's vertices under this permutation. */
  private stampGradients(layer: NoiseLayer): void {
    const { perm, perm3D } = this;
    const { vertices, gradients } = layer;
    for (let v = 0; v < vertices.length; v++) {
      const vertex = vertices[v];
      const indexPartA = perm[vertex & 0xff];
      const indexPartB = perm[(indexPartA + (vertex >>> 8)) & 0xff];
      gradients[v] = perm3D[(indexPartB + (vertex >>> 16)) & 0xff];
    }
    layer.stampedBy = this.stamp;
  }
}

/** `layerValue` of point i, from the arrays of a layer stamped with the wanted permutation. */
function pointValue(
  origin: Float64Array,
  first: Int32Array,
  contribution: Uint8Array,
  weight: Float64Array,
  vertexOf: Uint16Array,
  gradients: Uint8Array,
  i: number,
): number {
  const dx0 = origin[3 * i];
  const dy0 = origin[3 * i + 1];
  const dz0 = origin[3 * i + 2];
  let value = 0;
  for (let k = first[i], end = first[i + 1]; k < end; k++) {
    const c = contribution[k];
    const index = gradients[vertexOf[k]];
    const valuePart =
      GRADIENTS_3D[index] * (dx0 + DX[c]) +
      GRADIENTS_3D[index + 1] * (dy0 + DY[c]) +
      GRADIENTS_3D[index + 2] * (dz0 + DZ[c]);
    value += weight[k] * valuePart;
  }
  return value * NORM_3D;
}
