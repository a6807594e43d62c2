/**
 * The autopilot without a browser: the shipped policy on onnxruntime-web (wasm in Node) against
 * onnxruntime-node, and the store's hand-over / take-back over a real solo world (the fair view
 * from a client frame, tokensFromFrame in game/frame-tokens.ts, is tested against the engine's tokenize() in
 * dream-frame.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Action, NUM_ACTIONS } from '@aikon/engine';
import { deployedPolicy, parseManifest } from '@aikon/world-model';
import { FrameHistory } from '@aikon/agents/policy/features';
import { MEMORY_SLOTS } from '@aikon/agents/policy/memory';
import type { PolicyRunner } from '@aikon/agents/policy/act';
import type { PolicyOutputs } from '@aikon/agents/policy/features';
import { OrtPolicy } from '@aikon/agents/policy/node';
import { OrtWebPolicy } from '@aikon/agents/policy/web';
import { createAutopilotStore, type LoadedPolicy } from '../src/autopilot/autopilot-store.ts';
import { SoloCore } from '../src/game/solo-core.ts';
import type { GameFrame } from '../src/game/protocol.ts';
import type { GameSource } from '../src/game/source.ts';
import { useGame } from '../src/game/store.ts';

const MODELS = join(import.meta.dirname, '../../../models');
const fromDisk = {
  manifest: JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8')) as unknown,
  readFile: async (file: string) => new Uint8Array(readFileSync(join(MODELS, file))),
};
/** The policy the autopilot flies by default: the manifest's best evaluated one. */
const BEST = deployedPolicy(parseManifest(fromDisk.manifest)).name;

/** A solo world ticked by the test; key presses reach it the way the engine worker's do. */
class SteppedSource implements GameSource {
  readonly kind = 'solo' as const;
  onFrame: ((frame: GameFrame) => void) | null = null;
  onError: ((message: string) => void) | null = null;
  readonly core: SoloCore;
  readonly presses: number[] = [];
  constructor(seed: number) {
    this.core = new SoloCore(seed);
  }
  start(): void {
    this.onFrame?.(this.core.frame());
  }
  tick(): void {
    this.core.tick();
    this.onFrame?.(this.core.frame());
  }
  press(action: number): void {
    this.presses.push(action);
    this.core.press(action);
  }
  hold(action: number | null): void {
    this.core.hold(action);
  }
  setTickRate(): void {}
  setPaused(): void {}
  setAgentView(): void {}
  script(): Promise<{ hash: string; t: number }> {
    return Promise.reject(new Error('not here'));
  }
  hash(): Promise<{ hash: string; t: number }> {
    return Promise.resolve({ hash: this.core.world.hash(), t: this.core.world.t });
  }
  dispose(): void {}
}

/** The shipped policy on the browser's runtime, named as the store shows it. */
async function webPolicy(): Promise<LoadedPolicy> {
  const p = await OrtWebPolicy.load(fromDisk, null, { executionProviders: ['wasm'] });
  return Object.assign(p, { model: p.entry.name });
}

/** Waits until `check` holds (inference resolves asynchronously). */
async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

afterEach(() => useGame.getState().goHome());

