import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { decode as decodePng } from 'fast-png';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { ENGINE_VERSION } from '@aikon/engine';
import { replayLog } from '@aikon/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../src/catalog.ts';
import { type ExportManifest, planExport, writeExport } from '../src/export.ts';
import { generateSessions } from '../src/generate.ts';
import { hasH5py, python, referenceFrames, tempDir } from './helpers.ts';

/** Every file under dir, recursively. */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

const dataDir = tempDir();
const outRoot = tempDir('aikon-ds-out-');
const manifests: Record<string, ExportManifest> = {};
let rawIds: string[] = [];

beforeAll(async () => {
  // Session A: slot 0 is "human" (test label) and consents, slot 1 opts out.
  generateSessions({ dataDir, episodes: 4, seed: 11, players: 2, maxSteps: 24, optOutSlots: [1], humanSlots: [0] });
  // Session B: two AI players, everyone consents.
  generateSessions({ dataDir, episodes: 3, seed: 12, players: 2, maxSteps: 30 });
  // Session C: one AI player playing until it dies, respawning once.
  generateSessions({ dataDir, episodes: 2, seed: 13, players: 1 });
  for (const format of ['minari', 'parquet', 'replay'] as const) {
    manifests[format] = await writeExport(dataDir, planExport(dataDir, { format }), join(outRoot, format));
  }
  // Every identifier the logs hold that must not leave the data directory.
  for (const f of readdirSync(join(dataDir, 'recordings'))) {
    const text = readFileSync(join(dataDir, 'recordings', f)).toString('latin1');
    for (const m of text.matchAll(/"(?:pid|lobbyId|sessionId)":"([^"]+)"/g)) rawIds.push(m[1]);
  }
  rawIds = [...new Set(rawIds)];
}, 60_000);

describe('exports carry only consented, pseudonymous data', () => {
  it('never contains a raw pid, lobby id or session id', () => {
    expect(rawIds.length).toBeGreaterThan(4);
    for (const format of ['minari', 'parquet', 'replay']) {
      for (const file of allFiles(join(outRoot, format))) {
        const text = readFileSync(file).toString('latin1');
        for (const id of rawIds) expect(text.includes(id), `${id} in ${file}`).toBe(false);
      }
    }
  });

  it('leaves out the episodes of the player who opted out', () => {
    const sessions = loadCatalog(dataDir);
    const all = sessions.flatMap((s) => s.episodes);
    const consented = all.filter((e) => e.consent);
    expect(all.length).toBeGreaterThan(consented.length);
    expect(manifests.minari.episodes).toBe(consented.length);
    expect(manifests.parquet.episodes).toBe(consented.length);
    // Replay exports whole sessions: only sessions B and C qualify.
    expect(manifests.replay.sessions).toBe(2);
  });
});

