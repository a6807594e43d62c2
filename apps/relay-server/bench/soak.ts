/**
 * `npm run soak [-- --minutes 5 --interval 30 --lobbies 6 --players 4 --workers 2]`: a bounded
 * soak of a real relay process (src/main.ts, its own data directory) with real Socket.IO clients
 * (the @aikon/protocol client helper) playing in several lobbies at human rates, each lobby with
 * AI workers on "all achievements". Every interval it prints the relay's RSS and heap (its
 * /metrics), the tick duration p99 and the ticks run against the ticks due (from the tick
 * histogram), the action → acknowledged-delta latency the clients saw, and disconnects; at the
 * end a verdict on the RSS slope (least squares over the samples after the first interval, or
 * after the last restart).
 *
 * The issue's full soak adds `--fuzz-eps 500` (fuzzed, mostly malformed events per second from
 * their own sockets, the generator of test/fuzz.test.ts) and `--kill-every 1` (kill -9 of the
 * relay after each interval, started again on the same port and data directory: per round the
 * seconds until every lobby ticks again, the ticks of world lost per lobby, members that did not
 * come back). At the end every session log is replayed with its hashes (unreadable logs).
 * Not part of CI: a tool; its figures go to docs/BENCHMARKS.md.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { replayLog } from '@aikon/protocol';
import { createRelayClient, type RelayClient } from '@aikon/protocol/client';
import { listLogs } from '@aikon/protocol/node';
import { io as ioClient, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { EVENTS, Fuzzer } from '../test/fuzz-gen.ts';
import { exited, startRelayProcess } from '../test/relay-process.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    interval: { type: 'string', default: '30' },
    lobbies: { type: 'string', default: '6' },
    players: { type: 'string', default: '4' },
    workers: { type: 'string', default: '2' },
    'tick-rate': { type: 'string', default: '8' },
    /** Actions a player sends per second (a person presses a few keys a second). */
    aps: { type: 'string', default: '4' },
    /** RSS slope (MB per minute) above which the verdict is "grows". */
    'max-slope': { type: 'string', default: '1' },
    /** Fuzzed events per second, from sockets of their own (0: none). */
    'fuzz-eps': { type: 'string', default: '0' },
    /** kill -9 of the relay after every N-th interval (0: never). */
    'kill-every': { type: 'string', default: '0' },
  },
});

function bounded(name: keyof typeof args, min: number, max: number): number {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v < min || v > max) throw new RangeError(`--${name} must be a number in ${min}..${max}`);
  return v;
}

const MINUTES = bounded('minutes', 0.5, 120);
const INTERVAL_S = bounded('interval', 5, 600);
const LOBBIES = bounded('lobbies', 1, 250);
const PLAYERS = bounded('players', 1, 16);
const WORKERS = bounded('workers', 0, 8);
const TICK_RATE = bounded('tick-rate', 5, 15);
const APS = bounded('aps', 0.5, 15);
const MAX_SLOPE = bounded('max-slope', 0, 1000);
const FUZZ_EPS = bounded('fuzz-eps', 0, 5000);
const KILL_EVERY = bounded('kill-every', 0, 1000);
const RELAY_ARGS = ['--log-level', 'error', '--no-datasets-api'];

/** One simulated person: acts at a human rate, respawns when dead, measures action → ack latency. */
class Bot {
  readonly client: RelayClient;
  private readonly sentAt = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private respawning = false;
  constructor(
    url: string,
    private readonly stats: IntervalStats,
  ) {
    this.client = createRelayClient(url, { timeoutMs: 20_000 });
    this.client.onConnection((up) => {
      if (!up) this.stats.disconnects++;
    });
    this.client.onRemoved(() => this.stats.removed++);
    this.client.onDelta((delta) => {
      const you = delta.you;
      if (!you) return;
      for (const [seq, at] of this.sentAt) {
        if (seq > you.ack) break;
        if (seq === you.ack) this.stats.latency.push(performance.now() - at);
        this.sentAt.delete(seq);
      }
      if (you.dead && !this.respawning) {
        this.respawning = true;
        this.client.respawn().then(
          () => (this.respawning = false),
          () => (this.respawning = false),
        );
      }
    });
  }
  act(): void {
    const period = 1000 / APS;
    const once = () => {
      if (!this.client.connected || this.respawning || this.client.mirror.self?.dead) return;
      // Mostly moves and `do`, like a person walking around and collecting.
      const r = Math.random();
      const a = r < 0.7 ? 1 + Math.floor(Math.random() * 4) : r < 0.9 ? 5 : Math.floor(Math.random() * 17);
      this.sentAt.set(this.client.sendAction(a), performance.now());
      if (this.sentAt.size > 256) this.sentAt.clear();
    };
    this.timer = setTimeout(() => {
      once();
      this.timer = setInterval(once, period);
    }, Math.random() * period);
  }
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.client.close();
  }
}

