/**
 * Durable lobbies: every open lobby is kept in `<data-dir>/lobbies/<lobbyId>.json` (written to
 * a temporary file, fsynced, renamed over the old one, directory fsynced: a crash leaves the
 * old or the new file, never a torn one), or with `REDIS_URL` in Redis (redis-state.ts: the
 * same records), and a relay that starts on the data directory brings
 * them back: same id and invite code, members with their resume tokens (each gets the
 * reconnection window to come back), host, settings, AI workers and their running goal.
 *
 * The world: a running lobby's session log already holds every joint action and its state
 * hashes. Every few seconds (`checkpointMs`) the lobby's world snapshot, its episode slots and
 * the log length they correspond to go to `<lobbyId>.checkpoint` (same crash-safe write); a
 * restart restores the snapshot and replays only the log's records after it (the hash records
 * among them verify it), or the whole log when there is no usable checkpoint. The lobby then
 * goes on appending to the same log, under the rules the session began with: the checkpoint's snapshot
 * names its world's protection rule, a whole-log replay takes it from the header's engine version,
 * and the header is not rewritten. Nothing recorded is lost; with kill -9 the kernel keeps
 * every written record, after a power cut at most the last fsync period (500 ms).
 */
import { mkdirSync } from 'node:fs';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { World } from '@aikon/engine';
import { type EpisodeSummary, LOG_MAGIC, replayFromCheckpoint, replayRecords, WorkerBrain } from '@aikon/protocol';
import { type EpisodeIndex, logPath, repairLogFile, SessionRecorder, takeOverLog } from '@aikon/protocol/node';
import type { Logger } from 'pino';
import { Lobby, type LobbyContext, type MemberState, unconnectedMemberState } from './lobby.ts';
import { auditPath } from './workforce.ts';

const STORE_VERSION = 1;
const Token = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

const SavedMember = z.object({
  memberId: Token,
  name: z.string().max(200),
  kind: z.enum(['human', 'ai']),
  pid: Token,
  resumeToken: Token,
  exportConsent: z.boolean(),
  slot: z.int().min(0).nullable(),
  address: z.string().max(100),
});

const SavedLobby = z.object({
  v: z.literal(STORE_VERSION),
  id: Token,
  code: Token,
  status: z.enum(['waiting', 'running']),
  config: z.object({
    seats: z.int().min(1),
    seed: z.int().min(0),
    tickRate: z.number().positive(),
    paused: z.boolean().optional(),
  }),
  hostId: Token.nullable(),
  sessionId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/)
    .nullable(),
  members: z.array(SavedMember),
  bans: z.array(z.object({ memberId: Token, name: z.string().max(200), address: z.string().max(100) })),
  workforce: z.object({
    settings: z.object({ approval: z.boolean(), commanders: z.enum(['host', 'all']) }),
    stopped: z.boolean(),
    planSeq: z.int().min(0),
    workers: z.array(
      z.object({
        workerId: z.string().max(64),
        name: z.string().max(200),
        pid: Token,
        slot: z.int().min(0).nullable(),
        deadSince: z.int().nullable(),
        brain: WorkerBrain.optional(),
      }),
    ),
    goal: z.object({ planId: z.int().min(0), text: z.string().max(2000), by: z.string().max(200) }).nullable(),
  }),
});
export type SavedLobby = z.infer<typeof SavedLobby>;

const Checkpoint = z.object({
  v: z.literal(STORE_VERSION),
  sessionId: z.string(),
  t: z.int().min(0),
  logBytes: z.int().min(0),
  tracked: z.array(
    z.object({
      slot: z.int().min(0),
      pid: z.string(),
      kind: z.enum(['human', 'ai']),
      consent: z.boolean(),
      currentConsent: z.boolean(),
      startT: z.int().min(0),
      open: z.boolean(),
    }),
  ),
  /** world.snapshot(), base64. */
  world: z.string(),
});
type SavedCheckpoint = z.infer<typeof Checkpoint> & { worldBytes: Uint8Array };

export function lobbiesDir(dataDir: string): string {
  return join(dataDir, 'lobbies');
}

export function savedLobby(lobby: Lobby): SavedLobby {
  return {
    v: STORE_VERSION,
    id: lobby.id,
    code: lobby.code,
    status: lobby.status === 'running' ? 'running' : 'waiting',
    config: { ...lobby.config },
    hostId: lobby.hostId,
    sessionId: lobby.sessionId,
    members: [...lobby.members.values()].map((m) => ({
      memberId: m.memberId,
      name: m.name,
      kind: m.kind,
      pid: m.pid,
      resumeToken: m.resumeToken,
      exportConsent: m.exportConsent,
      slot: m.slot,
      address: m.address,
    })),
    bans: [...lobby.bans.values()],
    workforce: lobby.workforce.persisted(),
  };
}

