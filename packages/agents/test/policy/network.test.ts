import { NUM_ACTIONS, World } from '@aikon/engine';
import { FRAME_TOKENS, tokenize } from '@aikon/world-model';
import { setupTf } from '@aikon/world-model/node';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tfRunner } from '../../src/policy/act.ts';
import { FRAME_FEATURES, featureWidth, FrameHistory, multiHot, type PolicyInputs } from '../../src/policy/features.ts';
import { initPolicyWeights, POLICY_CONFIGS, policyParamCount, TfPolicy } from '../../src/policy/network.ts';
import { exportPolicyOnnx, importPolicyOnnx } from '../../src/policy/onnx-export.ts';
import { OrtPolicy } from '../../src/policy/node/ort-policy.ts';
import { policyEpisodes } from '../../src/policy/rollout.ts';

/** Fair views of a few players in a real world after some random-looking steps, with histories. */
function realInputs(frames: number, batch: number): PolicyInputs {
  const world = World.generate({ seed: 42 });
  const players = Array.from({ length: batch }, () => world.addPlayer());
  const histories = players.map((p) => {
    const h = new FrameHistory(frames);
    h.observe(world, p.slot);
    return h;
  });
  const tokens = new Int32Array(batch * frames * FRAME_TOKENS);
  const prev = new Int32Array(batch);
  for (let t = 0; t < 5; t++) {
    const acts = players.map((_, i) => (t * 7 + i * 3) % NUM_ACTIONS);
    world.step(acts);
    for (const [i, p] of players.entries()) histories[i].observe(world, p.slot, acts[i]);
  }
  for (const [b, h] of histories.entries()) h.write(tokens, prev, b);
  return { batch, tokens, prevAction: prev };
}

describe('policy network', () => {
  beforeAll(() => setupTf('wasm'));

  it('has the documented feature layout and parameter shapes', () => {
    expect(FRAME_FEATURES).toBe(63 * 19 + 8 + 16 * 10 + 8);
    const c = POLICY_CONFIGS.small;
    expect(featureWidth(c.frames)).toBe(3 * 1373 + 17);
    expect(policyParamCount(c)).toBe(4136 * 256 + 256 + 256 * 256 + 256 + 256 * 17 + 17 + 256 + 1);
    // One one-hot per position and frame, plus the previous action.
    const x = realInputs(c.frames, 2);
    const m = multiHot(x, c.frames);
    expect(m.length).toBe(2 * featureWidth(c.frames));
    expect(m.reduce((a, b) => a + b, 0)).toBe(2 * (3 * FRAME_TOKENS + 1));
  });

  it('maps a batch of fair views to 17 logits and a value per row', () => {
    const c = POLICY_CONFIGS.tiny;
    const model = new TfPolicy(c, initPolicyWeights(c, 1));
    const out = model.predict(realInputs(c.frames, 3));
    expect(out.logits.length).toBe(3 * NUM_ACTIONS);
    expect(out.value.length).toBe(3);
    expect(out.logits.every(Number.isFinite)).toBe(true);
    const { logits } = tf.tidy(() => model.forward(model.input(realInputs(c.frames, 3))));
    expect(logits.shape).toEqual([3, NUM_ACTIONS]);
    model.dispose();
  });

  it('a frame history repeats the first frame, then shifts, and remembers the last action', () => {
    const world = World.generate({ seed: 3 });
    world.addPlayer();
    const h = new FrameHistory(3);
    const first = tokenize(world, 0);
    h.observe(world, 0);
    const tokens = new Int32Array(3 * FRAME_TOKENS);
    const prev = new Int32Array(1);
    h.write(tokens, prev, 0);
    for (let k = 0; k < 3; k++) expect(Array.from(tokens.subarray(k * FRAME_TOKENS, (k + 1) * FRAME_TOKENS))).toEqual(Array.from(first));
    world.step([3]);
    h.observe(world, 0, 3);
    h.write(tokens, prev, 0);
    expect(Array.from(tokens.subarray(FRAME_TOKENS, 2 * FRAME_TOKENS))).toEqual(Array.from(first));
    expect(Array.from(tokens.subarray(2 * FRAME_TOKENS))).toEqual(Array.from(tokenize(world, 0)));
    expect(prev[0]).toBe(3);
  });

  it('the ONNX export on onnxruntime-node gives the tfjs outputs, and reads back its weights', async () => {
    const c = POLICY_CONFIGS.small;
    const weights = initPolicyWeights(c, 7);
    // Non-zero biases and larger output weights, so that every term of the graph shows.
    for (const [name, w] of weights) if (name.endsWith('.b') || name.startsWith('pi.') || name.startsWith('v.')) for (let i = 0; i < w.length; i++) w[i] = Math.sin(i + name.length) * 0.3;
    const model = new TfPolicy(c, weights);
    const bytes = exportPolicyOnnx(c, weights);
    const ort = await OrtPolicy.fromBytes(bytes);
    expect(ort.frames).toBe(c.frames);
    const x = realInputs(c.frames, 4);
    const a = model.predict(x);
    const b = await ort.run(x);
    expect(b.logits.length).toBe(a.logits.length);
    let maxDiff = 0;
    for (let i = 0; i < a.logits.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.logits[i] - b.logits[i]));
    for (let i = 0; i < a.value.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.value[i] - b.value[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    // The logits differ between rows (the inputs matter).
    expect(Math.abs(a.logits[0] - a.logits[NUM_ACTIONS])).toBeGreaterThan(1e-4);
    const back = importPolicyOnnx(bytes);
    expect(back.config).toEqual(c);
    expect(Array.from(back.weights.get('l1.w')!)).toEqual(Array.from(weights.get('l1.w')!));
    await ort.dispose();
    model.dispose();
  });

  it('plays real-engine episodes to their end, reproducibly per seed', async () => {
    const c = POLICY_CONFIGS.tiny;
    const model = new TfPolicy(c, initPolicyWeights(c, 2));
    const a = await policyEpisodes(tfRunner(model), { seed: 5, episodes: 3, parallel: 2 });
    const b = await policyEpisodes(tfRunner(model), { seed: 5, episodes: 3, parallel: 3 });
    expect(a.map((o) => o.length)).toEqual(b.map((o) => o.length));
    for (const o of a) {
      expect(o.length).toBeGreaterThan(0);
      expect(o.dead || o.length === 10_000).toBe(true);
    }
    model.dispose();
  });
});
