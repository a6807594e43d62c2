/**
 * One load-generator process of the relay benchmark: hosts `lobbies` lobbies of `players`
 * simulated players each (raw socket.io-client sockets with the msgpack parser). Every player
 * sends one action per tick period at a random phase, answers death with a respawn, and measures
 *  - action-to-delta latency: send → receipt of the delta whose `you.ack` is that action's seq,
 *  - delivery latency: receipt − the tick's scheduled time (`ts`, stamped by the server),
 *  - bytes received and sent.
 * Protocol with the parent (IPC): parent sends {type:'setup', ...}; child answers 'ready';
 * parent sends 'go'; child measures and answers {type:'result', ...} and exits.
 * Mode 'plain' (the transport's limit): no lobby; each group of `players` joins one room of a bare
 * Socket.IO server that broadcasts a recorded delta to it every tick (see relay.bench.ts).
 */
import { io, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';

interface Setup {
  type: 'setup';
  url: string;
  lobbies: number;
  players: number;
  tickRate: number;
  warmupMs: number;
  measureMs: number;
  seed: number;
  /** 'redis': the relay on Redis, joined the same way as 'relay'. */
  mode: 'relay' | 'redis' | 'plain';
}

interface Ack<T> {
  ok: boolean;
  data: T;
  error?: { code: string; message: string };
}

const now = () => performance.timeOrigin + performance.now();

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function size(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

class Player {
  socket: Socket;
  seq = 0;
  sent = new Map<number, number>();
  dead = false;
  timer: NodeJS.Timeout | null = null;
  constructor(
    url: string,
    readonly stats: Stats,
  ) {
    this.socket = io(url, { parser: msgpackParser, transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket.io.on('open', () => {
      const engine = this.socket.io.engine;
      engine.on('packet', (p: { data?: unknown }) => {
        if (stats.measuring) stats.bytesIn += size(p.data);
      });
      engine.on('packetCreate', (p: { data?: unknown }) => {
        if (stats.measuring) stats.bytesOut += size(p.data);
      });
    });
    this.socket.on('game:delta', (d: { t: number; ts?: number; you?: { ack: number; dead: boolean } }) => {
      const t = now();
      if (stats.measuring) {
        stats.deltas++;
        stats.sample = d;
        if (d.ts !== undefined) stats.delivery.push(t - d.ts);
        if (d.you && d.you.ack >= 0) {
          const at = this.sent.get(d.you.ack);
          if (at !== undefined) stats.action.push(t - at);
        }
      }
      if (d.you) {
        for (const s of this.sent.keys()) if (s <= d.you.ack) this.sent.delete(s);
        if (d.you.dead && !this.dead) {
          this.dead = true;
          this.socket.emit('game:respawn', {}, (a: Ack<unknown>) => {
            if (a.ok) this.dead = false;
          });
        }
      }
      if (this.sent.size > 64) this.sent.clear();
    });
    // Like a game client: it has "drawn" the world once it has a snapshot (the relay's first tick waits for it).
    this.socket.on('game:snapshot', () => this.socket.emit('game:ready', {}));
    this.socket.on('error', (e: { code: string }) => {
      if (e.code !== 'player_dead') stats.errors[e.code] = (stats.errors[e.code] ?? 0) + 1;
    });
  }
  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }
  request<T>(event: string, payload: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      this.socket.timeout(20_000).emit(event, payload, (err: Error | null, ack: Ack<T>) => {
        if (err) reject(err);
        else if (!ack.ok) reject(new Error(`${event}: ${ack.error?.code} ${ack.error?.message}`));
        else resolve(ack.data);
      });
    });
  }
  startActing(periodMs: number, rand: () => number): void {
    const act = () => {
      if (this.dead) return;
      // Mostly moves and `do`, like a person walking around and collecting.
      const r = rand();
      const a = r < 0.7 ? 1 + Math.floor(rand() * 4) : r < 0.9 ? 5 : Math.floor(rand() * 17);
      this.seq++;
      this.sent.set(this.seq, now());
      this.socket.emit('game:action', { a, seq: this.seq });
    };
    setTimeout(() => {
      act();
      this.timer = setInterval(act, periodMs);
    }, rand() * periodMs);
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.socket.close();
  }
}

interface Stats {
  measuring: boolean;
  delivery: number[];
  action: number[];
  bytesIn: number;
  bytesOut: number;
  deltas: number;
  errors: Record<string, number>;
  /** The last delta received: the plain broadcast's payload. */
  sample: unknown;
}

async function run(setup: Setup): Promise<void> {
  const stats: Stats = {
    measuring: false,
    delivery: [],
    action: [],
    bytesIn: 0,
    bytesOut: 0,
    deltas: 0,
    errors: {},
    sample: null,
  };
  const rand = lcg(setup.seed);
  const players: Player[] = [];
  for (let l = 0; l < setup.lobbies && setup.mode === 'plain'; l++) {
    const joins: Promise<unknown>[] = [];
    for (let m = 0; m < setup.players; m++) {
      const p = new Player(setup.url, stats);
      players.push(p);
      joins.push(p.connected().then(() => p.request('plain:join', { room: `${setup.seed}-${l}` })));
    }
    await Promise.all(joins);
  }
  for (let l = 0; l < setup.lobbies && setup.mode !== 'plain'; l++) {
    const host = new Player(setup.url, stats);
    players.push(host);
    await host.connected();
    const created = await host.request<{ lobby: { code: string } }>('lobby:create', {
      name: `host${l}`,
      seats: Math.max(setup.players, 1),
      tickRate: setup.tickRate,
      seed: setup.seed + l,
    });
    const joins: Promise<unknown>[] = [];
    for (let m = 1; m < setup.players; m++) {
      const p = new Player(setup.url, stats);
      players.push(p);
      joins.push(p.connected().then(() => p.request('lobby:join', { code: created.lobby.code, name: `p${l}-${m}` })));
    }
    await Promise.all(joins);
    await host.request('lobby:start', {});
  }
  process.send!({ type: 'ready', players: players.length });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  for (const p of players) p.startActing(1000 / setup.tickRate, rand);
  await new Promise((r) => setTimeout(r, setup.warmupMs));
  stats.measuring = true;
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, setup.measureMs));
  stats.measuring = false;
  const cpu = process.cpuUsage(cpu0);
  for (const p of players) p.stop();
  process.send!(
    {
      type: 'result',
      players: players.length,
      delivery: stats.delivery,
      action: stats.action,
      bytesIn: stats.bytesIn,
      bytesOut: stats.bytesOut,
      deltas: stats.deltas,
      errors: stats.errors,
      sample: stats.sample,
      cpuMs: (cpu.user + cpu.system) / 1000,
    },
    () => process.exit(0),
  ); // exit once the (large) result has gone through the IPC pipe
}

process.once('message', (m: Setup) => {
  run(m).catch((err: unknown) => {
    process.send!({ type: 'error', message: (err as Error).stack ?? String(err) }, () => process.exit(1));
  });
});
