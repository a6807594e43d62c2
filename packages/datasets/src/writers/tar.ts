import { closeSync, fsyncSync, openSync, readdirSync, readSync, statSync, writeSync } from 'node:fs';
import { join, posix } from 'node:path';

/** Files under `dir`, relative, sorted (directories recursed, symlinks and others skipped). */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const rel = prefix ? posix.join(prefix, name) : name;
    const st = statSync(join(dir, rel), { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) out.push(...listFiles(dir, rel));
    else if (st.isFile()) out.push(rel);
  }
  return out;
}

function header(name: string, size: number, mtime: number): Uint8Array {
  const h = new Uint8Array(512);
  const enc = new TextEncoder();
  let nameBytes = enc.encode(name);
  let prefixBytes = new Uint8Array(0);
  if (nameBytes.length > 100) {
    const cut = name.lastIndexOf('/', 154);
    if (cut <= 0 || enc.encode(name.slice(cut + 1)).length > 100) throw new Error(`path too long for tar: ${name}`);
    prefixBytes = enc.encode(name.slice(0, cut));
    nameBytes = enc.encode(name.slice(cut + 1));
  }
  const put = (s: string | Uint8Array, off: number, len: number) =>
    h.set((typeof s === 'string' ? enc.encode(s) : s).subarray(0, len), off);
  const oct = (n: number, len: number) => `${n.toString(8).padStart(len - 1, '0')}\0`;
  put(nameBytes, 0, 100);
  put(oct(0o644, 8), 100, 8);
  put(oct(0, 8), 108, 8);
  put(oct(0, 8), 116, 8);
  put(oct(size, 12), 124, 12);
  put(oct(Math.floor(mtime), 12), 136, 12);
  put('        ', 148, 8);
  h[156] = 0x30; // '0' regular file
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put(prefixBytes, 345, 155);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i];
  put(`${oct(sum, 7)} `, 148, 8);
  return h;
}

/** Writes an uncompressed POSIX ustar archive of `dir`'s files under `root/` to `path` (exclusive create). */
export function writeTar(dir: string, root: string, path: string): number {
  const fd = openSync(path, 'wx');
  let total = 0;
  const write = (b: Uint8Array) => {
    let off = 0;
    while (off < b.length) off += writeSync(fd, b, off, b.length - off);
    total += b.length;
  };
  try {
    const buf = new Uint8Array(1 << 20);
    for (const rel of listFiles(dir)) {
      const full = join(dir, rel);
      const st = statSync(full);
      write(header(posix.join(root, rel), st.size, st.mtimeMs / 1000));
      const src = openSync(full, 'r');
      try {
        let done = 0;
        while (done < st.size) {
          const n = readSync(src, buf, 0, Math.min(buf.length, st.size - done), done);
          if (n <= 0) throw new Error(`${rel} shrank while archiving`);
          write(buf.subarray(0, n));
          done += n;
        }
      } finally {
        closeSync(src);
      }
      const pad = (512 - (st.size % 512)) % 512;
      if (pad) write(new Uint8Array(pad));
    }
    write(new Uint8Array(1024));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return total;
}
