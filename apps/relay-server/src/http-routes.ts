import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DatasetApiHandler } from '@aikon/datasets/api';
import type { EpisodeIndex } from '@aikon/protocol/node';
import type { Logger } from 'pino';
import type { RelayConfig } from './config.ts';
import type { DreamHost } from './dream.ts';
import type { RelayIo } from './io.ts';
import type { RelayMetrics } from './metrics.ts';
import type { LobbyRegistry } from './registry.ts';
import { readSoloLogBody, SoloUploadError, storeSoloLog } from './solo-upload.ts';
import { serveStatic } from './static.ts';
import { auditFileJsonl } from './workforce.ts';

export interface HttpRoutes {
  /** Answers one request (never throws: a failing handler answers 500). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Releases what the routes opened (the dataset API's index). */
  close(): Promise<void>;
}

interface RouteDeps {
  config: RelayConfig;
  log: Logger;
  metrics: RelayMetrics;
  registry: LobbyRegistry;
  dream: DreamHost;
  io: RelayIo;
  /** The relay's episode index (the dataset API lists live sessions' episodes from it). */
  index: EpisodeIndex;
  /** An open lobby owned by another relay process, by invite code (null: none). */
  otherProcessLobby?: (code: string) => Promise<LobbySummary | null>;
  /** The session of another process's lobby for a member's audit download (cluster.ts). */
  otherProcessAudit?: (
    code: string,
    token: string,
  ) => Promise<{ lobbyId: string; sessionId: string | null } | 'not_found' | 'forbidden'>;
}

