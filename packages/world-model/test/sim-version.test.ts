import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../src/node/export-model.ts';
import { nextVersion } from '../src/node/sim-export.ts';

const MODELS = join(import.meta.dirname, '../../../models');

describe("a retrained simulator's version", () => {
  it('is the next minor of the shipped entry of that name, and 1.0.0 for a new name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aikon-sim-version-'));
    try {
      copyFileSync(join(MODELS, 'manifest.json'), join(dir, 'manifest.json'));
      const shipped = readManifest(dir).simulators!.find((s) => s.name === 'world-sim-small')!.version;
      const [major, minor] = shipped.split('.').map(Number);
      expect(nextVersion(dir, 'world-sim-small')).toBe(`${major}.${minor + 1}.0`);
      expect(nextVersion(dir, 'world-sim-never-trained')).toBe('1.0.0');
      expect(nextVersion(join(dir, 'empty'), 'world-sim-small')).toBe('1.0.0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
