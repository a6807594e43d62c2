/**
 * `npm run soak [-- --minutes 5 --interval 30 --lobbies 6 --players 4 --workers 2]`: a bounded
 * soak of a real relay process (src/main.ts, its own data directory) with real Socket.IO clients
 * (the @aikon/protocol client helper) playing in several lobbies at human rates, each lobby with
 * AI workers on "all achievements". Every interval it prints the relay's RSS and heap (its
 * /metrics), the tick duration p99 and the ticks run against the ticks due (from the tick
 * histogram), the action → acknowledged-delta latency the clients saw, and disconnects; at the
 * end a verdict on the RSS slope (least squares over the samples after the first interval).
 * Not part of CI: a tool; its figures go to docs/BENCHMARKS.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRelayClient, type RelayClient } from '@aikon/protocol/client';
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
  },
});

function bounded(name: keyof typeof args, min: number, max: number): number {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v < min || v > max) throw new RangeError(`--${name} must be a number in ${min}..${max}`);
  return v;
}

const MINUTES = bounded('minutes', 0.5, 120);
const INTERVAL_S = bounded('interval', 5, 600);
const LOBBIES = bounded('lobbies', 1, 50);
const PLAYERS = bounded('players', 1, 16);
const WORKERS = bounded('workers', 0, 8);
const TICK_RATE = bounded('tick-rate', 5, 15);
const APS = bounded('aps', 0.5, 15);
const MAX_SLOPE = bounded('max-slope', 0, 1000);

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

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aikon-soak-'));
  // A loaded machine may take a while to start a TypeScript process.
  const relay = await startRelayProcess(dataDir, ['--log-level', 'error', '--no-datasets-api'], 0, 180_000);
  const stats: IntervalStats = { latency: [], disconnects: 0, removed: 0 };
  const bots: Bot[] = [];
  console.log(
    `soak: ${LOBBIES} lobbies × ${PLAYERS} players (${APS} actions/s each) + ${WORKERS} AI ` +
      `workers per lobby, ${TICK_RATE} ticks/s, ${MINUTES} min, relay pid ${relay.child.pid}`,
  );
  try {
    for (let l = 0; l < LOBBIES; l++) {
      const host = new Bot(relay.url, stats);
      bots.push(host);
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

    const started = performance.now();
    const rss: [number, number][] = [];
    let last = await sample(relay.url);
    const intervals = Math.max(1, Math.round((MINUTES * 60) / INTERVAL_S));
    for (let i = 1; i <= intervals; i++) {
      await new Promise((r) => setTimeout(r, INTERVAL_S * 1000));
      const now = await sample(relay.url);
      const minutes = (performance.now() - started) / 60_000;
      const due = LOBBIES * TICK_RATE * INTERVAL_S;
      if (i > 1) rss.push([minutes, now.rssMb]);
      console.log(
        [
          `${minutes.toFixed(1).padStart(5)} min`,
          `rss ${now.rssMb.toFixed(0)} MB`,
          `heap ${now.heapMb.toFixed(0)} MB`,
          `ticks ${now.ticks - last.ticks}/${due}`,
          `tick p50 ≤ ${bound(tickQuantile(last, now, 0.5))} p99 ≤ ${bound(tickQuantile(last, now, 0.99))}`,
          `action→ack p50 ${quantile(stats.latency, 0.5).toFixed(0)} ms p99 ` +
            `${quantile(stats.latency, 0.99).toFixed(0)} ms (${stats.latency.length})`,
          `disconnects ${stats.disconnects}`,
          `removed ${stats.removed}`,
        ].join(' | '),
      );
      stats.latency = [];
      last = now;
    }
    if (rss.length >= 2) {
      const s = slope(rss);
      console.log(
        `verdict: RSS slope ${s >= 0 ? '+' : ''}${s.toFixed(2)} MB/min over ${rss.length} ` +
          `samples after warm-up (limit ${MAX_SLOPE}): ${s <= MAX_SLOPE ? 'flat' : 'GROWS'}`,
      );
      if (s > MAX_SLOPE) process.exitCode = 1;
    } else console.log('verdict: too few samples for an RSS slope (run longer or with a shorter --interval)');
  } finally {
    for (const bot of bots) bot.close();
    relay.child.kill('SIGTERM');
    await exited(relay.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
