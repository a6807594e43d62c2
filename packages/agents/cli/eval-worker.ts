/** worker_threads body for eval-agents: plays the episodes it is sent and posts outcomes back. */
import { parentPort, workerData } from 'node:worker_threads';
import { agentEpisode } from '../src/episode.ts';
import type { Sense } from '../src/senses.ts';

const { seed, sense, goal } = workerData as { seed: number; sense: Sense; goal: string };
parentPort!.on('message', (k: number | null) => {
  if (k === null) {
    process.exit(0);
  }
  const t0 = performance.now();
  const outcome = agentEpisode(seed, k, { sense, goal });
  parentPort!.postMessage({ k, outcome, ms: performance.now() - t0 });
});
