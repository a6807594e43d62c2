import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'check-line-length.mjs');
const dirs: string[] = [];

/** A git repository in a temp directory holding these files, each added to the index or left untracked. */
function repo(files: Record<string, { text: string; tracked: boolean }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'line-length-'));
  dirs.push(dir);
  spawnSync('git', ['init', '-q'], { cwd: dir });
  for (const [path, { text, tracked }] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
    if (tracked) spawnSync('git', ['add', path], { cwd: dir });
  }
  return dir;
}

function check(cwd: string): { status: number | null; stdout: string } {
  const run = spawnSync(process.execPath, [SCRIPT], { cwd, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('check-line-length', () => {
  const long = `const s = '${'x'.repeat(121 - 13)}';`; // 121 characters
  const limit = `const s = '${'x'.repeat(120 - 13)}';`; // 120 characters

  it('reports each line over 120 characters by path and line, new files included, and fails', () => {
    const dir = repo({
      'src/a.ts': { text: `${limit}\n${long}\n`, tracked: true },
      'b.css': { text: `/* ${'y'.repeat(130)} */\n`, tracked: true },
      'new.ts': { text: `${long}\n`, tracked: false },
      '.gitignore': { text: 'ignored.ts\n', tracked: true },
      'ignored.ts': { text: `${long}\n`, tracked: false },
    });
    const { status, stdout } = check(dir);
    expect(status).toBe(1);
    expect(stdout.trim().split('\n').sort()).toEqual([
      '3 line(s) over 120 characters',
      'b.css:1: 136 characters (limit 120)',
      'new.ts:1: 121 characters (limit 120)',
      'src/a.ts:2: 121 characters (limit 120)',
    ]);
  });

  it('passes at 120 characters counted as code points, and skips Markdown, lock files and data', () => {
    const dir = repo({
      'src/a.ts': { text: `${limit}\n// ${'🌲'.repeat(117)}\r\n`, tracked: true },
      'README.md': { text: `${'z'.repeat(300)}\n`, tracked: true },
      'package-lock.json': { text: `{"a": "${'z'.repeat(300)}"}\n`, tracked: true },
      'models/manifest.json': { text: `{"a": "${'z'.repeat(300)}"}\n`, tracked: true },
      'packages/x/test/golden/out.json': { text: `{"a": "${'z'.repeat(300)}"}\n`, tracked: true },
      'deleted.ts': { text: `${long}\n`, tracked: true },
    });
    rmSync(join(dir, 'deleted.ts')); // deleted, the deletion not staged yet
    expect(check(dir)).toEqual({ status: 0, stdout: '' });
  });
});
