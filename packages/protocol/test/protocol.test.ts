import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { World } from '@aikon/engine';
import {
  ClientEvents,
  crc32,
  DeltaBuilder,
  decodeLog,
  deltaSelfState,
  encodeLog,
  encodeRecord,
  EpisodeTracker,
  type EpisodeSummary,
  LOG_MAGIC,
  plantStage,
  type LogRecord,
  parseInviteCode,
  replayFromCheckpoint,
  replayLog,
  replayRecords,
  type SessionRecord,
  SentSelf,
  selfState,
  WorldMirror,
} from '../src/index.ts';

/** A tiny deterministic PRNG for test scripts. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Plays a scripted persistent session the way the relay does and returns its records. */
function simulateSession(seed: number, ticks: number, hashEvery = 10) {
  const rand = lcg(seed);
  const world = World.generate({ seed, mode: 'persistent' });
  const records: LogRecord[] = [
    {
      k: 'session',
      v: 1,
      sessionId: 's',
      lobbyId: 'l',
      engineVersion: 'test',
      snapshotVersion: 1,
      protocolVersion: 1,
      seed,
      mode: 'persistent',
      config: { seats: 8, tickRate: 8, hashEvery },
      startedAt: new Date(0).toISOString(),
      t: 0,
    },
  ];
  const episodes: EpisodeSummary[] = [];
  const tracker = new EpisodeTracker((e) => episodes.push(e));
  const join = () => {
    const p = world.addPlayer();
    const pid = `p${p.slot}-${world.t}`;
    records.push({ k: 'join', t: world.t, slot: p.slot, pid, kind: 'human', consent: true, id: p.id, x: p.x, y: p.y });
    tracker.join(world, p.slot, { pid, kind: 'human', consent: true });
  };
  join();
  join();
  const builder = new DeltaBuilder(world);
  const mirror = new WorldMirror();
  mirror.applySnapshot({ t: world.t, snapshot: world.snapshot(), slot: 0 });
  for (let i = 0; i < ticks; i++) {
    const r = rand();
    if (r < 0.01 && world.players.length < 6) join();
    else if (r < 0.015 && world.players.length > 1) {
      const slot = world.players[Math.floor(rand() * world.players.length)].slot;
      tracker.leave(world, slot);
      records.push({ k: 'leave', t: world.t, slot, reason: 'leave' });
      world.removePlayer(slot);
    } else if (r < 0.02) {
      records.push({ k: 'consent', t: world.t, slot: world.players[0].slot, consent: false });
      tracker.setConsent(world.players[0].slot, false);
    }
    for (const p of world.players) {
      if (p.dead && rand() < 0.2) {
        const q = world.respawn(p.slot);
        records.push({ k: 'respawn', t: world.t, slot: q.slot, id: q.id, x: q.x, y: q.y });
        tracker.respawn(world, q.slot);
        break;
      }
    }
    const actions = new Map<number, number>();
    const flat: number[] = [];
    for (const p of world.players) {
      if (p.dead) continue;
      const a = Math.floor(rand() * 17);
      actions.set(p.slot, a);
      if (a !== 0) flat.push(p.slot, a);
    }
    world.step(actions);
    records.push({ k: 'tick', t: world.t, a: flat });
    if (world.t % hashEvery === 0) records.push({ k: 'hash', t: world.t, h: world.hash() });
    tracker.afterStep(world);
    const delta = builder.next(world);
    expect(mirror.applyDelta({ ...delta })).toBe(true);
  }
  return { world, records, episodes, mirror };
}

describe('recording format', () => {
  it('crc32 matches the IEEE check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('round-trips records', () => {
    const { records } = simulateSession(3, 50);
    const decoded = decodeLog(encodeLog(records));
    expect(decoded.torn).toBe(false);
    expect(decoded.records).toEqual(records);
  });

  it('cuts a torn tail at the last complete record, at every cut position', () => {
    const { records } = simulateSession(4, 20);
    const bytes = encodeLog(records);
    const ends: number[] = [LOG_MAGIC.length];
    for (const r of records) ends.push(ends[ends.length - 1] + encodeRecord(r).length);
    for (let cut = LOG_MAGIC.length; cut <= bytes.length; cut++) {
      const d = decodeLog(bytes.subarray(0, cut));
      const complete = ends.filter((e) => e <= cut).length - 1;
      expect(d.records.length).toBe(complete);
      expect(d.validBytes).toBe(ends[complete]);
      expect(d.torn).toBe(cut !== ends[complete]);
    }
  });

  it('stops at a corrupted byte (checksum) and keeps the prefix', () => {
    const { records } = simulateSession(5, 30);
    const bytes = encodeLog(records);
    const third = LOG_MAGIC.length + records.slice(0, 3).reduce((n, r) => n + encodeRecord(r).length, 0);
    const bad = bytes.slice();
    bad[third + 10] ^= 0xff;
    const d = decodeLog(bad);
    expect(d.records.length).toBe(3);
    expect(d.torn).toBe(true);
    expect(d.tornReason).toMatch(/checksum/);
  });
});

