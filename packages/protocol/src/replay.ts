import { protectionRuleOfEngineVersion, terrainOfEngineVersion, World } from '@aikon/engine';
import { type EpisodeEndReason, type EpisodeSummary, EpisodeTracker, type TrackedSlot } from './episodes.ts';
import { applyRecord, type ReplayMismatch } from './apply.ts';
import { decodeLog, type EndRecord, type LogRecord, type SessionRecord, type TickRecord } from './recording.ts';

/**
 * Deterministic re-simulation of a session log with the engine.
 *
 *   const report = replayLog(bytes, { onTick: ({ world, actions }) => ... });
 *   report.ok          // every recorded hash (and join/respawn placement) matched
 *   report.episodes    // per-player episodes, same as the live index
 *
 * `onTick` sees the world right after each step (read it, never mutate it): the place where
 * dataset exporters render observations and read rewards.
 */
export interface ReplayStep {
  world: World;
  /** world.t after the step. */
  t: number;
  /** Joint action applied in this step: slot → action (slots absent took noop). */
  actions: ReadonlyMap<number, number>;
  record: TickRecord;
}

export interface ReplayOptions {
  onTick?: (step: ReplayStep) => void;
  /** Called for every record before it is applied (the world is at record.t). */
  onRecord?: (record: LogRecord, world: World) => void;
  onEpisode?: (episode: EpisodeSummary) => void;
  /** Stop at the first mismatch (default false: report them all). */
  stopOnMismatch?: boolean;
  /** Stop after this tick (for partial replays). */
  untilT?: number;
  /**
   * Leave the open episodes open (default: they end with 'crash', or 'close' after an end
   * record): a relay that continues a session after a restart takes `report.tracker` over.
   */
  keepOpen?: boolean;
}

export interface ReplayReport {
  header: SessionRecord;
  /** Ticks re-simulated. */
  ticks: number;
  /** world.t at the end. */
  lastT: number;
  hashesChecked: number;
  mismatches: ReplayMismatch[];
  /** No mismatch and no structural error. */
  ok: boolean;
  /** The log ends with an `end` record (the session closed cleanly). */
  complete: boolean;
  end?: EndRecord;
  /** The bytes had a torn/corrupt tail (only from replayLog). */
  torn: boolean;
  episodes: EpisodeSummary[];
  finalHash: string;
  world: World;
  /** The episode tracker at the end of the replay (its open episodes, with `keepOpen`). */
  tracker: EpisodeTracker;
  /** A structural problem that stopped the replay (a record that cannot apply). */
  error?: string;
}

export class ReplayError extends Error {
  constructor(message: string) {
    super(`cannot replay session log: ${message}`);
    this.name = 'ReplayError';
  }
}

const LEAVE_REASON: Record<string, EpisodeEndReason> = {
  leave: 'leave',
  kick: 'leave',
  timeout: 'leave',
  close: 'close',
};

/** Decodes (cutting any torn tail) and replays a log file's bytes. */
export function replayLog(bytes: Uint8Array, options: ReplayOptions = {}): ReplayReport {
  const decoded = decodeLog(bytes);
  const report = replayRecords(decoded.records, options);
  report.torn = decoded.torn;
  return report;
}

/** Replays decoded records. The first record must be the `session` header. */
export function replayRecords(records: readonly LogRecord[], options: ReplayOptions = {}): ReplayReport {
  const header = records[0];
  if (header?.k !== 'session') throw new ReplayError('the first record is not a session header');
  // The world comes from the generator, and runs the rules, of the engine version the session was recorded with.
  const world = World.generate({
    seed: header.seed,
    mode: header.mode,
    spawnProtection: header.spawnProtection ?? 0,
    protectionRule: protectionRuleOfEngineVersion(header.engineVersion),
    terrain: terrainOfEngineVersion(header.engineVersion),
  });
  return replayOnto(header, world, [], records, 1, options);
}

