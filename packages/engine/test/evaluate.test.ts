import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACHIEVEMENTS, bootstrapScore, crafterScore, randomEpisode, summarize } from '../src/index.ts';

const engineDir = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

describe('random-agent evaluation', () => {
  it('is deterministic per seed and episode index', () => {
    const a = randomEpisode(5, 3);
    const b = randomEpisode(5, 3);
    expect(a.length).toBe(b.length);
    expect(a.return).toBe(b.return);
    expect(Array.from(a.achievements)).toEqual(Array.from(b.achievements));
    expect(a.length).toBeGreaterThan(0);
  });

  it('summarizes success rates and the Crafter score (§16)', () => {
    const none = new Array(22).fill(0);
    const wood = none.slice();
    wood[ACHIEVEMENTS.indexOf('collect_wood')] = 3;
    const s = summarize([
      { length: 10, return: 1, achievements: wood },
      { length: 30, return: 0, achievements: none },
    ]);
    expect(s.episodes).toBe(2);
    expect(s.successRates.collect_wood).toBe(50);
    expect(s.successRates.collect_coal).toBe(0);
    expect(s.meanLength).toBe(20);
    expect(s.meanReturn).toBe(0.5);
    expect(s.score).toBeCloseTo(Math.exp(Math.log(51) / 22) - 1, 12);
    expect(crafterScore(new Array(22).fill(100))).toBeCloseTo(100, 9);
    expect(() => summarize([])).toThrow(/zero episodes/);
  });

  it('the CLI prints one JSON object with the shared summary shape', () => {
    const out = execFileSync(tsx, ['cli/eval-random.ts', '--episodes', '30', '--seed', '4', '--json'], {
      cwd: engineDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const summary = JSON.parse(out.trim());
    expect(summary.episodes).toBe(30);
    expect(Object.keys(summary.successRates)).toEqual([...ACHIEVEMENTS]);
    expect(summary.score).toBeGreaterThan(0);
    expect(summary.meanLength).toBeGreaterThan(0);
    expect(typeof summary.meanReturn).toBe('number');
  });

  it('the CLI refuses bad arguments with a clear message', () => {
    const r = spawnSync(tsx, ['cli/eval-random.ts', '--episodes', 'many'], { cwd: engineDir, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--episodes must be a positive integer/);
    const unknown = spawnSync(tsx, ['cli/eval-random.ts', '--bogus'], { cwd: engineDir, encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/bogus/);
  });
});

describe('bootstrap interval of the Crafter score', () => {
  const none = new Array(22).fill(0);
  const wood = none.slice();
  wood[ACHIEVEMENTS.indexOf('collect_wood')] = 1;
  it('collapses to the score when every episode is the same', () => {
    const same = Array.from({ length: 20 }, () => ({ length: 1, return: 0, achievements: wood }));
    const ci = bootstrapScore(same, { rounds: 200 });
    expect(ci.low).toBeCloseTo(summarize(same).score, 10);
    expect(ci.high).toBeCloseTo(summarize(same).score, 10);
    expect(ci.level).toBe(95);
  });
  it('brackets the score of mixed episodes, reproducibly, and narrows with more episodes', () => {
    const mixed = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ length: 1, return: 0, achievements: i % 2 ? wood : none }));
    const s = summarize(mixed(40)).score;
    const a = bootstrapScore(mixed(40));
    expect(a.low).toBeLessThan(s);
    expect(a.high).toBeGreaterThan(s);
    expect(bootstrapScore(mixed(40))).toEqual(a);
    const b = bootstrapScore(mixed(400));
    expect(b.high - b.low).toBeLessThan((a.high - a.low) / 2);
  });
});