describe('replay', () => {
  it('re-simulates a session to the recorded hashes and rebuilds the same episodes', () => {
    const { world, records, episodes } = simulateSession(11, 600);
    const report = replayLog(encodeLog(records));
    expect(report.error).toBeUndefined();
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.hashesChecked).toBe(60);
    expect(report.finalHash).toBe(world.hash());
    expect(report.complete).toBe(false);
    // Live episodes plus the open ones the replay ends with 'crash'.
    expect(report.episodes.slice(0, episodes.length)).toEqual(episodes);
    expect(report.episodes.slice(episodes.length).every((e) => e.endReason === 'crash')).toBe(true);
  });

  it('reports a hash mismatch when the log was tampered with', () => {
    const { records } = simulateSession(12, 100);
    const tampered = records.map((r) => (r.k === 'tick' && r.t === 37 ? { ...r, a: [0, 5] } : r));
    const report = replayLog(encodeLog(tampered));
    expect(report.ok).toBe(false);
    expect(report.mismatches[0]?.what).toBe('hash');
    expect(report.mismatches[0]?.t).toBe(40);
  });
});

describe('replay of a lobby recorded with engine 0.2.0 (the protection rule it ran)', () => {
  // Recorded by golden/record-lobby.ts with the engine and protocol of commit 84635a8.
  const bytes = readFileSync(join(import.meta.dirname, 'golden', 'lobby-0.2.0.aikonlog'));
  const records = decodeLog(bytes).records;
  const header = records[0] as SessionRecord;

  it('replays to every recorded hash: its world runs the target rule picked from the header', () => {
    expect([header.engineVersion, header.spawnProtection]).toEqual(['0.2.0', 40]);
    expect(records.filter((r) => r.k === 'respawn').length).toBeGreaterThan(0);
    const report = replayLog(bytes);
    expect(report.error).toBeUndefined();
    expect(report.mismatches).toEqual([]);
    expect([report.ok, report.complete, report.hashesChecked]).toEqual([true, true, 61]);
    expect(report.world.protectionRule).toBe('target');
  });

  it('the rule matters in this log: under the keep-away rule of 0.3.0 the creatures move otherwise', () => {
    const creatures = (head: SessionRecord) => {
      const ticks: string[] = [];
      const onTick = ({ world }: { world: World }) => {
        ticks.push(world.objects.map((o) => `${o.kind}@${o.x},${o.y}`).join(' '));
      };
      replayRecords([head, ...records.slice(1)], { onTick, untilT: 10 });
      return ticks;
    };
    const recorded = creatures(header);
    const current = creatures({ ...header, engineVersion: '0.3.0' });
    expect(current.length).toBe(10);
    expect(current).not.toEqual(recorded);
  });

  it('continues from a checkpoint snapshot taken in the session, and refuses a world of the other rule', () => {
    const half = replayLog(bytes, { untilT: 300, keepOpen: true });
    const cut = records.findIndex((r) => r.k === 'tick' && r.t === 300) + 1;
    const checkpoint = { world: World.restore(half.world.snapshot()), tracked: half.tracker.tracked() };
    const rest = replayFromCheckpoint(header, checkpoint, records.slice(cut));
    expect([rest.ok, rest.complete, rest.mismatches]).toEqual([true, true, []]);
    expect(rest.finalHash).toBe(replayLog(bytes).finalHash);
    const other = World.generate({ seed: header.seed, mode: 'persistent', spawnProtection: 40 });
    expect(() => replayFromCheckpoint(header, { world: other, tracked: [] }, records.slice(1))).toThrow(
      /'keep-away' protection rule, the session \(engine 0\.2\.0\) the 'target' rule/,
    );
  });
});

describe('episodes', () => {
  it('a body that survives 10,000 steps ends its episode as truncated and starts a new one', () => {
    const world = World.generate({ seed: 21, mode: 'persistent' });
    const episodes: EpisodeSummary[] = [];
    const tracker = new EpisodeTracker((e) => episodes.push(e));
    const p = world.addPlayer();
    tracker.join(world, p.slot, { pid: 'x', kind: 'ai', consent: true });
    for (let i = 0; i < 10_005; i++) {
      // Test shortcut: keep the body fed and safe so only the step limit ends the episode.
      p.inventory.set([9, 9, 9, 9], 0);
      world.step(new Map([[p.slot, i % 2 ? 6 : 0]]));
      tracker.afterStep(world);
    }
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({ endReason: 'truncated', length: 10_000, startT: 0, endT: 10_000, episode: 1 });
    tracker.leave(world, p.slot);
    expect(episodes[1]).toMatchObject({ endReason: 'leave', length: 5, startT: 10_000, episode: 2 });
  });
});

