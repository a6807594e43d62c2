import { describe, expect, it } from 'vitest';
import { Action, ACHIEVEMENTS, CrafterEnv, INVENTORY, Item, Material, NUM_ACTIONS, Rng, World } from '../src/index.ts';
import { loadTextures } from '../src/node.ts';

const textures = loadTextures();

describe('CrafterEnv (Gymnasium-style single-player API)', () => {
  it('describes its spaces as data', () => {
    const env = new CrafterEnv({ textures });
    expect(env.observationSpace).toEqual({ type: 'Box', shape: [64, 64, 3], dtype: 'uint8', low: 0, high: 255 });
    expect(env.actionSpace).toEqual({ type: 'Discrete', n: 17 });
  });

  it('reset({ seed }) gives the world of that seed, with a 64×64×3 observation', () => {
    const env = new CrafterEnv({ textures });
    const { observation, info } = env.reset({ seed: 7 });
    expect(observation).toBeInstanceOf(Uint8Array);
    expect(observation.length).toBe(64 * 64 * 3);
    expect(info.seed).toBe(7);
    const reference = World.generate({ seed: 7 });
    reference.addPlayer();
    expect(env.world.hash()).toBe(reference.hash());
  });

  it('later resets without a seed give new worlds, and the sequence restarts with the same seed', () => {
    const env = new CrafterEnv({ textures, seed: 3 });
    const hashes: string[] = [];
    for (let i = 0; i < 3; i++) {
      env.reset();
      hashes.push(env.world.hash());
    }
    expect(new Set(hashes).size).toBe(3);
    env.reset({ seed: 3 });
    expect(env.world.hash()).toBe(hashes[0]);
    env.reset();
    expect(env.world.hash()).toBe(hashes[1]);
  });

  it('reuseArrays: the same results as fresh arrays, written into the same two arrays every call', () => {
    const fresh = new CrafterEnv({ textures, seed: 11 });
    const reused = new CrafterEnv({ textures, seed: 11, reuseArrays: true });
    // Buffer.compare: toEqual takes ≈ 30 ms on a 12 KB array.
    const same = (x: Uint8Array, y: Uint8Array) => expect(Buffer.compare(x, y)).toBe(0);
    const first = reused.reset().observation;
    same(first, fresh.reset().observation);
    const agent = new Rng(5);
    let semantic: Uint8Array | null = null;
    let episodes = 1;
    for (let t = 0; t < 400; t++) {
      const action = agent.int(NUM_ACTIONS);
      const a = fresh.step(action);
      const b = reused.step(action);
      same(b.observation, a.observation);
      same(b.info.semantic, a.info.semantic);
      expect({ ...b, observation: null, info: { ...b.info, semantic: null } }).toEqual({
        ...a,
        observation: null,
        info: { ...a.info, semantic: null },
      });
      // Identity as booleans: toBe on a 12 KB array that fails would print it whole.
      expect(b.observation === first).toBe(true);
      semantic ??= b.info.semantic;
      expect(b.info.semantic === semantic).toBe(true);
      expect(a.info.semantic === semantic).toBe(false);
      if (a.terminated || a.truncated) {
        same(reused.reset().observation, fresh.reset().observation);
        episodes++;
      }
    }
    expect(episodes).toBeGreaterThan(1);
  });

  it('step returns observation, reward, terminated, truncated and a Crafter-like info', () => {
    const env = new CrafterEnv({ textures });
    env.reset({ seed: 1 });
    const r = env.step(Action.noop);
    expect(r.observation.length).toBe(64 * 64 * 3);
    expect(r.terminated).toBe(false);
    expect(r.truncated).toBe(false);
    expect(r.info.t).toBe(1);
    expect(Object.keys(r.info.inventory)).toEqual([...INVENTORY]);
    expect(Object.keys(r.info.achievements)).toEqual([...ACHIEVEMENTS]);
    expect(r.info.inventory.health).toBe(9);
    expect(r.info.playerPos).toEqual([32, 32]);
    expect(r.info.facing).toEqual([0, 1]);
    expect(r.info.discount).toBe(1);
    expect(r.info.semantic.length).toBe(64 * 64);
    expect(r.info.semantic[32 * 64 + 32]).toBe(13);
    expect(r.info.unlocked).toEqual([]);
  });

  it('reports achievements unlocked in the step and rewards them once', () => {
    const env = new CrafterEnv({ textures });
    env.reset({ seed: 1 });
    const world = env.world;
    const p = world.players[0];
    world.setMaterial(p.x, p.y + 1, Material.tree);
    const r = env.step(Action.do);
    expect(r.info.unlocked).toEqual(['collect_wood']);
    expect(r.reward).toBe(1);
    expect(r.info.inventory.wood).toBe(1);
    world.setMaterial(p.x, p.y + 1, Material.tree);
    const again = env.step(Action.do);
    expect(again.info.unlocked).toEqual([]);
    expect(again.reward).toBe(0);
    expect(again.info.achievements.collect_wood).toBe(2);
  });

  it('with reward disabled returns 0 but keeps the computed reward in info', () => {
    const env = new CrafterEnv({ textures, reward: false });
    env.reset({ seed: 1 });
    const p = env.world.players[0];
    env.world.setMaterial(p.x, p.y + 1, Material.tree);
    const r = env.step(Action.do);
    expect(r.reward).toBe(0);
    expect(r.info.reward).toBe(1);
  });

  it('death terminates with discount 0, and stepping after the end is refused', () => {
    const env = new CrafterEnv({ textures });
    env.reset({ seed: 1 });
    const p = env.world.players[0];
    env.world.setMaterial(p.x - 1, p.y, Material.lava);
    const r = env.step(Action.move_left);
    expect(r.terminated).toBe(true);
    expect(r.truncated).toBe(false);
    expect(r.info.discount).toBe(0);
    expect(r.reward).toBeCloseTo(-0.9);
    expect(() => env.step(Action.noop)).toThrow(/episode is over/);
  });

  it('truncates at 10,000 steps alive', () => {
    const env = new CrafterEnv({ textures });
    env.reset({ seed: 1 });
    const p = env.world.players[0];
    let last = env.step(Action.noop);
    while (!last.terminated && !last.truncated) {
      // Keep the player fed and safe so only the step limit ends the episode.
      p.inventory[Item.food] = 9;
      p.inventory[Item.drink] = 9;
      p.inventory[Item.energy] = 9;
      p.inventory[Item.health] = 9;
      last = env.step(Action.noop);
    }
    expect(last.truncated).toBe(true);
    expect(last.terminated).toBe(false);
    expect(last.info.t).toBe(10_000);
    expect(last.info.discount).toBe(1);
  });

  it('rejects bad actions and seeds with clear errors and changes nothing', () => {
    const env = new CrafterEnv({ textures });
    env.reset({ seed: 1 });
    const before = env.world.hash();
    for (const bad of [17, -1, 2.5, Number.NaN, '1' as unknown as number]) {
      expect(() => env.step(bad)).toThrow(/unknown action/);
    }
    expect(env.world.hash()).toBe(before);
    expect(() => env.reset({ seed: 1.5 })).toThrow(/seed must be a safe integer/);
    expect(() => new CrafterEnv({ textures, seed: Number.NaN })).toThrow(/seed/);
    expect(env.world.hash()).toBe(before);
  });

  it('renders larger observations for display', () => {
    const env = new CrafterEnv({ textures, size: 144 });
    expect(env.observationSpace.shape).toEqual([144, 144, 3]);
    expect(env.reset({ seed: 2 }).observation.length).toBe(144 * 144 * 3);
  });
});
