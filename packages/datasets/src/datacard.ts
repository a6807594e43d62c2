import { ACHIEVEMENTS, ACTIONS, INVENTORY, SEMANTIC_NAMES } from '@aikon/engine';
import type { EpisodeFilter, EpisodeStats } from './catalog.ts';
import type { ExportFormat } from './export.ts';

export interface DatacardInput {
  format: ExportFormat;
  name: string;
  key: string;
  createdAt: string;
  filter: EpisodeFilter;
  stats: EpisodeStats;
  engineVersions: string[];
  tickRates: number[];
  files: string[];
  /** Rows in the Parquet file. */
  rows?: number;
  sessionsExported?: number;
  sessionsSkipped?: number;
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** README.md of an export: what the data is, how it was collected, spaces, counts, licence, loading. */
export function datacard(d: DatacardInput): string {
  const s = d.stats;
  const fmt = { minari: 'Minari (HDF5)', parquet: 'Parquet (Hugging Face layout)', replay: 'replay logs' }[d.format];
  const lines: string[] = [];
  lines.push(`# ${d.name}`, '');
  lines.push(
    `AI-KON gameplay dataset, ${fmt}. Exported ${d.createdAt} (content key \`${d.key}\`).`,
    '',
    '## What the data is',
    '',
    'Trajectories of people and AI agents playing **AI-KON**, a multi-player world that follows the',
    'rules of the Crafter benchmark (Hafner 2021): a 64×64-tile survival world with 17 actions and 22',
    'achievements. Each episode is one player from joining or respawning until death (terminated),',
    'the 10,000-step limit (truncated), leaving, or the end of the session (both truncated).',
    'Several players may share one world; each episode is seen from one player.',
    '',
    '## How it was collected',
    '',
    'The relay server records every session as an append-only log: world seed, joins, leaves,',
    'respawns, the joint action of every tick, and a 64-bit state hash every 100 ticks and at the end.',
    'This export re-simulated those logs with the deterministic engine, verified every recorded',
    "hash (a log that does not reproduce its hashes is refused), and rendered each player's 64×64",
    "agent view (Crafter's layout: 9×7 local map above a 9×2 inventory strip).",
    '',
    '**Consent and privacy.** Only episodes of players who did not opt out of dataset export',
    '(at any moment of the episode) are included. Players appear as per-dataset pseudonyms',
    '(`p-` + 16 hex digits, an HMAC of a random per-membership id with a per-dataset salt); sessions',
    'as `s-` pseudonyms. No names, accounts, addresses or invite codes are stored.',
    '',
    `Engine version(s): ${d.engineVersions.join(', ') || 'n/a'}. ` +
      `Tick rate(s): ${d.tickRates.join(', ') || 'n/a'} ticks/s.`,
    '',
    '## Counts',
    '',
    '| | |',
    '|---|---|',
    `| episodes | ${s.episodes} (human ${s.human}, AI ${s.ai}) |`,
    `| steps (transitions) | ${s.steps} |`,
    `| sessions | ${d.sessionsExported ?? s.sessions} |`,
    `| mean length | ${s.meanLength.toFixed(1)} steps |`,
    `| mean return | ${s.meanReturn.toFixed(3)} (max ${s.maxReturn.toFixed(3)}) |`,
    `| Crafter score | ${s.score.toFixed(2)} % |`,
  );
  if (d.rows !== undefined) lines.push(`| Parquet rows | ${d.rows} (steps + one final row per episode) |`);
  if (d.sessionsSkipped) lines.push(`| sessions left out | ${d.sessionsSkipped} (a player in them opted out) |`);
  lines.push('', `Filter: \`${JSON.stringify(d.filter)}\``, '');
  lines.push(
    'Achievement success rates (share of episodes that unlocked it):',
    '',
    '| achievement | rate |',
    '|---|---|',
  );
  for (const a of ACHIEVEMENTS) lines.push(`| ${a} | ${pct(s.achievementRates[a] ?? 0)} |`);
  lines.push(
    '',
    '## Spaces',
    '',
    '- **Observation**: `Box(0, 255, (64, 64, 3), uint8)`, RGB, row-major (height, width, channel).',
    `- **Action**: \`Discrete(17)\`: ${ACTIONS.map((a, i) => `${i} ${a}`).join(', ')}.`,
    "- **Reward**: Crafter's: +1 for each achievement unlocked for the first time in the episode,",
    '  plus (health change) / 10 each step.',
    `- **Achievements** (index order): ${ACHIEVEMENTS.join(', ')}.`,
    `- **Inventory** (index order, vitals first): ${INVENTORY.join(', ')}.`,
    `- **Semantic ids**: ${SEMANTIC_NAMES.map((n, i) => `${i} ${n}`).join(', ')}. ` +
      'The local semantic view is the 9 wide × 7 high',
    '  tile grid the image shows, row-major like the image (the player at row 3, column 4).',
    '',
  );
  if (d.format === 'minari') {
    lines.push(
      '## Layout (Minari dataset standard)',
      '',
      "Follows Minari's dataset standard (https://minari.farama.org/content/dataset_standards/) as",
      "implemented by Minari's `HDF5Storage` and `MinariStorage` (minari/dataset/_storages/hdf5_storage.py,",
      'minari/dataset/minari_storage.py, minari/serialization.py):',
      '',
      '- `data/metadata.json`: `dataset_id`, `total_episodes`, `total_steps`, `data_format: "hdf5"`,',
      "  `observation_space` / `action_space` as JSON strings in Minari's space serialization,",
      '  `minari_version: "~=0.5"`, `dataset_size`, `author`, `algorithm_name`, `code_permalink`,',
      '  `description`, `requirements`. No `env_spec`: there is no Gymnasium environment to recover.',
      '- `data/main_data.hdf5`: one group `episode_{id}` per episode, ids 0..N−1, with',
      '  `observations` (T+1, 64, 64, 3) uint8 (gzip), `actions` (T,) int64, `rewards` (T,) float64,',
      '  `terminations` / `truncations` (T,) int8 0/1 (h5py writes numpy bool as an int8-based enum,',
      '  which the writer used here cannot produce: use `ep.terminations.astype(bool)`; `~` on int8',
      '  is a bitwise not),',
      '  and an `infos` group whose datasets all have T+1 rows (the reset info first):',
      '  `t` int64 world tick, `achievements` (22) int32 counters, `unlocked` (22) uint8 (first unlock',
      '  in that step), `inventory` (16) int32, `health` / `food` / `drink` / `energy` int32,',
      '  `position` (x, y) int32, `facing` (dx, dy) int32, `sleeping` uint8, `daylight` float32,',
      '  `semantic` (7, 9) uint8 local semantic view, `brain` int8: which brain chose action t (an AI',
      "  worker's, indices into the `brain_names` attribute: 0 scripted, 1 learned; -1 for a human or",
      '  a recording without brain records, and in the final row).',
      '- Episode attributes: `id`, `total_steps`, `seed` (the world seed; the episode is reproduced by',
      '  the session log, not by the seed alone), `session`, `player`, `player_kind` (human / ai),',
      '  `slot`, `start_t`, `end_t`, `tick_rate`, `engine_version`, `started_at`, `return`,',
      '  `end_reason` (death, truncated, leave, close, crash), `achievements` (comma-separated),',
      '  `protected_steps` (steps under spawn protection, in which nothing could damage the player),',
      "  `brain_names` (comma-separated names of `infos/brain`'s indices).",
      '',
      '## Loading',
      '',
      '```sh',
      `mkdir -p ~/.minari/datasets/${d.name} && cp -r data ~/.minari/datasets/${d.name}/`,
      '```',
      '',
      '```python',
      'import minari',
      `ds = minari.load_dataset("${d.name}")`,
      'ep = ds[0]',
      'print(ep.observations.shape, ep.actions[:10], ep.rewards.sum(), ep.infos["inventory"].shape)',
      '```',
      '',
      'Without Minari: `h5py.File("data/main_data.hdf5")["episode_0"]["observations"][:]`.',
    );
  } else if (d.format === 'parquet') {
    lines.push(
      '## Layout',
      '',
      '`data.parquet`: one row per observation, T + 1 rows per episode (RLDS-style). Row `step` = i holds',
      'the frame the player saw before action i, the action, and the reward / `terminated` / `truncated`',
      'that followed it; the last row of each episode (`is_last`) holds the final frame with null',
      'action, reward and flags (`is_terminal` says whether the episode ended by death).',
      'Keep `action.notna()` rows for (observation, action, reward) transitions (pandas reads the',
      'nullable `action` as float64: `df.action.astype("Int64")`).',
      '',
      'Columns: `episode_index`, `step`, `observation` (struct `{bytes: PNG, path: null}`, the Hugging Face',
      "`datasets` Image layout; the file's key-value metadata carries the `huggingface` features so",
      '`datasets` decodes it as `Image`), `action` int64, `reward` float64, `terminated`, `truncated`,',
      '`is_first`, `is_last`, `is_terminal` bool, `unlocked` (achievements first unlocked in this step),',
      '`achievements` (unlocked so far in the episode), `health`, `food`, `drink`, `energy` int32,',
      '`inventory` struct of 12 int32 item counts, `x`, `y` int32, `sleeping` bool, `daylight` float32,',
      '`semantic_view` binary (63 bytes, 7 rows × 9 columns), `t` int64 world tick, `session`, `player`,',
      '`player_kind` string, `brain` string (which brain chose the action: `scripted` or `learned` for an',
      'AI worker that recorded one; null for a human, an AI without brain records, and the last row).',
      '',
      '## Loading',
      '',
      '```python',
      'import pandas as pd, io',
      'from PIL import Image',
      'df = pd.read_parquet("data.parquet")',
      'img = Image.open(io.BytesIO(df.observation[0]["bytes"]))',
      'steps = df[df.action.notna()]',
      '',
      'from datasets import load_dataset          # Hugging Face',
      'ds = load_dataset("parquet", data_files="data.parquet")["train"]   # ds[0]["observation"] is a PIL image',
      '```',
      '',
      "DuckDB: `SELECT episode_index, count(*), sum(reward) FROM 'data.parquet' GROUP BY 1`.",
    );
  } else {
    lines.push(
      '## Layout',
      '',
      '`logs/<session>.aklog`: AI-KON session logs (recording format version 1): 8-byte magic',
      '`AKREC\\0\\0\\x01`, then records `u32le length | u32le crc32 | UTF-8 JSON`. Records: `session`',
      '(seed, engine version, config), `join`, `leave`, `respawn`, `consent`, `config`, `tick`',
      '(`a`: flat [slot, action, ...] of non-noop actions), `hash` (every 100 ticks) and `end`.',
      "Identifiers are the dataset's pseudonyms; everything that drives the simulation is untouched.",
      'Only sessions in which every player consented are included (a session is exported whole).',
      '`sessions.json` lists them with their episodes.',
      '',
      '## Re-simulating',
      '',
      'With the AI-KON engine of the recorded version (`@aikon/protocol` `replayLog(bytes, { onTick })`),',
      'each log replays bit for bit and verifies its hashes:',
      '',
      '```ts',
      "import { replayLog } from '@aikon/protocol';",
      "const report = replayLog(readFileSync('logs/s-….aklog'), { onTick: ({ world, actions }) => {} });",
      'console.log(report.ok, report.episodes);',
      '```',
    );
  }
  lines.push(
    '',
    '## Files',
    '',
    ...d.files.map((f) => `- \`${f}\``),
    '',
    '## Licence',
    '',
    'CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Cite the AI-KON project ' +
      'and Crafter (Hafner, 2021, "Benchmarking the Spectrum of Agent Capabilities").',
    '',
  );
  return lines.join('\n');
}
