import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadCatalog } from './catalog.ts';
import { buildArchive, cachedExport, type ExportManifest, type ExportPlan, planExport } from './export.ts';
import { asDatasetError } from './export.ts';
import { DatasetError, exportsDir, tmpDir } from './layout.ts';
import type { WorkerMessage } from './worker.ts';

export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface JobStatus {
  /** The export's content key (sha256 of format + filter + inputs): the same request gives the same job. */
  id: string;
  format: string;
  name: string;
  state: JobState;
  episodes: number;
  steps: number;
  progress: { done: number; total: number; phase: string; fraction: number };
  error?: { code: string; message: string };
  manifest?: ExportManifest;
  createdAt: string;
  updatedAt: string;
}

interface Job {
  status: JobStatus;
  request: unknown;
  worker?: Worker;
}

export interface JobOptions {
  /** Exports running at once (default 1; each uses one worker thread). */
  concurrency?: number;
  /** Run exports on the calling thread instead of a worker (tests, CLI). */
  inline?: boolean;
}

/**
 * Export jobs: planned synchronously (so bad filters and empty exports fail at once), run in
 * worker threads one at a time (by default), cached by content key on disk.
 */
export class ExportJobs {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: string[] = [];
  private running = 0;
  private closed = false;

  constructor(
    readonly dataDir: string,
    private readonly options: JobOptions = {},
  ) {}

  /** Plans an export and starts (or reuses) its job. Throws DatasetError for bad input or an empty export. */
  start(request: unknown): JobStatus {
    if (this.closed) throw new DatasetError('conflict', 'the dataset service is shutting down');
    const plan = planExport(this.dataDir, request, loadCatalog(this.dataDir));
    const existing = this.jobs.get(plan.key);
    if (existing && existing.status.state !== 'failed') return existing.status;
    const now = new Date().toISOString();
    const status: JobStatus = {
      id: plan.key,
      format: plan.format,
      name: plan.name,
      state: 'queued',
      episodes: plan.episodes.length,
      steps: plan.stats.steps,
      progress: { done: 0, total: plan.totalWork, phase: 'queued', fraction: 0 },
      createdAt: now,
      updatedAt: now,
    };
    const cached = cachedExport(this.dataDir, plan.key);
    if (cached) {
      status.state = 'done';
      status.manifest = cached;
      status.progress = { done: plan.totalWork, total: plan.totalWork, phase: 'cached', fraction: 1 };
    }
    this.jobs.set(plan.key, { status, request });
    if (!cached) {
      this.queue.push(plan.key);
      this.pump(plan);
    }
    return status;
  }

  /** A job by id; a finished export on disk is found even after a restart. */
  get(id: string): JobStatus | undefined {
    const job = this.jobs.get(id);
    if (job) return job.status;
    if (!/^[0-9a-f]{64}$/.test(id)) return undefined;
    const manifest = cachedExport(this.dataDir, id);
    if (!manifest) return undefined;
    return {
      id,
      format: manifest.format,
      name: manifest.name,
      state: 'done',
      episodes: manifest.episodes,
      steps: manifest.steps,
      progress: { done: 1, total: 1, phase: 'cached', fraction: 1 },
      manifest,
      createdAt: manifest.createdAt,
      updatedAt: manifest.createdAt,
    };
  }

  /** Jobs of this process, then finished exports found on disk (newest first). */
  list(): JobStatus[] {
    const out = [...this.jobs.values()].map((j) => j.status);
    const seen = new Set(out.map((s) => s.id));
    let files: string[] = [];
    try {
      files = readdirSync(exportsDir(this.dataDir));
    } catch {
      files = [];
    }
    const cached: JobStatus[] = [];
    for (const f of files) {
      const m = /^([0-9a-f]{64})\.json$/.exec(f);
      if (!m || seen.has(m[1])) continue;
      const s = this.get(m[1]);
      if (s) cached.push(s);
    }
    cached.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    return [...out, ...cached];
  }

  /** Resolves when the job is done or failed. */
  async wait(id: string, timeoutMs = 120_000): Promise<JobStatus> {
    const t0 = Date.now();
    for (;;) {
      const s = this.get(id);
      if (!s) throw new DatasetError('not_found', `no export job ${id}`);
      if (s.state === 'done' || s.state === 'failed') return s;
      if (Date.now() - t0 > timeoutMs) throw new Error(`export job ${id} did not finish in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = [...this.jobs.values()].map((j) => j.worker).filter((w): w is Worker => !!w);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private update(id: string, patch: Partial<JobStatus>): void {
    const job = this.jobs.get(id);
    if (!job) return;
    Object.assign(job.status, patch, { updatedAt: new Date().toISOString() });
  }

  private pump(plan?: ExportPlan): void {
    while (!this.closed && this.running < (this.options.concurrency ?? 1) && this.queue.length > 0) {
      const id = this.queue.shift()!;
      const job = this.jobs.get(id);
      if (!job) continue;
      this.running++;
      this.update(id, { state: 'running', progress: { ...job.status.progress, phase: 'starting' } });
      const finish = (patch: Partial<JobStatus>) => {
        this.update(id, patch);
        job.worker = undefined;
        this.running--;
        this.pump();
      };
      const progress = (done: number, total: number, phase: string) =>
        this.update(id, { progress: { done, total, phase, fraction: total > 0 ? Math.min(1, done / total) : 0 } });
      if (this.options.inline) {
        const p = plan && plan.key === id ? plan : planExport(this.dataDir, job.request);
        buildArchive(this.dataDir, p, progress).then(
          (manifest) =>
            finish({
              state: 'done',
              manifest,
              progress: { done: p.totalWork, total: p.totalWork, phase: 'done', fraction: 1 },
            }),
          (err) => {
            const e = asDatasetError(err);
            finish({ state: 'failed', error: { code: e.code, message: e.message } });
          },
        );
        continue;
      }
      const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), {
        workerData: { dataDir: this.dataDir, request: job.request, key: id },
        stdout: false,
        stderr: false,
      });
      job.worker = worker;
      let settled = false;
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') progress(m.done, m.total, m.phase);
        else if (m.type === 'done') {
          settled = true;
          const manifest = m.manifest as ExportManifest;
          finish({ state: 'done', manifest, progress: { done: 1, total: 1, phase: 'done', fraction: 1 } });
        } else if (m.type === 'error') {
          settled = true;
          finish({ state: 'failed', error: { code: m.code, message: m.message } });
        }
      });
      // A worker that dies (h5wasm can abort on I/O errors) cannot clean up after itself.
      const cleanup = () => {
        try {
          for (const f of readdirSync(tmpDir(this.dataDir)))
            if (f.startsWith(`${id}-`)) rmSync(join(tmpDir(this.dataDir), f), { recursive: true, force: true });
        } catch {
          // nothing to clean
        }
      };
      worker.on('error', (err) => {
        if (settled) return;
        settled = true;
        cleanup();
        finish({ state: 'failed', error: { code: 'io', message: `export worker crashed: ${err.message}` } });
      });
      worker.on('exit', (code) => {
        if (settled) return;
        settled = true;
        cleanup();
        finish({ state: 'failed', error: { code: 'io', message: `export worker exited with code ${code}` } });
      });
    }
  }
}
