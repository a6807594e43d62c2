import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { ByteWriter } from 'hyparquet-writer';

/**
 * A hyparquet-writer `Writer` that streams to a file descriptor in ~1 MB pieces (the library's
 * own fileWriter swallows nothing either, but cannot fsync or report the final size).
 * Write errors (ENOSPC included) propagate to the caller.
 */
export class FdByteWriter extends ByteWriter {
  private fd: number;
  constructor(readonly path: string) {
    super(1 << 20);
    this.fd = openSync(path, 'wx');
  }
  override ensure(size: number): void {
    if (this.index > 1 << 20) this.flush();
    super.ensure(size);
  }
  flush(): void {
    const bytes = new Uint8Array(this.buffer, 0, this.index);
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    this.index = 0;
  }
  override finish(): void {
    this.flush();
    fsyncSync(this.fd);
    this.close();
  }
  close(): void {
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = -1;
    }
  }
  override getBuffer(): ArrayBuffer {
    throw new Error('FdByteWriter streams to a file');
  }
  override getBytes(): Uint8Array<ArrayBuffer> {
    throw new Error('FdByteWriter streams to a file');
  }
}
