/**
 * The per-member cost of a tick's deltas, three ways, in one process and interleaved (so a loaded
 * machine weighs on all three alike): `npm run bench:fanout -w @aikon/relay-server [-- --rooms 48]`
 *
 *  - emit per member: `socket.emit('game:delta', { ...common, you })` for every member (the relay
 *    before the shared frames);
 *  - shared frame, strings: the relay before its own fields were built field by field: the common
 *    part encoded once per tick (DeltaFrames), each member's own fields a full `selfState` with
 *    inventory and achievements deleted when their joined strings equal the last ones sent;
 *  - shared frame: what the relay does now (the same frames, own fields from `deltaSelfState`);
 *  - room broadcast: `io.to(room).emit('game:delta', common)`, one packet for the room (the
 *    transport's limit: the same bytes minus the member's own fields).
 *
 * Real Socket.IO server (the relay's settings) and real clients in child processes (load-client.ts
 * in plain mode: rooms of `--per-room` players acting at 8/s). Each room has a real world of that
 * many players, stepped outside the measured part. Each period of 125 ms one way sends a tick to
 * every room; the process CPU from one send to the next is charged to that way.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { NUM_ACTIONS, type Player, World } from '@aikon/engine';
import { type DeltaMessage, DeltaBuilder, deltaSelfState, SentSelf, selfState } from '@aikon/protocol';
import { Server, type Socket } from 'socket.io';
import { DeltaFrames, writeFrame } from '../src/delta-frames.ts';
import { defaultConfig, relayIoOptions } from '../src/server.ts';

const args = process.argv.slice(2);
const flag = (name: string, def: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const ROOMS = flag('--rooms', 48);
const PER_ROOM = flag('--per-room', 8);
const ROUNDS = flag('--rounds', 40);
const TICK_RATE = 8;
const PERIOD = 1000 / TICK_RATE;
const LOAD_CLIENT = fileURLToPath(new URL('./load-client.ts', import.meta.url));

const WAYS = ['emit per member', 'shared frame, strings', 'shared frame', 'room broadcast'] as const;
type Way = (typeof WAYS)[number];

interface Room {
  name: string;
  world: World;
  bodies: Player[];
  builder: DeltaBuilder;
  members: Socket[];
  /** Per member: what it was last sent of its own player (each way that dedupes keeps its own). */
  sent: SentSelf[];
  sentStrings: { inv: string | null; ach: string | null }[];
}

/** The relay's own fields before deltaSelfState (lobby.ts until 67fdc57), for comparison. */
function stringKeyedSelf(
  p: Player,
  ack: number,
  sent: { inv: string | null; ach: string | null },
): NonNullable<DeltaMessage['you']> {
  const you: DeltaMessage['you'] = selfState(p, ack);
  const inv = `${p.id}:${you.inv!.join(',')}`;
  if (inv === sent.inv) delete you.inv;
  else sent.inv = inv;
  const ach = `${p.id}:${you.ach!.join(',')}`;
  if (ach === sent.ach) delete you.ach;
  else sent.ach = ach;
  if (you.fresh!.length === 0) delete you.fresh;
  return you;
}

