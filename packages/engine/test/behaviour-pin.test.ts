/**
 * Pins the engine's whole behaviour to digests stored from it: world states after every step
 * (one player, three players with spawn protection under either protection rule, both terrains),
 * every agent-view image and fair view of CrafterEnv and VecEnv through automatic resets, day and night. Speed work
 * must leave every digest unchanged; a change of behaviour has to update them on purpose (and
 * bump ENGINE_VERSION).
 */
import { describe, expect, it } from 'vitest';
import {
  CrafterEnv,
  FAIR_VIEW_SIZE,
  NUM_ACTIONS,
  Rng,
  VecEnv,
  World,
  writeFairView,
  type ProtectionRule,
  type TerrainNoise,
} from '../src/index.ts';
import { loadTextures } from '../src/node.ts';

/** Two 32-bit multiply-xor lanes over bytes, numbers (both words of the double) and strings. */
class Digest {
  private a = 0x811c9dc5;
  private b = 0x2545f491;
  private readonly words = new DataView(new ArrayBuffer(8));

  private word(w: number): void {
    this.a = Math.imul(this.a ^ w, 0x01000193);
    this.a ^= this.a >>> 15;
    this.b = Math.imul(this.b ^ w, 0x5bd1e995);
    this.b ^= this.b >>> 13;
  }

  bytes(b: Uint8Array): void {
    const whole = b.length >> 2;
    const words = new Int32Array(b.buffer, b.byteOffset, whole);
    for (let i = 0; i < whole; i++) this.word(words[i]);
    for (let i = whole << 2; i < b.length; i++) this.word(b[i]);
    this.word(b.length);
  }

  number(v: number): void {
    this.words.setFloat64(0, v);
    this.word(this.words.getInt32(0));
    this.word(this.words.getInt32(4));
  }

  text(s: string): void {
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
    this.word(s.length);
  }

  hex(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }
}

/** World hash after every step of a random joint policy, with respawns in persistent worlds. */
function worldTrace(
  seed: number,
  players: number,
  steps: number,
  options: { terrain?: TerrainNoise; persistent?: boolean; protection?: number; rule?: ProtectionRule },
): string {
  const world = World.generate({
    seed,
    terrain: options.terrain,
    mode: options.persistent ? 'persistent' : 'episode',
    spawnProtection: options.protection,
    protectionRule: options.rule,
  });
  for (let i = 0; i < players; i++) world.addPlayer();
  const agent = new Rng(seed ^ 0x5a5a);
  const digest = new Digest();
  digest.text(world.hash());
  for (let s = 0; s < steps && !world.over; s++) {
    if (options.persistent) for (const p of [...world.players]) if (p.dead) world.respawn(p.slot);
    const actions = world.players.map(() => agent.int(NUM_ACTIONS));
    world.step(actions);
    digest.text(world.hash());
  }
  digest.number(world.t);
  return digest.hex();
}

describe('behaviour pin', () => {
  it('world states after every step have the stored digests', () => {
    const traces = [
      worldTrace(0, 1, 400, {}),
      worldTrace(1, 1, 400, {}),
      worldTrace(2 ** 40 + 9, 1, 400, {}),
      worldTrace(5, 1, 300, { terrain: 'simplex-noise' }),
      worldTrace(42, 3, 600, { persistent: true, protection: 20 }),
      worldTrace(42, 3, 600, { persistent: true, protection: 20, rule: 'target' }),
      worldTrace(43, 2, 400, {}),
    ];
    expect(traces).toEqual([
      '3e884260110ac380',
      'e51a7c24b7e31c99',
      'eeb3298f9e58e3c5',
      '02ee3dad4d836418',
      '859fbc5fa4d2098f',
      '2000d07c4c7591bf',
      '93f0a2184a37ff47',
    ]);
  });

  it('CrafterEnv images, infos and fair views through resets have the stored digest', () => {
    const env = new CrafterEnv({ textures: loadTextures(), seed: 7 });
    const agent = new Rng(77);
    const digest = new Digest();
    const fair = new Float32Array(FAIR_VIEW_SIZE);
    digest.bytes(env.reset().observation);
    for (let s = 0; s < 900; s++) {
      const r = env.step(agent.int(NUM_ACTIONS));
      digest.bytes(r.observation);
      digest.bytes(r.info.semantic);
      digest.number(r.reward);
      digest.text(r.info.unlocked.join());
      writeFairView(env.world, 0, fair);
      digest.bytes(new Uint8Array(fair.buffer));
      if (r.terminated || r.truncated) digest.bytes(env.reset().observation);
    }
    expect(digest.hex()).toBe('bcd45ca28b5df4d7');
  });

  it('VecEnv observations, pixels and flags have the stored digest', () => {
    const vec = new VecEnv({ seeds: [11, 12, 13], textures: loadTextures() });
    const agent = new Rng(78);
    const actions = new Int32Array(3);
    const digest = new Digest();
    vec.reset();
    for (let s = 0; s < 400; s++) {
      for (let i = 0; i < 3; i++) actions[i] = agent.int(NUM_ACTIONS);
      vec.step(actions);
      digest.bytes(vec.pixels!);
      digest.bytes(new Uint8Array(vec.observations.buffer));
      digest.bytes(new Uint8Array(vec.rewards.buffer));
      digest.bytes(vec.terminated);
      digest.bytes(vec.truncated);
      if (vec.terminated.some((v) => v) || vec.truncated.some((v) => v)) {
        digest.bytes(vec.finalPixels!);
        digest.bytes(new Uint8Array(vec.finalObservations.buffer));
      }
    }
    expect(digest.hex()).toBe('ddefb1e5beca2f28');
  });
});
