import { Action, episodeSeed, Item, NUM_ACTIONS, World } from '@aikon/engine';
import { FRAME_TOKENS, tokenize } from '@aikon/world-model';
import { describe, expect, it } from 'vitest';
import { netRunner } from '../../src/policy/act.ts';
import {
  activeCount,
  activeFeatures,
  FRAME_FEATURES,
  featureWidth,
  FrameHistory,
  type PolicyInputs,
} from '../../src/policy/features.ts';
import { MEMORY_FEATURES_VERSION, MEMORY_SLOTS } from '../../src/policy/memory.ts';
import {
  hasMemory,
  initPolicyWeights,
  POLICY_CONFIGS,
  type PolicyConfig,
  policyParamCount,
  PolicyNet,
} from '../../src/policy/network.ts';
import { exportPolicyOnnx, importPolicyOnnx } from '../../src/policy/onnx-export.ts';
import { OrtPolicy } from '../../src/policy/node/ort-policy.ts';
import { deathCause, policyEpisodes } from '../../src/policy/rollout.ts';

/** Fair views of a few players in a real world after some random-looking steps, with histories (and memory maps). */
function realInputs(frames: number, batch: number, memory = false): PolicyInputs {
  const world = World.generate({ seed: 42 });
  const players = Array.from({ length: batch }, () => world.addPlayer());
  const histories = players.map((p) => {
    const h = new FrameHistory(frames, memory);
    h.observe(world, p.slot);
    return h;
  });
  const tokens = new Int32Array(batch * frames * FRAME_TOKENS);
  const prev = new Int32Array(batch);
  const slots = memory ? new Int32Array(batch * MEMORY_SLOTS) : undefined;
  for (let t = 0; t < 5; t++) {
    const acts = players.map((_, i) => (t * 7 + i * 3) % NUM_ACTIONS);
    world.step(acts);
    for (const [i, p] of players.entries()) histories[i].observe(world, p.slot, acts[i]);
  }
  for (const [b, h] of histories.entries()) h.write(tokens, prev, b, slots);
  return { batch, tokens, prevAction: prev, memory: slots };
}

/** The multi-hot product the embedding bag stands for, computed densely: relu(x · l0.w + l0.b) for one row. */
function denseFirstLayer(c: PolicyConfig, net: PolicyNet, x: PolicyInputs, b: number): Float32Array {
  const width = featureWidth(c.frames, hasMemory(c));
  const A = activeCount(c.frames, hasMemory(c));
  const oneHot = new Float32Array(width);
  const active = activeFeatures(x, c.frames, hasMemory(c));
  for (let k = 0; k < A; k++) oneHot[active[b * A + k]] = 1;
  const w = net.weights();
  const W = w.get('l0.w')!;
  const H = c.hidden[0];
  const h = Float32Array.from(w.get('l0.b')!);
  for (let i = 0; i < width; i++) if (oneHot[i]) for (let j = 0; j < H; j++) h[j] += W[i * H + j];
  return h.map((v) => Math.max(0, v));
}

