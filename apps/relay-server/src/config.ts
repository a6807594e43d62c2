import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NlConfig, nlConfigFromEnv } from '@aikon/agents';
import { IceServers, type IceServer } from '@aikon/protocol';
import type { DreamConfig } from './dream.ts';

export interface RelayConfig {
  host: string;
  /** 0 = any free port. */
  port: number;
  /** Recordings, index and exports live here. */
  dataDir: string;
  /**
   * `DATABASE_URL` (postgres://…): the episode index lives in PostgreSQL (tables created when
   * missing) instead of `<dataDir>/index.sqlite`; the session logs stay in the data directory.
   */
  databaseUrl: string | null;
  /** Built game (vite build output); served with SPA fallback when present. */
  staticDir: string;
  /** Origin used in invite URLs; default http://host:port. */
  publicUrl?: string;
  /** Socket.IO transport limit: larger frames close the connection. */
  maxHttpBufferSize: number;
  /** Application limit on one event's payload: larger ones get an `error` event. */
  maxEventBytes: number;
  /** Token bucket per socket: sustained events per second and burst. */
  rateLimit: { perSecond: number; burst: number };
  /** Reconnection window (connection state recovery and resume tokens). */
  reconnectMs: number;
  /** A lobby without connected members closes after this. */
  emptyLobbyGraceMs: number;
  /**
   * A started game waits this long for every member to draw its first frame; then it ticks,
   * and a member still loading stands protected until its client has drawn.
   */
  firstFrameTimeoutMs: number;
  /** Ticks of spawn protection for every new life in a lobby world (the engine's World option). */
  spawnProtectionTicks: number;
  /** A lobby without any member (nobody can resume) closes after this. */
  abandonedLobbyGraceMs: number;
  /** Lobby creations allowed per client IP address per minute. */
  lobbyCreatesPerMinute: number;
  /** A state hash is recorded every this many ticks. */
  hashEvery: number;
  /** fsync period of the recordings (at most 1000 ms). */
  fsyncMs: number;
  /** Max concurrent lobbies (a guard against lobby-creation floods). */
  maxLobbies: number;
  /** Max open lobbies created from one client address (`too_many_lobbies` beyond). */
  maxLobbiesPerAddress: number;
  logLevel: string;
  /**
   * Lobbies outlive the process: kept in `<data-dir>/lobbies/` and brought back (with their
   * world, from the session log) by the next start, after a crash or a shutdown.
   */
  durableLobbies: boolean;
  /**
   * Redis (`REDIS_URL`): durable lobby state lives there instead of `<data-dir>/lobbies/`.
   * null: embedded (files).
   */
  redisUrl: string | null;
  /**
   * Several processes on Redis: a lobby's owner lease lasts this long (ms) without renewal; a
   * dead owner's lobbies come back on another process within about this time.
   */
  ownerLeaseMs: number;
  /** Durable lobbies: a running lobby's world is checkpointed this often (ms). */
  checkpointMs: number;
  /** Mount the dataset API (@aikon/datasets) at /api/datasets (loaded on first request). */
  datasetsApi: boolean;
  /** Adds `ts` (scheduled tick time, epoch ms) to deltas: for latency benchmarks. */
  stampDeltas: boolean;
  /** World models (manifest.json + .onnx): served at /models/ and run by the /dream namespace. */
  modelsDir: string;
  /** Server dream shard limits (see dream.ts). */
  dream?: Partial<Omit<DreamConfig, 'modelsDir'>>;
  /**
   * An OpenAI-compatible chat-completions endpoint that reads the workforce's free-text goals
   * (off by default; the goal grammar reads them then, and whenever the endpoint fails).
   */
  languageModel: NlConfig | null;
  /**
   * The manifest policy (in modelsDir) that learned and hybrid AI workers run on
   * onnxruntime-node; null: the policy with the best evaluated Crafter score.
   */
  policy: string | null;
  /**
   * STUN/TURN servers that peer dream shards' browsers use for WebRTC (handed out with the
   * PeerJS credentials). Empty by default: loopback and LAN need none.
   */
  iceServers: IceServer[];
}

