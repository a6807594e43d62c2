import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { generateSessions } from '@aikon/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, tempDir } from './helpers.ts';

// Regression for the unauthenticated write outside the data directory (Relay II, #1): a
// dataset id from POST /api/datasets/exports became a directory path in the export's work area.
// The data directory sits inside a parent of its own, so anything written beside it shows.
const parent = tempDir('aikon-traversal-');
const dataDir = join(parent, 'data');
const marker = `PWNED${process.pid}`;
let server: Awaited<ReturnType<typeof startTestServer>>;

function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...allFiles(p));
    else out.push(p);
  }
  return out;
}

/** Every traversal shape the outside walk tried, plus encodings and absolute paths. */
function attacks(): string[] {
  const ids: string[] = [];
  for (let depth = 1; depth <= 12; depth++) ids.push(`${'../'.repeat(depth)}${marker}-v0`);
  const absTarget = join(tmpdir(), `${marker}-abs`);
  ids.push(
    `${'../'.repeat(12)}tmp/x/${marker}-v0`,
    `${absTarget}/${marker}-v0`,
    `/${marker}-v0`,
    `ns/../../../../${marker}-v0`,
    `ns/./../${marker}-v0`,
    `..\\..\\..\\${marker}-v0`,
    `..%2F..%2F..%2F${marker}-v0`,
    `%2e%2e/%2e%2e/${marker}-v0`,
    `....//....//${marker}-v0`,
    `ns//${marker}-v0`,
    `.hidden/${marker}-v0`,
    `.${marker}-v0`,
    `ns/..${marker}-v0`,
    `${marker}\u0000/../x-v0`,
    `~/${marker}-v0`,
  );
  return ids;
}

beforeAll(async () => {
  mkdirSync(dataDir);
  generateSessions({ dataDir, episodes: 2, seed: 5, players: 1, maxSteps: 12 });
  server = await startTestServer({ dataDir });
});

afterAll(async () => {
  await server.close();
  rmSync(parent, { recursive: true, force: true });
  rmSync(join(tmpdir(), `${marker}-abs`), { recursive: true, force: true });
});

describe('dataset export names cannot leave the data directory', () => {
  it('refuses every traversal variant on every format with 400, writes nothing, reveals no server path', async () => {
    const ids = attacks();
    for (const format of ['minari', 'parquet', 'replay']) {
      for (const datasetId of ids) {
        // The JSON escape \u002e is a literal "." once parsed: the same attack spelt another way.
        const bodies = [
          JSON.stringify({ format, datasetId }),
          JSON.stringify({ format, datasetId }).replaceAll('.', '\\u002e'),
        ];
        for (const body of bodies) {
          const r = await fetch(`${server.url}/api/datasets/exports`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          const j = (await r.json()) as { error: string; message: string };
          expect({ datasetId, format, status: r.status, error: j.error }).toEqual({
            datasetId,
            format,
            status: 400,
            error: 'bad_request',
          });
          expect(j.message).not.toContain(resolve(dataDir));
          expect(j.message).not.toContain(parent);
        }
      }
    }
    // Nothing beside the data directory, nothing at the absolute
    // targets, nothing named like the marker anywhere inside.
    expect(readdirSync(parent)).toEqual(['data']);
    expect(existsSync(join(tmpdir(), `${marker}-abs`))).toBe(false);
    expect(existsSync(join('/tmp/x', `${marker}-v0`))).toBe(false);
    expect(allFiles(dataDir).filter((f) => f.includes(marker))).toEqual([]);
  });

  it('still exports under a namespaced id, inside the exports directory, and the archive holds that path', async () => {
    const r = await fetch(`${server.url}/api/datasets/exports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'replay', datasetId: 'aikon/crafter-test-v1' }),
    });
    expect(r.status).toBe(202);
    const job = (await r.json()) as { id: string; name: string };
    expect(job.name).toBe('aikon/crafter-test-v1');
    let state = '';
    for (let i = 0; i < 400 && state !== 'done' && state !== 'failed'; i++) {
      await new Promise((res) => setTimeout(res, 50));
      state = ((await (await fetch(`${server.url}/api/datasets/exports/${job.id}`)).json()) as { state: string }).state;
    }
    expect(state).toBe('done');
    const files = allFiles(parent).map((f) => relative(parent, f));
    expect(files.every((f) => f.startsWith('data/'))).toBe(true);
    const tar = Buffer.from(await (await fetch(`${server.url}/api/datasets/exports/${job.id}/download`)).arrayBuffer());
    // ustar member names: the first one lies under the namespaced dataset directory.
    const first = tar.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const prefix = tar.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    expect((prefix ? `${prefix}/${first}` : first).startsWith('aikon/crafter-test-v1/')).toBe(true);
  });

  it('export ids in URLs are content keys only: traversal in the path is a 404, not a file', async () => {
    for (const path of [
      '/api/datasets/exports/..%2F..%2F..%2Fetc%2Fpasswd/download',
      '/api/datasets/exports/../../../etc/passwd/download',
      `/api/datasets/exports/${'a'.repeat(63)}%2F/download`,
    ]) {
      // fetch normalises a plain `../` path before sending it, so that one reaches the game's
      // page fallback: whatever answers, it is no archive and no file from outside.
      const r = await fetch(`${server.url}${path}`);
      if (path.includes('%2F')) expect(r.status, path).toBe(404);
      expect(r.headers.get('content-type') ?? '').not.toContain('x-tar');
      expect(await r.text()).not.toContain('root:');
    }
  });
});
