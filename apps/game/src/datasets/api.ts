/**
 * The dataset HTTP API (`/api/datasets`, served by the relay on the game's origin; see
 * packages/datasets/src/api.ts) as seen from the browser: response types, filter encoding and
 * errors with the server's own message. No Node imports: this is bundled into the page.
 */

export const API = '/api/datasets';

export type Kind = 'human' | 'ai';
// Response shapes are the dataset package's own types (type-only: nothing of it is bundled).
export type { EpisodeCharts as Charts, EpisodeStats as Stats, ExportFormat } from '@aikon/datasets';
import type { EpisodeCharts as Charts, EpisodeStats as Stats, ExportFormat } from '@aikon/datasets';

export interface Summary {
  sessions: number;
  /** Sessions still being recorded (live lobbies): their episodes so far are counted. */
  liveSessions: number;
  unverifiedSessions: number;
  stats: Stats;
  formats: ExportFormat[];
  filters: string[];
  achievements: string[];
  licence: string;
}

export interface Episode {
  id: string;
  session: string;
  slot: number;
  kind: Kind;
  /** When its session started. */
  startedAt: string;
  /** When the episode itself began (estimated from its start tick). */
  beganAt: string;
  /** From a session still being recorded. */
  live: boolean;
  startT: number;
  endT: number;
  length: number;
  return: number;
  achievements: string[];
  endReason: string;
}

export interface EpisodesPage {
  total: number;
  /** Of `total`, episodes of sessions still in progress (not exportable yet). */
  live: number;
  offset: number;
  pageSize: number;
  stats: Stats;
  episodes: Episode[];
}

/** One session log as `GET /api/datasets/sessions` lists it. */
export interface SessionInfo {
  id: string;
  startedAt: string;
  endedAt: string | null;
  tickRate: number;
  /** Where it was played: a lobby, or a solo game a player chose to record and upload. */
  kind: 'lobby' | 'solo';
  ticks: number;
  complete: boolean;
  verified: boolean;
  /** Still being recorded: a live lobby (or generator). */
  recording: boolean;
  /** Its recorder died; replayed up to its last record. */
  recovered: boolean;
  problem: string | null;
  /** Consented episodes (so far, while recording). */
  episodes: number;
}

export interface Job {
  id: string;
  format: ExportFormat;
  name: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  episodes: number;
  steps: number;
  progress: { done: number; total: number; phase: string; fraction: number };
  error?: { code: string; message: string };
  createdAt: string;
  updatedAt: string;
  files?: { path: string; bytes: number }[];
  bytes?: number;
  download?: string;
  statusUrl: string;
}

/** A refusal or failure of the API, carrying its message (shown to the user as is). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What the filter form holds: raw text, validated by the API (whose message is shown). */
export interface FilterForm {
  kind: '' | Kind;
  from: string;
  to: string;
  minLength: string;
  minReturn: string;
  achievements: string[];
}

export const EMPTY_FILTER: FilterForm = { kind: '', from: '', to: '', minLength: '', minReturn: '', achievements: [] };

/** Query string of the non-empty filter fields (`kind=ai&minLength=10&achievements=a,b`). */
export function filterQuery(form: FilterForm): URLSearchParams {
  const q = new URLSearchParams();
  if (form.kind) q.set('kind', form.kind);
  for (const key of ['from', 'to', 'minLength', 'minReturn'] as const) {
    const v = form[key].trim();
    if (v !== '') q.set(key, v);
  }
  if (form.achievements.length > 0) q.set('achievements', form.achievements.join(','));
  return q;
}

/**
 * The filter as the export request's JSON (numbers where the text is one; otherwise the text, for the API to refuse).
 */
export function filterBody(form: FilterForm): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (form.kind) body.kind = form.kind;
  if (form.from.trim()) body.from = form.from.trim();
  if (form.to.trim()) body.to = form.to.trim();
  for (const key of ['minLength', 'minReturn'] as const) {
    const v = form[key].trim();
    if (v !== '') body[key] = v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  if (form.achievements.length > 0) body.achievements = [...form.achievements];
  return body;
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { accept: 'application/json', ...(init?.headers ?? {}) } });
  } catch (err) {
    throw new ApiError(`Cannot reach the dataset API (${(err as Error).message}).`, 0, 'network');
  }
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('application/json')) {
    throw new ApiError(
      res.status === 404 || type.includes('text/html')
        ? 'This server has no dataset API. Start the relay server (npm ' +
            'start), which serves the game and /api/datasets together.'
        : `The dataset API answered ${res.status} ${res.statusText}.`,
      res.status,
      'no_api',
    );
  }
  const body = (await res.json()) as T & { error?: string; message?: string };
  if (!res.ok) throw new ApiError(body.message ?? `HTTP ${res.status}`, res.status, body.error ?? 'error');
  return body;
}

export const datasetsApi = {
  summary: (init?: RequestInit) => request<Summary>(API, init),
  sessions: (init?: RequestInit) => request<{ sessions: SessionInfo[] }>(`${API}/sessions`, init),
  episodes: (form: FilterForm, pageSize = 50, init?: RequestInit) => {
    const q = filterQuery(form);
    q.set('pageSize', String(pageSize));
    return request<EpisodesPage>(`${API}/episodes?${q}`, init);
  },
  charts: (form: FilterForm, init?: RequestInit) => {
    const q = filterQuery(form).toString();
    return request<Charts>(`${API}/charts${q ? `?${q}` : ''}`, init);
  },
  jobs: (init?: RequestInit) => request<{ jobs: Job[] }>(`${API}/exports`, init),
  job: (id: string, init?: RequestInit) => request<Job>(`${API}/exports/${encodeURIComponent(id)}`, init),
  startExport: (format: ExportFormat, form: FilterForm) =>
    request<Job>(`${API}/exports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format, filter: filterBody(form) }),
    }),
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Achievement ids as words: `collect_wood` → `collect wood`. */
export function achievementLabel(name: string): string {
  return name.replace(/_/g, ' ');
}
