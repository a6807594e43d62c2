import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ACHIEVEMENTS, ACTIONS } from '@aikon/engine';
import { type EpisodeIndex, indexedRecordings } from '@aikon/protocol/node';
import { episodeCharts } from './charts.ts';
import { episodeStats, filterFromQuery, loadCatalog, publicEpisode, selectEpisodes } from './catalog.ts';
import { archivePaths, FORMATS } from './export.ts';
import { ExportJobs, type JobOptions, type JobStatus } from './jobs.ts';
import { DatasetError, redactPaths } from './layout.ts';

export interface DatasetApiOptions extends JobOptions {
  dataDir: string;
  /** URL prefix (default `/api/datasets`). */
  prefix?: string;
  /** Largest accepted JSON body (default 64 KiB). */
  maxBodyBytes?: number;
  /** The recorder's episode index, when it is not `<dataDir>/index.sqlite` alone (the relay's). */
  index?: EpisodeIndex;
}

export type NextFn = (err?: unknown) => void;
export type DatasetApiHandler = ((req: IncomingMessage, res: ServerResponse, next?: NextFn) => void) & {
  jobs: ExportJobs;
  close(): Promise<void>;
};

const STATUS: Record<string, number> = {
  bad_request: 400,
  not_found: 404,
  empty: 422,
  mismatch: 422,
  corrupt: 422,
  conflict: 409,
  io: 500,
};

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: unknown, dataDir: string): void {
  if (err instanceof DatasetError)
    send(res, STATUS[err.code] ?? 500, { error: err.code, message: redactPaths(err.message, dataDir) });
  else send(res, 500, { error: 'internal', message: redactPaths((err as Error)?.message ?? String(err), dataDir) });
}

function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
      reject(new DatasetError('bad_request', 'the request body must be JSON (content-type: application/json)'));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit && !failed) {
        failed = true;
        reject(new DatasetError('bad_request', `request body larger than ${limit} bytes`));
      }
      if (!failed) chunks.push(c);
    });
    req.on('end', () => {
      if (failed) return;
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch {
        reject(new DatasetError('bad_request', 'the request body is not valid JSON'));
      }
    });
    req.on('error', (e) => reject(new DatasetError('bad_request', `request body: ${e.message}`)));
  });
}

function publicJob(s: JobStatus, prefix: string, dataDir: string) {
  return {
    id: s.id,
    format: s.format,
    name: s.name,
    state: s.state,
    episodes: s.episodes,
    steps: s.steps,
    progress: s.progress,
    error: s.error && { code: s.error.code, message: redactPaths(s.error.message, dataDir) },
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    files: s.manifest?.files,
    bytes: s.manifest?.bytes,
    download: s.state === 'done' ? `${prefix}/exports/${s.id}/download` : undefined,
    statusUrl: `${prefix}/exports/${s.id}`,
  };
}

/** Parses one `Range: bytes=...` header against a size: null = whole file, 'invalid' = 416. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | 'invalid' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return header.trim().startsWith('bytes=') && header.includes(',') ? null : 'invalid';
  const [, a, b] = m;
  if (a === '' && b === '') return 'invalid';
  let start: number;
  let end: number;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'invalid';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return 'invalid';
  }
  if (start >= size || size === 0) return 'invalid';
  return { start, end };
}

/**
 * The dataset HTTP API as a framework-free request handler:
 *
 *   GET  {prefix}                              summary: counts, statistics, formats, filter names
 *   GET  {prefix}/sessions                     session logs with their kind (lobby, solo) and verification status
 *   GET  {prefix}/episodes?kind=&from=&to=&minLength=&minReturn=&achievements=a,b&sessions=&limit=&offset=&pageSize=
 *   GET  {prefix}/charts?<same filters>        aggregates for charts: timeline, achievement rates by kind,
 *                                              return histogram
 *   POST {prefix}/exports   {format, filter?, datasetId?}   → 202 job (200 when already cached)
 *   GET  {prefix}/exports                      jobs of this process
 *   GET  {prefix}/exports/{id}                 job status and progress
 *   GET  {prefix}/exports/{id}/download        the export as a .tar (HTTP Range supported; HEAD too)
 *
 * Requests outside the prefix go to `next()` (or get 404 without one).
 */
