import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, RECORDING_VERSION, type SessionRecord } from '../src/index.ts';
import { LogFencedError, logFence, readLogFile, SessionRecorder, takeOverLog } from '../src/node/index.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'aikon-fence-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const header: SessionRecord = {
  k: 'session',
  v: RECORDING_VERSION,
  sessionId: 's-fence',
  lobbyId: 'L',
  engineVersion: '0.0.0',
  snapshotVersion: 1,
  protocolVersion: PROTOCOL_VERSION,
  seed: 1,
  mode: 'persistent',
  config: { seats: 2, tickRate: 8, hashEvery: 100 },
  startedAt: new Date(0).toISOString(),
  t: 0,
};

describe('session log fencing (takeOverLog)', () => {
  it("refuses a stale writer's appends once the log was taken over under a later epoch", () => {
    const first = SessionRecorder.create(dataDir, header);
    first.append({ k: 'tick', t: 1, a: [] });
    expect(logFence(first.path)).toBe(0);

    takeOverLog(first.path, 1);
    const second = SessionRecorder.reopen(first.path, { epoch: 1 });
    second.append({ k: 'tick', t: 2, a: [] });
    // The first writer wakes up: its append is refused, and nothing of it reaches the log.
    first.append({ k: 'tick', t: 2, a: [0, 5] });
    expect(first.fenced).toBe(true);
    expect(first.failed).toBeInstanceOf(LogFencedError);
    expect((first.failed as LogFencedError).fencedBy).toBe(1);
    first.close({ sync: true });
    second.append({ k: 'tick', t: 3, a: [] });
    expect(second.fenced).toBe(false);
    second.close({ sync: true });

    const log = readLogFile(first.path);
    expect(log.torn).toBe(false);
    expect(log.records.map((r) => (r.k === 'tick' ? `${r.t}:${r.a.join(',')}` : r.k))).toEqual([
      'session',
      '1:',
      '2:',
      '3:',
    ]);
    // A takeover under an epoch that is not newer is refused.
    expect(() => takeOverLog(first.path, 1)).toThrow(LogFencedError);
    takeOverLog(first.path, 2);
    expect(logFence(first.path)).toBe(2);
  });
});
