import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Action, World } from '@aikon/engine';
import { describe, expect, it } from 'vitest';
import { contextFromWorld, FRAME_TOKENS, loadModel, tokenize, VIEW_TOKENS } from '../src/index.ts';
import { OrtNodeBackend } from '../src/node/backend-node.ts';
import { tinyModel } from './helpers.ts';

const MODELS = join(import.meta.dirname, '../../../models');

describe('DreamShard (onnxruntime-node)', () => {
  it('dreams from a live world, deterministically per seed', async () => {
    const { bytes, manifest } = await tinyModel();
    const model = await loadModel(
      manifest,
      async () => bytes,
      (b, K) => OrtNodeBackend.create(b, K),
    );
    const world = World.generate({ seed: 21 });
    world.addPlayer();
    const run = async (seed: number) => {
      const shard = model.shard({ seed, sampler: { temperature: 1 } });
      shard.resetFromWorld(world, 0);
      expect(shard.frames.length).toBe(2);
      expect(Array.from(shard.frames[0])).toEqual(Array.from(tokenize(world)));
      const out = [];
      for (const a of [Action.move_left, Action.do, null, Action.noop]) {
        const s = await shard.step(a);
        expect(s.tokens.length).toBe(FRAME_TOKENS);
        expect(s.observation.view.length).toBe(VIEW_TOKENS);
        expect(s.observation.inventory.length).toBe(16);
        expect(Number.isFinite(s.reward)).toBe(true);
        // A probability, not a logit. (The token model's termination head is not calibrated: it
        // says ≈0.6 for a fresh player; death is measured on the world simulator, see eval.)
        expect(s.doneProbability).toBeGreaterThanOrEqual(0);
        expect(s.doneProbability).toBeLessThanOrEqual(1);
        out.push(Array.from(s.tokens));
      }
      expect(shard.frames.at(-1)).toEqual(Int32Array.from(out.at(-1)!));
      return out;
    };
    expect(await run(5)).toEqual(await run(5));
    expect(await run(5)).not.toEqual(await run(6));
    await model.backend.dispose();
  });

  it('validates its context and actions', async () => {
    const { bytes, manifest } = await tinyModel();
    const model = await loadModel(
      manifest,
      async () => bytes,
      (b, K) => OrtNodeBackend.create(b, K),
    );
    const shard = model.shard();
    await expect(shard.step(Action.noop)).rejects.toThrow(/reset/);
    expect(() => shard.reset({ frames: [] })).toThrow(RangeError);
    expect(() => shard.reset({ frames: [new Int32Array(10)] })).toThrow(RangeError);
    const world = World.generate({ seed: 1 });
    world.addPlayer();
    shard.reset(contextFromWorld(world));
    await expect(shard.step(17)).rejects.toThrow(RangeError);
    await model.backend.dispose();
  });

  it.skipIf(!existsSync(join(MODELS, 'token-dream-small.onnx')))(
    'the shipped model predicts the first dream step of a fresh world well',
    async () => {
      const manifest = JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8'));
      const model = await loadModel(
        manifest,
        async (f) => new Uint8Array(readFileSync(join(MODELS, f))),
        (b, K) => OrtNodeBackend.create(b, K),
        'token-dream-small',
      );
      let hits = 0;
      let total = 0;
      for (const seed of [101, 102, 103]) {
        const world = World.generate({ seed });
        world.addPlayer();
        const shard = model.shard({ seed });
        shard.resetFromWorld(world);
        for (const a of [Action.noop, Action.move_left, Action.move_down]) {
          const dream = await shard.step(a);
          world.step([a]);
          const real = tokenize(world);
          for (let p = 0; p < VIEW_TOKENS; p++) if (dream.tokens[p] === real[p]) hits++;
          total += VIEW_TOKENS;
        }
      }
      expect(hits / total).toBeGreaterThan(0.8);
      await model.backend.dispose();
    },
  );
});

describe('dream protocol (worker / server seam)', () => {
  it('serves reset and step requests and reports bad ones', async () => {
    const { handleDreamRequest } = await import('../src/dream-protocol.ts');
    const { bytes, manifest } = await tinyModel();
    const model = await loadModel(
      manifest,
      async () => bytes,
      (b, K) => OrtNodeBackend.create(b, K),
    );
    const shard = model.shard({ seed: 1 });
    const world = World.generate({ seed: 4 });
    world.addPlayer();
    expect(
      await handleDreamRequest(shard, { type: 'reset', v: 1, id: 1, frames: [Array.from(tokenize(world))] }),
    ).toEqual({ type: 'ready', v: 1, id: 1 });
    const r = await handleDreamRequest(shard, { type: 'step', v: 1, id: 2, action: Action.move_up });
    expect(r.type).toBe('frame');
    if (r.type === 'frame') {
      expect(r.view.length).toBe(63);
      expect(r.tokens.length).toBe(FRAME_TOKENS);
    }
    expect((await handleDreamRequest(shard, { type: 'step', v: 1, id: 3, action: 99 })).type).toBe('error');
    expect((await handleDreamRequest(shard, { type: 'jump', id: 4 })).type).toBe('error');
    await model.backend.dispose();
  });
});
