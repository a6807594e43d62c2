import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { decodeLog, encodeRecord, LOG_MAGIC } from '@aikon/protocol';
import { leasePath } from '@aikon/protocol/node';
import { loadTextures } from '@aikon/engine/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog, parseFilter } from '../src/catalog.ts';
import { planExport, writeExport } from '../src/export.ts';
import { extractEpisodes } from '../src/extract.ts';
import { generateSessions } from '../src/generate.ts';
import { DatasetError } from '../src/layout.ts';
import { tempDir } from './helpers.ts';

const dataDir = tempDir();
let goodId = '';
let tamperedId = '';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetError);
    return (err as DatasetError).code;
  }
  throw new Error('expected a DatasetError');
}
async function codeAsync(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetError);
    return `${(err as DatasetError).code}: ${(err as Error).message}`;
  }
  throw new Error('expected a DatasetError');
}

beforeAll(() => {
  const [good] = generateSessions({ dataDir, episodes: 2, seed: 31, players: 1, maxSteps: 120 });
  goodId = good.sessionId;
  // A copy whose recorded actions were altered (and re-checksummed): replay cannot reproduce its hashes.
  const recs = decodeLog(new Uint8Array(readFileSync(good.path))).records;
  tamperedId = `${goodId}-tampered`;
  const parts: Uint8Array[] = [LOG_MAGIC];
  let changed = false;
  for (const r of recs) {
    let rec = r;
    if (rec.k === 'session') rec = { ...rec, sessionId: tamperedId };
    if (rec.k === 'tick' && !changed && rec.t === 10) {
      rec = { ...rec, a: [0, rec.a[1] === 1 ? 2 : 1] };
      changed = true;
    }
    parts.push(encodeRecord(rec));
  }
  writeFileSync(join(dataDir, 'recordings', `${tamperedId}.aklog`), Buffer.concat(parts));
  // Garbage that is not a session log at all.
  writeFileSync(join(dataDir, 'recordings', 'garbage.aklog'), 'this is not a log');
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('bad input', () => {
  it('unknown and malformed filters are refused with the known names', () => {
    expect(() => parseFilter({ colour: 'red' })).toThrow(/unknown filter "colour" \(known: kind, from, to/);
    expect(code(() => parseFilter({ kind: 'robot' }))).toBe('bad_request');
    expect(code(() => parseFilter({ minLength: -1 }))).toBe('bad_request');
    expect(code(() => parseFilter({ achievements: ['fly'] }))).toBe('bad_request');
    expect(code(() => planExport(dataDir, { format: 'csv' }))).toBe('bad_request');
    expect(code(() => planExport(dataDir, { format: 'minari', datasetId: '../../etc/passwd' }))).toBe('bad_request');
    expect(code(() => planExport(dataDir, { format: 'minari', filter: { sessions: ['../../etc/passwd'] } }))).toBe(
      'bad_request',
    );
  });

  it('an export of nothing is an error, not an empty file', () => {
    expect(code(() => planExport(dataDir, { format: 'parquet', filter: { kind: 'human' } }))).toBe('empty');
    expect(code(() => planExport(dataDir, { format: 'parquet', filter: { sessions: ['no-such-session'] } }))).toBe(
      'not_found',
    );
  });

  it('a log whose replay does not match its hashes is refused with a clear message', () => {
    const cat = loadCatalog(dataDir);
    const tampered = cat.find((s) => s.sessionId === tamperedId)!;
    expect(tampered.verified).toBe(false);
    expect(tampered.problem).toMatch(/replay does not match the recording: hash at t = 100/);
    const garbage = cat.find((s) => s.sessionId === 'garbage')!;
    expect(garbage.verified).toBe(false);
    expect(garbage.problem).toMatch(/bad magic/);
    // Unverified sessions never reach an export; naming one explicitly is an error.
    expect(() => planExport(dataDir, { format: 'minari', filter: { sessions: [tamperedId] } })).toThrow(
      /cannot be exported: replay does not match/,
    );
    const plan = planExport(dataDir, { format: 'replay' });
    expect(plan.sessions.map((s) => s.sessionId)).toEqual([goodId]);
    // The extractor itself refuses it too.
    const bytes = readFileSync(join(dataDir, 'recordings', `${tamperedId}.aklog`));
    const scratch = join(dataDir, 'scratch');
    mkdirSync(scratch, { recursive: true });
    expect(() =>
      extractEpisodes(tamperedId, new Uint8Array(bytes), {
        textures: loadTextures(),
        wanted: new Set([`${tamperedId}:0:0`]),
        scratchDir: scratch,
        onEpisode: () => {},
      }),
    ).toThrow(/does not match the recording.*refused/);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it("recording exactly while a live process holds the lease; a dead holder's log is replayed at once", () => {
    const recs = decodeLog(new Uint8Array(readFileSync(join(dataDir, 'recordings', `${goodId}.aklog`)))).records;
    const liveId = `${goodId}-live`;
    const live = join(dataDir, 'recordings', `${liveId}.aklog`);
    const parts: Uint8Array[] = [LOG_MAGIC];
    for (const r of recs.slice(0, -3)) parts.push(encodeRecord(r.k === 'session' ? { ...r, sessionId: liveId } : r));
    writeFileSync(live, Buffer.concat(parts));
    const lease = (pid: number) =>
      writeFileSync(leasePath(live), JSON.stringify({ v: 1, pid, host: hostname(), since: new Date().toISOString() }));
    // Held by a live process (this one): listed, not replayed, not exportable.
    lease(process.pid);
    let entry = loadCatalog(dataDir).find((s) => s.sessionId === liveId)!;
    expect(entry.recording).toBe(true);
    expect(entry.episodes).toEqual([]);
    expect(code(() => planExport(dataDir, { format: 'parquet', filter: { sessions: [liveId] } }))).toBe('conflict');
    // The holder died (kill -9): the same fresh file is a crashed session at once, replayed;
    // its open episodes end with 'crash'. Nothing depends on the file's age.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    lease(dead);
    entry = loadCatalog(dataDir).find((s) => s.sessionId === liveId)!;
    expect(entry.recording).toBeUndefined();
    expect(entry.complete).toBe(false);
    expect(entry.verified).toBe(true);
    expect(entry.episodes.at(-1)!.endReason).toBe('crash');
    // Without a lease at all (recorded before leases, or released by recovery): the same.
    rmSync(leasePath(live));
    expect(loadCatalog(dataDir).find((s) => s.sessionId === liveId)!.verified).toBe(true);
    rmSync(live);
  });

  it('an output that exists is not overwritten; a failed export leaves nothing', async () => {
    const out = join(dataDir, 'out-existing');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    expect(await codeAsync(writeExport(dataDir, planExport(dataDir, { format: 'parquet' }), out))).toMatch(/^conflict/);
    expect(readFileSync(join(out, 'keep.txt'), 'utf8')).toBe('mine');
    // A log that changes after planning (here: replaced by the tampered one) fails the export cleanly.
    const plan = planExport(dataDir, { format: 'minari' });
    const log = join(dataDir, 'recordings', `${goodId}.aklog`);
    const backup = `${log}.bak`;
    copyFileSync(log, backup);
    copyFileSync(join(dataDir, 'recordings', `${tamperedId}.aklog`), log);
    const out2 = join(dataDir, 'out-changed');
    expect(await codeAsync(writeExport(dataDir, plan, out2))).toMatch(
      /^conflict: session .* changed since it was indexed/,
    );
    copyFileSync(backup, log);
    rmSync(backup);
    expect(existsSync(out2)).toBe(false);
    expect(readdirSync(dataDir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  // A real full disk: a 256 KiB tmpfs (needs root and mount; skipped where unavailable).
  const mnt = join(dataDir, 'tiny');
  mkdirSync(mnt, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status === 0;
  afterAll(() => {
    if (mounted) spawnSync('umount', [mnt]);
  });
  it.skipIf(!mounted)(
    'a disk that fills up mid-export: clear error, no partial output, other files untouched',
    async () => {
      writeFileSync(join(mnt, 'other.txt'), 'untouched');
      for (const format of ['minari', 'parquet'] as const) {
        const out = join(mnt, `out-${format}`);
        const msg = await codeAsync(writeExport(dataDir, planExport(dataDir, { format }), out));
        expect(msg).toMatch(/^io: export failed: the disk is full/);
        expect(existsSync(out)).toBe(false);
        expect(readdirSync(mnt).sort()).toEqual(['other.txt']);
      }
      expect(readFileSync(join(mnt, 'other.txt'), 'utf8')).toBe('untouched');
      // The same export succeeds where there is room.
      const ok = await writeExport(dataDir, planExport(dataDir, { format: 'parquet' }), join(dataDir, 'out-ok'));
      expect(ok.episodes).toBeGreaterThan(0);
    },
  );
});
