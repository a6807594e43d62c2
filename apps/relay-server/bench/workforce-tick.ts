/**
 * `npm run bench:workforce -w @aikon/relay-server [-- --ticks 400 --workers 7,20]`: what the AI
 * workforce costs the lobby tick. An in-process relay, one lobby with one connected player and
 * N scripted AI workers on "all achievements" at 8 ticks/s; after a warm-up it reports the lobby
 * tick's duration p50/p99/max and how late ticks started (p99/max), with 0 workers first as the
 * reference. Bounded: `--ticks` per run (at most 4,000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WORKFORCE_MAX_WORKERS } from '@aikon/protocol';
import { createRelayClient } from '@aikon/protocol/client';
import { type RelayServer, startRelayServer } from '../src/server.ts';

const { values: args } = parseArgs({
  options: {
    ticks: { type: 'string', default: '400' },
    warmup: { type: 'string', default: '80' },
    workers: { type: 'string', default: '7,20' },
  },
});
const TICKS = Math.min(4000, Math.max(50, Number(args.ticks)));
const WARMUP = Math.min(1000, Math.max(0, Number(args.warmup)));
/** Worker counts to measure, after the 0-worker reference (comma-separated, each 1..WORKFORCE_MAX_WORKERS). */
const WORKERS = args.workers
  .split(',')
  .map((w) => Math.min(WORKFORCE_MAX_WORKERS, Math.max(1, Number(w))))
  .filter((w) => Number.isInteger(w));

function pct(xs: number[], p: number): number {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function run(workers: number): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aikon-wf-bench-'));
  const took: number[] = [];
  const late: number[] = [];
  let seen = 0;
  let atWarm: Promise<BrainCounts> | null = null;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  const server = await startRelayServer(
    {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      logLevel: 'silent',
      datasetsApi: false,
      durableLobbies: false,
      staticDir: join(dataDir, 'none'),
    },
    {
      onTick(ms, _lobby, lateMs) {
        seen++;
        // The brain's figures count from the end of the warm-up (its thread boots meanwhile).
        if (seen === WARMUP) atWarm = brainCounts(server);
        if (seen <= WARMUP) return;
        took.push(ms);
        late.push(lateMs);
        if (took.length >= TICKS) done();
      },
    },
  );
  // Long acknowledgements: a goal waits for the brain thread to boot and plan (seconds under load).
  const client = createRelayClient(server.url, { timeoutMs: 60_000 });
  let brain = '';
  try {
    await client.connect();
    await client.createLobby({ name: 'bench', seed: 7, tickRate: 8, seats: workers + 1 });
    for (let i = 0; i < workers; i++) await client.request('workforce:add', { name: `ai${i}` });
    await client.start();
    if (workers > 0) await client.request('workforce:goal', { goal: { kind: 'all' } });
    await finished;
    if (workers > 0) {
      const [from, to] = [await (atWarm ?? brainCounts(server)), await brainCounts(server)];
      const thoughts = to.thoughts - from.thoughts;
      const late = to.late - from.late;
      const actions = took.length * workers;
      const mean = thoughts > 0 ? (((to.thinkSeconds - from.thinkSeconds) / thoughts) * 1000).toFixed(2) : '-';
      brain =
        `\n  brain thread: ${thoughts} thoughts, mean ${mean} ms; late actions (noop): ` +
        `${late} of ${actions} (${((100 * late) / Math.max(1, actions)).toFixed(1)} %)`;
    }
  } finally {
    client.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const f = (x: number) => x.toFixed(2);
  return (
    `${workers} workers: tick p50 ${f(pct(took, 50))} ms, p99 ${f(pct(took, 99))} ms, ` +
    `max ${f(Math.max(...took))} ms; start late p99 ${f(pct(late, 99))} ms, max ` +
    `${f(Math.max(...late))} ms (${took.length} ticks after ${WARMUP} warm-up)${brain}`
  );
}

interface BrainCounts {
  thoughts: number;
  thinkSeconds: number;
  late: number;
}

/** The brain thread's counters: thoughts, their total time, and worker actions that came too late (noop). */
async function brainCounts(server: RelayServer): Promise<BrainCounts> {
  const think = (await server.metrics.workforceThink.get()).values;
  return {
    thoughts: think.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0,
    thinkSeconds: think.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0,
    late: (await server.metrics.workforceLate.get()).values[0]?.value ?? 0,
  };
}

console.log(`workforce tick bench, load average ${loadavg()[0].toFixed(1)} (${new Date().toISOString()})`);
console.log(await run(0));
for (const n of WORKERS) console.log(await run(n));
console.log(`load average after: ${loadavg()[0].toFixed(1)}`);
