/**
 * The dream's fail-over (FailoverShard) over the real dream protocol: each shard here runs the
 * shipped world simulator behind `handleDreamRequest`, and its answers cross a JSON boundary and
 * the zod schema as a peer's do. A shard that closes mid-dream, one that answers garbage and one
 * that repeats a step are each replaced by the next: the dream's steps run 1..N without a gap or
 * a repeat, every new shard starts from the frames the dreamer had confirmed, and the failed step
 * is asked again with the same action.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { World } from '@aikon/engine';
import {
  DreamResponseSchema,
  handleDreamRequest,
  loadSim,
  SimShard,
  type SimModel,
  tokenize,
} from '@aikon/world-model';
import { FailoverShard, type Failover } from '../src/dream/failover.ts';
import type { ShardClient } from '../src/dream/shards.ts';

const MODELS = join(import.meta.dirname, '../../../models');
let model: SimModel;

type Fault = { at: number; kind: 'close' | 'garbage' | 'repeat' };

/** A shard speaking the dream protocol through JSON, with an optional fault at one of its own steps. */
class ProtocolShard implements ShardClient {
  readonly kind: 'peer' | 'server';
  readonly backend: string;
  readonly resets: number[][][] = [];
  readonly actions: (number | null)[] = [];
  disposed = false;
  private readonly shard = new SimShard(model);
  private id = 0;
  constructor(
    readonly name: string,
    kind: 'peer' | 'server',
    private readonly fault?: Fault,
  ) {
    this.kind = kind;
    this.backend = name;
  }
  private async call(req: object, garbage = false): Promise<ReturnType<typeof DreamResponseSchema.parse>> {
    if (this.disposed) throw new Error(`${this.name} is closed`);
    const id = ++this.id;
    const answer = garbage
      ? { type: 'frame', v: 1, id, step: this.actions.length, tokens: [1, 2, 3] }
      : await handleDreamRequest(this.shard, JSON.parse(JSON.stringify({ ...req, v: 1, id })));
    const reply = JSON.parse(JSON.stringify(answer));
    const parsed = DreamResponseSchema.safeParse(reply);
    if (!parsed.success) throw new Error(`${this.name} answered garbage`);
    if (parsed.data.type === 'error') throw new Error(parsed.data.message);
    return parsed.data;
  }
  async reset(frames: number[][], seed?: number): Promise<void> {
    this.resets.push(frames.map((f) => [...f]));
    await this.call({ type: 'reset', frames, seed });
  }
  async step(action: number | null) {
    this.actions.push(action);
    const n = this.actions.length;
    if (this.fault?.at === n && this.fault.kind === 'close') throw new Error(`${this.name} closed its tab`);
    const r = await this.call({ type: 'step', action }, this.fault?.at === n && this.fault.kind === 'garbage');
    if (r.type !== 'frame') throw new Error('no frame');
    return { ...r, step: this.fault?.at === n && this.fault.kind === 'repeat' ? r.step - 1 : r.step, ms: r.ms };
  }
  dispose(): void {
    this.disposed = true;
  }
}

function startFrames(seed: number): number[][] {
  const world = World.generate({ seed });
  world.addPlayer();
  const frames: number[][] = [Array.from(tokenize(world, 0))];
  for (let i = 0; i < 3; i++) {
    world.step([i % 2 === 0 ? 1 : 3]);
    frames.push(Array.from(tokenize(world, 0)));
  }
  return frames;
}

beforeAll(async () => {
  const manifest = JSON.parse(await readFile(join(MODELS, 'manifest.json'), 'utf8'));
  ({ model } = await loadSim(
    manifest,
    async (f) => new Uint8Array(await readFile(join(MODELS, f))),
    'world-sim-small',
  ));
});

