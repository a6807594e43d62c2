import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifest } from '@aikon/world-model';
import { afterAll, describe, expect, it } from 'vitest';
import { LOOP_NAMES } from '../../src/loop/config.ts';
import { readRoundState, runLoop } from '../../src/loop/loop.ts';

const REPO_MODELS = fileURLToPath(new URL('../../../../models', import.meta.url));
const hashOf = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('the training loop, --quick', () => {
  const base = mkdtempSync(join(tmpdir(), 'aikon-loop-test-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const options = (log: (line: string) => void) => ({
    iterations: 1,
    quick: true,
    dataDir: join(base, 'data'),
    runDir: join(base, 'run'),
    modelsDir: join(base, 'models'),
    progress: false,
    log,
  });
  const repoManifest = hashOf(join(REPO_MODELS, 'manifest.json'));

  it('records, trains simulator and policy (losses fall); BC beats random on the same held-out worlds', async () => {
    const lines: string[] = [];
    const [round] = await runLoop(options((l) => lines.push(l)));
    const state = readRoundState(join(base, 'run'), 1)!;
    // Every stage ran and wrote its output.
    expect(state.record!.sessions.length).toBe(6);
    expect(state.worldModel!.heldOutEpisodes).toBeGreaterThan(0);
    expect(state.bc!.dataSteps.ai).toBe(state.record!.steps);
    expect(state.imagination!.imaginedSteps).toBeGreaterThan(0);
    // Losses fall (mean of the first tenth of the curve vs the last tenth).
    expect(state.worldModel!.loss.last).toBeLessThan(0.6 * state.worldModel!.loss.first);
    expect(state.bc!.loss.last).toBeLessThan(0.5 * state.bc!.loss.first);
    // The simulator predicts held-out recorded play better than chance (19 tile kinds).
    expect(state.worldModel!.viewAccuracy['1']).toBeGreaterThan(50);
    // BC beats the uniformly random agent on the same 30 evaluation worlds.
    const bc = state.evaluation!.policies.find((p) => p.name === LOOP_NAMES.bc)!;
    expect(bc.score).toBeGreaterThan(state.evaluation!.random.score);
    expect(bc.meanReturn).toBeGreaterThan(state.evaluation!.random.meanReturn);
    // Nothing to beat in an empty models directory: the best policy and
    // the simulator are registered, and the round is in the history.
    const manifest = parseManifest(JSON.parse(readFileSync(join(base, 'models', 'manifest.json'), 'utf8')));
    expect(manifest.models.map((m) => m.name)).toEqual([LOOP_NAMES.registered]);
    expect(manifest.simulators!.map((m) => m.name)).toEqual([LOOP_NAMES.sim]);
    expect(manifest.history).toHaveLength(1);
    expect(manifest.history![0]).toMatchObject({
      round: 1,
      quick: true,
      registered: [LOOP_NAMES.registered, LOOP_NAMES.sim],
    });
    expect(round.policies.map((p) => p.name)).toEqual([LOOP_NAMES.bc, LOOP_NAMES.imagination]);
    // Both candidates read the memory map (the imagination stage dreamed with it).
    const candidates = parseManifest(
      JSON.parse(readFileSync(join(base, 'run', 'round-1', 'models', 'manifest.json'), 'utf8')),
    );
    for (const name of [LOOP_NAMES.bc, LOOP_NAMES.imagination])
      expect(candidates.models.find((m) => m.name === name)!.io.inputs.map((i) => i.name)).toContain('memory');
    expect(Object.keys(round.seconds)).toEqual([
      'record',
      'worldModel',
      'bc',
      'imagination',
      'evaluation',
      'registration',
    ]);
    // The repository's models/ is never written.
    expect(hashOf(join(REPO_MODELS, 'manifest.json'))).toBe(repoManifest);
  }, 240_000);

  it('resumes: a rerun skips finished stages, redoes only missing ones, writes no second history record', async () => {
    const path = join(base, 'run', 'round-1', 'state.json');
    const state = JSON.parse(readFileSync(path, 'utf8'));
    const recorded = state.record.sessions;
    delete state.evaluation;
    delete state.registration;
    writeFileSync(path, JSON.stringify(state));
    const lines: string[] = [];
    await runLoop(options((l) => lines.push(l)));
    expect(
      lines.some(
        (l) =>
          l.includes('record:') || l.includes('world simulator:') || l.includes('bc:') || l.includes('imagination:'),
      ),
    ).toBe(false);
    expect(lines.some((l) => l.includes('evaluation (30 episodes'))).toBe(true);
    const after = readRoundState(join(base, 'run'), 1)!;
    expect(after.record!.sessions).toEqual(recorded);
    expect(after.registration).toBeDefined();
    const manifest = parseManifest(JSON.parse(readFileSync(join(base, 'models', 'manifest.json'), 'utf8')));
    expect(manifest.history).toHaveLength(1);
    // Now the registered loop-policy is the one to beat; the same candidates do not beat themselves.
    expect(after.evaluation!.incumbent?.name).toBe(LOOP_NAMES.registered);
    // A finished round is not run again.
    const again: string[] = [];
    await runLoop(options((l) => again.push(l)));
    expect(again).toEqual([expect.stringContaining('round 1: finished earlier')]);
  }, 120_000);
});
