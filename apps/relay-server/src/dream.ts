/**
 * Server dream shards: the Socket.IO namespace `/dream` hosts dream sessions of
 * @aikon/world-model (the world simulator by default, or the token dream model over
 * onnxruntime-node when `model` names it) for clients whose device cannot dream in real time, and
 * `/models/…` serves the model files to browser shards.
 *
 * The events and answers are defined in @aikon/world-model's dream-protocol.ts. Every event is
 * rate limited per socket, size-checked and zod-validated; sessions are bounded per socket and
 * per server, freed on dispose, on disconnect and after an idle timeout.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import type { Namespace, Server, Socket } from 'socket.io';
import { z } from 'zod';
import {
  DREAM_NAMESPACE,
  type DreamAck,
  type DreamErrorCode,
  type DreamFrame,
  type DreamResetResult,
  DreamWireEvents,
  type DreamWireEventName,
  type DreamModel,
  type DreamSession,
  frameData,
} from '@aikon/world-model';

export interface DreamConfig {
  /** Directory with manifest.json and the model files it lists. */
  modelsDir: string;
  /** Model name in the manifest (default: its world simulator, else its token dream model). */
  model?: string;
  maxSessions: number;
  maxSessionsPerSocket: number;
  /** Token bucket per socket over every dream event. */
  rateLimit: { perSecond: number; burst: number };
  /** A session without events for this long is freed. */
  idleMs: number;
  /** onnxruntime-node intra-op threads (default 1: many small sessions, few cores). */
  threads: number;
}

export function defaultDreamConfig(modelsDir: string): DreamConfig {
  return {
    modelsDir,
    maxSessions: 32,
    maxSessionsPerSocket: 2,
    rateLimit: { perSecond: 30, burst: 60 },
    idleMs: 5 * 60_000,
    threads: 1,
  };
}