describe('deltas and WorldMirror', () => {
  it('a mirror kept by deltas equals a mirror built from a fresh snapshot', () => {
    for (const seed of [1, 2, 3]) {
      const { world, mirror } = simulateSession(seed, 400);
      const fresh = new WorldMirror();
      fresh.applySnapshot({ t: world.t, snapshot: world.snapshot(), slot: 0 });
      expect(mirror.t).toBe(fresh.t);
      expect(Buffer.from(mirror.material).equals(Buffer.from(fresh.material))).toBe(true);
      const sort = (m: WorldMirror) => [...m.entities.values()].sort((a, b) => a.id - b.id);
      expect(sort(mirror)).toEqual(sort(fresh));
    }
  });

  it('plants send a growth stage, not their per-tick counter', () => {
    expect([0, 29, 30, 299, 300, 301, 5000].map(plantStage)).toEqual([0, 0, 1, 9, 9, 10, 10]);
    const world = World.blank({ seed: 1, mode: 'persistent' });
    world.addPlayer();
    const plant = world.spawn('plant', 30, 30);
    const b = new DeltaBuilder(world);
    const mirror = new WorldMirror();
    mirror.applySnapshot({ t: 0, snapshot: world.snapshot(), slot: 0 });
    let plantUpdates = 0;
    for (let i = 0; i < 90; i++) {
      world.step([]);
      const d = b.next(world);
      for (let o = 0; o < d.ents.length; o += 8) if (d.ents[o] === plant.id) plantUpdates++;
      mirror.applyDelta(d);
    }
    expect(plant.grown).toBeGreaterThanOrEqual(89);
    expect(plantUpdates).toBeLessThanOrEqual(4);
    expect(mirror.entities.get(plant.id)!.grown).toBe(plantStage(plant.grown) * 30);
  });

  it("a delta's own fields carry inventory and achievements only when they changed, per body", () => {
    const world = World.blank({ seed: 1, mode: 'persistent' });
    const p = world.addPlayer();
    const sent = new SentSelf();
    const full = selfState(p, 3);
    const first = deltaSelfState(p, 3, sent);
    expect(first).toEqual({ ...full, fresh: undefined });
    expect('fresh' in first).toBe(false);
    expect(Object.keys(deltaSelfState(p, 4, sent))).not.toContain('inv');
    p.inventory[5] += 1;
    const changed = deltaSelfState(p, 5, sent);
    expect(changed.inv).toEqual(Array.from(p.inventory));
    expect('ach' in changed).toBe(false);
    // A new body (a respawn) gets both again, although the counts may look the same.
    const other = world.addPlayer();
    other.inventory.set(p.inventory);
    other.achievements.set(p.achievements);
    const again = deltaSelfState(other, 6, sent);
    expect([again.inv, again.ach]).toEqual([Array.from(other.inventory), Array.from(other.achievements)]);
  });

  it('refuses a delta that skips a tick', () => {
    const world = World.generate({ seed: 9, mode: 'persistent' });
    world.addPlayer();
    const mirror = new WorldMirror();
    mirror.applySnapshot({ t: world.t, snapshot: world.snapshot(), slot: 0 });
    const b = new DeltaBuilder(world);
    world.step([]);
    b.next(world);
    world.step([]);
    expect(mirror.applyDelta(b.next(world))).toBe(false);
    expect(mirror.t).toBe(0);
  });
});

describe('events', () => {
  it('parses invite links in both formats', () => {
    const code = 'AbCdEfGhIjKlMnOpQrSt_-';
    expect(parseInviteCode(`http://h:1/?lobby=${code}`)).toBe(code);
    expect(parseInviteCode(`/join/${code}`)).toBe(code);
    expect(parseInviteCode(`/?lobby=short`)).toBeNull();
    expect(parseInviteCode(`::::`)).toBeNull();
  });

  it('action schema refuses wrong types and ranges', () => {
    const s = ClientEvents['game:action'];
    expect(s.safeParse({ a: 3 }).success).toBe(true);
    expect(s.safeParse({ a: 17 }).success).toBe(false);
    expect(s.safeParse({ a: '3' }).success).toBe(false);
    expect(s.safeParse({ a: 1.5 }).success).toBe(false);
    expect(s.safeParse({ a: 1, extra: 1 }).success).toBe(false);
    expect(s.safeParse(null).success).toBe(false);
  });
});