describe('FailoverShard', () => {
  it('gets past a closed peer, a garbage answer and a repeated step with no step lost or repeated', async () => {
    const shards = [
      new ProtocolShard('peer A', 'peer', { at: 5, kind: 'close' }),
      new ProtocolShard('peer B', 'peer', { at: 3, kind: 'garbage' }),
      new ProtocolShard('peer C', 'peer', { at: 2, kind: 'repeat' }),
      new ProtocolShard('relay', 'server'),
    ];
    let next = 1;
    const switches: Failover[] = [];
    const dream = new FailoverShard(
      shards[0],
      async () => shards[next++] ?? null,
      (_to, f) => switches.push(f),
    );
    await dream.reset(startFrames(11), 7);
    const actions = [1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1];
    const steps: number[] = [];
    const kinds: string[] = [];
    const received: number[][] = [];
    for (const a of actions) {
      const p = await dream.step(a);
      steps.push(p.step);
      kinds.push(dream.backend);
      received.push(p.tokens);
    }
    expect(steps).toEqual(actions.map((_, i) => i + 1));
    expect(switches.map((f) => [f.step, f.from, f.to])).toEqual([
      [4, 'peer', 'peer'],
      [6, 'peer', 'peer'],
      [7, 'peer', 'server'],
    ]);
    expect(switches[0].why).toMatch(/closed its tab/);
    expect(switches[1].why).toMatch(/garbage/);
    expect(switches[2].why).toMatch(/answered step 1 where step 2 was due/);
    expect(kinds.slice(0, 4).every((k) => k === 'peer A')).toBe(true);
    expect(kinds.slice(7).every((k) => k === 'relay')).toBe(true);
    // Each next shard starts from the frames the dreamer had confirmed (the last 8, newest last)
    // and is asked the failed step again with the same action.
    const confirmedAt = (step: number) => [...startFrames(11), ...received.slice(0, step)].slice(-8);
    expect(shards[1].resets).toEqual([confirmedAt(4)]);
    expect(shards[2].resets).toEqual([confirmedAt(6)]);
    expect(shards[3].resets).toEqual([confirmedAt(7)]);
    expect(shards[1].actions[0]).toBe(actions[4]);
    expect(shards[2].actions[0]).toBe(actions[6]);
    expect(shards[3].actions[0]).toBe(actions[7]);
    expect(shards.slice(0, 3).every((s) => s.disposed)).toBe(true);
    dream.dispose();
    expect(shards[3].disposed).toBe(true);
  });

  it('fails over a reset too, and says so when no shard is left', async () => {
    const broken: ShardClient = {
      kind: 'peer',
      backend: 'gone',
      reset: () => Promise.reject(new Error('gone before the reset')),
      step: () => Promise.reject(new Error('gone')),
      dispose: () => undefined,
    };
    const relay = new ProtocolShard('relay', 'server', { at: 2, kind: 'close' });
    const queue: ShardClient[] = [relay];
    const dream = new FailoverShard(broken, async () => queue.shift() ?? null);
    await dream.reset(startFrames(12), 1);
    expect(relay.resets).toHaveLength(1);
    expect((await dream.step(0)).step).toBe(1);
    await expect(dream.step(0)).rejects.toThrow(/no dream shard left \(relay closed its tab\)/);
  });
  it('waking ends the dream: a step in flight fails with its shard, and no other shard is opened', async () => {
    // The dream-shard bench found this: waking closed the browser shard under a step in flight, the
    // closed step failed over to a peer, and that orphan session's switch landed on the next dream.
    let rejectStep: (e: Error) => void = () => undefined;
    const first: ShardClient = {
      kind: 'browser',
      backend: 'own tab',
      reset: () => Promise.resolve(),
      step: () => new Promise((_, reject) => (rejectStep = reject)),
      dispose: () => rejectStep(new Error('the dream shard was closed')),
    };
    const opened: ShardClient[] = [];
    const switches: Failover[] = [];
    const dream = new FailoverShard(
      first,
      async () => {
        const peer = new ProtocolShard('peer', 'peer');
        opened.push(peer);
        return peer;
      },
      (_to, f) => switches.push(f),
    );
    await dream.reset(startFrames(13), 2);
    const inFlight = dream.step(1);
    dream.dispose();
    await expect(inFlight).rejects.toThrow(/the dream shard was closed/);
    expect(opened).toEqual([]);
    expect(switches).toEqual([]);
    expect(dream.failovers).toEqual([]);
  });

  it('a shard that opens after the dreamer woke is closed at once', async () => {
    let release: () => void = () => undefined;
    const broken: ShardClient = {
      kind: 'peer',
      backend: 'gone',
      reset: () => Promise.resolve(),
      step: () => Promise.reject(new Error('peer closed its tab')),
      dispose: () => undefined,
    };
    const relay = new ProtocolShard('relay', 'server');
    const dream = new FailoverShard(broken, () => new Promise((r) => (release = () => r(relay))));
    await dream.reset(startFrames(14), 3);
    const step = dream.step(0);
    await new Promise((r) => setTimeout(r, 0)); // the fail-over is now waiting for the next shard
    dream.dispose();
    release();
    await expect(step).rejects.toThrow(/the dream ended/);
    expect(relay.disposed).toBe(true);
    expect(dream.failovers).toEqual([]);
  });
});