export function createDatasetApi(options: DatasetApiOptions): DatasetApiHandler {
  const prefix = (options.prefix ?? '/api/datasets').replace(/\/+$/, '');
  const limit = options.maxBodyBytes ?? 64 * 1024;
  const jobs = new ExportJobs(options.dataDir, options);
  const catalog = async () =>
    loadCatalog(options.dataDir, { indexed: options.index ? await indexedRecordings(options.index) : undefined });

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const rest = url.pathname.slice(prefix.length).replace(/\/+$/, '');
    const parts = rest.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    const allow = (methods: string[]) => {
      if (!methods.includes(method)) {
        send(
          res,
          405,
          { error: 'method_not_allowed', message: `${method} is not allowed here` },
          { allow: methods.join(', ') },
        );
        return false;
      }
      return true;
    };

    if (parts.length === 0) {
      if (!allow(['GET', 'HEAD'])) return;
      const sessions = await catalog();
      // Browsing shows live sessions' episodes so far (exports wait for the session's end).
      const episodes = selectEpisodes(sessions, {}, { live: true });
      send(res, 200, {
        sessions: sessions.length,
        liveSessions: sessions.filter((s) => s.recording).length,
        unverifiedSessions: sessions.filter((s) => !s.verified && !s.recording).length,
        stats: episodeStats(episodes),
        formats: FORMATS,
        filters: ['kind', 'from', 'to', 'minLength', 'minReturn', 'achievements', 'sessions', 'limit'],
        achievements: ACHIEVEMENTS,
        actions: ACTIONS,
        licence: 'CC-BY-4.0',
      });
      return;
    }
    if (parts[0] === 'sessions' && parts.length === 1) {
      if (!allow(['GET', 'HEAD'])) return;
      const sessions = await catalog();
      send(res, 200, {
        sessions: sessions.map((s) => ({
          id: s.sessionId,
          startedAt: s.startedAt,
          endedAt: s.endedAt,
          engineVersion: s.engineVersion,
          tickRate: s.tickRate,
          kind: s.kind,
          ticks: s.ticks,
          complete: s.complete,
          verified: s.verified,
          recording: s.recording === true,
          // Ended without an end record (its recorder died) and replayed up to its last record.
          recovered: !s.complete && s.recording !== true && s.startedAt !== '',
          problem: s.problem,
          episodes: s.episodes.filter((e) => e.consent).length,
        })),
      });
      return;
    }
    if (parts[0] === 'episodes' && parts.length === 1) {
      if (!allow(['GET', 'HEAD'])) return;
      const offset = intParam(url, 'offset', 0);
      const pageSize = intParam(url, 'pageSize', 100, 1000);
      const filter = filterFromQuery(url.searchParams, ['offset', 'pageSize']);
      const episodes = selectEpisodes(await catalog(), filter, { live: true });
      send(res, 200, {
        total: episodes.length,
        // Of them, from sessions still being recorded (listed, exported once they end).
        live: episodes.filter((e) => e.live).length,
        offset,
        pageSize,
        filter,
        stats: episodeStats(episodes),
        episodes: episodes.slice(offset, offset + pageSize).map(publicEpisode),
      });
      return;
    }
    if (parts[0] === 'charts' && parts.length === 1) {
      if (!allow(['GET', 'HEAD'])) return;
      const filter = filterFromQuery(url.searchParams);
      const episodes = selectEpisodes(await catalog(), filter, { live: true });
      send(res, 200, { filter, ...episodeCharts(episodes) });
      return;
    }
    if (parts[0] === 'exports') {
      if (parts.length === 1) {
        if (method === 'POST') {
          const body = await readJson(req, limit);
          const status = jobs.start(body);
          send(res, status.state === 'done' ? 200 : 202, publicJob(status, prefix, options.dataDir), {
            location: `${prefix}/exports/${status.id}`,
          });
          return;
        }
        if (!allow(['GET', 'HEAD', 'POST'])) return;
        send(res, 200, { jobs: jobs.list().map((j) => publicJob(j, prefix, options.dataDir)) });
        return;
      }
      const id = parts[1];
      const status = /^[0-9a-f]{64}$/.test(id) ? jobs.get(id) : undefined;
      if (parts.length === 2) {
        if (!allow(['GET', 'HEAD'])) return;
        if (!status) throw new DatasetError('not_found', `no export job ${JSON.stringify(id.slice(0, 80))}`);
        send(res, 200, publicJob(status, prefix, options.dataDir));
        return;
      }
      if (parts.length === 3 && parts[2] === 'download') {
        if (!allow(['GET', 'HEAD'])) return;
        if (!status) throw new DatasetError('not_found', `no export job ${JSON.stringify(id.slice(0, 80))}`);
        if (status.state !== 'done' || !status.manifest) {
          send(res, 409, {
            error: 'not_ready',
            message: `export ${id} is ${status.state}`,
            job: publicJob(status, prefix, options.dataDir),
          });
          return;
        }
        serveFile(req, res, archivePaths(options.dataDir, id).tar, `${status.manifest.name}.tar`, id);
        return;
      }
    }
    throw new DatasetError('not_found', `no dataset API route ${method} ${url.pathname.slice(0, 200)}`);
  };

  const handler = ((req: IncomingMessage, res: ServerResponse, next?: NextFn) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      send(res, 400, { error: 'bad_request', message: 'malformed URL' });
      return;
    }
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) {
      if (next) next();
      else send(res, 404, { error: 'not_found', message: 'not found' });
      return;
    }
    handle(req, res, url).catch((err) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, err, options.dataDir);
    });
  }) as DatasetApiHandler;
  handler.jobs = jobs;
  handler.close = () => jobs.close();
  return handler;
}

function intParam(url: URL, name: string, dflt: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = url.searchParams.get(name);
  if (v === null) return dflt;
  if (!/^\d+$/.test(v) || Number(v) > max)
    throw new DatasetError('bad_request', `${name} must be an integer in 0..${max}`);
  return Number(v);
}

function serveFile(req: IncomingMessage, res: ServerResponse, path: string, filename: string, etag: string): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new DatasetError('not_found', 'the export archive is missing; start the export again');
  }
  const headers: Record<string, string | number> = {
    'content-type': 'application/x-tar',
    'content-disposition': `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`,
    'accept-ranges': 'bytes',
    etag: `"${etag}"`,
    'cache-control': 'private, max-age=3600',
  };
  let range = parseRange(req.headers.range, size);
  const ifRange = req.headers['if-range'];
  if (range && range !== 'invalid' && ifRange && ifRange !== `"${etag}"`) range = null;
  if (range === 'invalid') {
    res.writeHead(416, { 'content-range': `bytes */${size}`, 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'range_not_satisfiable', message: `file has ${size} bytes` }));
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  headers['content-length'] = size === 0 ? 0 : end - start + 1;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(path, { start, end });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
