/**
 * Records the scripted lobby session `lobby-<engine version>.aikonlog` with the engine and protocol
 * of a checkout given as argument (the fixture lobby-0.2.0.aikonlog came from commit 84635a8,
 * engine 0.2.0, the last with the 'target' protection rule):
 *
 *   npx tsx packages/protocol/test/golden/record-lobby.ts /path/to/old/checkout
 *
 * Two players in a world with spawn protection 40 take random actions (half of them noop) for
 * 600 ticks, dead ones respawn at once, and slot 1 is held protected for ticks 200-300, as the
 * relay records a lobby: joins, respawns, protect records, ticks, a hash every 10 ticks, an end.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
if (!root) throw new Error('usage: record-lobby.ts <checkout>');
const engine = await import(join(root, 'packages/engine/src/index.ts'));
const protocol = await import(join(root, 'packages/protocol/src/index.ts'));
const { World, ENGINE_VERSION, SNAPSHOT_VERSION, PROTECTION_HELD, Rng } = engine;

const seed = 12;
const world = World.generate({ seed, mode: 'persistent', spawnProtection: 40 });
const records: unknown[] = [
  {
    k: 'session',
    v: 1,
    sessionId: `fixture-${ENGINE_VERSION}`,
    lobbyId: 'fixture',
    engineVersion: ENGINE_VERSION,
    snapshotVersion: SNAPSHOT_VERSION,
    protocolVersion: 1,
    seed,
    mode: 'persistent',
    spawnProtection: 40,
    config: { seats: 8, tickRate: 8, hashEvery: 10 },
    startedAt: new Date(0).toISOString(),
    t: 0,
  },
];
for (let i = 0; i < 2; i++) {
  const p = world.addPlayer();
  records.push({ k: 'join', t: 0, slot: p.slot, pid: `p${i}`, kind: 'human', consent: true, id: p.id, x: p.x, y: p.y });
}
const rng = new Rng(7);
for (let i = 0; i < 600; i++) {
  for (const p of [...world.players]) {
    if (!p.dead) continue;
    const q = world.respawn(p.slot);
    records.push({ k: 'respawn', t: world.t, slot: q.slot, id: q.id, x: q.x, y: q.y });
  }
  if (world.t === 200 || world.t === 300) {
    const ticks = world.t === 200 ? PROTECTION_HELD : 0;
    world.protect(1, ticks);
    records.push({ k: 'protect', t: world.t, slot: 1, ticks });
  }
  const a: number[] = [];
  for (const p of world.players) {
    const action = rng.uniform() < 0.5 ? 0 : rng.int(17);
    if (action !== 0) a.push(p.slot, action);
  }
  const actions = new Map<number, number>();
  for (let j = 0; j < a.length; j += 2) actions.set(a[j], a[j + 1]);
  world.step(actions);
  records.push({ k: 'tick', t: world.t, a });
  if (world.t % 10 === 0) records.push({ k: 'hash', t: world.t, h: world.hash() });
}
records.push({ k: 'end', t: world.t, reason: 'close', h: world.hash(), endedAt: new Date(0).toISOString() });
const out = join(import.meta.dirname, `lobby-${ENGINE_VERSION}.aikonlog`);
writeFileSync(out, protocol.encodeLog(records));
console.log(out, records.length, 'records');