class DreamError extends Error {
  constructor(
    readonly code: DreamErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface Session {
  id: number;
  socket: Socket;
  shard: DreamSession;
  busy: boolean;
  lastUsed: number;
}

export interface DreamHost {
  readonly sessions: number;
  /** Step latencies (ms) of the last 200 steps, for /metrics-like reporting and tests. */
  readonly recentStepMs: readonly number[];
  /** Serves GET /models/manifest.json and the manifest's model files; false when not a /models path. */
  handleHttp(req: IncomingMessage, res: ServerResponse, path: string): boolean;
  /**
   * Loads the model now rather than on the first reset (once; a failure is logged and the first
   * reset tries again): the relay is the fall-back of dreams on peer shards, and a dream that
   * fails over should not wait for the model to load.
   */
  warm(): void;
  /** Whether the model is loaded. */
  readonly modelLoaded: boolean;
  close(): Promise<void>;
}

const MAX_EVENT_BYTES = 16 * 1024;

/** Attaches the `/dream` namespace to a Socket.IO server. The model loads on the first reset. */
export function attachDreamHost(io: Server, config: DreamConfig, log: Logger): DreamHost {
  const nsp: Namespace = io.of(DREAM_NAMESPACE);
  const sessions = new Map<number, Session>();
  const recentStepMs: number[] = [];
  let nextSession = 1;
  let model: Promise<DreamModel> | null = null;
  let modelLoaded = false;
  let closed = false;

  function loadModel(): Promise<DreamModel> {
    model ??= (async () => {
      const wm = await import('@aikon/world-model/node');
      const manifest = JSON.parse(readFileSync(join(config.modelsDir, 'manifest.json'), 'utf8')) as unknown;
      const loaded = await wm.loadDreamModel(
        manifest,
        async (file) => new Uint8Array(readFileSync(join(config.modelsDir, basename(file)))),
        (bytes, K) => wm.OrtNodeBackend.create(bytes, K, { intraOpNumThreads: config.threads }),
        config.model !== undefined ? { name: config.model } : {},
      );
      log.info({ model: loaded.name, version: loaded.version, backend: loaded.backend }, 'dream model loaded');
      modelLoaded = true;
      return loaded;
    })();
    model.catch((err: unknown) => {
      log.error({ err }, 'dream model failed to load');
      model = null; // a later reset tries again
    });
    return model;
  }

  function free(s: Session): void {
    sessions.delete(s.id);
    // Sessions share the model's backend: nothing else to release.
  }

  const idleSweep = setInterval(
    () => {
      const now = performance.now();
      for (const s of [...sessions.values()]) if (now - s.lastUsed > config.idleMs && !s.busy) free(s);
    },
    Math.min(60_000, Math.max(1000, config.idleMs / 4)),
  );
  idleSweep.unref();

  function sessionOf(socket: Socket, id: number): Session {
    const s = sessions.get(id);
    if (!s || s.socket !== socket)
      throw new DreamError('no_session', `no dream session ${id} on this connection; send dream:reset first`);
    return s;
  }

  const handlers: {
    [K in DreamWireEventName]: (socket: Socket, req: z.infer<(typeof DreamWireEvents)[K]>) => Promise<unknown>;
  } = {
    async 'dream:reset'(socket, req) {
      let s = req.session !== undefined ? sessionOf(socket, req.session) : undefined;
      if (s?.busy) throw new DreamError('step_in_flight', 'wait for the step in flight before resetting');
      if (!s) {
        const mine = [...sessions.values()].filter((x) => x.socket === socket).length;
        if (mine >= config.maxSessionsPerSocket)
          throw new DreamError(
            'session_limit',
            `at most ${config.maxSessionsPerSocket} dream sessions per connection; dispose one first`,
          );
        if (sessions.size >= config.maxSessions)
          throw new DreamError(
            'server_busy',
            `this server hosts at most ${config.maxSessions} dream sessions; try again later or dream in your browser`,
          );
      }
      let loaded: DreamModel;
      try {
        loaded = await loadModel();
      } catch (err) {
        throw new DreamError('model_unavailable', `the dream model could not be loaded: ${(err as Error).message}`);
      }
      if (!socket.connected) throw new DreamError('no_session', 'disconnected');
      if (!s) {
        // Re-check the limits: other resets may have landed while the model loaded.
        if (sessions.size >= config.maxSessions)
          throw new DreamError('server_busy', `this server hosts at most ${config.maxSessions} dream sessions`);
        s = { id: nextSession++, socket, shard: loaded.shard(), busy: false, lastUsed: performance.now() };
        sessions.set(s.id, s);
      }
      try {
        s.shard.reset({ frames: req.frames.map((f) => Int32Array.from(f)) }, req.seed);
      } catch (err) {
        if (req.session === undefined) free(s);
        throw new DreamError('bad_context', (err as Error).message);
      }
      s.lastUsed = performance.now();
      const result: DreamResetResult = {
        session: s.id,
        model: loaded.name,
        version: loaded.version,
        backend: loaded.backend,
        context: loaded.context,
        sampler: { steps: s.shard.sampler.steps, temperature: s.shard.sampler.temperature },
      };
      return result;
    },
    async 'dream:step'(socket, req) {
      const s = sessionOf(socket, req.session);
      if (s.busy) throw new DreamError('step_in_flight', 'one step at a time: wait for the previous step');
      s.busy = true;
      const t0 = performance.now();
      try {
        const r = await s.shard.step(req.action);
        const ms = performance.now() - t0;
        recentStepMs.push(ms);
        if (recentStepMs.length > 200) recentStepMs.shift();
        const frame: DreamFrame = { session: s.id, ...frameData(r, ms) };
        return frame;
      } finally {
        s.busy = false;
        s.lastUsed = performance.now();
      }
    },
    async 'dream:dispose'(socket, req) {
      free(sessionOf(socket, req.session));
      return null;
    },
  };

  nsp.on('connection', (socket) => {
    const bucket = { tokens: config.rateLimit.burst, last: performance.now() };
    socket.use((packet) => {
      const [event, ...rest] = packet as unknown[];
      const ack =
        typeof rest[rest.length - 1] === 'function' ? (rest.pop() as (a: DreamAck<unknown>) => void) : undefined;
      const name = typeof event === 'string' ? event.slice(0, 64) : `<${typeof event}>`;
      const fail = (code: DreamErrorCode, message: string) => {
        const error = { code, message, event: name };
        if (ack) ack({ ok: false, error });
        else socket.emit('dream:error', error);
      };
      const now = performance.now();
      bucket.tokens = Math.min(
        config.rateLimit.burst,
        bucket.tokens + ((now - bucket.last) / 1000) * config.rateLimit.perSecond,
      );
      bucket.last = now;
      if (bucket.tokens < 1)
        return fail('rate_limited', `too many dream events: at most ${config.rateLimit.perSecond} per second`);
      bucket.tokens -= 1;
      if (typeof event !== 'string' || !Object.hasOwn(DreamWireEvents, event))
        return fail('unknown_event', `unknown dream event ${JSON.stringify(name)}`);
      if (rest.length !== 1) return fail('invalid_payload', 'send one payload object per event');
      if (JSON.stringify(rest[0] ?? null).length > MAX_EVENT_BYTES)
        return fail('payload_too_large', `payload larger than ${MAX_EVENT_BYTES} bytes`);
      const key = event as DreamWireEventName;
      const parsed = DreamWireEvents[key].safeParse(rest[0]);
      if (!parsed.success) return fail('invalid_payload', z.prettifyError(parsed.error).slice(0, 500));
      (handlers[key] as (s: Socket, r: unknown) => Promise<unknown>)(socket, parsed.data).then(
        (data) => ack?.({ ok: true, data: data ?? null }),
        (err: unknown) => {
          if (err instanceof DreamError) fail(err.code, err.message);
          else {
            log.error({ err, event: key }, 'dream handler failed');
            fail('server_error', 'internal server error');
          }
        },
      );
    });
    socket.on('disconnect', () => {
      for (const s of [...sessions.values()]) if (s.socket === socket) free(s);
    });
  });

  function handleHttp(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    if (!path.startsWith('/models/')) return false;
    const name = path.slice('/models/'.length);
    const manifestFile = join(config.modelsDir, 'manifest.json');
    let allowed = name === 'manifest.json';
    if (!allowed && /^[\w.-]+\.(onnx|bin)$/.test(name) && existsSync(manifestFile)) {
      try {
        const m = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
          models?: { file?: string }[];
          simulators?: { file?: string }[];
          cameras?: { file?: string }[];
        };
        allowed = [...(m.models ?? []), ...(m.simulators ?? []), ...(m.cameras ?? [])].some((e) => e.file === name);
      } catch {
        allowed = false;
      }
    }
    const file = join(config.modelsDir, name);
    if (!allowed || !existsSync(file) || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return true;
    }
    res.writeHead(200, {
      'content-type': name.endsWith('.json') ? 'application/json; charset=utf-8' : 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
    return true;
  }

  return {
    get sessions() {
      return sessions.size;
    },
    recentStepMs,
    handleHttp,
    get modelLoaded() {
      return modelLoaded;
    },
    warm() {
      if (!closed) void loadModel().catch(() => undefined);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(idleSweep);
      sessions.clear();
      const m = model;
      model = null;
      modelLoaded = false;
      if (m) await m.then((x) => x.dispose()).catch(() => {});
    },
  };
}
