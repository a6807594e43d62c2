/**
 * Dream step latency on each shard, side by side in one run (issue 13): the same dreamer tab in
 * a relay lobby dreams in turn on its own tab (browser shard: a Web Worker), on another member's
 * tab (peer shard: a WebRTC data channel between two separate headless Chromiums on 127.0.0.1,
 * served by that tab's dream worker) and on the relay (server shard: Socket.IO /dream). The
 * same model everywhere (world-sim-small); the shards take turns, `--rounds` times, so that the
 * machine's load falls on all three alike. A step's latency is the dreamer's round trip for one
 * dream step (request sent → predicted frame back), as the HUD shows it; the first
 * `WARMUP_STEPS` steps of every session are left out (the worker's first runs, the channel's start).
 *
 *   npm run bench:dream-shards -w @aikon/game                       (markdown table)
 *   npm run bench:dream-shards -w @aikon/game -- --json             (one JSON object)
 *   npm run bench:dream-shards -w @aikon/game -- --steps 100 --rounds 3
 */
import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { dreamState, enterDream, percentile, shareCompute, startPeerWorld } from '../e2e/peer-harness.ts';

const KINDS = ['browser', 'peer', 'server'] as const;
type Kind = (typeof KINDS)[number];
const WARMUP_STEPS = 5;
/** Dreams per shard and round before the bench gives up (each may end early, see `sessions`). */
const MAX_DREAMS = 20;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} wants a positive integer, not ${process.argv[i + 1]}`);
  return n;
}

const steps = flag('steps', 100);
const rounds = flag('rounds', 3);
const json = process.argv.includes('--json');
const progress = (line: string) => process.stderr.write(`${line}\n`);

/**
 * Dream sessions on `kind` until `steps` steps are measured: enter with ?dream=kind, dream, read
 * the log, wake. The world simulator may end a dream early (it predicts the player's death): the
 * next session starts a new dream from the real world.
 */
async function sessions(page: Page, kind: Kind): Promise<{ ms: number[]; backend: string; dreams: number }> {
  // The dream reads ?dream= when it starts: change the address without reloading the game.
  await page.evaluate((k) => history.replaceState(null, '', `${location.pathname}?dream=${k}`), kind);
  const ms: number[] = [];
  let backend = '';
  let dreams = 0;
  while (ms.length < steps) {
    if (++dreams > MAX_DREAMS) throw new Error(`${MAX_DREAMS} dreams on the ${kind} shard gave ${ms.length} steps`);
    // Generous: on a loaded machine a serving tab may take minutes to start a dream worker.
    const entered = await enterDream(page, 600_000);
    if (entered.shard !== kind)
      throw new Error(`asked for the ${kind} shard, the dream runs on ${entered.shard}: ${entered.reason}`);
    await page.waitForFunction(
      (n) => {
        const s = window.__aikonDream!.state();
        return s.step >= n || s.status !== 'dreaming' || s.ended !== null;
      },
      steps - ms.length + WARMUP_STEPS,
      { timeout: 300_000, polling: 200 },
    );
    const s = await dreamState(page);
    if (s.status !== 'dreaming') throw new Error(`the dream on the ${kind} shard stopped: ${s.message}`);
    if (s.failovers.length > 0) throw new Error(`the ${kind} shard failed over: ${JSON.stringify(s.failovers)}`);
    await page.evaluate(() => window.__aikonDream!.toggle());
    await page.waitForFunction(() => window.__aikonDream!.state().status === 'awake', null, { timeout: 30_000 });
    ms.push(...s.log.filter((e) => e.step > WARMUP_STEPS).map((e) => e.ms));
    backend = s.backend;
  }
  return { ms: ms.slice(0, steps), backend, dreams };
}

async function main(): Promise<void> {
  const load = [loadavg()[0]];
  progress('building the game, starting the relay and two Chromiums…');
  const w = await startPeerWorld({
    serverQuery: 'dreamModel=world-sim-small',
    relayModel: 'world-sim-small',
  });
  const ms: Record<Kind, number[]> = { browser: [], peer: [], server: [] };
  const backends: Record<Kind, string> = { browser: '', peer: '', server: '' };
  try {
    await shareCompute(w);
    for (let r = 1; r <= rounds; r++) {
      for (const kind of KINDS) {
        const s = await sessions(w.dreamer, kind);
        ms[kind].push(...s.ms);
        backends[kind] = s.backend;
        load.push(loadavg()[0]);
        progress(
          `round ${r}/${rounds}, ${kind}: ${s.ms.length} steps in ` +
            `${s.dreams} dream(s), p50 ${percentile(s.ms, 0.5).toFixed(2)} ms`,
        );
      }
    }
  } finally {
    await w.close();
  }
  const rows = KINDS.map((kind) => ({
    shard: kind,
    backend: backends[kind],
    steps: ms[kind].length,
    p50: percentile(ms[kind], 0.5),
    p99: percentile(ms[kind], 0.99),
    mean: ms[kind].reduce((a, b) => a + b, 0) / ms[kind].length,
    max: Math.max(...ms[kind]),
  }));
  const result = {
    rounds,
    stepsPerSession: steps,
    loadAverage: { min: Math.min(...load), max: Math.max(...load) },
    shards: rows,
    node: process.version,
  };
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  const f = (x: number) => x.toFixed(2);
  console.log('| shard | where the step runs | steps | p50 ms | p99 ms | mean ms | max ms |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(`| ${r.shard} | ${r.backend} | ${r.steps} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.mean)} | ${f(r.max)} |`);
  console.log(
    `\n${rounds} rounds × ${steps} steps per shard, taking turns; load average ` +
      `${result.loadAverage.min.toFixed(1)}–${result.loadAverage.max.toFixed(1)}; Node ${process.version}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
