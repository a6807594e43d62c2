/**
 * Issue 14 #4: does a bounded fuzz leak? A real relay process (default limits) gets rounds of
 * fuzzed events from many Socket.IO clients on 127.0.0.1, malformed and well-formed (lobbies
 * and AI workers created included); its RSS and V8 heap (from /metrics) are printed before and
 * after each round. Memory that grows in the first round and then stays flat is bounded;
 * growth in every round would be a leak.
 *
 *   npx tsx apps/relay-server/bench/fuzz-rss.ts [--rounds 3] [--events 10000] [--sockets 20]
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { io as ioClient, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { EVENTS, Fuzzer } from '../test/fuzz-gen.ts';
import { exited, startRelayProcess, tempDir, waitFor } from '../test/helpers.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    events: { type: 'string', default: '10000' },
    sockets: { type: 'string', default: '20' },
  },
});
const ROUNDS = Number(values.rounds);
const EVENTS_PER_ROUND = Number(values.events);
const SOCKETS = Number(values.sockets);
const ROUND_LIMIT_MS = 60_000;
const FUZZ_EVENTS = [...EVENTS, 'workforce:add', 'workforce:goal'];

interface Memory {
  rssMb: number;
  heapMb: number;
  /** Memory outside the V8 heap that JS objects hold (Buffers, typed arrays of the worlds). */
  externalMb: number;
  lobbies: number;
}

async function memory(url: string): Promise<Memory> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const metric = (name: string): number =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const health = (await (await fetch(`${url}/healthz`)).json()) as { lobbies: number };
  return {
    rssMb: metric('aikon_relay_process_resident_memory_bytes') / 2 ** 20,
    heapMb: metric('aikon_relay_nodejs_heap_size_used_bytes') / 2 ** 20,
    externalMb: metric('aikon_relay_nodejs_external_memory_bytes') / 2 ** 20,
    lobbies: health.lobbies,
  };
}

const fmt = (m: Memory) =>
  `RSS ${m.rssMb.toFixed(1)} MB, heap ${m.heapMb.toFixed(1)} MB, ` +
  `external ${m.externalMb.toFixed(1)} MB, lobbies ${m.lobbies}`;

const dataDir = tempDir('aikon-fuzz-rss-');
const relay = await startRelayProcess(dataDir);
try {
  await new Promise((r) => setTimeout(r, 2000));
  const start = await memory(relay.url);
  console.log(`start:            ${fmt(start)}`);
  const fuzz = new Fuzzer(14_004);
  const { rand, pick, value, validish } = fuzz;
  let total = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const sockets: Socket[] = [];
    for (let i = 0; i < SOCKETS; i++) {
      const s = ioClient(relay.url, { parser: msgpackParser, transports: ['websocket'], reconnection: false });
      s.on('error', () => {});
      sockets.push(s);
    }
    await waitFor(() => sockets.every((s) => s.connected), 10_000, 'fuzz sockets');
    const began = Date.now();
    let sent = 0;
    // Paced under the per-socket rate limit (60/s) so that most events reach the handlers.
    while (sent < EVENTS_PER_ROUND && Date.now() - began < ROUND_LIMIT_MS) {
      for (const s of sockets) {
        if (!s.connected) continue;
        const event = pick(FUZZ_EVENTS);
        if (event === 'error' || event === 'connect') continue;
        const payload = rand() < 0.5 ? validish(event) : value();
        s.emit(event, payload, (ack: unknown) => fuzz.learn(ack));
        sent++;
      }
      await new Promise((r) => setTimeout(r, 1000 / 50));
    }
    total += sent;
    const during = await memory(relay.url);
    for (const s of sockets) s.close();
    await new Promise((r) => setTimeout(r, 5000));
    const after = await memory(relay.url);
    console.log(
      `round ${round}: ${sent} events in ${((Date.now() - began) / 1000).toFixed(0)} s; ` +
        `at the end ${fmt(during)}; 5 s after the clients left ${fmt(after)}`,
    );
  }
  const end = await memory(relay.url);
  console.log(
    `after ${total} events: RSS ${start.rssMb.toFixed(1)} → ${end.rssMb.toFixed(1)} MB ` +
      `(${(((end.rssMb - start.rssMb) / start.rssMb) * 100).toFixed(0)} %), heap ` +
      `${start.heapMb.toFixed(1)} → ${end.heapMb.toFixed(1)} MB`,
  );
} finally {
  relay.child.kill('SIGKILL');
  await exited(relay.child);
  rmSync(dataDir, { recursive: true, force: true });
}