/** What `/api/lobbies/<code>` tells about an open lobby. */
export interface LobbySummary {
  status: string;
  members: number;
  seats: number;
  tickRate: number;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * The relay's HTTP side: model files for browser dream shards, the dataset API, /healthz,
 * /metrics, lobby lookups by invite code and their audit logs, and the built game.
 */
export function createHttpRoutes({
  config,
  log,
  metrics,
  registry,
  dream,
  io,
  index,
  otherProcessLobby,
  otherProcessAudit,
}: RouteDeps): HttpRoutes {
  // The dataset API (episodes, exports) over the same data directory; its module is heavy
  // (HDF5, Parquet writers), so it loads on the first request.
  let datasets: Promise<DatasetApiHandler> | null = null;
  function datasetApi(): Promise<DatasetApiHandler> {
    datasets ??= import('@aikon/datasets/api').then((m) => m.createDatasetApi({ dataDir: config.dataDir, index }));
    return datasets;
  }

  function route(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (dream.handleHttp(req, res, path)) return; // /models/manifest.json and its .onnx files
    if (config.datasetsApi && (path === '/api/datasets' || path.startsWith('/api/datasets/'))) {
      datasetApi().then(
        (handler) => handler(req, res, () => json(res, 404, { error: 'not_found' })),
        (err: unknown) => {
          log.error({ err }, 'dataset API unavailable');
          if (!res.headersSent) json(res, 503, { error: 'unavailable' });
        },
      );
      return;
    }
    if (path === '/api/solo-logs') {
      receiveSoloLog(req, res);
      return;
    }
    if (path === '/healthz') {
      json(res, 200, {
        status: 'ok',
        uptimeS: Math.round(process.uptime()),
        lobbies: registry.size,
        sockets: io.engine.clientsCount,
      });
      return;
    }
    if (path === '/metrics') {
      metrics.observe(registry.lobbies.values(), io.engine.clientsCount);
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: unknown) => {
          log.error({ err }, 'metrics failed');
          res.writeHead(500).end();
        },
      );
      return;
    }
    const audit = /^\/api\/lobbies\/([A-Za-z0-9_-]{22})\/audit$/.exec(path);
    if (audit) {
      serveAudit(req, res, audit[1]);
      return;
    }
    const m = /^\/api\/lobbies\/([A-Za-z0-9_-]{22})$/.exec(path);
    if (m) {
      const lobby = registry.byInviteCode(m[1]);
      if (!lobby && otherProcessLobby) {
        // Several relay processes: the lobby may tick on another one (cluster.ts).
        otherProcessLobby(m[1]).then(
          (summary) => (summary ? json(res, 200, summary) : json(res, 404, { error: 'lobby_not_found' })),
          (err: unknown) => {
            log.error({ err }, 'lobby lookup in Redis failed');
            json(res, 503, { error: 'unavailable' });
          },
        );
      } else if (!lobby) json(res, 404, { error: 'lobby_not_found' });
      else {
        const s = lobby.state();
        json(res, 200, {
          status: s.status,
          members: s.members.length,
          seats: s.config.seats,
          tickRate: s.config.tickRate,
        });
      }
      return;
    }
    // An API path no route took is an API client's mistake: a JSON 404, not the game's page.
    if (path.startsWith('/api/lobbies/')) return void json(res, 404, { error: 'lobby_not_found' });
    if (path === '/api' || path.startsWith('/api/')) {
      return void json(res, 404, { error: 'not_found', message: 'no such API route' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    serveStatic(config.staticDir, req, res);
  }

  /** A solo game recorded in a browser (solo-upload.ts): stored as a session of the datasets. */
  function receiveSoloLog(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') return void json(res, 405, { error: 'method_not_allowed', message: 'POST a solo log' });
    readSoloLogBody(req)
      .then((bytes) => storeSoloLog(config.dataDir, index, bytes))
      .then((stored) => {
        log.info({ session: stored.session, ticks: stored.ticks, duplicate: stored.duplicate }, 'solo log stored');
        json(res, stored.duplicate ? 200 : 201, stored);
      })
      .catch((err: unknown) => {
        if (err instanceof SoloUploadError) {
          if (err.status === 413) res.setHeader('connection', 'close');
          json(res, err.status, { error: err.code, message: err.message });
          return;
        }
        log.error({ err }, 'solo log upload failed');
        if (!res.headersSent) json(res, 500, { error: 'internal', message: 'the solo log could not be stored' });
      });
  }

  /**
   * The workforce audit log as JSON lines, for members only: the member's resume token as
   * `Authorization: Bearer TOKEN` (or `?token=TOKEN`).
   */
  function serveAudit(req: IncomingMessage, res: ServerResponse, code: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return void json(res, 405, { error: 'method_not_allowed' });
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = auth ?? new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '';
    const notFound = () => json(res, 404, { error: 'lobby_not_found' });
    const forbidden = () =>
      json(res, 403, { error: 'not_a_member', message: 'only members of this lobby may read its audit log' });
    const send = (lobbyId: string, body: string) => {
      res.writeHead(200, {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="aikon-audit-${lobbyId}.jsonl"`,
        'cache-control': 'no-store',
        'content-length': Buffer.byteLength(body),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const lobby = registry.byInviteCode(code);
    if (!lobby && otherProcessAudit) {
      // Several relay processes: the lobby may tick on another one, which appends its audit to
      // the shared data directory; its saved record says who its members are.
      otherProcessAudit(code, token).then(
        (found) => {
          if (found === 'not_found') notFound();
          else if (found === 'forbidden') forbidden();
          else send(found.lobbyId, found.sessionId ? auditFileJsonl(config.dataDir, found.sessionId) : '');
        },
        (err: unknown) => {
          log.error({ err }, 'audit lookup in Redis failed');
          json(res, 503, { error: 'unavailable' });
        },
      );
      return;
    }
    if (!lobby) return void notFound();
    const entry = registry.byToken(token);
    if (!entry || entry.lobby !== lobby) return void forbidden();
    send(lobby.id, lobby.workforce.auditJsonl());
  }

  return {
    handle(req, res) {
      try {
        route(req, res);
      } catch (err) {
        log.error({ err }, 'http handler failed');
        if (!res.headersSent) res.writeHead(500).end('internal error');
      }
    },
    async close() {
      if (datasets) await datasets.then((d) => d.close()).catch(() => {});
    },
  };
}
