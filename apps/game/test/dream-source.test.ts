import { describe, expect, it } from 'vitest';
import { Action } from '@aikon/engine';
import { decodeObservation } from '@aikon/world-model';
import { SoloCore } from '../src/game/solo-core.ts';
import type { GameFrame } from '../src/game/protocol.ts';
import type { GameSource } from '../src/game/source.ts';
import { DreamSource } from '../src/dream/dream-source.ts';
import { tokensFromFrame, type DreamGameFrame } from '../src/dream/dream-frame.ts';
import type { ShardClient } from '../src/dream/shards.ts';

/** A shard that "predicts" the frame it was reset with, recording the actions it gets. */
class EchoShard implements ShardClient {
  readonly kind = 'server' as const;
  backend = 'echo';
  frames: number[][] = [];
  actions: (number | null)[] = [];
  disposed = false;
  async reset(frames: number[][]): Promise<void> {
    this.frames = frames;
  }
  async step(action: number | null) {
    this.actions.push(action);
    const tokens = this.frames[this.frames.length - 1];
    const o = decodeObservation(tokens);
    return {
      step: this.actions.length,
      tokens,
      view: Array.from(o.view),
      facing: o.facing,
      sleeping: o.sleeping,
      inventory: Array.from(o.inventory),
      daylightBucket: o.daylightBucket,
      reward: 0,
      doneProbability: 0,
      ms: 1,
    };
  }
  dispose(): void {
    this.disposed = true;
  }
}

function fakeReal(kind: 'solo' | 'network'): GameSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    kind,
    pausable: kind === 'network' ? false : undefined,
    calls,
    onFrame: null,
    onError: null,
    start: () => calls.push('start'),
    press: () => calls.push('press'),
    hold: () => calls.push('hold'),
    setTickRate: () => calls.push('rate'),
    setPaused: () => calls.push('pause'),
    setAgentView: () => calls.push('agentView'),
    script: async () => ({ hash: 'x', t: 0 }),
    hash: async () => ({ hash: 'real', t: 5 }),
    dispose: () => calls.push('dispose'),
  };
}

describe('DreamSource', () => {
  it('seeds the shard with real frames, steps with the tick action, stops; the real source is untouched', async () => {
    const core = new SoloCore(9);
    const history: GameFrame[] = [core.frame()];
    core.tick(0);
    history.push(core.frame());
    const real = fakeReal('network');
    const shard = new EchoShard();
    const dream = new DreamSource(real, shard, 15);
    expect(dream.kind).toBe('network');
    expect(dream.pausable).toBe(false);
    const frames: DreamGameFrame[] = [];
    dream.onFrame = (f) => frames.push(f as DreamGameFrame);
    await dream.begin(history, 1);
    expect(shard.frames).toEqual(history.map((f) => Array.from(tokensFromFrame(f))));
    expect(frames[0].dream?.step).toBe(0);
    dream.hold(Action.move_left);
    dream.press(Action.do);
    await new Promise((r) => setTimeout(r, 250));
    expect(shard.actions[0]).toBe(Action.do); // a press wins the tick, then the held key repeats
    expect(shard.actions[1]).toBe(Action.move_left);
    expect(frames.at(-1)!.dream!.step).toBe(shard.actions.length);
    expect(await dream.hash()).toEqual({ hash: 'real', t: 5 });
    dream.stop();
    const n = shard.actions.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(shard.actions.length).toBe(n);
    expect(shard.disposed).toBe(true);
    expect(real.calls).not.toContain('dispose');
  });

  it('split view: a copy of the real world steps with the same actions beside the dream', async () => {
    const core = new SoloCore(4);
    const real = fakeReal('solo');
    const dream = new DreamSource(real, new EchoShard(), 15);
    dream.shadow = SoloCore.newWorld(4);
    const frames: DreamGameFrame[] = [];
    dream.onFrame = (f) => frames.push(f as DreamGameFrame);
    await dream.begin([core.frame()]);
    await new Promise((r) => setTimeout(r, 200));
    dream.stop();
    const last = frames.at(-1)!.dream!;
    expect(last.step).toBeGreaterThan(0);
    expect(dream.shadow!.t).toBe(last.step);
    expect(last.real).toHaveLength(81);
    expect(last.agreement).toBeGreaterThan(0.5); // noop: the echoed start frame still looks like reality
  });

  it('paused dreams do not step; a dropped dream source takes the real one with it', async () => {
    const core = new SoloCore(2);
    const real = fakeReal('solo');
    const shard = new EchoShard();
    const dream = new DreamSource(real, shard, 15);
    await dream.begin([core.frame()]);
    dream.setPaused(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(shard.actions).toEqual([]);
    dream.dispose();
    expect(real.calls).toContain('dispose');
  });
});
