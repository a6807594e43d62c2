import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ENGINE_VERSION } from '@aikon/engine';
import { loadTextures } from '@aikon/engine/node';
import { z } from 'zod';
import {
  type CatalogEpisode,
  type EpisodeFilter,
  type EpisodeStats,
  episodeStats,
  loadCatalog,
  parseFilter,
  selectEpisodes,
  type SessionEntry,
} from './catalog.ts';
import { datacard } from './datacard.ts';
import { extractEpisodes } from './extract.ts';
import { DatasetError, EXPORTER_VERSION, exportsDir, logPathFor, safeJoin, tmpDir } from './layout.ts';
import { installationSecret, Pseudonymizer } from './pseudonym.ts';
import { h5Ready, MINARI_ID_RE, MinariWriter } from './writers/minari.ts';
import { ParquetDatasetWriter } from './writers/parquet.ts';
import { writeReplayLog } from './writers/replaylogs.ts';
import { listFiles, writeTar } from './writers/tar.ts';

export const FORMATS = ['minari', 'parquet', 'replay'] as const;
export type ExportFormat = (typeof FORMATS)[number];

export const ExportRequest = z.strictObject({
  format: z.enum(FORMATS),
  filter: z.unknown().optional(),
  /** Minari dataset id (`name-vN`); default `aikon-crafter-<kind>-<key8>-v0`. */
  datasetId: z
    .string()
    .max(120)
    .regex(
      MINARI_ID_RE,
      'must look like name-v0 or namespace/name-v0 (segments of letters, ' +
        'digits, _ . -, each starting with a letter or digit; no "..")',
    )
    .optional(),
});
export type ExportRequestInput = z.input<typeof ExportRequest>;

export interface ExportPlan {
  format: ExportFormat;
  filter: EpisodeFilter;
  key: string;
  name: string;
  episodes: CatalogEpisode[];
  sessions: SessionEntry[];
  /** Sessions left out of a replay export because a player in them opted out. */
  skippedSessions: number;
  stats: EpisodeStats;
  /** Work units for progress: ticks to replay (minari, parquet) or sessions (replay). */
  totalWork: number;
}

export interface ExportManifest {
  key: string;
  format: ExportFormat;
  name: string;
  createdAt: string;
  filter: EpisodeFilter;
  episodes: number;
  steps: number;
  sessions: number;
  files: { path: string; bytes: number }[];
  bytes: number;
  /** Archive file name (API exports). */
  archive?: string;
}

export type ProgressFn = (done: number, total: number, phase: string) => void;