describe.skipIf(!hasH5py())('Minari HDF5 read back with h5py', () => {
  it('follows the Minari layout: shapes, dtypes, attributes, T+1 observations, metadata', () => {
    const dir = join(outRoot, 'minari');
    const raw = join(outRoot, 'ep0.raw');
    const r = python(
      `
import h5py, json, re, sys
import numpy as np
d, raw = sys.argv[1], sys.argv[2]
m = json.load(open(d + '/data/metadata.json'))
for k in ['dataset_id', 'total_episodes', 'total_steps', 'data_format',
          'observation_space', 'action_space', 'minari_version']:
    assert k in m, k
assert m['data_format'] == 'hdf5'
assert re.fullmatch(r'(?:[\\w:.-]+/)?[\\w:.-]+?-v\\d+', m['dataset_id']), m['dataset_id']
assert isinstance(m['observation_space'], str) and isinstance(m['action_space'], str)
obs = json.loads(m['observation_space']); act = json.loads(m['action_space'])
assert obs['type'] == 'Box' and obs['dtype'] == 'uint8' and obs['shape'] == [64, 64, 3]
assert np.array(obs['low']).shape == (64, 64, 3) and np.array(obs['high']).min() == 255
assert act == {'type': 'Discrete', 'dtype': 'int64', 'start': 0, 'n': 17}, act
from packaging.specifiers import SpecifierSet
from packaging.version import Version
assert Version('0.5.2') in SpecifierSet(m['minari_version']), m['minari_version']
f = h5py.File(d + '/data/main_data.hdf5', 'r')
keys = sorted(f.keys(), key=lambda k: int(k.split('_')[1]))
assert keys == ['episode_%d' % i for i in range(m['total_episodes'])], keys
total = 0
eps = []
for k in keys:
    g = f[k]
    T = int(g.attrs['total_steps'])
    total += T
    assert int(g.attrs['id']) == int(k.split('_')[1])
    o = g['observations']
    assert o.shape == (T + 1, 64, 64, 3) and o.dtype == np.uint8 and o.compression == 'gzip', (o.shape, o.dtype)
    assert g['actions'].shape == (T,) and g['actions'].dtype == np.int64
    assert g['rewards'].shape == (T,) and g['rewards'].dtype == np.float64
    for fl in ['terminations', 'truncations']:
        assert g[fl].shape == (T,) and g[fl].dtype == np.int8, fl
    assert bool(g['terminations'][-1]) or bool(g['truncations'][-1])
    assert not g['terminations'][:-1].any() and not g['truncations'][:-1].any()
    assert isinstance(g['infos'], h5py.Group)
    infos = {name: ds[()] for name, ds in g['infos'].items()}
    for name, v in infos.items():
        assert v.shape[0] == T + 1, name
    assert infos['inventory'].shape == (T + 1, 16) and infos['semantic'].shape == (T + 1, 7, 9)
    assert (infos['health'] == infos['inventory'][:, 0]).all()
    assert ((g['actions'][()] >= 0) & (g['actions'][()] < 17)).all()
    attrs = {a: (v.item() if hasattr(v, 'item') else v) for a, v in g.attrs.items()}
    attrs['T'] = T
    attrs['reward_sum'] = float(g['rewards'][()].sum())
    attrs['t0'] = int(infos['t'][0])
    attrs['last_terminated'] = int(g['terminations'][-1])
    attrs['last_truncated'] = int(g['truncations'][-1])
    eps.append(attrs)
assert total == m['total_steps']
open(raw, 'wb').write(f['episode_0']['observations'][()].tobytes())
print(json.dumps({'episodes': eps, 'total_steps': total, 'dataset_id': m['dataset_id']}))
`,
      [dir, raw],
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { episodes: Record<string, string | number>[]; total_steps: number };
    expect(out.total_steps).toBe(manifests.minari.steps);
    for (const ep of out.episodes) {
      expect(ep.player).toMatch(/^p-[0-9a-f]{16}$/);
      expect(ep.session).toMatch(/^s-[0-9a-f]{16}$/);
      expect(['human', 'ai']).toContain(ep.player_kind);
      expect(ep.engine_version).toBe(ENGINE_VERSION);
      expect(ep.tick_rate).toBe(8);
      expect(ep.t0).toBe(ep.start_t);
      expect(ep.reward_sum).toBeCloseTo(Number(ep.return), 6);
      expect(typeof ep.seed).toBe('number');
    }
    // Deaths end episodes as terminated; a respawn starts the next one.
    const deaths = out.episodes.filter((e) => e.end_reason === 'death');
    expect(deaths.length).toBeGreaterThanOrEqual(1);
    for (const e of deaths) expect(e.last_terminated).toBe(1);
    for (const e of out.episodes.filter((x) => x.end_reason !== 'death')) expect(e.last_truncated).toBe(1);
    const respawned = out.episodes.find(
      (e) => e.end_reason === 'close' || (e.end_reason === 'death' && Number(e.start_t) > 0),
    );
    expect(respawned).toBeDefined();
    // The stored frames are the frames an independent replay renders.
    const ep0 = out.episodes[0];
    const session = loadCatalog(dataDir).find((s) => s.seed === ep0.seed)!;
    const log = readFileSync(join(dataDir, 'recordings', session.file));
    const ref = referenceFrames(new Uint8Array(log), Number(ep0.slot), Number(ep0.start_t), Number(ep0.T));
    const stored = readFileSync(join(outRoot, 'ep0.raw'));
    expect(ref.length).toBe(Number(ep0.T) + 1);
    expect(stored.length).toBe(ref.length * 64 * 64 * 3);
    for (let i = 0; i < ref.length; i++)
      expect(Buffer.compare(stored.subarray(i * 12288, (i + 1) * 12288), Buffer.from(ref[i]))).toBe(0);
  });

  it('h5dump reads the file', () => {
    const r = python(
      `import subprocess, sys; print(subprocess.run(['h5dump', '-H', sys.argv[1]], ` +
        'capture_output=True, text=True).stdout[:20000])',
      [join(outRoot, 'minari', 'data', 'main_data.hdf5')],
    );
    if (r.stdout.trim() === '') return; // hdf5-tools not installed
    expect(r.stdout).toContain('GROUP "episode_0"');
    expect(r.stdout).toContain('DATASET "observations"');
  });
});

describe('Parquet read back with DuckDB and hyparquet', () => {
  const file = () => join(outRoot, 'parquet', 'data.parquet');

  it('DuckDB: one row per observation, nested types, HF metadata, PNG frames', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const path = file().replace(/'/g, "''");
    const count = (
      await c.runAndReadAll(
        'SELECT count(*)::INTEGER AS n, count(action)::INTEGER AS steps, ' +
          `count(DISTINCT episode_index)::INTEGER AS eps FROM read_parquet('${path}')`,
      )
    ).getRowObjects()[0];
    expect(count.steps).toBe(manifests.parquet.steps);
    expect(count.eps).toBe(manifests.parquet.episodes);
    expect(count.n).toBe(manifests.parquet.steps + manifests.parquet.episodes);
    const types = Object.fromEntries(
      (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`))
        .getRowObjects()
        .map((r) => [r.column_name as string, r.column_type as string]),
    );
    expect(types.observation).toBe('STRUCT(bytes BLOB, path VARCHAR)');
    expect(types.unlocked).toBe('VARCHAR[]');
    expect(types.inventory).toMatch(/^STRUCT\(sapling INTEGER, wood INTEGER/);
    expect(types.action).toBe('BIGINT');
    expect(types.terminated).toBe('BOOLEAN');
    const kv = (
      await c.runAndReadAll(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${path}')`)
    ).getRowObjects();
    const hf = JSON.parse(kv.find((r) => r.k === 'huggingface')!.v as string);
    expect(hf.info.features.observation._type).toBe('Image');
    // Per-episode sums agree with the flags: the last row of each episode has no action.
    const bad = (
      await c.runAndReadAll(
        `SELECT count(*)::INTEGER AS n FROM read_parquet('${path}') WHERE is_last <> (action IS NULL)`,
      )
    ).getRowObjects()[0];
    expect(bad.n).toBe(0);
    c.closeSync();
  });

  it('hyparquet (utf8: false): PNG bytes decode to the rendered frames', async () => {
    const buf = readFileSync(file());
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    const meta = parquetMetadata(ab);
    expect(meta.key_value_metadata?.some((kv) => kv.key === 'huggingface')).toBe(true);
    const rows = (await parquetReadObjects({
      file: ab,
      utf8: false,
      columns: ['episode_index', 'step', 'observation', 'action', 'unlocked', 'inventory', 't', 'player', 'is_last'],
    })) as Record<string, unknown>[];
    const ep0 = rows.filter((r) => Number(r.episode_index) === 0);
    const T = ep0.length - 1;
    expect(ep0.at(-1)!.is_last).toBe(true);
    const obs = ep0[0].observation as { bytes: Uint8Array; path: unknown };
    expect(obs.bytes).toBeInstanceOf(Uint8Array);
    expect(obs.path ?? null).toBeNull();
    // Compare with an independent replay of the same episode.
    const sessions = loadCatalog(dataDir);
    const startT = Number(ep0[0].t);
    const match = sessions
      .flatMap((s) => s.episodes.map((e) => ({ s, e })))
      .find(({ e }) => e.consent && e.startT === startT && e.length === T)!;
    const ref = referenceFrames(
      new Uint8Array(readFileSync(join(dataDir, 'recordings', match.s.file))),
      match.e.slot,
      startT,
      T,
    );
    for (let i = 0; i <= T; i++) {
      const png = decodePng((ep0[i].observation as { bytes: Uint8Array }).bytes);
      expect(png.width).toBe(64);
      expect(png.channels).toBe(3);
      expect(Buffer.compare(Buffer.from(png.data as Uint8Array), Buffer.from(ref[i]))).toBe(0);
    }
  });
});

describe('replay-log export', () => {
  it('re-simulates exactly and carries the engine version', () => {
    const dir = join(outRoot, 'replay');
    const index = JSON.parse(readFileSync(join(dir, 'sessions.json'), 'utf8'));
    expect(index.engineVersions).toEqual([ENGINE_VERSION]);
    for (const s of index.sessions) {
      const bytes = readFileSync(join(dir, s.file));
      expect(bytes.length).toBe(statSync(join(dir, s.file)).size);
      const report = replayLog(new Uint8Array(bytes));
      expect(report.ok).toBe(true);
      expect(report.complete).toBe(true);
      expect(report.hashesChecked).toBeGreaterThan(0);
      expect(report.header.engineVersion).toBe(ENGINE_VERSION);
      expect(report.header.sessionId).toBe(s.session);
      for (const ep of report.episodes) expect(ep.pid).toMatch(/^p-[0-9a-f]{16}$/);
    }
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('CC BY 4.0');
  });
});

describe('datacards', () => {
  it('describe spaces, achievements, counts, licence and loading', () => {
    for (const format of ['minari', 'parquet', 'replay']) {
      const text = readFileSync(join(outRoot, format, 'README.md'), 'utf8');
      expect(text).toContain('Discrete(17)');
      expect(text).toContain('collect_diamond');
      expect(text).toContain('CC BY 4.0');
      expect(text).toMatch(/\| episodes \| \d+/);
    }
    expect(readFileSync(join(outRoot, 'minari', 'README.md'), 'utf8')).toContain('minari.load_dataset');
    expect(readFileSync(join(outRoot, 'parquet', 'README.md'), 'utf8')).toContain('pd.read_parquet');
  });
});

/**
 * Optional: the Python stack researchers use (pyarrow, pandas, Hugging Face `datasets`,
 * gymnasium). Debian has no pyarrow; point AIKON_DATASETS_PYTHON at a Python that has them
 * (e.g. a venv with `pip install pyarrow pandas datasets gymnasium h5py pillow`) to run it.
 */
const richPython = process.env.AIKON_DATASETS_PYTHON;
describe.skipIf(!richPython)('pyarrow, pandas, datasets and gymnasium (AIKON_DATASETS_PYTHON)', () => {
  it('read the exports as researchers would', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = `
import io, json, sys
import numpy as np, pandas as pd, pyarrow.parquet as pq, h5py
from gymnasium import spaces
from datasets import load_dataset
pqf, mdir = sys.argv[1], sys.argv[2]
t = pq.read_table(pqf)
assert json.loads(t.schema.metadata[b'huggingface'])['info']['features']['observation']['_type'] == 'Image'
df = pd.read_parquet(pqf)
steps = df[df.action.notna()]
ds = load_dataset('parquet', data_files=pqf)['train']
assert type(ds.features['observation']).__name__ == 'Image', ds.features['observation']
img = np.asarray(ds[0]['observation'])
assert img.shape == (64, 64, 3) and img.dtype == np.uint8
m = json.load(open(mdir + '/data/metadata.json'))
o = json.loads(m['observation_space']); a = json.loads(m['action_space'])
obs_space = spaces.Box(low=np.array(o['low']), high=np.array(o['high']),
                       shape=tuple(o['shape']), dtype=np.dtype(o['dtype']))
act_space = spaces.Discrete(n=a['n'], start=a['start'])
f = h5py.File(mdir + '/data/main_data.hdf5', 'r')
for k in f:
    g = f[k]
    assert all(obs_space.contains(x) for x in g['observations'][()])
    assert all(act_space.contains(int(x)) for x in g['actions'][()])
print(json.dumps({'rows': len(df), 'steps': len(steps), 'hf_rows': len(ds)}))
`;
    const r = spawnSync(
      richPython!,
      ['-c', script, join(outRoot, 'parquet', 'data.parquet'), join(outRoot, 'minari')],
      {
        encoding: 'utf8',
        env: { ...process.env, HF_DATASETS_OFFLINE: '1', HF_HUB_OFFLINE: '1', HF_HOME: join(outRoot, 'hf-home') },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out.steps).toBe(manifests.parquet.steps);
    expect(out.hf_rows).toBe(out.rows);
  });
});
