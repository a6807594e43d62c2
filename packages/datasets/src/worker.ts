import { parentPort, workerData } from 'node:worker_threads';
import { asDatasetError, buildArchive, planExport } from './export.ts';

/** Messages from an export worker to its job manager. */
export type WorkerMessage =
  | { type: 'progress'; done: number; total: number; phase: string }
  | { type: 'done'; manifest: unknown }
  | { type: 'error'; code: string; message: string };

interface Input {
  dataDir: string;
  request: unknown;
  key: string;
}

async function main(): Promise<void> {
  const { dataDir, request, key } = workerData as Input;
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  try {
    const plan = planExport(dataDir, request);
    if (plan.key !== key) throw new Error('the recordings changed between planning and export; retry');
    let last = 0;
    const manifest = await buildArchive(dataDir, plan, (done, total, phase) => {
      const now = Date.now();
      if (now - last >= 100 || done === total) {
        last = now;
        post({ type: 'progress', done, total, phase });
      }
    });
    post({ type: 'done', manifest });
  } catch (err) {
    const e = asDatasetError(err);
    post({ type: 'error', code: e.code, message: e.message });
  }
}

await main();