/** A saved lobby's two records: its state (members, settings, workforce) and its world checkpoint. */
export type LobbyPart = 'lobby' | 'checkpoint';

/**
 * Where durable lobby records live: files in the data directory (embedded default) or Redis
 * (`REDIS_URL`). A backend stores and returns text; every record format is in LobbyStore.
 */
export interface LobbyStateBackend {
  /** Where the records are, for logs. */
  readonly where: string;
  put(id: string, part: LobbyPart, text: string): Promise<void>;
  get(id: string, part: LobbyPart): Promise<string | null>;
  /** Every saved lobby state record, by lobby id. */
  lobbies(): Promise<Map<string, string>>;
  /** Keeps an unreadable lobby record out of the way of restores (for a person to look at). */
  setAside(id: string): Promise<void>;
  /** Both records of the lobby go. */
  remove(id: string): Promise<void>;
  close(): Promise<void>;
}

/** `<data-dir>/lobbies/<id>.json` and `<id>.checkpoint`, each written crash-safely. */
export class FileLobbyBackend implements LobbyStateBackend {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = lobbiesDir(dataDir);
    mkdirSync(this.dir, { recursive: true });
  }

  get where(): string {
    return this.dir;
  }

  private path(id: string, part: LobbyPart): string {
    return join(this.dir, part === 'lobby' ? `${id}.json` : `${id}.checkpoint`);
  }

  /** Write-then-rename: a crash leaves the old file or the new one. */
  async put(id: string, part: LobbyPart, text: string): Promise<void> {
    const path = this.path(id, part);
    const tmp = `${path}.tmp`;
    const fh = await open(tmp, 'w', 0o600); // resume tokens are secrets
    try {
      await fh.writeFile(text);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    await syncDir(this.dir);
  }

  async get(id: string, part: LobbyPart): Promise<string | null> {
    try {
      return await readFile(this.path(id, part), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async lobbies(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const file of await readdir(this.dir)) {
      const path = join(this.dir, file);
      if (file.endsWith('.tmp')) {
        await rm(path, { force: true }); // a write the crash interrupted; the file before it stands
        continue;
      }
      if (file.endsWith('.json')) out.set(file.slice(0, -'.json'.length), await readFile(path, 'utf8'));
    }
    return out;
  }

  async setAside(id: string): Promise<void> {
    const path = this.path(id, 'lobby');
    await rename(path, `${path}.bad`);
  }

  async remove(id: string): Promise<void> {
    for (const part of ['lobby', 'checkpoint'] as const) {
      const path = this.path(id, part);
      await rm(path, { force: true });
      await rm(`${path}.tmp`, { force: true });
    }
  }

  async close(): Promise<void> {}
}

/**
 * Writes lobby records off the event loop, one write at a time per lobby, skipping a write when
 * nothing changed. `flush()` waits for every pending write (shutdown, tests).
 */
export class LobbyStore {
  private readonly last = new Map<string, string>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly queued = new Set<Lobby>();
  private scheduled = false;
  private closed = false;

  constructor(
    readonly backend: LobbyStateBackend,
    private readonly log: Pick<Logger, 'error' | 'warn' | 'info'>,
  ) {}

  /** Saves the lobby soon (changes within one turn of the event loop are written once). */
  save(lobby: Lobby): void {
    if (this.closed || lobby.status === 'closed') return;
    this.queued.add(lobby);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const l of this.queued) this.write(l);
      this.queued.clear();
    });
  }

  private write(lobby: Lobby): void {
    if (this.closed || lobby.status === 'closed') return;
    const json = JSON.stringify(savedLobby(lobby));
    if (this.last.get(lobby.id) === json) return;
    this.last.set(lobby.id, json);
    this.chain(lobby.id, () => this.backend.put(lobby.id, 'lobby', json));
  }

  /** When each running lobby's world was last checkpointed (performance.now()). */
  private readonly checkpointedAt = new Map<Lobby, number>();

  /**
   * Checkpoints the running lobbies whose last checkpoint is older than `everyMs`, the oldest
   * first, within a small time budget per call (called a few times a second between ticks).
   */
  checkpointDue(lobbies: Iterable<Lobby>, everyMs: number, budgetMs = 2): void {
    if (this.closed) return;
    const now = performance.now();
    const due: [Lobby, number][] = [];
    for (const l of lobbies) {
      if (l.status !== 'running') continue;
      const at = this.checkpointedAt.get(l) ?? -Infinity;
      if (now - at >= everyMs) due.push([l, at]);
    }
    due.sort((a, b) => a[1] - b[1]);
    for (const [lobby] of due) {
      if (performance.now() - now > budgetMs) break;
      this.checkpointedAt.set(lobby, performance.now());
      const cp = lobby.checkpoint();
      if (!cp) continue;
      const text = JSON.stringify({
        v: STORE_VERSION,
        sessionId: cp.sessionId,
        t: cp.t,
        logBytes: cp.logBytes,
        tracked: cp.tracked,
        world: Buffer.from(cp.world.buffer, cp.world.byteOffset, cp.world.byteLength).toString('base64'),
      } satisfies z.infer<typeof Checkpoint>);
      this.chain(lobby.id, () => this.backend.put(lobby.id, 'checkpoint', text));
    }
  }

  /** The lobby's last checkpoint, or null (none, unreadable, or of another session). */
  async loadCheckpoint(id: string, sessionId: string): Promise<SavedCheckpoint | null> {
    try {
      const text = await this.backend.get(id, 'checkpoint');
      if (text === null) return null;
      const cp = Checkpoint.parse(JSON.parse(text));
      if (cp.sessionId !== sessionId) return null;
      return { ...cp, worldBytes: new Uint8Array(Buffer.from(cp.world, 'base64')) };
    } catch {
      return null;
    }
  }

  /** The lobby closed: its records go (after any write still under way). */
  remove(lobby: Lobby): void {
    this.queued.delete(lobby);
    this.last.delete(lobby.id);
    this.checkpointedAt.delete(lobby);
    this.chain(lobby.id, () => this.backend.remove(lobby.id));
  }

  private chain(id: string, step: () => Promise<void>): void {
    const next = (this.chains.get(id) ?? Promise.resolve()).then(step).catch((err: unknown) => {
      this.log.error({ err, lobby: id, where: this.backend.where }, 'lobby state could not be saved');
    });
    this.chains.set(id, next);
    void next.then(() => {
      if (this.chains.get(id) === next) this.chains.delete(id);
    });
  }

  /** Writes what is queued and waits for every write; with `close`, later saves are ignored. */
  async flush(options: { close?: boolean } = {}): Promise<void> {
    for (const l of this.queued) this.write(l);
    this.queued.clear();
    if (options.close) this.closed = true;
    await Promise.all([...this.chains.values()]);
  }

  /** Flushes and lets go of the backend (its connection). */
  async close(): Promise<void> {
    await this.flush({ close: true });
    await this.backend.close();
  }

  /** Every readable saved lobby; unreadable records are set aside with a warning. */
  async loadAll(): Promise<SavedLobby[]> {
    const out: SavedLobby[] = [];
    for (const [id, text] of await this.backend.lobbies()) {
      const saved = this.parse(id, text);
      if (saved) out.push(saved);
      else await this.backend.setAside(id);
    }
    return out;
  }

  /** One saved lobby (null: none, or unreadable and set aside). */
  async load(id: string): Promise<SavedLobby | null> {
    const text = await this.backend.get(id, 'lobby');
    if (text === null) return null;
    const saved = this.parse(id, text);
    if (!saved) await this.backend.setAside(id);
    return saved;
  }

  private parse(id: string, text: string): SavedLobby | null {
    try {
      return SavedLobby.parse(JSON.parse(text));
    } catch (err) {
      this.log.warn({ err, lobby: id, where: this.backend.where }, 'saved lobby unreadable: set aside');
      return null;
    }
  }

  /** Forgets a saved lobby that could not come back. */
  async discard(id: string): Promise<void> {
    await this.backend.remove(id);
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // some file systems refuse to sync directories
  }
}