describe('policy network', () => {
  it('has the documented feature layout and parameter shapes', () => {
    expect(FRAME_FEATURES).toBe(63 * 19 + 8 + 16 * 10 + 8);
    const c = POLICY_CONFIGS.small;
    expect(featureWidth(c.frames)).toBe(3 * 1373 + 17);
    expect(policyParamCount(c)).toBe(4136 * 256 + 256 + 256 * 256 + 256 + 256 * 17 + 17 + 256 + 1);
    // One active feature per position and frame, plus the previous action, all distinct and in range.
    const x = realInputs(c.frames, 2);
    const active = activeFeatures(x, c.frames);
    expect(active.length).toBe(2 * (3 * FRAME_TOKENS + 1));
    for (let b = 0; b < 2; b++) {
      const row = Array.from(active.subarray(b * activeCount(c.frames), (b + 1) * activeCount(c.frames)));
      expect(new Set(row).size).toBe(row.length);
      expect(Math.min(...row)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...row)).toBeLessThan(featureWidth(c.frames));
    }
  });

  it('with memory, the feature set adds one active feature per memory slot after the previous action', () => {
    const c = POLICY_CONFIGS['small-memory'];
    expect(c.memory).toBe(MEMORY_FEATURES_VERSION);
    expect(MEMORY_SLOTS).toBe(10);
    expect(featureWidth(c.frames, true)).toBe(3 * 1373 + 17 + 10 * (11 * 11 + 1));
    expect(policyParamCount(c)).toBe(policyParamCount(POLICY_CONFIGS.small) + 10 * 122 * 256);
    const x = realInputs(c.frames, 2, true);
    const A = activeCount(c.frames, true);
    expect(A).toBe(3 * FRAME_TOKENS + 1 + 10);
    const active = activeFeatures(x, c.frames, true);
    for (let b = 0; b < 2; b++) {
      const row = Array.from(active.subarray(b * A, (b + 1) * A));
      expect(new Set(row).size).toBe(row.length);
      // The frames' and previous action's features are those of the policy without memory.
      expect(row.slice(0, A - 10)).toEqual(
        Array.from(activeFeatures(x, c.frames).subarray(b * (A - 10), (b + 1) * (A - 10))),
      );
      for (const [s, f] of row.slice(A - 10).entries()) {
        expect(f - featureWidth(c.frames) - s * 122).toBe(x.memory![b * 10 + s]);
      }
    }
    expect(() => activeFeatures({ ...x, memory: undefined }, c.frames, true)).toThrow(/memory/);
  });

  it.each(['tiny', 'tiny-memory'])('its embedding-bag first layer is the multi-hot product (%s)', (name) => {
    const c = POLICY_CONFIGS[name];
    const net = new PolicyNet(c, initPolicyWeights(c, 5));
    const x = realInputs(c.frames, 3, hasMemory(c));
    const f = net.forward(x);
    for (let b = 0; b < 3; b++) {
      const want = denseFirstLayer(c, net, x, b);
      const got = f.hidden[0].subarray(b * c.hidden[0], (b + 1) * c.hidden[0]);
      for (let j = 0; j < want.length; j++) expect(got[j]).toBeCloseTo(want[j], 4);
    }
  });

  it('backward gives the gradient finite differences measure', () => {
    const c: PolicyConfig = { name: 'grad-check', frames: 2, hidden: [12, 8], memory: MEMORY_FEATURES_VERSION };
    const net = new PolicyNet(c, initPolicyWeights(c, 9));
    // Biases away from zero, so that the check also covers them.
    for (const [name, w] of PolicyNet.views(c, net.params))
      if (name.endsWith('.b')) for (let i = 0; i < w.length; i++) w[i] = 0.05 * Math.sin(i + 1);
    const x = realInputs(c.frames, 3, true);
    // A linear read-out of the outputs with fixed coefficients: d loss / d outputs = the coefficients.
    const cl = Float32Array.from({ length: 3 * NUM_ACTIONS }, (_, i) => Math.cos(i * 1.7));
    const cv = Float32Array.of(0.7, -1.1, 0.4);
    const loss = (): number => {
      const f = net.forward(x);
      let s = 0;
      for (let i = 0; i < cl.length; i++) s += cl[i] * f.logits[i];
      for (let i = 0; i < 3; i++) s += cv[i] * f.value[i];
      return s;
    };
    const grad = new Float32Array(net.params.length);
    net.backward(net.forward(x), cl, cv, grad);
    const views = PolicyNet.views(c, net.params);
    const gradViews = PolicyNet.views(c, grad);
    let checked = 0;
    for (const [name, w] of views) {
      const g = gradViews.get(name)!;
      // The first layer's rows that a row of x uses (frames and memory), and a spread of every other block's entries.
      const A = activeCount(c.frames, true);
      const picks =
        name === 'l0.w'
          ? Array.from(activeFeatures(x, c.frames, true), (f) => f * c.hidden[0] + 3).filter(
              (_, k) => k < 6 || (k >= A - 3 && k < A),
            )
          : Array.from({ length: Math.min(6, w.length) }, (_, k) => Math.floor((k * w.length) / 6));
      for (const i of picks) {
        const keep = w[i];
        const eps = 1e-2;
        w[i] = keep + eps;
        const up = loss();
        w[i] = keep - eps;
        const down = loss();
        w[i] = keep;
        expect(g[i]).toBeCloseTo((up - down) / (2 * eps), 2);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
    expect(grad.some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });

  it('maps a batch of fair views to 17 logits and a value per row', () => {
    const c = POLICY_CONFIGS.tiny;
    const model = new PolicyNet(c, initPolicyWeights(c, 1));
    const out = model.predict(realInputs(c.frames, 3));
    expect(out.logits.length).toBe(3 * NUM_ACTIONS);
    expect(out.value.length).toBe(3);
    expect(out.logits.every(Number.isFinite)).toBe(true);
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
    for (let k = 0; k < 3; k++)
      expect(Array.from(tokens.subarray(k * FRAME_TOKENS, (k + 1) * FRAME_TOKENS))).toEqual(Array.from(first));
    world.step([3]);
    h.observe(world, 0, 3);
    h.write(tokens, prev, 0);
    expect(Array.from(tokens.subarray(FRAME_TOKENS, 2 * FRAME_TOKENS))).toEqual(Array.from(first));
    expect(Array.from(tokens.subarray(2 * FRAME_TOKENS))).toEqual(Array.from(tokenize(world, 0)));
    expect(prev[0]).toBe(3);
  });

  it.each(['small', 'small-memory'])(
    "the ONNX export on onnxruntime-node gives the TypeScript network's outputs, and reads back its weights (%s)",
    async (name) => {
      const c = POLICY_CONFIGS[name];
      const weights = initPolicyWeights(c, 7);
      // Non-zero biases and larger output weights, so that every term of the graph shows.
      for (const [name, w] of weights)
        if (name.endsWith('.b') || name.startsWith('pi.') || name.startsWith('v.'))
          for (let i = 0; i < w.length; i++) w[i] = Math.sin(i + name.length) * 0.3;
      const bytes = exportPolicyOnnx(c, weights);
      const back = importPolicyOnnx(bytes);
      // With memory the first layer is stored as float16: the graph computes with the rounded weights.
      const l0 = back.weights.get('l0.w')!;
      const w0 = weights.get('l0.w')!;
      for (let i = 0; i < w0.length; i += 97) {
        if (hasMemory(c)) expect(Math.abs(l0[i] - w0[i])).toBeLessThanOrEqual(Math.abs(w0[i]) / 1024 + 6e-8);
        else expect(l0[i]).toBe(w0[i]);
      }
      const model = new PolicyNet(c, back.weights);
      const ort = await OrtPolicy.fromBytes(bytes);
      expect(ort.frames).toBe(c.frames);
      expect(ort.memory).toBe(hasMemory(c));
      const x = realInputs(c.frames, 4, hasMemory(c));
      const a = model.predict(x);
      const b = await ort.run(x);
      expect(b.logits.length).toBe(a.logits.length);
      let maxDiff = 0;
      for (let i = 0; i < a.logits.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.logits[i] - b.logits[i]));
      for (let i = 0; i < a.value.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.value[i] - b.value[i]));
      expect(maxDiff).toBeLessThan(1e-4);
      // The logits differ between rows (the inputs matter).
      expect(Math.abs(a.logits[0] - a.logits[NUM_ACTIONS])).toBeGreaterThan(1e-4);
      expect(back.config).toEqual(c);
      expect(Array.from(back.weights.get('l1.w')!)).toEqual(Array.from(weights.get('l1.w')!));
      await ort.dispose();
    },
  );

  it('refuses a policy file whose memory features are of a version this code does not know', () => {
    const c = POLICY_CONFIGS['tiny-memory'];
    const future = { ...c, memory: MEMORY_FEATURES_VERSION + 1 } as unknown as PolicyConfig;
    const bytes = exportPolicyOnnx(future, initPolicyWeights(c, 3));
    expect(() => importPolicyOnnx(bytes)).toThrow(/memory/);
  });

  it('plays real-engine episodes to their end, reproducibly per seed', async () => {
    const c = POLICY_CONFIGS.tiny;
    const model = new PolicyNet(c, initPolicyWeights(c, 2));
    const seen: Int32Array[][] = [[], [], []];
    const a = await policyEpisodes(netRunner(model), {
      seed: 5,
      episodes: 3,
      parallel: 2,
      onFrame: (k, f) => seen[k].push(f),
    });
    const b = await policyEpisodes(netRunner(model), { seed: 5, episodes: 3, parallel: 3 });
    expect(a.map((o) => o.length)).toEqual(b.map((o) => o.length));
    // One frame per action taken, the first being the world's first view.
    expect(seen.map((s) => s.length)).toEqual(a.map((o) => o.length));
    const first = World.generate({ seed: episodeSeed(5, 1) });
    first.addPlayer();
    expect(Array.from(seen[1][0])).toEqual(Array.from(tokenize(first, 0)));
    for (const o of a) {
      expect(o.length).toBeGreaterThan(0);
      expect(o.dead || o.length === 10_000).toBe(true);
      expect(o.cause !== null).toBe(o.dead);
    }
  });

  it('puts a death down to thirst when the player died with no drink, to creatures when no vital was empty', () => {
    const world = World.generate({ seed: 4 });
    const p = world.addPlayer();
    p.inventory[Item.drink] = 0;
    p.inventory[Item.health] = 1;
    for (let t = 0; t < 200 && !world.player(0).dead; t++) world.step([Action.noop]);
    expect(world.player(0).dead).toBe(true);
    expect(deathCause(world, 0)).toBe('thirst');
    const other = World.generate({ seed: 4 });
    other.addPlayer();
    expect(deathCause(other, 0)).toBe('attacked');
  });
});