interface IntervalStats {
  latency: number[];
  disconnects: number;
  removed: number;
}

/** The relay's own figures from its Prometheus text. */
interface RelaySample {
  rssMb: number;
  heapMb: number;
  ticks: number;
  /** Cumulative tick-duration histogram: [upper bound in ms, count]. */
  buckets: [number, number][];
}

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
  if (!m) throw new Error(`metric ${name} missing`);
  return Number(m[1]);
}

async function sample(url: string): Promise<RelaySample> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const buckets: [number, number][] = [];
  for (const m of text.matchAll(/^aikon_relay_tick_duration_seconds_bucket\{le="([^"]+)"\} ([0-9]+)$/gm)) {
    buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]) * 1000, Number(m[2])]);
  }
  return {
    rssMb: metric(text, 'aikon_relay_process_resident_memory_bytes') / 2 ** 20,
    heapMb: metric(text, 'aikon_relay_nodejs_heap_size_used_bytes') / 2 ** 20,
    ticks: metric(text, 'aikon_relay_ticks_total'),
    buckets,
  };
}

/** The bucket bound under which `q` of the interval's ticks fell (the histogram's resolution). */
function tickQuantile(from: RelaySample, to: RelaySample, q: number): number {
  const total = to.ticks - from.ticks;
  if (total <= 0) return Number.NaN;
  for (let i = 0; i < to.buckets.length; i++) {
    if (to.buckets[i][1] - (from.buckets[i]?.[1] ?? 0) >= q * total) return to.buckets[i][0];
  }
  return Infinity;
}