/**
 * Brings the saved lobbies back (at startup, before crash recovery: a continued session's log
 * is held again and recovery leaves it alone). A running lobby whose log cannot be replayed
 * exactly is not continued: its file is discarded and recovery finishes its session.
 */
export async function restoreLobbies(
  store: LobbyStore,
  ctx: LobbyContext,
  recordings: EpisodeIndex,
  saved?: readonly SavedLobby[],
): Promise<Lobby[]> {
  const out: Lobby[] = [];
  for (const one of saved ?? (await store.loadAll())) {
    const lobby = await restoreSavedLobby(store, one, ctx, recordings);
    if (lobby) out.push(lobby);
  }
  return out;
}

/**
 * Brings one saved lobby back; null (and its records discarded) when it cannot come back.
 * `epoch`: the lease epoch under which another relay process's lobby is taken over (cluster.ts):
 * the session log is taken over under it (fencing off that process's appends) before it is read.
 */
export async function restoreSavedLobby(
  store: LobbyStore,
  saved: SavedLobby,
  ctx: LobbyContext,
  recordings: EpisodeIndex,
  epoch?: number,
): Promise<Lobby | null> {
  try {
    const cp =
      saved.status === 'running' && saved.sessionId ? await store.loadCheckpoint(saved.id, saved.sessionId) : null;
    return restoreLobby(saved, cp, ctx, recordings, epoch);
  } catch (err) {
    ctx.log.warn({ err, lobby: saved.id }, 'saved lobby could not come back');
    await store.discard(saved.id);
    return null;
  }
}

