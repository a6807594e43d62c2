/**
 * Solo games recorded in a browser and uploaded to the relay (POST /api/solo-logs), over real
 * HTTP: an accepted log is listed as a solo session, exported, and read back by h5py; a tampered,
 * damaged, oversized or foreign log is refused with a clear error and leaves no file behind; no
 * field of the log names where it is stored.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { World } from '@aikon/engine';
import { decodeLog, encodeLog, type LogRecord, SoloLogWriter } from '@aikon/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOLO_LOG_MAX_BYTES } from '../src/solo-upload.ts';
import { startTestServer, tempDir } from './helpers.ts';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const hasH5py = spawnSync(PYTHON, ['-c', 'import h5py, numpy'], { encoding: 'utf8' }).status === 0;

// The data directory sits inside a parent of its own, so that anything written beside it shows.
const parent = tempDir('aikon-solo-');
const dataDir = join(parent, 'data');
let server: Awaited<ReturnType<typeof startTestServer>>;

/** A solo game as the browser's engine worker records it: `steps` steps of a fixed key pattern, then given up. */
function soloGame(seed: number, steps: number, id = 'local-game-1'): { bytes: Uint8Array; actions: number[] } {
  const world = World.generate({ seed });
  world.addPlayer({ slot: 0 });
  const log = SoloLogWriter.begin(world, { id, pid: 'solo-test-player', tickRate: 8 });
  const actions: number[] = [];
  for (let i = 0; i < steps && !world.over; i++) {
    const action = [3, 3, 5, 1, 4, 2, 0, 5][i % 8];
    world.step([action]);
    // Every fourth step the autopilot chose the action: recorded as its brain.
    log.tick(world, action, i % 4 === 3);
    actions.push(action);
  }
  log.end(world, 'abandoned');
  return { bytes: log.bytes(), actions };
}

function reencode(bytes: Uint8Array, change: (records: LogRecord[]) => LogRecord[]): Uint8Array {
  return encodeLog(change(decodeLog(bytes).records));
}