const here = fileURLToPath(new URL('.', import.meta.url));
export const REPO_ROOT = resolve(here, '../../..');
/** Relative paths are resolved against the directory npm was started from (`npm start -w` runs in the workspace). */
const BASE_DIR = process.env.INIT_CWD ?? process.cwd();
const abs = (p: string): string => resolve(BASE_DIR, p);

export function defaultConfig(): RelayConfig {
  return {
    host: '127.0.0.1',
    port: 8080,
    dataDir: abs('./data'),
    databaseUrl: null,
    staticDir: resolve(REPO_ROOT, 'dist/game'),
    maxHttpBufferSize: 64 * 1024,
    maxEventBytes: 4 * 1024,
    rateLimit: { perSecond: 60, burst: 120 },
    reconnectMs: 2 * 60 * 1000,
    emptyLobbyGraceMs: 2 * 60 * 1000,
    firstFrameTimeoutMs: 30 * 1000,
    spawnProtectionTicks: 40,
    abandonedLobbyGraceMs: 15 * 1000,
    lobbyCreatesPerMinute: 30,
    hashEvery: 100,
    fsyncMs: 500,
    maxLobbies: 1000,
    maxLobbiesPerAddress: 20,
    logLevel: 'info',
    stampDeltas: false,
    datasetsApi: true,
    durableLobbies: true,
    redisUrl: null,
    ownerLeaseMs: 5000,
    checkpointMs: 5000,
    modelsDir: resolve(REPO_ROOT, 'models'),
    languageModel: null,
    policy: null,
    iceServers: [],
  };
}

function intArg(name: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be an integer in ${min}..${max}, got ${value}`);
  return n;
}

function redisUrlArg(name: string, value: string): string {
  if (!/^rediss?:\/\/[^\s]+$/.test(value)) throw new Error(`${name} must be a redis:// or rediss:// URL, got ${value}`);
  return value;
}

const USAGE = `usage: relay-server [--host 127.0.0.1] [--port 8080] [--data-dir ./data] [--static-dir dist/game]
                    [--public-url URL] [--hash-every 100] [--log-level info] [--models-dir models] [--policy NAME]
                    [--no-durable-lobbies] [--checkpoint-ms 5000] [--redis-url redis://127.0.0.1:6379]
                    [--owner-lease-ms 5000] [--no-datasets-api]
                    [--llm-url http://127.0.0.1:8000/v1 --llm-model NAME]
environment: HOST, PORT, REDIS_URL, AIKON_DATA_DIR, AIKON_STATIC_DIR, AIKON_PUBLIC_URL, AIKON_MODELS_DIR,
             AIKON_POLICY, LOG_LEVEL,
             DATABASE_URL (postgres://…: the episode index in PostgreSQL instead of <data-dir>/index.sqlite),
             AIKON_LLM_URL, AIKON_LLM_MODEL, AIKON_LLM_KEY, AIKON_LLM_TIMEOUT_MS,
             AIKON_ICE_SERVERS (JSON list of RTCIceServer, e.g. [{"urls":"stun:stun.example.org:3478"}]) (flags win)`;

/** `AIKON_ICE_SERVERS`: a JSON list of RTCIceServer objects ({ urls, username?, credential? }). */
export function parseIceServers(text: string): IceServer[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`AIKON_ICE_SERVERS must be JSON: ${(err as Error).message}`);
  }
  const parsed = IceServers.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `AIKON_ICE_SERVERS must be a list of { urls, username?, credential? }: ${parsed.error.issues[0]?.message}`,
    );
  for (const s of parsed.data) {
    for (const u of [s.urls].flat())
      if (!/^(stun|stuns|turn|turns):/.test(u)) throw new Error(`AIKON_ICE_SERVERS: ${u} is not a stun:/turn: URL`);
  }
  return parsed.data;
}

