import { describe, expect, it } from 'vitest';
import { Action, Rng } from '@aikon/engine';
import { decodeObservation, FRAME_TOKENS, tokenize } from '@aikon/world-model';
import { SoloCore } from '../src/game/solo-core.ts';
import { DreamFrameBuilder, shiftAgreement, tokensFromFrame } from '../src/dream/dream-frame.ts';

describe('dream frames', () => {
  it('tokens from a game frame equal the world model tokenizer on the real World', () => {
    const core = new SoloCore(11);
    const rng = new Rng(5);
    for (let i = 0; i < 300; i++) {
      core.press(rng.int(17));
      core.tick(i);
      if (core.world.over) break;
      if (i % 10 === 0) expect(Array.from(tokensFromFrame(core.frame()))).toEqual(Array.from(tokenize(core.world, 0)));
    }
  });

  it('draws a prediction at the dead-reckoned position, HUD from the predicted inventory', () => {
    const core = new SoloCore(3);
    const real = core.frame();
    const b = new DreamFrameBuilder(real);
    const me = real.players[0];
    // The "model" predicts exactly what the real engine shows after moving right.
    const moved = new SoloCore(3);
    moved.world.step([Action.move_right]);
    const truth = tokenize(moved.world, 0);
    const obs = decodeObservation(truth);
    const inventory = Array.from(obs.inventory);
    inventory[5] = 7; // a dreamt sapling count
    const f = b.apply(
      {
        step: 1,
        view: Array.from(obs.view),
        facing: obs.facing,
        sleeping: false,
        inventory,
        daylightBucket: obs.daylightBucket,
        tokens: Array.from(truth),
        reward: 0,
        doneProbability: 0,
      },
      Action.move_right,
      { shard: 'browser', backend: 'test', ms: 3 },
    );
    const moves = moved.world.player(0).x !== me.x;
    expect(f.players[0].x).toBe(moves ? me.x + 1 : me.x);
    expect(f.players[0].inventory[5]).toBe(7);
    expect(f.dream?.step).toBe(1);
    expect(f.t).toBe(real.t + 1);
    expect(Array.from(tokensFromFrame(f)).slice(0, 63)).toEqual(Array.from(truth).slice(0, 63));
    expect(tokensFromFrame(f)).toHaveLength(FRAME_TOKENS);
    expect(shiftAgreement(obs.view, obs.view, 0, 0)).toBe(1);
  });
});
