import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSessions, type PolicySource } from '@aikon/datasets';
import { FRAME_TOKENS, tokenize } from '@aikon/world-model';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDemos, workforcePolicy } from '../../src/policy/node/demos.ts';

describe('demonstrations through the datasets pipeline', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aikon-demos-test-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reads back, from the recorded log, exactly the frames and actions the workforce saw and chose', () => {
    const workforce = workforcePolicy('fair');
    const seen: Int32Array[] = [];
    const chosen: number[] = [];
    // The same workforce, watched: what it sees (tokens of its fair view) and what it does.
    const watched: PolicySource = {
      name: 'watched',
      create(world, slot) {
        const inner = workforce.create(world, slot);
        return {
          act(w) {
            seen.push(tokenize(w, slot));
            const a = inner.act(w);
            chosen.push(a);
            return a;
          },
        };
      },
    };
    const [session] = generateSessions({
      dataDir,
      episodes: 1,
      sessions: 1,
      players: 1,
      seed: 11,
      maxSteps: 120,
      policy: watched,
    });
    const demos = loadDemos(dataDir, { sessions: [session.sessionId], human: true });
    expect(demos.steps).toEqual({ ai: 120, human: 0 });
    expect(demos.episodes).toEqual({ ai: 1, human: 0 });
    expect(demos.sessions).toEqual([session.sessionId]);
    expect(Array.from(demos.actions)).toEqual(chosen);
    // The workforce does more than wander: it collects something within 120 steps.
    expect(new Set(chosen).size).toBeGreaterThan(3);
    for (let t = 0; t < 120; t++)
      expect(Array.from(demos.frames.subarray(t * FRAME_TOKENS, (t + 1) * FRAME_TOKENS))).toEqual(Array.from(seen[t]));
    expect(demos.episodeStart.every((s) => s === 0)).toBe(true);
  });
});
