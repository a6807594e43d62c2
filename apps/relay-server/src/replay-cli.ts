import { replayRecords } from '@aikon/protocol';
import { readLogFile } from '@aikon/protocol/node';

/**
 * `npm run replay -w @aikon/relay-server -- data/recordings/<session>.aklog [...]`
 * Re-simulates each log with the engine and checks every recorded hash. Exit code 1 on a mismatch.
 */
let failed = false;
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: replay <log file>...');
  process.exit(2);
}
for (const file of files) {
  try {
    const log = readLogFile(file);
    const start = performance.now();
    const report = replayRecords(log.records);
    const ms = performance.now() - start;
    const summary = {
      file,
      session: report.header.sessionId,
      engineVersion: report.header.engineVersion,
      seed: report.header.seed,
      ticks: report.ticks,
      hashesChecked: report.hashesChecked,
      mismatches: report.mismatches.length,
      complete: report.complete,
      tornTail: log.torn ? `${log.size - log.validBytes} bytes (${log.tornReason})` : null,
      episodes: report.episodes.length,
      ok: report.ok,
      error: report.error ?? null,
      replayMs: Math.round(ms),
    };
    console.log(JSON.stringify(summary));
    if (!report.ok) failed = true;
  } catch (err) {
    console.log(JSON.stringify({ file, ok: false, error: (err as Error).message }));
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