export function parseExportRequest(input: unknown): {
  format: ExportFormat;
  filter: EpisodeFilter;
  datasetId?: string;
} {
  const r = ExportRequest.safeParse(input);
  if (!r.success) {
    const msg = r.error.issues
      .map((i) =>
        i.code === 'unrecognized_keys'
          ? `unknown field ${i.keys.join(', ')}`
          : `${i.path.join('.') || 'request'}: ${i.message}`,
      )
      .join('; ');
    throw new DatasetError('bad_request', `invalid export request: ${msg}`);
  }
  return { format: r.data.format, filter: parseFilter(r.data.filter ?? {}), datasetId: r.data.datasetId };
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Selects the episodes of an export and derives its content key (format + filter + inputs + versions). */
export function planExport(dataDir: string, input: unknown, catalog?: SessionEntry[]): ExportPlan {
  const req = parseExportRequest(input);
  const sessionsAll = catalog ?? loadCatalog(dataDir);
  let episodes = selectEpisodes(sessionsAll, req.filter);
  const byId = new Map(sessionsAll.map((s) => [s.sessionId, s]));
  let sessionIds = [...new Set(episodes.map((e) => e.sessionId))];
  let skippedSessions = 0;
  if (req.format === 'replay') {
    // A log holds every player's actions: export a session only if all of its players consented.
    const ok = sessionIds.filter((id) => byId.get(id)!.episodes.every((e) => e.consent));
    skippedSessions = sessionIds.length - ok.length;
    sessionIds = ok;
    const keep = new Set(ok);
    episodes = episodes.filter((e) => keep.has(e.sessionId));
  }
  if (episodes.length === 0) {
    throw new DatasetError(
      'empty',
      skippedSessions > 0
        ? `nothing to export: the ${skippedSessions} matching session(s) include ` +
            'players who opted out, and replay exports contain whole sessions'
        : `nothing to export: no consented episode matches the filter ${JSON.stringify(req.filter)}`,
    );
  }
  const sessions = sessionIds.map((id) => byId.get(id)!);
  const key = createHash('sha256')
    .update(
      canonical({
        v: EXPORTER_VERSION,
        engine: ENGINE_VERSION,
        format: req.format,
        filter: req.filter,
        datasetId: req.datasetId ?? null,
        inputs: sessions.map((s) => [s.sessionId, s.sha256]).sort(),
        episodes: episodes.map((e) => e.id),
      }),
    )
    .digest('hex');
  const kinds = new Set(episodes.map((e) => e.kind));
  const kind = kinds.size === 2 ? 'mixed' : [...kinds][0];
  const name =
    req.datasetId ??
    (req.format === 'minari'
      ? `aikon-crafter-${kind}-${key.slice(0, 8)}-v0`
      : `aikon-crafter-${kind}-${key.slice(0, 8)}`);
  const stats = episodeStats(episodes);
  const totalWork = req.format === 'replay' ? sessions.length : sessions.reduce((n, s) => n + s.ticks, 0);
  return { format: req.format, filter: req.filter, key, name, episodes, sessions, skippedSessions, stats, totalWork };
}

/**
 * Writes the export into `outDir` (which must not exist, or be an empty directory). Everything
 * is written under a temporary sibling directory and renamed into place only when complete,
 * so a failure (a corrupt log, a full disk) leaves no partial export behind.
 */
export async function writeExport(
  dataDir: string,
  plan: ExportPlan,
  outDir: string,
  onProgress?: ProgressFn,
): Promise<ExportManifest> {
  const target = resolve(outDir);
  if (existsSync(target)) {
    const st = statSync(target);
    if (!st.isDirectory() || readdirSync(target).length > 0)
      throw new DatasetError('conflict', `output ${target} already exists and is not an empty directory`);
  }
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const work = join(parent, `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(work);
  try {
    const manifest = await writeInto(dataDir, plan, work, onProgress);
    if (existsSync(target)) rmdirSync(target);
    renameSync(work, target);
    return manifest;
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw asDatasetError(err);
  }
}

export function asDatasetError(err: unknown): DatasetError {
  if (err instanceof DatasetError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e && (e.code === 'ENOSPC' || e.code === 'EDQUOT'))
    return new DatasetError('io', `export failed: the disk is full (${e.message}); nothing was kept`);
  return new DatasetError('io', `export failed: ${e?.message ?? String(err)}; nothing was kept`);
}

async function writeInto(
  dataDir: string,
  plan: ExportPlan,
  work: string,
  onProgress?: ProgressFn,
): Promise<ExportManifest> {
  const createdAt = new Date().toISOString();
  const pseudo = new Pseudonymizer(installationSecret(dataDir), plan.key);
  const progress = (done: number, phase: string) => onProgress?.(Math.min(done, plan.totalWork), plan.totalWork, phase);
  let steps = 0;
  let rows: number | undefined;
  progress(0, 'starting');
  if (plan.format === 'replay') {
    const logs = join(work, 'logs');
    mkdirSync(logs);
    const index: unknown[] = [];
    plan.sessions.forEach((s, i) => {
      const { file, bytes } = writeReplayLog(dataDir, s, logs, pseudo);
      const eps = plan.episodes.filter((e) => e.sessionId === s.sessionId);
      steps += eps.reduce((n, e) => n + e.length, 0);
      index.push({
        file: `logs/${file}`,
        bytes,
        session: pseudo.session(s.sessionId),
        seed: s.seed,
        engineVersion: s.engineVersion,
        tickRate: s.tickRate,
        ticks: s.ticks,
        complete: s.complete,
        startedAt: s.startedAt,
        episodes: eps.map((e) => ({
          player: pseudo.player(e.pid),
          kind: e.kind,
          slot: e.slot,
          startT: e.startT,
          endT: e.endT,
          length: e.length,
          return: e.return,
          achievements: e.achievements,
          endReason: e.endReason,
        })),
      });
      progress(i + 1, 'copying logs');
    });
    writeFileSync(
      join(work, 'sessions.json'),
      JSON.stringify(
        { engineVersions: [...new Set(plan.sessions.map((s) => s.engineVersion))], sessions: index },
        null,
        1,
      ),
    );
  } else {
    const textures = loadTextures();
    const wanted = new Set(plan.episodes.map((e) => e.id));
    const order = new Map(plan.episodes.map((e, i) => [e.id, i]));
    let minari: MinariWriter | null = null;
    let parquet: ParquetDatasetWriter | null = null;
    if (plan.format === 'minari') {
      await h5Ready();
      minari = new MinariWriter(work, { datasetId: plan.name }, pseudo);
    } else {
      parquet = new ParquetDatasetWriter(join(work, 'data.parquet'), pseudo, {
        'aikon:key': plan.key,
        'aikon:engine_version': ENGINE_VERSION,
      });
    }
    let ticksBefore = 0;
    // Frame scratch files live in the data directory's tmp, not in the output.
    const scratch = join(tmpDir(dataDir), `${plan.key}-scratch-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(scratch, { recursive: true });
    try {
      for (const s of plan.sessions) {
        const bytes = readFileSync(logPathFor(dataDir, s.sessionId));
        if (createHash('sha256').update(bytes).digest('hex') !== s.sha256) {
          throw new DatasetError('conflict', `session ${s.sessionId} changed since it was indexed; retry the export`);
        }
        // Episodes are written as they end (frames stream to disk), so within a session the
        // dataset ids follow the order in which episodes ended.
        extractEpisodes(s.sessionId, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
          textures,
          wanted,
          scratchDir: scratch,
          onTicks: (t) => progress(ticksBefore + t, 'rendering'),
          onEpisode: (ep) => {
            if (!order.has(ep.id)) return;
            steps += ep.length;
            if (minari) minari.addEpisode(ep);
            else parquet!.addEpisode(ep);
          },
        });
        ticksBefore += s.ticks;
        progress(ticksBefore, 'rendering');
      }
      progress(plan.totalWork, 'finishing');
      if (minari) {
        minari.finish({
          aikon: {
            export_key: plan.key,
            filter: plan.filter,
            achievements: plan.stats.achievementRates,
            human_episodes: plan.stats.human,
            ai_episodes: plan.stats.ai,
            engine_versions: [...new Set(plan.sessions.map((s) => s.engineVersion))],
            licence: 'CC-BY-4.0',
          },
        });
      } else {
        rows = parquet!.finish().rows;
      }
    } catch (err) {
      try {
        minari?.close();
      } catch {
        // the file is discarded anyway
      }
      parquet?.abort();
      throw err;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const readme = datacard({
    format: plan.format,
    name: plan.name,
    key: plan.key,
    createdAt,
    filter: plan.filter,
    stats: plan.stats,
    engineVersions: [...new Set(plan.sessions.map((s) => s.engineVersion))],
    tickRates: [...new Set(plan.sessions.map((s) => s.tickRate))].sort((a, b) => a - b),
    files: [...listFiles(work), 'README.md'].sort(),
    rows,
    sessionsExported: plan.sessions.length,
    sessionsSkipped: plan.skippedSessions,
  });
  writeFileSync(join(work, 'README.md'), readme);
  const files = listFiles(work).map((p) => ({ path: p, bytes: statSync(join(work, p)).size }));
  return {
    key: plan.key,
    format: plan.format,
    name: plan.name,
    createdAt,
    filter: plan.filter,
    episodes: plan.episodes.length,
    steps,
    sessions: plan.sessions.length,
    files,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
  };
}

// ---- cached archives (the HTTP API's exports) ----------------------------------------------

export function archivePaths(dataDir: string, key: string): { tar: string; manifest: string } {
  if (!/^[0-9a-f]{64}$/.test(key)) throw new DatasetError('not_found', `no export ${JSON.stringify(key)}`);
  const dir = exportsDir(dataDir);
  return { tar: join(dir, `${key}.tar`), manifest: join(dir, `${key}.json`) };
}

/** The manifest of a finished, cached export, or null. */
export function cachedExport(dataDir: string, key: string): ExportManifest | null {
  const { tar, manifest } = archivePaths(dataDir, key);
  try {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as ExportManifest;
    if (!existsSync(tar)) return null;
    return m;
  } catch {
    return null;
  }
}

/**
 * Builds the export as one uncompressed tar (`<name>/...`) in the exports directory, named by
 * its content key. The tar is renamed into place, then its manifest: an export is complete
 * exactly when its manifest exists.
 */
export async function buildArchive(
  dataDir: string,
  plan: ExportPlan,
  onProgress?: ProgressFn,
): Promise<ExportManifest> {
  const hit = cachedExport(dataDir, plan.key);
  if (hit) return hit;
  const { tar, manifest: manifestPath } = archivePaths(dataDir, plan.key);
  const tmp = tmpDir(dataDir);
  mkdirSync(tmp, { recursive: true });
  mkdirSync(exportsDir(dataDir), { recursive: true });
  const stem = join(tmp, `${plan.key}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    // plan.name came from the request (datasetId): it was validated, and safeJoin refuses it anyway
    // if it would leave the work directory.
    const manifest = await writeExport(dataDir, plan, safeJoin(stem, plan.name), onProgress);
    onProgress?.(plan.totalWork, plan.totalWork, 'archiving');
    const bytes = writeTar(stem, '', `${stem}.tar`);
    renameSync(`${stem}.tar`, tar);
    const full: ExportManifest = { ...manifest, archive: `${plan.name}.tar`, bytes };
    writeFileSync(`${stem}.json`, JSON.stringify(full, null, 1));
    renameSync(`${stem}.json`, manifestPath);
    return full;
  } catch (err) {
    rmSync(`${stem}.tar`, { force: true });
    rmSync(`${stem}.json`, { force: true });
    throw asDatasetError(err);
  } finally {
    rmSync(stem, { recursive: true, force: true });
  }
}
