import { ParquetWriter } from 'hyparquet-writer';

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];
import { ACHIEVEMENTS, NUM_ACHIEVEMENTS, NUM_ITEMS, INVENTORY } from '@aikon/engine';
import { ACTING_BRAINS } from '@aikon/protocol';
import { type ExtractedEpisode, FRAME_BYTES, OBS_SIZE } from '../extract.ts';
import type { Pseudonymizer } from '../pseudonym.ts';
import { ITEM_NAMES } from '../spaces.ts';
import { FdByteWriter } from './fdwriter.ts';
import { RgbPngEncoder } from './png.ts';

/** Rows per row group (≈ 1024 PNG frames of a few KB each). */
const ROW_GROUP = 1024;

const str = (name: string, rep: 'REQUIRED' | 'OPTIONAL' = 'REQUIRED'): SchemaElement => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  repetition_type: rep,
});

/**
 * Parquet schema: one row per observation (T + 1 per episode, RLDS-style): row `step` holds
 * the frame seen before action `step`, the action, the reward and flags that followed it;
 * the last row of an episode holds the final frame with null action / reward / flags.
 */
export const PARQUET_SCHEMA: SchemaElement[] = [
  { name: 'schema', num_children: 27 },
  { name: 'episode_index', type: 'INT64', repetition_type: 'REQUIRED' },
  { name: 'step', type: 'INT32', repetition_type: 'REQUIRED' },
  // Hugging Face `datasets` Image layout: struct<bytes: binary, path: string>, nullable like
  // Image's arrow type (datasets applies the metadata feature only when the field matches exactly).
  { name: 'observation', repetition_type: 'OPTIONAL', num_children: 2 },
  { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
  { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'action', type: 'INT64', repetition_type: 'OPTIONAL' },
  { name: 'reward', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  { name: 'terminated', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
  { name: 'truncated', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
  { name: 'is_first', type: 'BOOLEAN', repetition_type: 'REQUIRED' },
  { name: 'is_last', type: 'BOOLEAN', repetition_type: 'REQUIRED' },
  { name: 'is_terminal', type: 'BOOLEAN', repetition_type: 'REQUIRED' },
  { name: 'unlocked', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  str('element'),
  { name: 'achievements', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  str('element'),
  { name: 'health', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'food', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'drink', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'energy', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'inventory', repetition_type: 'REQUIRED', num_children: ITEM_NAMES.length },
  ...ITEM_NAMES.map((n): SchemaElement => ({ name: n, type: 'INT32', repetition_type: 'REQUIRED' })),
  { name: 'x', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'y', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'sleeping', type: 'BOOLEAN', repetition_type: 'REQUIRED' },
  { name: 'daylight', type: 'FLOAT', repetition_type: 'REQUIRED' },
  { name: 'semantic_view', type: 'BYTE_ARRAY', repetition_type: 'REQUIRED' },
  { name: 't', type: 'INT64', repetition_type: 'REQUIRED' },
  str('session'),
  str('player'),
  str('player_kind'),
  // The brain that chose this row's action (an AI worker's 'scripted' or 'learned'); null for none.
  str('brain', 'OPTIONAL'),
];

const value = (dtype: string) => ({ dtype, _type: 'Value' });
/** Hugging Face `datasets` features (stored under the file's "huggingface" key-value metadata). */
export const HF_FEATURES = {
  episode_index: value('int64'),
  step: value('int32'),
  observation: { decode: true, _type: 'Image' },
  action: value('int64'),
  reward: value('float64'),
  terminated: value('bool'),
  truncated: value('bool'),
  is_first: value('bool'),
  is_last: value('bool'),
  is_terminal: value('bool'),
  unlocked: { feature: value('string'), _type: 'Sequence' },
  achievements: { feature: value('string'), _type: 'Sequence' },
  health: value('int32'),
  food: value('int32'),
  drink: value('int32'),
  energy: value('int32'),
  inventory: Object.fromEntries(ITEM_NAMES.map((n) => [n, value('int32')])),
  x: value('int32'),
  y: value('int32'),
  sleeping: value('bool'),
  daylight: value('float32'),
  semantic_view: value('binary'),
  t: value('int64'),
  session: value('string'),
  player: value('string'),
  player_kind: value('string'),
  brain: value('string'),
};

export class ParquetDatasetWriter {
  private readonly out: FdByteWriter;
  private readonly writer: ParquetWriter;
  private readonly png = new RgbPngEncoder(OBS_SIZE, OBS_SIZE);
  private episodes = 0;
  private steps = 0;
  rows = 0;

  constructor(
    readonly path: string,
    private readonly pseudo: Pseudonymizer,
    kv: Record<string, string> = {},
  ) {
    this.out = new FdByteWriter(path);
    this.writer = new ParquetWriter({
      writer: this.out,
      schema: PARQUET_SCHEMA,
      codec: 'SNAPPY',
      kvMetadata: [
        { key: 'huggingface', value: JSON.stringify({ info: { features: HF_FEATURES } }) },
        ...Object.entries(kv).map(([key, v]) => ({ key, value: v })),
      ],
      createdBy: 'AI-KON @aikon/datasets (hyparquet-writer)',
    });
  }

  addEpisode(ep: ExtractedEpisode): void {
    const T = ep.length;
    const n = T + 1;
    const session = this.pseudo.session(ep.sessionId);
    const player = this.pseudo.player(ep.pid);
    const inf = ep.infos;
    const frame = new Uint8Array(FRAME_BYTES * Math.min(ROW_GROUP, n));
    for (let s = 0; s < n; s += ROW_GROUP) {
      const m = Math.min(ROW_GROUP, n - s);
      const frames = ep.frames.read(s, m, frame);
      const cols: Record<string, unknown[]> = {};
      for (const el of [
        'episode_index',
        'step',
        'observation',
        'action',
        'reward',
        'terminated',
        'truncated',
        'is_first',
        'is_last',
        'is_terminal',
        'unlocked',
        'achievements',
        'health',
        'food',
        'drink',
        'energy',
        'inventory',
        'x',
        'y',
        'sleeping',
        'daylight',
        'semantic_view',
        't',
        'session',
        'player',
        'player_kind',
        'brain',
      ])
        cols[el] = new Array(m);
      for (let r = 0; r < m; r++) {
        const i = s + r;
        const last = i === T;
        cols.episode_index[r] = BigInt(this.episodes);
        cols.step[r] = i;
        cols.observation[r] = {
          bytes: this.png.encode(frames.subarray(r * FRAME_BYTES, (r + 1) * FRAME_BYTES)),
          path: null,
        };
        cols.action[r] = last ? null : BigInt(ep.actions[i]);
        cols.reward[r] = last ? null : ep.rewards[i];
        cols.terminated[r] = last ? null : ep.terminations[i] === 1;
        cols.truncated[r] = last ? null : ep.truncations[i] === 1;
        cols.is_first[r] = i === 0;
        cols.is_last[r] = last;
        cols.is_terminal[r] = last && T > 0 && ep.terminations[T - 1] === 1;
        const unl: string[] = [];
        const ach: string[] = [];
        for (let a = 0; a < NUM_ACHIEVEMENTS; a++) {
          if (inf.unlocked[i * NUM_ACHIEVEMENTS + a]) unl.push(ACHIEVEMENTS[a]);
          if (inf.achievements[i * NUM_ACHIEVEMENTS + a] > 0) ach.push(ACHIEVEMENTS[a]);
        }
        cols.unlocked[r] = unl;
        cols.achievements[r] = ach;
        const inv = inf.inventory.subarray(i * NUM_ITEMS, (i + 1) * NUM_ITEMS);
        cols.health[r] = inv[0];
        cols.food[r] = inv[1];
        cols.drink[r] = inv[2];
        cols.energy[r] = inv[3];
        const items: Record<string, number> = {};
        for (let k = 4; k < NUM_ITEMS; k++) items[INVENTORY[k]] = inv[k];
        cols.inventory[r] = items;
        cols.x[r] = inf.position[i * 2];
        cols.y[r] = inf.position[i * 2 + 1];
        cols.sleeping[r] = inf.sleeping[i] === 1;
        cols.daylight[r] = inf.daylight[i];
        cols.semantic_view[r] = inf.semantic.slice(i * 63, (i + 1) * 63);
        cols.t[r] = BigInt(inf.t[i]);
        cols.session[r] = session;
        cols.player[r] = player;
        cols.player_kind[r] = ep.kind;
        cols.brain[r] = last || ep.brains[i] < 0 ? null : ACTING_BRAINS[ep.brains[i]];
      }
      void this.writer.write({
        columnData: Object.entries(cols).map(([name, data]) =>
          // PNG bytes are already deflated and all distinct: no dictionary, no snappy, no min/max.
          name === 'observation'
            ? { name, data, encoding: 'PLAIN' as const, codec: 'UNCOMPRESSED' as const, statistics: false }
            : { name, data },
        ),
        rowGroupSize: ROW_GROUP,
      });
      this.rows += m;
    }
    this.episodes++;
    this.steps += T;
  }

  finish(): { episodes: number; steps: number; rows: number } {
    void this.writer.finish();
    return { episodes: this.episodes, steps: this.steps, rows: this.rows };
  }

  /** Closes the file without finishing it (after an error). */
  abort(): void {
    this.out.close();
  }
}