function restoreLobby(
  saved: SavedLobby,
  cp: SavedCheckpoint | null,
  ctx: LobbyContext,
  recordings: EpisodeIndex,
  epoch: number | undefined,
): Lobby {
  const started = performance.now();
  let replayedTicks = 0;
  let checkpointT = 0;
  const lobby = new Lobby(ctx, {
    id: saved.id,
    code: saved.code,
    seats: saved.config.seats,
    seed: saved.config.seed,
    tickRate: saved.config.tickRate,
    paused: saved.config.paused,
  });
  let session = null;
  if (saved.status === 'running') {
    const sessionId = saved.sessionId;
    if (!sessionId) throw new Error('a running lobby without a session');
    const path = logPath(ctx.config.dataDir, sessionId);
    if (epoch !== undefined) takeOverLog(path, epoch);
    const repaired = repairLogFile(path);
    const header = repaired.records[0];
    if (header?.k !== 'session') throw new Error('its session log has no header');
    let live = false;
    const options = {
      keepOpen: true,
      stopOnMismatch: true,
      onEpisode: (ep: EpisodeSummary) => {
        if (!live) return;
        recordings.insertEpisode(sessionId, ep).catch((err) => ctx.log.error({ err }, 'episode index write failed'));
      },
    };
    // From the checkpoint when it matches a record boundary of the log; else the whole log.
    const cut = cp ? (cp.logBytes === LOG_MAGIC.length ? 0 : repaired.ends.indexOf(cp.logBytes) + 1) : 0;
    let report = null;
    if (cp && cut > 0) {
      try {
        report = replayFromCheckpoint(
          header,
          { world: World.restore(cp.worldBytes), tracked: cp.tracked },
          repaired.records.slice(cut),
          options,
        );
        if (!report.ok || report.world.t < cp.t) report = null;
      } catch {
        report = null;
      }
    }
    const fromT = report ? cp!.t : 0;
    if (report) {
      // Episodes that ended after the checkpoint and before the crash may be indexed already.
      recordings
        .addMissingEpisodes(sessionId, report.episodes)
        .catch((err) => ctx.log.error({ err }, 'episode index write failed'));
    } else {
      report = replayRecords(repaired.records, options);
      if (!report.ok) throw new Error(`its session log does not replay: ${report.error ?? report.mismatches[0]?.what}`);
      // The index holds exactly the log's finished episodes (an insert the crash cut is redone).
      recordings
        .replaceEpisodes(sessionId, report.episodes)
        .catch((err) => ctx.log.error({ err }, 'episode index write failed'));
    }
    if (report.complete) throw new Error('its session log has already ended');
    live = true;
    replayedTicks = report.ticks;
    checkpointT = fromT;
    const recorder = SessionRecorder.reopen(path, {
      epoch,
      fsyncMs: ctx.config.fsyncMs,
      onError: (err) => {
        ctx.metrics.recordErrors.inc();
        ctx.log.error({ err, lobby: saved.id }, 'recording failed; the session continues unrecorded');
      },
      onBytes: (n) => ctx.metrics.recordBytes.inc(n),
    });
    session = { sessionId, world: report.world, tracker: report.tracker, recorder };
  }
  const world = session?.world ?? null;
  const members: MemberState[] = saved.members.map((m) => ({
    ...m,
    // A body that is gone from the world (a leave the log has, the file not yet) is not kept.
    slot: m.slot !== null && world?.findPlayer(m.slot) ? m.slot : null,
    // Every member comes back over a new connection: held until its client has drawn again.
    ...unconnectedMemberState(),
  }));
  for (const ban of saved.bans) lobby.bans.set(ban.memberId, ban);
  try {
    lobby.continueAfterRestart(members, saved.hostId, session);
  } catch (err) {
    session?.recorder.close({ sync: true });
    throw err;
  }
  try {
    lobby.workforce.restore(
      saved.workforce,
      world,
      session ? auditPath(ctx.config.dataDir, session.sessionId) : undefined,
    );
    lobby.reconcileBodies();
  } catch (err) {
    // Ticking already: the session ends properly (end record) rather than half restored.
    lobby.close('restore_failed', { sync: true });
    throw err;
  }
  lobby.restoredFrom = { checkpointT, replayedTicks, ms: performance.now() - started };
  ctx.log.info(
    { lobby: saved.id, t: world?.t ?? 0, checkpointT, replayedTicks, ms: Math.round(performance.now() - started) },
    'lobby restored',
  );
  return lobby;
}