function bound(ms: number): string {
  return ms === Infinity ? '> 1000 ms' : `${ms} ms`;
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Fuzzed events at `eps` per second from sockets of their own, each under the relay's per-socket
 * rate limit; the sockets reconnect after a restart. Counts what was sent and how it was answered.
 */
class FuzzLoad {
  sent = 0;
  refused = 0;
  accepted = 0;
  private readonly fuzz = new Fuzzer(14_030);
  private readonly sockets: Socket[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(url: string, eps: number) {
    // The relay allows 60 events/s per socket: 40 each leaves room for bursts.
    const count = Math.ceil(eps / 40);
    for (let i = 0; i < count; i++) {
      const socket = ioClient(url, { parser: msgpackParser, transports: ['websocket'] });
      socket.on('error', () => {});
      this.sockets.push(socket);
    }
    const perSocketPerTick = eps / count / 20;
    let carry = 0;
    this.timer = setInterval(() => {
      carry += perSocketPerTick;
      const n = Math.floor(carry);
      carry -= n;
      for (const socket of this.sockets) for (let k = 0; k < n; k++) this.emit(socket);
    }, 50);
  }

  private emit(socket: Socket): void {
    if (!socket.connected) return;
    const { fuzz } = this;
    const event = fuzz.pick([...EVENTS, 'workforce:add', 'workforce:goal']);
    if (event === 'error' || event === 'connect') return;
    const payload = fuzz.rand() < 0.5 ? fuzz.validish(event) : fuzz.value();
    this.sent++;
    socket.emit(event, payload, (ack: { ok?: boolean } | undefined) => {
      if (ack?.ok) this.accepted++;
      else this.refused++;
      fuzz.learn(ack);
    });
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const socket of this.sockets) socket.close();
  }
}

interface KillRound {
  /** kill -9 until the restarted relay listens (s): mostly starting a TypeScript process. */
  restartS: number;
  /** From then until every lobby ticks again (s); null: not all came back in 120 s. */
  resumeS: number | null;
  /** Per lobby: ticks the clients had seen that the restored world no longer has. */
  lostTicks: number[];
  /** Members whose client was told its membership is gone (or never resumed). */
  membersLost: number;
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aikon-soak-'));
  // A loaded machine may take a while to start a TypeScript process.
  let relay = await startRelayProcess(dataDir, RELAY_ARGS, 0, 180_000);
  const stats: IntervalStats = { latency: [], disconnects: 0, removed: 0 };
  const bots: Bot[] = [];
  const hosts: Bot[] = [];
  let fuzz: FuzzLoad | null = null;
  const kills: KillRound[] = [];

  /** kill -9, the same command again on the same port; the clients reconnect on their own. */
  async function killRound(): Promise<KillRound> {
    const seen = hosts.map((h) => h.client.mirror.t);
    const restoredAt: (number | null)[] = hosts.map(() => null);
    const listeners = hosts.map((h, i) => {
      const onSnapshot = (m: { t: number }) => {
        restoredAt[i] ??= m.t;
      };
      h.client.socket.on('game:snapshot', onSnapshot);
      return () => h.client.socket.off('game:snapshot', onSnapshot);
    });
    const removedBefore = stats.removed;
    const killedAt = performance.now();
    relay.child.kill('SIGKILL');
    await exited(relay.child);
    relay = await startRelayProcess(dataDir, RELAY_ARGS, relay.port, 180_000);
    const listeningAt = performance.now();
    const back = await waitUntil(
      () => hosts.every((h, i) => restoredAt[i] !== null && h.client.mirror.t > restoredAt[i]!),
      120_000,
    );
    const resumeS = back ? (performance.now() - listeningAt) / 1000 : null;
    // Members resume a moment after their lobby's host: give them the same bound.
    await waitUntil(() => bots.every((b) => b.client.lobby !== null), 30_000);
    for (const off of listeners) off();
    return {
      restartS: (listeningAt - killedAt) / 1000,
      resumeS,
      lostTicks: seen.map((t, i) => (restoredAt[i] === null ? Number.NaN : Math.max(0, t - restoredAt[i]!))),
      membersLost: Math.max(stats.removed - removedBefore, bots.filter((b) => b.client.lobby === null).length),
    };
  }

  console.log(
    `soak: ${LOBBIES} lobbies × ${PLAYERS} players (${APS} actions/s each) + ${WORKERS} AI ` +
      `workers per lobby, ${TICK_RATE} ticks/s, ${MINUTES} min, fuzz ${FUZZ_EPS} events/s, ` +
      `kill -9 ${KILL_EVERY ? `after every ${KILL_EVERY} interval(s)` : 'never'}, relay pid ${relay.child.pid}`,
  );
  try {
    for (let l = 0; l < LOBBIES; l++) {
      const host = new Bot(relay.url, stats);
      bots.push(host);
      hosts.push(host);
      await host.client.connect();
      const { lobby } = await host.client.createLobby({
        name: `host${l}`,
        seats: PLAYERS + WORKERS,
        tickRate: TICK_RATE,
        seed: 1000 + l,
      });
      for (let m = 1; m < PLAYERS; m++) {
        const bot = new Bot(relay.url, stats);
        bots.push(bot);
        await bot.client.connect();
        await bot.client.joinLobby(lobby.code, { name: `p${l}-${m}` });
      }
      for (let w = 0; w < WORKERS; w++) await host.client.request('workforce:add', { name: `ai${w}` });
      await host.client.start();
      if (WORKERS > 0) await host.client.request('workforce:goal', { goal: { kind: 'all' } });
    }
    for (const bot of bots) bot.act();
    if (FUZZ_EPS > 0) fuzz = new FuzzLoad(relay.url, FUZZ_EPS);

    const started = performance.now();
    let rss: [number, number][] = [];
    let last = await sample(relay.url);
    // World ticks of the soak's own lobbies (the relay's counter also counts lobbies the fuzz made).
    const worldTicks = () => hosts.reduce((sum, h) => sum + Math.max(0, h.client.mirror.t), 0);
    let lastWorldTicks = worldTicks();
    const intervals = Math.max(1, Math.round((MINUTES * 60) / INTERVAL_S));
    let sinceRestart = 0;
    for (let i = 1; i <= intervals; i++) {
      await new Promise((r) => setTimeout(r, INTERVAL_S * 1000));
      const now = await sample(relay.url);
      const minutes = (performance.now() - started) / 60_000;
      const due = LOBBIES * TICK_RATE * INTERVAL_S;
      if (++sinceRestart > 1) rss.push([minutes, now.rssMb]);
      console.log(
        [
          `${minutes.toFixed(1).padStart(5)} min`,
          `rss ${now.rssMb.toFixed(0)} MB`,
          `heap ${now.heapMb.toFixed(0)} MB`,
          `world ticks ${worldTicks() - lastWorldTicks}/${due} (relay ${now.ticks - last.ticks})`,
          `tick p50 ≤ ${bound(tickQuantile(last, now, 0.5))} p99 ≤ ${bound(tickQuantile(last, now, 0.99))}`,
          `action→ack p50 ${quantile(stats.latency, 0.5).toFixed(0)} ms p99 ` +
            `${quantile(stats.latency, 0.99).toFixed(0)} ms (${stats.latency.length})`,
          `disconnects ${stats.disconnects}`,
          `removed ${stats.removed}`,
          ...(fuzz ? [`fuzz sent ${fuzz.sent} (refused ${fuzz.refused}, accepted ${fuzz.accepted})`] : []),
        ].join(' | '),
      );
      stats.latency = [];
      lastWorldTicks = worldTicks();
      if (KILL_EVERY > 0 && i % KILL_EVERY === 0 && i < intervals) {
        const round = await killRound();
        kills.push(round);
        const lost = round.lostTicks.filter((t) => Number.isFinite(t));
        console.log(
          `        kill -9 #${kills.length}: relay listening again after ${round.restartS.toFixed(1)} s, ` +
            `every lobby ticking ${round.resumeS === null ? 'NEVER (120 s bound)' : `${round.resumeS.toFixed(1)} s`}` +
            ` later; world ticks lost per lobby max ${Math.max(0, ...lost)} ` +
            `(${(Math.max(0, ...lost) / TICK_RATE).toFixed(2)} s), ` +
            `mean ${(lost.reduce((a, b) => a + b, 0) / Math.max(1, lost.length)).toFixed(1)}; ` +
            `members lost ${round.membersLost}`,
        );
        // The new process has its own counters and memory: the slope starts again.
        rss = [];
        sinceRestart = 0;
        last = await sample(relay.url);
        lastWorldTicks = worldTicks();
      } else last = now;
    }
    if (rss.length >= 2) {
      const s = slope(rss);
      console.log(
        `verdict: RSS slope ${s >= 0 ? '+' : ''}${s.toFixed(2)} MB/min over ${rss.length} ` +
          `samples after warm-up (limit ${MAX_SLOPE}): ${s <= MAX_SLOPE ? 'flat' : 'GROWS'}`,
      );
      if (s > MAX_SLOPE) process.exitCode = 1;
    } else console.log('verdict: too few samples for an RSS slope (run longer or with a shorter --interval)');
    if (kills.length > 0) {
      const recovered = kills.filter((k) => k.resumeS !== null);
      const worst = Math.max(0, ...kills.flatMap((k) => k.lostTicks.filter((t) => Number.isFinite(t))));
      console.log(
        `kill -9: ${recovered.length}/${kills.length} rounds with every lobby back; ` +
          `restart max ${Math.max(...kills.map((k) => k.restartS)).toFixed(1)} s, ` +
          `then every lobby ticking within ${Math.max(0, ...recovered.map((k) => k.resumeS!)).toFixed(1)} s; ` +
          `world ticks lost max ${worst} (${(worst / TICK_RATE).toFixed(2)} s); ` +
          `members lost ${kills.reduce((a, k) => a + k.membersLost, 0)}`,
      );
      if (recovered.length < kills.length || worst > TICK_RATE) process.exitCode = 1;
    }
  } finally {
    fuzz?.close();
    for (const bot of bots) bot.close();
    relay.child.kill('SIGTERM');
    await exited(relay.child);
    const logs = listLogs(dataDir);
    const unreadable = logs.filter((path) => {
      try {
        return !replayLog(new Uint8Array(readFileSync(path))).ok;
      } catch {
        return true;
      }
    });
    console.log(`session logs: ${logs.length}, unreadable or not replaying to their hashes: ${unreadable.length}`);
    if (unreadable.length > 0) process.exitCode = 1;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
