import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { decodeLog } from '@aikon/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ExportManifest, planExport, writeExport } from '../src/export.ts';
import { generateSessions, type PolicySource } from '../src/generate.ts';
import { hasH5py, python, tempDir } from './helpers.ts';

/**
 * Which brain chose each action travels from the recording's tick records (`b`) into every
 * export. The AI player's brain alternates with the tick's parity (learned on even ticks), so
 * an independent reader can check each row against its own `t`; slot 0 is a "human" (no brain).
 */
const alternating: PolicySource = {
  name: 'alternating-brains',
  create() {
    let brain: 'scripted' | 'learned' = 'scripted';
    return {
      act(world) {
        brain = world.t % 2 === 0 ? 'learned' : 'scripted';
        return 1 + (world.t % 4);
      },
      get brain() {
        return brain;
      },
    };
  },
};

const dataDir = tempDir();
const outRoot = tempDir('aikon-ds-brain-');
const manifests: Record<string, ExportManifest> = {};

beforeAll(async () => {
  generateSessions({ dataDir, episodes: 3, seed: 21, players: 2, maxSteps: 30, humanSlots: [0], policy: alternating });
  for (const format of ['minari', 'parquet', 'replay'] as const)
    manifests[format] = await writeExport(dataDir, planExport(dataDir, { format }), join(outRoot, format));
}, 60_000);

describe('exports say which brain chose each action', () => {
  it("replay logs keep the tick records' brains", () => {
    const dir = join(outRoot, 'replay');
    const logs = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.aklog'));
    expect(logs.length).toBe(1);
    const records = decodeLog(new Uint8Array(readFileSync(join(dir, logs[0])))).records;
    const ticks = records.filter((r) => r.k === 'tick');
    expect(ticks.length).toBeGreaterThan(30);
    // Only the AI seat (slot 1) has a brain: learned (1) before even ticks, scripted (0) before odd ones.
    for (const r of ticks) expect(r.b).toEqual([1, (r.t - 1) % 2 === 0 ? 1 : 0]);
  });

  it.skipIf(!hasH5py())("Minari: infos/brain read back with h5py matches each step's tick", () => {
    const r = python(
      `
import h5py, sys, json
f = h5py.File(sys.argv[1] + '/data/main_data.hdf5', 'r')
out = []
for name in f:
    g = f[name]
    b = g['infos']['brain'][:]
    t = g['infos']['t'][:]
    out.append({'kind': g.attrs['player_kind'], 'names': g.attrs['brain_names'], 'dtype': str(b.dtype),
                'brain': b.tolist(), 't': t.tolist(), 'steps': int(g.attrs['total_steps'])})
print(json.dumps(out))
`,
      [join(outRoot, 'minari')],
    );
    expect(r.status, r.stderr).toBe(0);
    const eps = JSON.parse(r.stdout) as {
      kind: string;
      names: string;
      dtype: string;
      brain: number[];
      t: number[];
      steps: number;
    }[];
    expect(eps.length).toBe(manifests.minari.episodes);
    expect(new Set(eps.map((e) => e.kind))).toEqual(new Set(['human', 'ai']));
    for (const e of eps) {
      expect(e.dtype).toBe('int8');
      expect(e.names).toBe('scripted,learned');
      expect(e.brain).toHaveLength(e.steps + 1);
      const want = e.t.map((t, i) => (i === e.steps || e.kind === 'human' ? -1 : t % 2 === 0 ? 1 : 0));
      expect(e.brain).toEqual(want);
    }
  });

  it("Parquet: the brain column read back with DuckDB matches each row's tick", async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const path = join(outRoot, 'parquet', 'data.parquet').replace(/'/g, "''");
    const rows = (
      await c.runAndReadAll(`SELECT player_kind, t::INTEGER AS t, is_last, brain FROM read_parquet('${path}')`)
    ).getRowObjects();
    c.closeSync();
    expect(rows.length).toBe(manifests.parquet.steps + manifests.parquet.episodes);
    let learned = 0;
    for (const row of rows) {
      const want =
        row.is_last || row.player_kind === 'human' ? null : (row.t as number) % 2 === 0 ? 'learned' : 'scripted';
      expect(row.brain).toBe(want);
      if (row.brain === 'learned') learned++;
    }
    expect(learned).toBeGreaterThan(10);
  });
});
