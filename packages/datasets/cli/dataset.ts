/**
 * Offline dataset tool.
 *   npm run dataset -- generate --episodes N [--policy random] [--seed S] [--sessions K] [--players P] [--max-steps M]
 *   npm run dataset -- export --format minari|parquet|replay --out DIR [--kind human|ai] [--from ISO] [--to ISO]
 *                     [--min-length N] [--min-return R] [--achievements a,b] [--sessions id,id] [--limit N]
 *                     [--dataset-id name-v0]
 *   npm run dataset -- list [filters] [--json]
 * Data directory: --data-dir, else AIKON_DATA_DIR, else ./data (relative to where npm was started).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { episodeStats, filterFromQuery, loadCatalog, selectEpisodes } from '../src/catalog.ts';
import { planExport, writeExport } from '../src/export.ts';
import { generateSessions } from '../src/generate.ts';
import { DatasetError } from '../src/layout.ts';

const USAGE = `usage:
  dataset generate --episodes N [--policy random] [--seed S] [--sessions K] [--players P] [--max-steps M]
                   [--data-dir DIR]
  dataset export --format minari|parquet|replay --out DIR [filters] [--dataset-id name-v0] [--data-dir DIR]
  dataset list [filters] [--json] [--data-dir DIR]
filters: --kind human|ai --from ISO --to ISO --min-length N --min-return R --achievements a,b
         --sessions id,id --limit N`;

const FILTER_FLAGS: Record<string, string> = {
  kind: 'kind',
  from: 'from',
  to: 'to',
  'min-length': 'minLength',
  'min-return': 'minReturn',
  achievements: 'achievements',
  sessions: 'sessions',
  limit: 'limit',
};

function fail(message: string, code = 2): never {
  process.stderr.write(`dataset: ${message}\n`);
  process.exit(code);
}

function intFlag(name: string, v: string | undefined, dflt?: number): number | undefined {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) fail(`--${name} must be a non-negative integer, got ${v}`);
  return Number(v);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const command = argv[0];
  if (!command || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const parsed = (() => {
    try {
      return parseArgs({
        args: argv.slice(1),
        options: {
          'data-dir': { type: 'string' },
          format: { type: 'string' },
          out: { type: 'string' },
          episodes: { type: 'string' },
          policy: { type: 'string' },
          seed: { type: 'string' },
          sessions: { type: 'string' },
          players: { type: 'string' },
          'max-steps': { type: 'string' },
          'dataset-id': { type: 'string' },
          json: { type: 'boolean' },
          kind: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          'min-length': { type: 'string' },
          'min-return': { type: 'string' },
          achievements: { type: 'string' },
          limit: { type: 'string' },
        },
        strict: true,
        allowPositionals: false,
      });
    } catch (err) {
      fail(`${(err as Error).message}\n${USAGE}`);
    }
  })();
  const v = parsed.values;
  const dataDir = resolve(
    process.env.INIT_CWD ?? process.cwd(),
    v['data-dir'] ?? process.env.AIKON_DATA_DIR ?? './data',
  );
  const filterParams = () => {
    const q = new URLSearchParams();
    for (const [flag, key] of Object.entries(FILTER_FLAGS)) {
      const val = v[flag as keyof typeof v];
      if (typeof val === 'string') q.set(key, val);
    }
    return q;
  };
  const isTty = process.stderr.isTTY === true;

  if (command === 'generate') {
    const episodes = intFlag('episodes', v.episodes);
    if (episodes === undefined) fail(`generate needs --episodes N\n${USAGE}`);
    if (v.sessions && !/^\d+$/.test(v.sessions)) fail('--sessions for generate is a count');
    const bar = new cliProgress.SingleBar(
      { format: 'generate [{bar}] {value}/{total} episodes', stream: process.stderr, noTTYOutput: !isTty },
      cliProgress.Presets.shades_classic,
    );
    bar.start(episodes, 0);
    const sessions = generateSessions({
      dataDir,
      episodes,
      policy: (v.policy ?? 'random') as 'random',
      seed: intFlag('seed', v.seed, 0),
      sessions: intFlag('sessions', v.sessions, 1),
      players: intFlag('players', v.players, 2),
      maxSteps: intFlag('max-steps', v['max-steps']),
      onProgress: (d) => bar.update(d),
    });
    bar.update(episodes);
    bar.stop();
    for (const s of sessions)
      process.stdout.write(`${s.path}  ${s.ticks} ticks  ${s.episodes} episodes  ${s.bytes} bytes\n`);
    process.stdout.write(
      `indexed in ${join(dataDir, 'index.sqlite')}; the relay's ` +
        `Datasets page (/?page=datasets) and API list them now\n`,
    );
    return;
  }
  if (command === 'list') {
    const episodes = selectEpisodes(loadCatalog(dataDir), filterFromQuery(filterParams()));
    const stats = episodeStats(episodes);
    if (v.json)
      process.stdout.write(
        `${JSON.stringify({ stats, episodes: episodes.map((e) => ({ ...e, pid: undefined })) }, null, 1)}\n`,
      );
    else {
      for (const e of episodes)
        process.stdout.write(
          `${e.id}\t${e.kind}\t${e.length}\t${e.return}\t${e.endReason}\t${e.achievements.join(',')}\n`,
        );
      process.stdout.write(
        `${stats.episodes} episodes, ${stats.steps} steps (human ` +
          `${stats.human}, AI ${stats.ai}), score ${stats.score.toFixed(2)} %\n`,
      );
    }
    return;
  }
  if (command === 'export') {
    if (!v.format) fail(`export needs --format minari|parquet|replay\n${USAGE}`);
    if (!v.out) fail(`export needs --out DIR\n${USAGE}`);
    const filter = filterFromQuery(filterParams());
    const plan = planExport(dataDir, {
      format: v.format,
      filter,
      ...(v['dataset-id'] ? { datasetId: v['dataset-id'] } : {}),
    });
    const out = resolve(process.env.INIT_CWD ?? process.cwd(), v.out);
    const bar = new cliProgress.SingleBar(
      {
        format: `export ${plan.format} [{bar}] {percentage}% {phase} {rate} steps/s`,
        stream: process.stderr,
        noTTYOutput: !isTty,
        notTTYSchedule: 2000,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(1, plan.totalWork), 0, { phase: 'starting', rate: 0 });
    const t0 = performance.now();
    // Progress counts work units (ticks replayed, or sessions copied); the rate turns them into the
    // share of the plan's steps they stand for.
    const stepsPerSecond = (done: number) =>
      Math.round(
        ((done / Math.max(1, plan.totalWork)) * plan.stats.steps) / Math.max(1e-3, (performance.now() - t0) / 1000),
      );
    const manifest = await writeExport(dataDir, plan, out, (done, _total, phase) =>
      bar.update(done, { phase, rate: stepsPerSecond(done) }),
    );
    bar.update(Math.max(1, plan.totalWork), { phase: 'done', rate: stepsPerSecond(plan.totalWork) });
    bar.stop();
    const secs = (performance.now() - t0) / 1000;
    process.stdout.write(
      `${out}: ${manifest.episodes} episodes, ${manifest.steps} steps, ${manifest.bytes} ` +
        `bytes in ${secs.toFixed(1)} s (${(manifest.steps / secs).toFixed(0)} steps/s)\n` +
        manifest.files.map((f) => `  ${f.path}  ${f.bytes}\n`).join(''),
    );
    return;
  }
  fail(`unknown command ${command}\n${USAGE}`);
}

main().catch((err) => {
  if (err instanceof DatasetError) fail(err.message, err.code === 'bad_request' ? 2 : 1);
  fail((err as Error).stack ?? String(err), 1);
});
