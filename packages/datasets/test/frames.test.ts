import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { decode as decodePng } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { FRAME_BYTES, FrameBudget, FrameStore } from '../src/extract.ts';
import { RgbPngEncoder } from '../src/writers/png.ts';
import { tempDir } from './helpers.ts';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A frame whose every byte depends on its index, so that any misplaced frame shows. */
function frameOf(i: number): Uint8Array {
  const f = new Uint8Array(FRAME_BYTES);
  for (let k = 0; k < FRAME_BYTES; k++) f[k] = (i * 31 + k * 7) & 255;
  return f;
}
/** Byte equality without the test runner's element-by-element diffing of 12 KB arrays. */
const same = (a: Uint8Array, b: Uint8Array) =>
  Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;

describe('FrameStore', () => {
  it('keeps frames in memory within the budget and spills the rest to its scratch file', () => {
    const budget = new FrameBudget(5);
    const path = join(dir, 'a.raw');
    const store = new FrameStore(path, budget);
    for (let i = 0; i < 12; i++) store.push(frameOf(i));
    expect(budget.left).toBe(0);
    expect(existsSync(path)).toBe(true);
    // Every window, inside memory, inside the file and across the boundary, reads back exactly.
    for (const [start, n] of [
      [0, 5],
      [3, 4],
      [5, 7],
      [0, 12],
      [11, 1],
    ]) {
      const got = store.read(start, n);
      for (let k = 0; k < n; k++)
        expect(same(got.subarray(k * FRAME_BYTES, (k + 1) * FRAME_BYTES), frameOf(start + k))).toBe(true);
    }
    expect(() => store.read(10, 3)).toThrow(RangeError);
    store.dispose();
    expect(budget.left).toBe(5);
    expect(existsSync(path)).toBe(false);
    store.dispose(); // a second dispose (the extraction's cleanup) gives nothing back twice
    expect(budget.left).toBe(5);
  });

  it('shares one budget between the open episodes', () => {
    const budget = new FrameBudget(20);
    const a = new FrameStore(join(dir, 'b.raw'), budget);
    const b = new FrameStore(join(dir, 'c.raw'), budget);
    for (let i = 0; i < 16; i++) a.push(frameOf(i));
    for (let i = 0; i < 8; i++) b.push(frameOf(100 + i));
    expect(budget.left).toBe(0);
    expect(existsSync(join(dir, 'b.raw'))).toBe(false);
    expect(existsSync(join(dir, 'c.raw'))).toBe(true);
    expect(same(b.read(0, 8).subarray(7 * FRAME_BYTES), frameOf(107))).toBe(true);
    a.dispose();
    b.dispose();
    expect(budget.left).toBe(20);
  });
});

describe('RgbPngEncoder', () => {
  it('writes a valid RGB PNG: signature, IHDR, one zlib IDAT of filter-0 rows, IEND', () => {
    const rgb = frameOf(3);
    const png = new RgbPngEncoder(64, 64).encode(rgb);
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(new TextDecoder().decode(png.subarray(12, 16))).toBe('IHDR');
    expect([view.getUint32(16), view.getUint32(20), png[24], png[25]]).toEqual([64, 64, 8, 2]);
    const idatLength = view.getUint32(33);
    expect(new TextDecoder().decode(png.subarray(37, 41))).toBe('IDAT');
    const rows = inflateSync(png.subarray(41, 41 + idatLength));
    expect(rows.length).toBe(64 * (64 * 3 + 1));
    for (let y = 0; y < 64; y++) {
      expect(rows[y * 193]).toBe(0);
      expect(same(rows.subarray(y * 193 + 1, (y + 1) * 193), rgb.subarray(y * 192, (y + 1) * 192))).toBe(true);
    }
    expect(new TextDecoder().decode(png.subarray(png.length - 8, png.length - 4))).toBe('IEND');
    // An independent decoder that checks every chunk's CRC reads the same pixels.
    const decoded = decodePng(png, { checkCrc: true });
    expect([decoded.width, decoded.height, decoded.channels, decoded.depth]).toEqual([64, 64, 3, 8]);
    expect(same(decoded.data as Uint8Array, rgb)).toBe(true);
    expect(() => new RgbPngEncoder(64, 64).encode(rgb.subarray(1))).toThrow(RangeError);
  });
});
