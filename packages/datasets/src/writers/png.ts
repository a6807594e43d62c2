import { constants, crc32, deflateSync } from 'node:zlib';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** IHDR, IDAT and IEND each add length (4) + type (4) + CRC (4) bytes around their data. */
const CHUNK_OVERHEAD = 12;
const IHDR_BYTES = 13;

/**
 * Encodes 8-bit RGB images of one size as PNG with Node's native zlib (several times quicker than
 * a JavaScript deflate). Rows use filter type 0: the frames are pixel art whose flat runs deflate
 * well as they are, and the other filters made them larger and slower here. One scanline buffer
 * serves every image; each call returns a new, exactly sized PNG.
 */
export class RgbPngEncoder {
  private readonly scanlines: Uint8Array;
  private readonly ihdr: Uint8Array;
  private readonly options: { level: number; windowBits: number; memLevel: number; strategy: number };

  constructor(
    readonly width: number,
    readonly height: number,
    level = 1,
  ) {
    const row = width * 3;
    this.scanlines = new Uint8Array(height * (row + 1)); // filter byte 0 before each row
    this.ihdr = new Uint8Array(IHDR_BYTES);
    const view = new DataView(this.ihdr.buffer);
    view.setUint32(0, width);
    view.setUint32(4, height);
    this.ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, filter 0, no interlace
    // A 16 KiB window covers a whole 64×64 frame; memLevel 9 is zlib's quickest setting.
    this.options = { level, windowBits: 14, memLevel: 9, strategy: constants.Z_DEFAULT_STRATEGY };
  }

  encode(rgb: Uint8Array): Uint8Array {
    const row = this.width * 3;
    if (rgb.length !== row * this.height)
      throw new RangeError(`expected ${row * this.height} RGB bytes, got ${rgb.length}`);
    for (let y = 0; y < this.height; y++) this.scanlines.set(rgb.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
    const idat = deflateSync(this.scanlines, this.options);
    const png = new Uint8Array(SIGNATURE.length + 3 * CHUNK_OVERHEAD + IHDR_BYTES + idat.length);
    png.set(SIGNATURE, 0);
    let at = SIGNATURE.length;
    at = writeChunk(png, at, 'IHDR', this.ihdr);
    at = writeChunk(png, at, 'IDAT', idat);
    writeChunk(png, at, 'IEND', new Uint8Array(0));
    return png;
  }
}

/** Writes one PNG chunk (length, type, data, CRC of type + data) at `at`; returns the offset after it. */
function writeChunk(out: Uint8Array, at: number, type: string, data: Uint8Array): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(at, data.length);
  for (let i = 0; i < 4; i++) out[at + 4 + i] = type.charCodeAt(i);
  out.set(data, at + 8);
  view.setUint32(at + 8 + data.length, crc32(out.subarray(at + 4, at + 8 + data.length)));
  return at + CHUNK_OVERHEAD + data.length;
}
