/**
 * The one checkpoint file format every trainer here uses (the token model, the world simulator,
 * the agents' policies): `<dir>/<stem>.json` (the zod-validated state) + `<dir>/<stem>.bin` (float32
 * LE blocks in an order the state determines), both written atomically (tmp + rename, the binary
 * first). And the Adam update those plain-TypeScript trainers share.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';

export function hasCheckpointFiles(dir: string, stem: string): boolean {
  return existsSync(join(dir, `${stem}.json`)) && existsSync(join(dir, `${stem}.bin`));
}

export function writeCheckpointFiles(dir: string, stem: string, state: unknown, blocks: readonly Float32Array[]): void {
  mkdirSync(dir, { recursive: true });
  const buf = new Float32Array(blocks.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of blocks) {
    buf.set(p, o);
    o += p.length;
  }
  writeFileSync(join(dir, `${stem}.bin.tmp`), new Uint8Array(buf.buffer));
  writeFileSync(join(dir, `${stem}.json.tmp`), JSON.stringify(state, null, 1));
  renameSync(join(dir, `${stem}.bin.tmp`), join(dir, `${stem}.bin`));
  renameSync(join(dir, `${stem}.json.tmp`), join(dir, `${stem}.json`));
}

/**
 * Reads a checkpoint back: the state parsed by `schema`, then the binary cut into blocks of the
 * sizes `sizes(state)` gives (an error if the file holds more or fewer floats).
 */
export function readCheckpointFiles<S extends z.ZodType>(
  dir: string,
  stem: string,
  schema: S,
  sizes: (state: z.infer<S>) => readonly number[],
): { state: z.infer<S>; blocks: Float32Array[] } {
  const state = schema.parse(JSON.parse(readFileSync(join(dir, `${stem}.json`), 'utf8')));
  const raw = readFileSync(join(dir, `${stem}.bin`));
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  let o = 0;
  const blocks = sizes(state).map((n) => {
    o += n;
    return all.slice(o - n, o);
  });
  if (o !== all.length) throw new Error(`${join(dir, `${stem}.bin`)} has ${all.length} floats, expected ${o}`);
  return { state, blocks };
}

/** Adam's moments (the optimizer state a checkpoint keeps). */
export interface AdamMoments {
  readonly m: Float32Array;
  readonly v: Float32Array;
}

/** One Adam step on `params` with gradient `grad` (`step` counts from 1, for the bias correction). */
export function adamUpdate(
  params: Float32Array,
  grad: Float32Array,
  { m, v }: AdamMoments,
  step: number,
  lr: number,
  beta1 = 0.9,
  beta2 = 0.999,
  eps = 1e-8,
): void {
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  for (let i = 0; i < params.length; i++) {
    const gi = grad[i];
    m[i] = beta1 * m[i] + (1 - beta1) * gi;
    v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
    params[i] -= (lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + eps);
  }
}
