import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatasetApi, type DatasetApiHandler } from '../src/api.ts';
import { generateSessions } from '../src/generate.ts';
import { tempDir } from './helpers.ts';

const dataDir = tempDir();
let server: Server;
let api: DatasetApiHandler;
let base = '';

/** Names of the files in an uncompressed ustar archive. */
function tarNames(buf: Buffer): string[] {
  const names: string[] = [];
  let off = 0;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const prefix = h.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(h.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim(), 8);
    names.push(prefix ? `${prefix}/${name}` : name);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

async function waitDone(id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 600; i++) {
    const r = await fetch(`${base}/api/datasets/exports/${id}`);
    const j = (await r.json()) as Record<string, unknown>;
    if (j.state === 'done' || j.state === 'failed') return j;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('export did not finish');
}

beforeAll(async () => {
  generateSessions({ dataDir, episodes: 4, seed: 21, players: 2, maxSteps: 20, humanSlots: [1] });
  api = createDatasetApi({ dataDir });
  server = createServer((req, res) =>
    api(req, res, () => {
      res.writeHead(418);
      res.end('next');
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await api.close();
  await new Promise((r) => server.close(r));
});

describe('dataset HTTP API', () => {
  it('summarises and lists episodes with filters and statistics', async () => {
    const sum = (await (await fetch(`${base}/api/datasets`)).json()) as {
      stats: { episodes: number; human: number; ai: number };
      formats: string[];
    };
    expect(sum.stats.episodes).toBe(4);
    expect(sum.stats.human).toBe(2);
    expect(sum.formats).toEqual(['minari', 'parquet', 'replay']);
    const ai = (await (await fetch(`${base}/api/datasets/episodes?kind=ai&minLength=5`)).json()) as {
      total: number;
      episodes: { kind: string; length: number }[];
    };
    expect(ai.total).toBe(2);
    expect(ai.episodes.every((e) => e.kind === 'ai' && e.length >= 5)).toBe(true);
    const none = (await (await fetch(`${base}/api/datasets/episodes?from=2999-01-01`)).json()) as { total: number };
    expect(none.total).toBe(0);
    const page = (await (await fetch(`${base}/api/datasets/episodes?pageSize=1&offset=1`)).json()) as {
      total: number;
      episodes: unknown[];
    };
    expect(page.total).toBe(4);
    expect(page.episodes.length).toBe(1);
    const sessions = (await (await fetch(`${base}/api/datasets/sessions`)).json()) as {
      sessions: { verified: boolean }[];
    };
    expect(sessions.sessions.length).toBe(1);
    expect(sessions.sessions[0].verified).toBe(true);
  });

  it('refuses unknown or malformed filters with 400 and a clear message', async () => {
    const r1 = await fetch(`${base}/api/datasets/episodes?colour=red`);
    expect(r1.status).toBe(400);
    expect(((await r1.json()) as { message: string }).message).toMatch(/unknown filter "colour"/);
    const r2 = await fetch(`${base}/api/datasets/episodes?achievements=collect_gold`);
    expect(r2.status).toBe(400);
    const r3 = await fetch(`${base}/api/datasets/episodes?minLength=abc`);
    expect(r3.status).toBe(400);
    const r4 = await fetch(`${base}/api/datasets/episodes?from=yesterday`);
    expect(r4.status).toBe(400);
  });

  it('runs an export job in a worker, reports progress, serves it with Range, caches it by content', async () => {
    const post = () =>
      fetch(`${base}/api/datasets/exports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ format: 'parquet', filter: { kind: 'human' } }),
      });
    const r = await post();
    expect(r.status).toBe(202);
    const job = (await r.json()) as { id: string; state: string; progress: { total: number } };
    expect(job.id).toMatch(/^[0-9a-f]{64}$/);
    const done = await waitDone(job.id);
    expect(done.state).toBe('done');
    expect((done.progress as { fraction: number }).fraction).toBe(1);
    const dl = await fetch(`${base}/api/datasets/exports/${job.id}/download`);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('accept-ranges')).toBe('bytes');
    const whole = Buffer.from(await dl.arrayBuffer());
    expect(Number(dl.headers.get('content-length'))).toBe(whole.length);
    const names = tarNames(whole);
    expect(names.some((n) => n.endsWith('/data.parquet'))).toBe(true);
    expect(names.some((n) => n.endsWith('/README.md'))).toBe(true);
    // Range requests.
    const part = await fetch(`${base}/api/datasets/exports/${job.id}/download`, {
      headers: { range: 'bytes=100-1123' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-1123/${whole.length}`);
    expect(Buffer.compare(Buffer.from(await part.arrayBuffer()), whole.subarray(100, 1124))).toBe(0);
    const tail = await fetch(`${base}/api/datasets/exports/${job.id}/download`, { headers: { range: 'bytes=-512' } });
    expect(tail.status).toBe(206);
    expect(Buffer.compare(Buffer.from(await tail.arrayBuffer()), whole.subarray(whole.length - 512))).toBe(0);
    const bad = await fetch(`${base}/api/datasets/exports/${job.id}/download`, {
      headers: { range: `bytes=${whole.length + 10}-` },
    });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe(`bytes */${whole.length}`);
    // Same request again: the same content key, answered from the cache at once.
    const again = await post();
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string; state: string }).id).toBe(job.id);
  });

  it('exports Minari through a worker as <dataset id>/data/... ready for ~/.minari/datasets', async () => {
    const r = await fetch(`${base}/api/datasets/exports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'minari', filter: { kind: 'ai' }, datasetId: 'aikon-crafter-test-v1' }),
    });
    expect(r.status).toBe(202);
    const job = (await r.json()) as { id: string };
    const done = await waitDone(job.id);
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('done');
    const tar = Buffer.from(await (await fetch(`${base}/api/datasets/exports/${job.id}/download`)).arrayBuffer());
    expect(tarNames(tar).sort()).toEqual([
      'aikon-crafter-test-v1/README.md',
      'aikon-crafter-test-v1/data/main_data.hdf5',
      'aikon-crafter-test-v1/data/metadata.json',
    ]);
    const list = (await (await fetch(`${base}/api/datasets/exports`)).json()) as { jobs: { id: string }[] };
    expect(list.jobs.map((j) => j.id)).toContain(job.id);
  });

  it('answers an export of nothing, bad bodies and unknown jobs clearly', async () => {
    const empty = await fetch(`${base}/api/datasets/exports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'minari', filter: { minReturn: 1000 } }),
    });
    expect(empty.status).toBe(422);
    expect(((await empty.json()) as { message: string }).message).toMatch(/nothing to export/);
    const badFormat = await fetch(`${base}/api/datasets/exports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'csv' }),
    });
    expect(badFormat.status).toBe(400);
    const notJson = await fetch(`${base}/api/datasets/exports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"format":',
    });
    expect(notJson.status).toBe(400);
    const extra = await fetch(`${base}/api/datasets/exports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'minari', out: '/etc' }),
    });
    expect(extra.status).toBe(400);
    const missing = await fetch(`${base}/api/datasets/exports/${'0'.repeat(64)}/download`);
    expect(missing.status).toBe(404);
    const tricks = [
      '/api/datasets/exports/..%2F..%2F..%2Fetc%2Fpasswd/download',
      '/api/datasets/exports/../../secret.key/download',
      `/api/datasets/exports/${'0'.repeat(63)}%00/download`,
      '/api/datasets/episodes?sessions=..%2F..%2Fetc',
    ];
    for (const t of tricks) {
      const r = await fetch(`${base}${t}`);
      // A dot-segment path is normalized by the URL parser and leaves the API prefix (next()).
      expect([400, 404, 418]).toContain(r.status);
      const body = await r.text();
      expect(body).not.toContain('root:');
    }
    const method = await fetch(`${base}/api/datasets/episodes`, { method: 'DELETE' });
    expect(method.status).toBe(405);
    const other = await fetch(`${base}/somewhere/else`);
    expect(other.status).toBe(418); // passed to next()
  });
});
