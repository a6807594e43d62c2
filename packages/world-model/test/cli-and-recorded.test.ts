/**
 * The world-model command lines' one argument parser, and recorded play read back through the
 * datasets pipeline as world-model episodes (real sessions recorded by the relay's recorder).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSessions } from '@aikon/datasets';
import { OBJECT_ID_OFFSET, ObjectKind } from '@aikon/engine';
import { CliError, cliUsage, parseCliArgs } from '../src/node/cli.ts';
import { loadDataset } from '../src/node/episode-files.ts';
import { readRecordedEpisodes } from '../src/node/recorded.ts';

describe('world-model command lines: one argument parser', () => {
  const options = {
    data: { type: 'string', help: 'episodes' },
    config: { type: 'string', default: 'small', choices: ['tiny', 'small'], help: 'size' },
    steps: { type: 'number', integer: true, min: 1, help: 'steps' },
    lr: { type: 'number', default: 0.001, help: 'learning rate' },
    resume: { type: 'boolean', help: 'continue' },
  } as const;

  it('types values, applies defaults and refuses what it does not know', () => {
    const v = parseCliArgs(options, ['--data', 'd', '--steps', '20', '--resume']);
    expect(v).toEqual({ data: 'd', config: 'small', steps: 20, lr: 0.001, resume: true });
    expect(parseCliArgs(options, [])).toEqual({
      data: undefined,
      config: 'small',
      steps: undefined,
      lr: 0.001,
      resume: false,
    });
    expect(() => parseCliArgs(options, ['--stpes', '3'])).toThrow(CliError);
    expect(() => parseCliArgs(options, ['--steps', 'many'])).toThrow(/--steps must be a number/);
    expect(() => parseCliArgs(options, ['--steps', '2.5'])).toThrow(/integer/);
    expect(() => parseCliArgs(options, ['--steps', '0'])).toThrow(/at least 1/);
    expect(() => parseCliArgs(options, ['--config', 'huge'])).toThrow(/tiny, small/);
    expect(() => parseCliArgs(options, ['stray'])).toThrow(CliError);
    expect(cliUsage('train', options)).toMatch(/--config tiny\|small +size \(default small\)/);
  });
});

describe('recorded play through the datasets pipeline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aikon-wm-recorded-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('recorded episodes (AI and human) become valid episodes whose positions and events agree with rewards', () => {
    generateSessions({ dataDir: dir, episodes: 2, sessions: 1, players: 2, seed: 11, maxSteps: 60, humanSlots: [1] });
    const r = readRecordedEpisodes(dir);
    expect(r.sessions).toBe(1);
    expect(new Set(r.episodes.map((e) => e.source))).toEqual(new Set(['recorded-ai', 'recorded-human']));
    expect(r.steps.ai + r.steps.human).toBe(r.episodes.reduce((n, e) => n + e.actions.length, 0));
    for (const e of r.episodes) {
      const T = e.actions.length;
      expect(T).toBeGreaterThan(0);
      expect(e.position).toHaveLength(T + 1);
      expect(e.events).toHaveLength(T);
      for (let t = 0; t <= T; t++) {
        // the player at the centre
        if (e.inventory[t][0] > 0) expect(e.view[t][3 * 9 + 4]).toBe(OBJECT_ID_OFFSET + ObjectKind.player);
        if (t < T)
          expect(
            Math.abs(e.position![t + 1][0] - e.position![t][0]) + Math.abs(e.position![t + 1][1] - e.position![t][1]),
          ).toBeLessThanOrEqual(1);
      }
      const seen = new Set<number>();
      for (let t = 0; t < T; t++) {
        const firsts = e.events![t].filter((a) => !seen.has(a));
        for (const a of e.events![t]) seen.add(a);
        const healthChange = 0.1 * (e.inventory[t + 1][0] - e.inventory[t][0]);
        expect(e.rewards[t]).toBeCloseTo(new Set(firsts).size + healthChange, 5);
      }
    }
    mkdirSync(join(dir, 'no-files'));
    const data = loadDataset(join(dir, 'no-files'), 0.5, r.episodes);
    expect(data.train.length + data.validation.length).toBe(r.episodes.length);
    expect(data.train[0]?.positions ?? data.validation[0].positions).toBeDefined();
  });
});
