/**
 * The README's results section is the manifest's metrics, rendered: regenerate it with
 * `npm run docs -w @aikon/world-model` (the eval does it too) when this fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSimResults, RESULTS_BEGIN, withSimResults } from '../src/node/sim-readme.ts';

const ROOT = join(import.meta.dirname, '../../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'models/manifest.json'), 'utf8')) as {
  simulators: { metrics: { horizons: Record<string, { model: number }> } }[];
};
const readme = readFileSync(join(ROOT, 'packages/world-model/README.md'), 'utf8');

describe('the world-model README', () => {
  it("shows the shipped simulators' figures exactly as the manifest holds them", () => {
    expect(readme).toContain(RESULTS_BEGIN);
    expect(withSimResults(readme, manifest)).toBe(readme);
  });

  it('changes when a figure in the manifest changes', () => {
    const changed = structuredClone(manifest);
    changed.simulators[0].metrics.horizons['16'].model = 12.34;
    expect(renderSimResults(changed)).toContain('**12.34**');
    expect(withSimResults(readme, changed)).not.toBe(readme);
  });
});