async function main(): Promise<void> {
  const http = createServer();
  // Untyped: its `plain:join` is no relay event.
  const io = new Server(http, relayIoOptions(defaultConfig()));
  const rooms = new Map<string, Room>();
  io.on('connection', (socket) => {
    socket.on('game:action', () => {});
    socket.on('plain:join', ({ room }: { room: string }, ack: (a: { ok: true; data: object }) => void) => {
      let r = rooms.get(room);
      if (!r) {
        const world = World.generate({ seed: rooms.size + 1, mode: 'persistent' });
        const bodies = Array.from({ length: PER_ROOM }, (_, slot) => world.addPlayer({ slot }));
        const builder = new DeltaBuilder();
        builder.reset(world);
        r = { name: room, world, bodies, builder, members: [], sent: [], sentStrings: [] };
        rooms.set(room, r);
      }
      socket.join(room);
      r.members.push(socket);
      r.sent.push(new SentSelf());
      r.sentStrings.push({ inv: null, ach: null });
      ack({ ok: true, data: {} });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const procs = Math.min(Math.max(1, Math.ceil((ROOMS * PER_ROOM) / 96)), 6, ROOMS);
  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  const measureMs = (ROUNDS * WAYS.length + 10) * PERIOD + 5000;
  for (let i = 0; i < procs; i++) {
    const child = fork(LOAD_CLIENT, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    ready.push(
      new Promise((resolve, reject) => {
        child.on('message', (m: { type: string; message?: string }) => {
          if (m.type === 'ready') resolve();
          if (m.type === 'error') reject(new Error(m.message));
        });
      }),
    );
    child.send({
      type: 'setup',
      url,
      lobbies: Math.floor(ROOMS / procs) + (i < ROOMS % procs ? 1 : 0),
      players: PER_ROOM,
      tickRate: TICK_RATE,
      warmupMs: 0,
      measureMs,
      seed: 1000 * i + 1,
      mode: 'plain',
    });
  }
  try {
    await Promise.all(ready);
    for (const c of children) c.send({ type: 'go' });
    const players = [...rooms.values()].reduce((n, r) => n + r.members.length, 0);
    console.log(
      `fan-out bench: ${cpus().length} cores, node ${process.version}; ${rooms.size} rooms × ${PER_ROOM} ` +
        `= ${players} connected players, ${ROUNDS} ticks per way, load avg ${loadavg()[0].toFixed(1)}`,
    );
    const frames = new DeltaFrames();
    const zero = (): Record<Way, number> => Object.fromEntries(WAYS.map((w) => [w, 0])) as Record<Way, number>;
    const cpuMs = zero();
    const bytes = zero();
    let t = 0;
    const send = (way: Way) => {
      for (const r of rooms.values()) {
        r.world.step(new Map(r.bodies.map((b) => [b.slot, Math.floor(Math.random() * NUM_ACTIONS)])));
        t++;
      }
      const c0 = process.cpuUsage();
      for (const r of rooms.values()) {
        const common = r.builder.next(r.world);
        if (way === 'room broadcast') {
          io.to(r.name).emit('game:delta', common);
          continue;
        }
        if (way !== 'emit per member') frames.begin(common);
        r.members.forEach((socket, i) => {
          const body = r.bodies[i % r.bodies.length];
          if (way === 'emit per member') socket.emit('game:delta', { ...common, you: selfState(body, t) });
          else {
            const you =
              way === 'shared frame' ? deltaSelfState(body, t, r.sent[i]) : stringKeyedSelf(body, t, r.sentStrings[i]);
            const frame = frames.frame({ you });
            bytes[way] += frame.length;
            writeFrame(socket, frame);
          }
        });
      }
      return c0;
    };
    // Warm-up: every way a few times.
    for (let i = 0; i < 3 * WAYS.length; i++) {
      send(WAYS[i % WAYS.length]);
      await new Promise((r) => setTimeout(r, PERIOD));
    }
    for (const way of WAYS) bytes[way] = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const way of WAYS) {
        const c0 = send(way);
        // The period's CPU after the sends (flushes, incoming actions) is charged to this way too.
        await new Promise((r) => setTimeout(r, PERIOD));
        const c = process.cpuUsage(c0);
        cpuMs[way] += (c.user + c.system) / 1000;
      }
    }
    console.log(
      '| way | CPU ms per tick (all rooms) | CPU µs per player per tick | ' +
        'players per core at 8 ticks/s (this part alone) |',
    );
    console.log('|---|---|---|---|');
    for (const way of WAYS) {
      const perTick = cpuMs[way] / ROUNDS;
      const perPlayer = (perTick / players) * 1000;
      console.log(
        `| ${way} | ${perTick.toFixed(2)} | ${perPlayer.toFixed(1)} | ${Math.floor(1e6 / (perPlayer * TICK_RATE))} |`,
      );
    }
    const ratio = (a: Way, b: Way) => (cpuMs[a] / cpuMs[b]).toFixed(2);
    const mean = (way: Way) => Math.round(bytes[way] / (ROUNDS * players));
    console.log(
      `\nshared frame / emit per member: ${ratio('shared frame', 'emit per member')}×; ` +
        `shared frame / shared frame, strings: ${ratio('shared frame', 'shared frame, strings')}×; ` +
        `shared frame / room broadcast: ${ratio('shared frame', 'room broadcast')}×; ` +
        `mean frame ${mean('shared frame')} B (strings: ${mean('shared frame, strings')} B)`,
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await new Promise<void>((resolve) => io.close(() => resolve()));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