describe('the policy on onnxruntime-web', () => {
  it.each([null, 'bc-memory', 'bc-small-rl'])(
    'loads %s (null: the best evaluated) and matches onnxruntime-node',
    async (name) => {
      const web = await OrtWebPolicy.load(fromDisk, name, { executionProviders: ['wasm'] });
      const node = await OrtPolicy.load(MODELS, name);
      expect(web.entry.name).toBe(name ?? BEST);
      expect(node.entry?.name).toBe(web.entry.name);
      expect(web.memory).toBe(node.memory);
      expect(web.name).toMatch(/^onnxruntime-web \(wasm/);
      // Two rows of real play (a policy with memory gets its map from the same history).
      const core = new SoloCore(4);
      const K = web.frames;
      const tokens = new Int32Array(2 * K * 81);
      const prevAction = new Int32Array(2);
      const memory = web.memory ? new Int32Array(2 * MEMORY_SLOTS) : undefined;
      const history = new FrameHistory(K, web.memory);
      for (let b = 0; b < 2; b++) {
        for (let i = 0; i < 6; i++) {
          const a = [Action.move_left, Action.move_up, Action.do][(i + b) % 3];
          core.press(a);
          core.tick();
          history.observe(core.world, 0, a);
        }
        history.write(tokens, prevAction, b, memory);
      }
      const x = { batch: 2, tokens, prevAction, ...(memory ? { memory } : {}) };
      const [a, b] = await Promise.all([web.run(x), node.run(x)]);
      expect(a.logits.length).toBe(2 * NUM_ACTIONS);
      for (let i = 0; i < a.logits.length; i++) expect(a.logits[i]).toBeCloseTo(b.logits[i], 3);
      await Promise.all([web.dispose(), node.dispose()]);
    },
  );

  it('refuses a model whose bytes do not match the manifest', async () => {
    const tampered = { ...fromDisk, readFile: async (f: string) => (await fromDisk.readFile(f)).fill(0, 0, 64) };
    await expect(OrtWebPolicy.load(tampered, 'bc-small')).rejects.toThrow(/sha256/);
    await expect(OrtWebPolicy.load(fromDisk, 'no-such-policy')).rejects.toThrow(/no policy named no-such-policy/);
  });
});

describe('the autopilot store', () => {
  it('flies the character on each tick once loaded, and hands it back on take-back', async () => {
    const source = new SteppedSource(21);
    useGame.getState().play(source, 21);
    let loads = 0;
    const pilot = createAutopilotStore(() => {
      loads++;
      return webPolicy();
    });
    pilot.getState().toggle();
    expect(pilot.getState().status).toBe('loading');
    await until(() => pilot.getState().status === 'on');
    expect(pilot.getState().model).toBe(BEST);

    const start = { ...source.core.world.player(0), inventory: [...source.core.world.player(0).inventory] };
    const applied: number[] = [];
    for (let i = 0; i < 40 && !source.core.world.over; i++) {
      const before = source.presses.length;
      source.tick();
      // Each tick's frame gets a decision before the next tick: none is late.
      await until(() => source.presses.length === before + 1);
      const chosen = source.presses.at(-1)!;
      source.tick();
      applied.push(source.core.world.player(0).action);
      expect(source.core.world.player(0).action).toBe(chosen);
      await until(() => source.presses.length === before + 2);
    }
    const stats = pilot.getState().stats!;
    expect(stats.decisions).toBe(source.presses.length);
    expect(stats.late).toBe(0);
    // A trained policy moves and acts: not all noops, and the body went somewhere or got something.
    expect(applied.filter((a) => a !== 0).length).toBeGreaterThan(10);
    const now = source.core.world.player(0);
    const moved = now.x !== start.x || now.y !== start.y;
    const gained = now.inventory.some((v, i) => i >= 4 && v > start.inventory[i]);
    expect(moved || gained).toBe(true);

    pilot.getState().takeBack();
    expect(pilot.getState().status).toBe('off');
    const pressed = source.presses.length;
    for (let i = 0; i < 5; i++) source.tick();
    await new Promise((r) => setTimeout(r, 50));
    expect(source.presses.length).toBe(pressed);
    // Handing over again reuses the loaded policy.
    pilot.getState().toggle();
    await until(() => pilot.getState().status === 'on');
    expect(loads).toBe(1);
    pilot.getState().toggle();
    expect(pilot.getState().status).toBe('off');
  });

  it('counts a tick before the decision as late (noop), then acts a tick later on the newest frame', async () => {
    const source = new SteppedSource(8);
    useGame.getState().play(source, 8);
    const release: ((o: PolicyOutputs) => void)[] = [];
    const slow: LoadedPolicy & PolicyRunner = {
      model: 'slow',
      name: 'held by the test',
      frames: 1,
      run: () => new Promise((ok) => release.push(ok)),
      dispose: async () => {},
    };
    const pilot = createAutopilotStore(async () => slow);
    pilot.getState().engage();
    await until(() => pilot.getState().status === 'on');
    const choose = (a: number) => {
      const logits = new Float32Array(NUM_ACTIONS).fill(-50);
      logits[a] = 50;
      return { logits, value: new Float32Array(1) };
    };
    source.tick(); // inference 1 starts on tick 1's frame
    source.tick(); // tick 2 came first: it was a noop
    expect(source.core.world.player(0).action).toBe(0);
    expect(pilot.getState().stats!.late).toBe(1);
    expect(release).toHaveLength(1); // one inference at a time
    release[0](choose(3));
    await until(() => source.presses.length === 1);
    // Pressed for tick 3, and inference 2 already runs on tick 2's frame.
    expect(release).toHaveLength(2);
    source.tick(); // tick 3 had an action: not late
    expect(source.core.world.player(0).action).toBe(3);
    release[1](choose(5));
    await until(() => source.presses.length === 2);
    expect(source.presses).toEqual([3, 5]);
    expect(pilot.getState().stats).toMatchObject({ decisions: 2, late: 1, lastAction: 5 });
    // Inference 3 runs on tick 3's frame; a take-back drops its decision.
    expect(release).toHaveLength(3);
    pilot.getState().takeBack();
    release[2](choose(7));
    await new Promise((r) => setTimeout(r, 10));
    expect(source.presses).toEqual([3, 5]);
  });

  it('shows a load failure and tries again on the next hand-over; a new game lands it', async () => {
    const source = new SteppedSource(9);
    useGame.getState().play(source, 9);
    let fail = true;
    const pilot = createAutopilotStore(async () => {
      if (fail) throw new Error('HTTP 404 Not Found');
      return webPolicy();
    });
    pilot.getState().toggle();
    await until(() => pilot.getState().status === 'error');
    expect(pilot.getState().error).toBe('the policy did not load: HTTP 404 Not Found');
    fail = false;
    pilot.getState().toggle();
    await until(() => pilot.getState().status === 'on');
    useGame.getState().play(new SteppedSource(10), 10);
    expect(pilot.getState().status).toBe('off');
  });
});