async function upload(body: Uint8Array | string, type = 'application/octet-stream') {
  const post = () =>
    fetch(`${server.url}/api/solo-logs`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: typeof body === 'string' ? body : Buffer.from(body),
    });
  // A keep-alive connection the server closes as idle just when a POST goes out fails with a
  // reset (fetch retries only idempotent requests): sent again, as the game's upload queue does.
  const r = await post().catch((err: Error) => {
    if ((err.cause as NodeJS.ErrnoException | undefined)?.code !== 'ECONNRESET') throw err;
    return post();
  });
  return {
    status: r.status,
    body: (await r.json()) as { session?: string; ticks?: number; error?: string; message?: string },
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const recordings = () => readdirSync(join(dataDir, 'recordings')).sort();

/**
 * What a refused upload must not change: the logs, and any file outside the data directory. (The
 * rest of the data directory is left out: the index's WAL files and the datasets' catalog cache
 * change on their own schedule.)
 */
const written = () => ({ recordings: recordings(), outside: readdirSync(parent).sort() });

beforeAll(async () => {
  mkdirSync(dataDir);
  server = await startTestServer({ dataDir });
});

afterAll(async () => {
  await server.close();
  rmSync(parent, { recursive: true, force: true });
});

describe('POST /api/solo-logs', () => {
  const game = soloGame(7, 120);
  let session = '';

  it('stores a solo game as a verified solo session of the datasets, with its human episode', async () => {
    const r = await upload(game.bytes);
    expect(r.status).toBe(201);
    expect(r.body.ticks).toBe(game.actions.length);
    session = r.body.session!;
    expect(session).toMatch(/^solo-[0-9a-f]{32}$/);
    expect(recordings()).toEqual([`${session}.aklog`]);
    // The stored log is the upload with the server's id in its header, nothing else changed.
    const stored = decodeLog(new Uint8Array(readFileSync(join(dataDir, 'recordings', `${session}.aklog`))));
    const sent = decodeLog(game.bytes);
    expect(stored.torn).toBe(false);
    expect(stored.records[0]).toEqual({ ...sent.records[0], sessionId: session, lobbyId: 'solo' });
    expect(stored.records.slice(1)).toEqual(sent.records.slice(1));

    const sessions = (await (await fetch(`${server.url}/api/datasets/sessions`)).json()) as {
      sessions: { id: string; kind: string; ticks: number; verified: boolean; complete: boolean; episodes: number }[];
    };
    expect(sessions.sessions).toEqual([
      expect.objectContaining({ id: session, kind: 'solo', ticks: 120, verified: true, complete: true, episodes: 1 }),
    ]);
    const episodes = (await (await fetch(`${server.url}/api/datasets/episodes?sessions=${session}`)).json()) as {
      episodes: { kind: string; length: number; slot: number }[];
    };
    expect(episodes.episodes).toEqual([expect.objectContaining({ kind: 'human', length: 120, slot: 0 })]);
  });

  it('the same upload sent again (an answer lost on the way) is stored once', async () => {
    const r = await upload(game.bytes);
    expect(r.status).toBe(200);
    expect(r.body.session).toBe(session);
    expect(recordings()).toEqual([`${session}.aklog`]);
  });

  it.skipIf(!hasH5py)(
    'exports it as Minari HDF5 that h5py reads back: the steps, the actions, a human player',
    async () => {
      const start = await fetch(`${server.url}/api/datasets/exports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ format: 'minari', filter: { sessions: [session] } }),
      });
      expect([200, 202]).toContain(start.status);
      const job = (await start.json()) as { id: string };
      let state = '';
      for (let i = 0; i < 600 && state !== 'done' && state !== 'failed'; i++) {
        await new Promise((res) => setTimeout(res, 100));
        state = ((await (await fetch(`${server.url}/api/datasets/exports/${job.id}`)).json()) as { state: string })
          .state;
      }
      expect(state).toBe('done');
      const out = join(parent, 'export');
      mkdirSync(out);
      const tar = Buffer.from(
        await (await fetch(`${server.url}/api/datasets/exports/${job.id}/download`)).arrayBuffer(),
      );
      expect(spawnSync('tar', ['-x', '-C', out], { input: tar }).status).toBe(0);
      const hdf5 = filesUnder(out).find((f) => f.endsWith('main_data.hdf5'));
      expect(hdf5).toBeDefined();
      const r = spawnSync(
        PYTHON,
        [
          '-c',
          `
import h5py, json, sys
f = h5py.File(sys.argv[1], 'r')
g = f['episode_0']
print(json.dumps({'episodes': len(f.keys()), 'steps': int(g.attrs['total_steps']), 'kind': str(g.attrs['player_kind']),
  'actions': [int(a) for a in g['actions'][()]]}))
`,
          hdf5!,
        ],
        { encoding: 'utf8' },
      );
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ episodes: 1, steps: 120, kind: 'human', actions: game.actions });
    },
  );

  it('refuses a tampered log (actions changed, their checksums made good) and writes nothing', async () => {
    const before = written();
    // Steps 40..60 walk left instead of following the pattern.
    const tampered = reencode(soloGame(8, 120).bytes, (records) =>
      records.map((r) => (r.k === 'tick' && r.t >= 40 && r.t <= 60 ? { ...r, a: [0, 2] } : r)),
    );
    const r = await upload(tampered);
    expect(r.status).toBe(422);
    expect(r.body.error).toBe('mismatch');
    expect(r.body.message).toMatch(/does not replay: hash at t = 100/);
    expect(written()).toEqual(before);
  });

  it('clearly refuses garbage, a cut log, a log not ended, a lobby log, a wrong type, an oversized body', async () => {
    const before = written();
    const whole = soloGame(9, 40).bytes;
    const cases: [string, Uint8Array | string, string, number, string][] = [
      ['garbage', new TextEncoder().encode('hello, relay'), 'application/octet-stream', 400, 'not_a_log'],
      ['cut', whole.subarray(0, whole.length - 5), 'application/octet-stream', 400, 'damaged'],
      [
        'not ended',
        reencode(whole, (rs) => rs.filter((x) => x.k !== 'end')),
        'application/octet-stream',
        422,
        'not_solo',
      ],
      [
        'lobby',
        reencode(whole, (rs) => rs.map((x) => (x.k === 'session' ? { ...x, kind: 'lobby' as const } : x))),
        'application/octet-stream',
        422,
        'not_solo',
      ],
      [
        'second player',
        reencode(whole, (rs) => rs.map((x) => (x.k === 'tick' && x.t === 3 ? { ...x, a: [1, 3] } : x))),
        'application/octet-stream',
        422,
        'not_solo',
      ],
      ['json', JSON.stringify({ log: 'x' }), 'application/json', 415, 'bad_type'],
      ['oversized', new Uint8Array(SOLO_LOG_MAX_BYTES + 1), 'application/octet-stream', 413, 'too_large'],
    ];
    for (const [name, body, type, status, error] of cases) {
      const r = await upload(body, type);
      expect({ name, status: r.status, error: r.body.error }).toEqual({ name, status, error });
      expect(r.body.message, name).toBeTruthy();
      expect(r.body.message, name).not.toContain(parent);
    }
    expect(written()).toEqual(before);
  });

  it('stores a log whose ids are paths under its own name, inside the recordings directory', async () => {
    const hostile = reencode(soloGame(10, 30).bytes, (records) =>
      records.map((r) =>
        r.k === 'session' ? { ...r, sessionId: '../../../escaped', lobbyId: '/tmp/../../escaped' } : r,
      ),
    );
    const r = await upload(hostile);
    expect(r.status).toBe(201);
    expect(r.body.session).toMatch(/^solo-[0-9a-f]{32}$/);
    expect(readdirSync(parent).sort()).toEqual(['data', 'export'].filter((d) => existsSync(join(parent, d))));
    expect(filesUnder(parent).filter((f) => f.includes('escaped'))).toEqual([]);
    expect(recordings()).toContain(`${r.body.session}.aklog`);
    const stored = decodeLog(new Uint8Array(readFileSync(join(dataDir, 'recordings', `${r.body.session}.aklog`))));
    expect(stored.records[0]).toMatchObject({ sessionId: r.body.session, lobbyId: 'solo' });
  });

  it('answers other methods with 405', async () => {
    const r = await fetch(`${server.url}/api/solo-logs`);
    expect(r.status).toBe(405);
  });
});
