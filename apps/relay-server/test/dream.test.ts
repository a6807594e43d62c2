/**
 * Server dream shards over real Socket.IO: the `/dream` namespace runs the world simulator
 * (models/manifest.json; the default dream), or the token dream model with onnxruntime-node when
 * configured by name; resets from real tokenized frames, steps return
 * valid predictions, bad messages and extra sessions are refused, sessions end with the socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { Action, World } from '@aikon/engine';
import { decodeObservation, FRAME_TOKENS, tokenize } from '@aikon/world-model';
import type { DreamAck, DreamFrame, DreamResetResult } from '@aikon/world-model';
import { startTestServer, type TestServer, waitFor } from './helpers.ts';

function realFrames(seed = 7, steps = 3): number[][] {
  const world = World.generate({ seed });
  world.addPlayer({ slot: 0 });
  const frames = [Array.from(tokenize(world, 0))];
  for (let i = 0; i < steps; i++) {
    world.step([Action.move_right]);
    frames.push(Array.from(tokenize(world, 0)));
  }
  return frames;
}

describe('server dream shards (/dream namespace)', () => {
  let server: TestServer;
  const sockets: Socket[] = [];
  const connect = async (): Promise<Socket> => {
    const s = ioClient(`${server.url}/dream`, {
      parser: msgpackParser,
      transports: ['websocket'],
      reconnection: false,
    });
    sockets.push(s);
    await new Promise<void>((ok, fail) => {
      s.once('connect', () => ok());
      s.once('connect_error', fail);
    });
    return s;
  };
  const call = <T>(s: Socket, event: string, payload: unknown): Promise<DreamAck<T>> =>
    s.timeout(30_000).emitWithAck(event, payload) as Promise<DreamAck<T>>;
  const ok = async <T>(s: Socket, event: string, payload: unknown): Promise<T> => {
    const a = await call<T>(s, event, payload);
    if (!a.ok) throw new Error(`${event} refused: ${a.error.code} ${a.error.message}`);
    return a.data;
  };
  const code = async (s: Socket, event: string, payload: unknown): Promise<string> => {
    const a = await call(s, event, payload);
    if (a.ok) throw new Error(`${event} was accepted`);
    return a.error.code;
  };

  beforeAll(async () => {
    server = await startTestServer({
      dream: { maxSessions: 3, maxSessionsPerSocket: 2, rateLimit: { perSecond: 40, burst: 40 } },
    });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.cleanup();
  });

  it('serves the manifest and the model files it lists (the camera too), nothing else', async () => {
    const manifest = (await (await fetch(`${server.url}/models/manifest.json`)).json()) as {
      models: { file: string; bytes: number }[];
    };
    const res = await fetch(`${server.url}/models/${manifest.models[0].file}`);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(manifest.models[0].bytes);
    expect((await fetch(`${server.url}/models/../package.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/models/other.onnx`)).status).toBe(404);
    const sims = (manifest as unknown as { simulators: { file: string; bytes: number }[] }).simulators;
    const sim = await fetch(`${server.url}/models/${sims[0].file}`);
    expect((await sim.arrayBuffer()).byteLength).toBe(sims[0].bytes);
    expect((await fetch(`${server.url}/models/other.bin`)).status).toBe(404);
    // The dream camera the browser inset loads.
    const cameras = (manifest as unknown as { cameras: { file: string; bytes: number }[] }).cameras;
    const camera = await fetch(`${server.url}/models/${cameras[0].file}`);
    expect(camera.status).toBe(200);
    expect((await camera.arrayBuffer()).byteLength).toBe(cameras[0].bytes);
  });

  it('reset from real frames, then steps return valid predicted frames', async () => {
    const s = await connect();
    const frames = realFrames();
    const reset = await ok<DreamResetResult>(s, 'dream:reset', { v: 1, frames, seed: 3 });
    expect(reset.session).toBeGreaterThan(0);
    expect(reset.model).toBe('world-sim-small');
    expect(reset.backend).toMatch(/world-sim \(TypeScript/);
    expect(reset.context).toBeGreaterThanOrEqual(1);
    const ms: number[] = [];
    let last: DreamFrame | null = null;
    for (let i = 0; i < 12; i++) {
      const f = await ok<DreamFrame>(s, 'dream:step', {
        v: 1,
        session: reset.session,
        action: i % 2 === 0 ? Action.move_left : null,
      });
      expect(f.step).toBe(i + 1);
      expect(f.tokens).toHaveLength(FRAME_TOKENS);
      const o = decodeObservation(f.tokens); // throws on any out-of-range token
      expect(Array.from(o.view)).toEqual(f.view);
      expect(f.view).toHaveLength(63);
      expect(f.inventory).toHaveLength(16);
      expect(Number.isFinite(f.reward)).toBe(true);
      expect(f.doneProbability).toBeGreaterThanOrEqual(0);
      expect(f.doneProbability).toBeLessThanOrEqual(1);
      // The simulator's fields: full health, no enemy: no predicted death.
      expect(f.continuation).toBeGreaterThan(0.5);
      expect(f.ended).toBeNull();
      expect(f.event).toBeGreaterThanOrEqual(0);
      ms.push(f.ms);
      last = f;
    }
    expect(last!.step).toBe(12);
    // The dream starts where reality was: the first prediction keeps most of the view.
    const again = await ok<DreamResetResult>(s, 'dream:reset', { v: 1, frames, seed: 3, session: reset.session });
    expect(again.session).toBe(reset.session);
    const first = await ok<DreamFrame>(s, 'dream:step', { v: 1, session: reset.session, action: Action.noop });
    expect(first.step).toBe(1);
    const real = frames[frames.length - 1];
    const same = first.view.filter((t, k) => t === real[k]).length;
    expect(same).toBeGreaterThan(40);
    ms.sort((a, b) => a - b);
    console.log(
      `server dream step: median ${ms[ms.length >> 1].toFixed(2)} ms, ` +
        `max ${ms[ms.length - 1].toFixed(2)} ms (${reset.backend})`,
    );
    expect(server.dream.recentStepMs.length).toBeGreaterThan(0);
    await ok(s, 'dream:dispose', { v: 1, session: reset.session });
    expect(await code(s, 'dream:step', { v: 1, session: reset.session, action: null })).toBe('no_session');
  });

  it('refuses bad messages with clear errors', async () => {
    const s = await connect();
    const frame = realFrames(1, 0)[0];
    expect(await code(s, 'dream:reset', { v: 1, frames: [] })).toBe('invalid_payload');
    expect(await code(s, 'dream:reset', { v: 2, frames: [frame] })).toBe('invalid_payload');
    expect(await code(s, 'dream:reset', { v: 1, frames: [frame.slice(0, 80)] })).toBe('invalid_payload');
    // Well-formed but not tokens of a frame (a MASK token in the view).
    expect(await code(s, 'dream:reset', { v: 1, frames: [[45, ...frame.slice(1)]] })).toBe('bad_context');
    expect(await code(s, 'dream:step', { v: 1, session: 99, action: 0 })).toBe('no_session');
    expect(await code(s, 'dream:step', { v: 1, session: 1, action: 17 })).toBe('invalid_payload');
    expect(await code(s, 'dream:step', { v: 1, session: 1, action: 'noop' })).toBe('invalid_payload');
    expect(await code(s, 'dream:nope', {})).toBe('unknown_event');
    expect(await code(s, 'dream:reset', { v: 1, frames: [frame], extra: 1 })).toBe('invalid_payload');
    const big = await call(s, 'dream:reset', { v: 1, frames: [frame], pad: 'x'.repeat(20_000) });
    expect(big.ok).toBe(false);
    // Another socket's session cannot be driven from here.
    const other = await connect();
    const theirs = await ok<DreamResetResult>(other, 'dream:reset', { v: 1, frames: [frame] });
    expect(await code(s, 'dream:step', { v: 1, session: theirs.session, action: 0 })).toBe('no_session');
    // A second step while one is in flight is refused, not queued.
    const [a, b] = await Promise.all([
      call(other, 'dream:step', { v: 1, session: theirs.session, action: 0 }),
      call(other, 'dream:step', { v: 1, session: theirs.session, action: 0 }),
    ]);
    expect(a.ok).toBe(true);
    expect(b.ok ? 'ok' : b.error.code).toBe('step_in_flight');
    other.close();
    await waitFor(() => server.dream.sessions === 0, 5000, 'sessions freed on disconnect');
  });

  it('bounds sessions per socket and per server, frees them on disconnect, rate limits', async () => {
    const frame = realFrames(2, 0)[0];
    const a = await connect();
    await ok(a, 'dream:reset', { v: 1, frames: [frame] });
    await ok(a, 'dream:reset', { v: 1, frames: [frame] });
    expect(await code(a, 'dream:reset', { v: 1, frames: [frame] })).toBe('session_limit');
    const b = await connect();
    await ok(b, 'dream:reset', { v: 1, frames: [frame] });
    expect(server.dream.sessions).toBe(3);
    expect(await code(b, 'dream:reset', { v: 1, frames: [frame] })).toBe('server_busy');
    a.close();
    await waitFor(() => server.dream.sessions === 1, 5000, 'sessions freed on disconnect');
    await ok(b, 'dream:reset', { v: 1, frames: [frame] });
    // Flood: the bucket (burst 40) runs dry and events are refused as rate_limited.
    const c = await connect();
    const acks = await Promise.all(
      Array.from({ length: 60 }, () => call(c, 'dream:step', { v: 1, session: 1, action: 0 })),
    );
    expect(acks.filter((x) => !x.ok && x.error.code === 'rate_limited').length).toBeGreaterThan(10);
  });

  it('serves the token dream model when the relay is configured with its name', async () => {
    const other = await startTestServer({ dream: { model: 'token-dream-small' } });
    const s = ioClient(`${other.url}/dream`, { parser: msgpackParser, transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((done, fail) => {
        s.once('connect', () => done());
        s.once('connect_error', fail);
      });
      const a = (await s
        .timeout(30_000)
        .emitWithAck('dream:reset', { v: 1, frames: realFrames() })) as DreamAck<DreamResetResult>;
      if (!a.ok) throw new Error(a.error.message);
      expect(a.data.model).toBe('token-dream-small');
      expect(a.data.backend).toMatch(/onnxruntime-node/);
      for (let i = 0; i < 5; i++) {
        const f = (await s.timeout(30_000).emitWithAck('dream:step', {
          v: 1,
          session: a.data.session,
          action: Action.move_right,
        })) as DreamAck<DreamFrame>;
        if (!f.ok) throw new Error(f.error.message);
        expect(f.data.tokens.length).toBe(FRAME_TOKENS);
        expect(decodeObservation(f.data.tokens).inventory[0]).toBeGreaterThan(0);
        // A probability, not a logit (the token model's termination head is not calibrated).
        expect(f.data.doneProbability).toBeGreaterThanOrEqual(0);
        expect(f.data.doneProbability).toBeLessThanOrEqual(1);
      }
    } finally {
      s.close();
      await other.cleanup();
    }
  });
});