/**
 * Continues a replay from a checkpoint: `world` (restored from a snapshot) and the tracked
 * episode slots at that point, then the log's records after it (no header). The relay uses it
 * to bring a lobby back without replaying its whole session. The snapshot's protection rule
 * must be the one of the header's engine version (a session keeps its rules from start to end).
 */
export function replayFromCheckpoint(
  header: SessionRecord,
  checkpoint: { world: World; tracked: readonly TrackedSlot[] },
  records: readonly LogRecord[],
  options: ReplayOptions = {},
): ReplayReport {
  const { world } = checkpoint;
  const rule = protectionRuleOfEngineVersion(header.engineVersion);
  if (world.spawnProtection > 0 && world.protectionRule !== rule) {
    throw new ReplayError(
      `the checkpoint's world runs the '${world.protectionRule}' protection rule, ` +
        `the session (engine ${header.engineVersion}) the '${rule}' rule`,
    );
  }
  return replayOnto(header, checkpoint.world, checkpoint.tracked, records, 0, options);
}

function replayOnto(
  header: SessionRecord,
  world: World,
  tracked: readonly TrackedSlot[],
  records: readonly LogRecord[],
  first: number,
  options: ReplayOptions,
): ReplayReport {
  const episodes: EpisodeSummary[] = [];
  const tracker = new EpisodeTracker((ep) => {
    episodes.push(ep);
    options.onEpisode?.(ep);
  });
  tracker.restore(tracked);
  const mismatches: ReplayMismatch[] = [];
  const report: ReplayReport = {
    header,
    ticks: 0,
    lastT: 0,
    hashesChecked: 0,
    mismatches,
    ok: true,
    complete: false,
    torn: false,
    episodes,
    finalHash: '',
    world,
    tracker,
  };
  const actions = new Map<number, number>();
  const mismatch = (m: ReplayMismatch): boolean => {
    mismatches.push(m);
    return options.stopOnMismatch === true;
  };

  for (let i = first; i < records.length; i++) {
    const rec = records[i];
    if (options.untilT !== undefined && world.t >= options.untilT) break;
    const expectedT = rec.k === 'tick' ? world.t + 1 : world.t;
    if (rec.t !== expectedT) {
      report.error = `record ${i} (${rec.k}) has t = ${rec.t}, expected ${expectedT}`;
      break;
    }
    options.onRecord?.(rec, world);
    try {
      if (rec.k === 'session') {
        report.error = `record ${i} is a second session header`;
        break;
      }
      // The tracker sees a leaving body before it goes, every other change after it.
      if (rec.k === 'leave') tracker.leave(world, rec.slot, LEAVE_REASON[rec.reason] ?? 'leave');
      const wrong = applyRecord(world, rec, actions);
      if (rec.k === 'join') tracker.join(world, rec.slot, { pid: rec.pid, kind: rec.kind, consent: rec.consent });
      else if (rec.k === 'respawn') tracker.respawn(world, rec.slot);
      else if (rec.k === 'consent') tracker.setConsent(rec.slot, rec.consent);
      else if (rec.k === 'tick') {
        tracker.afterStep(world);
        report.ticks++;
        options.onTick?.({ world, t: world.t, actions, record: rec });
      } else if (rec.k === 'hash' || rec.k === 'end') report.hashesChecked++;
      if (rec.k === 'end') {
        report.complete = true;
        report.end = rec;
      }
      if (wrong && mismatch(wrong)) break;
      if (rec.k === 'end') break;
    } catch (err) {
      report.error = `record ${i} (${rec.k} at t = ${rec.t}) failed: ${(err as Error).message}`;
      break;
    }
  }
  if (!options.keepOpen) tracker.closeAll(world, report.complete ? 'close' : 'crash');
  report.lastT = world.t;
  report.finalHash = world.hash();
  report.ok = mismatches.length === 0 && report.error === undefined;
  return report;
}
