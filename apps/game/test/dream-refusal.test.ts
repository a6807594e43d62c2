import { describe, expect, it } from 'vitest';
import { SoloCore } from '../src/game/solo-core.ts';
import { dreamRefusal, DYING_HEALTH } from '../src/dream/dream-store.ts';

/** G while dead or dying is refused (issue 15 #3: a dream began with Health 0 and ran 150 steps). */
describe('who may dream', () => {
  const frameWithHealth = (health: number) => {
    const core = new SoloCore(7);
    core.world.players[0].inventory[0] = health;
    if (health === 0) core.world.players[0].dead = true;
    return core.frame();
  };

  it('a healthy player may; a dying or dead one may not', () => {
    expect(dreamRefusal(frameWithHealth(9))).toBeNull();
    expect(dreamRefusal(frameWithHealth(DYING_HEALTH + 1))).toBeNull();
    expect(dreamRefusal(frameWithHealth(DYING_HEALTH))).toMatch(/dying/);
    expect(dreamRefusal(frameWithHealth(0))).toMatch(/dead do not dream/);
    expect(dreamRefusal(null)).toMatch(/dead/);
  });
});