/** Flags win over environment variables, which win over defaults. */
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const config = defaultConfig();
  if (env.HOST) config.host = env.HOST;
  if (env.PORT) config.port = intArg('PORT', env.PORT, 0, 65535);
  if (env.AIKON_DATA_DIR) config.dataDir = abs(env.AIKON_DATA_DIR);
  if (env.DATABASE_URL) {
    if (!/^postgres(ql)?:\/\//.test(env.DATABASE_URL))
      throw new Error(`DATABASE_URL must be a postgres:// or postgresql:// URL\n${USAGE}`);
    config.databaseUrl = env.DATABASE_URL;
  }
  if (env.AIKON_STATIC_DIR) config.staticDir = abs(env.AIKON_STATIC_DIR);
  if (env.AIKON_PUBLIC_URL) config.publicUrl = env.AIKON_PUBLIC_URL;
  if (env.LOG_LEVEL) config.logLevel = env.LOG_LEVEL;
  if (env.REDIS_URL) config.redisUrl = redisUrlArg('REDIS_URL', env.REDIS_URL);
  if (env.AIKON_MODELS_DIR) config.modelsDir = abs(env.AIKON_MODELS_DIR);
  if (Boolean(env.AIKON_LLM_URL) !== Boolean(env.AIKON_LLM_MODEL)) {
    throw new Error(
      `AIKON_LLM_URL and AIKON_LLM_MODEL go together: set both to use a language model, or neither\n${USAGE}`,
    );
  }
  if (env.AIKON_POLICY) config.policy = env.AIKON_POLICY;
  if (env.AIKON_ICE_SERVERS) config.iceServers = parseIceServers(env.AIKON_ICE_SERVERS);
  config.languageModel = nlConfigFromEnv(env);
  if (config.languageModel?.timeoutMs !== undefined)
    intArg('AIKON_LLM_TIMEOUT_MS', env.AIKON_LLM_TIMEOUT_MS, 100, 120_000);
  let llmUrl: string | undefined;
  let llmModel: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--host':
        config.host = value();
        break;
      case '--port':
        config.port = intArg('--port', value(), 0, 65535);
        break;
      case '--data-dir':
        config.dataDir = abs(value());
        break;
      case '--static-dir':
        config.staticDir = abs(value());
        break;
      case '--public-url':
        config.publicUrl = value();
        break;
      case '--hash-every':
        config.hashEvery = intArg('--hash-every', value(), 1, 1_000_000);
        break;
      case '--checkpoint-ms':
        config.checkpointMs = intArg('--checkpoint-ms', value(), 100, 3_600_000);
        break;
      case '--redis-url':
        config.redisUrl = redisUrlArg('--redis-url', value());
        break;
      case '--owner-lease-ms':
        config.ownerLeaseMs = intArg('--owner-lease-ms', value(), 300, 60_000);
        break;
      case '--no-durable-lobbies':
        config.durableLobbies = false;
        break;
      case '--no-datasets-api':
        config.datasetsApi = false;
        break;
      case '--stamp-deltas':
        config.stampDeltas = true;
        break;
      case '--models-dir':
        config.modelsDir = abs(value());
        break;
      case '--policy':
        config.policy = value();
        break;
      case '--log-level':
        config.logLevel = value();
        break;
      case '--llm-url':
        llmUrl = value();
        break;
      case '--llm-model':
        llmModel = value();
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  if (llmUrl !== undefined || llmModel !== undefined) {
    const url = llmUrl ?? config.languageModel?.url;
    const model = llmModel ?? config.languageModel?.model;
    if (!url || !model)
      throw new Error(
        `a language model needs both --llm-url and --llm-model (or AIKON_LLM_URL and AIKON_LLM_MODEL)\n${USAGE}`,
      );
    config.languageModel = { ...config.languageModel, url, model };
  }
  if (config.languageModel && !/^https?:\/\//.test(config.languageModel.url)) {
    throw new Error(`the language model URL must be http(s)://…, got ${config.languageModel.url}`);
  }
  return config;
}
