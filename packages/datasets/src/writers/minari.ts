import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { File as H5File } from 'h5wasm/node';
import { ACHIEVEMENTS, NUM_ACHIEVEMENTS, NUM_ITEMS } from '@aikon/engine';
import { ACTING_BRAINS } from '@aikon/protocol';
import { type ExtractedEpisode, FRAME_BYTES, OBS_SIZE } from '../extract.ts';
import type { Pseudonymizer } from '../pseudonym.ts';
import { actionSpaceJson, observationSpaceJson } from '../spaces.ts';

/** Frames per HDF5 chunk of `observations` (≈ 196 KB raw). */
const OBS_CHUNK = 16;
/** Frames handed to HDF5 per write_slice call (bounded memory for long episodes). */
const WRITE_BLOCK = 512;
/**
 * Smaller datasets are stored contiguous and uncompressed: deflate saves a few hundred bytes
 * there, and each filtered, chunked dataset costs h5wasm about twice the time of a plain one.
 */
const COMPRESS_FROM_BYTES = 64 * 1024;

export interface MinariOptions {
  /** Minari dataset id: `[namespace/]name-vN`, e.g. `aikon-crafter-mixed-v0`. */
  datasetId: string;
  /** Deflate level of the chunked datasets (observations above all); 0 stores them raw. */
  gzipLevel?: number;
  description?: string;
}

export interface MinariSummary {
  episodes: number;
  steps: number;
}

type H5 = typeof import('h5wasm/node')['default'];
let h5: H5 | null = null;
let ready: Promise<H5> | null = null;
/**
 * Loads h5wasm (lazily: its 4 MB module is only needed for Minari exports, and TypeScript
 * loaders such as tsx are slow to pass it through) and waits for its wasm to initialise.
 * Must resolve before any MinariWriter is constructed.
 */
export function h5Ready(): Promise<H5> {
  ready ??= import('h5wasm/node').then(async (m) => {
    await m.default.ready;
    h5 = m.default;
    return h5;
  });
  return ready;
}

/**
 * A Minari dataset id, `[namespace/]name-vN`. It becomes a directory path in exports, so every
 * segment starts with a letter or digit (no `.`, `..` or empty segments, no absolute paths) and
 * uses only letters, digits, `_`, `.` and `-`; `..` is refused anywhere.
 */
export const MINARI_ID_RE = /^(?!.*\.\.)(?:[A-Za-z0-9][\w.-]{0,63}\/){0,3}[A-Za-z0-9][\w.-]{0,63}?-v\d{1,6}$/;

/**
 * Writes a Minari dataset directory (Minari dataset standard, HDF5 storage):
 *
 *   <dir>/data/main_data.hdf5   one `episode_{id}` group per episode: observations (T+1, 64, 64, 3) uint8,
 *                               actions (T,) int64, rewards (T,) float64, terminations / truncations (T,) int8,
 *                               infos/ (a group of (T+1, ...) datasets), attributes id, total_steps, seed, ...
 *   <dir>/data/metadata.json    dataset_id, total_episodes, total_steps, data_format "hdf5",
 *                               observation_space / action_space (Minari-serialized JSON strings), minari_version, ...
 *
 * Call `await h5Ready()` once before constructing.
 */
export class MinariWriter {
  readonly dataPath: string;
  readonly file: H5File;
  private episodes = 0;
  private steps = 0;
  private closed = false;

  constructor(
    readonly dir: string,
    private readonly options: MinariOptions,
    private readonly pseudo: Pseudonymizer,
  ) {
    if (!MINARI_ID_RE.test(options.datasetId))
      throw new Error(`invalid Minari dataset id ${JSON.stringify(options.datasetId)} (expected name-vN)`);
    this.dataPath = join(dir, 'data');
    mkdirSync(this.dataPath, { recursive: true });
    if (!h5) throw new Error('call await h5Ready() before creating a MinariWriter');
    // HDF5 1.10 object formats (h5py and every HDF5 since 1.10 read them): creating attributes
    // and groups with tracked order is several times quicker than in the 1.8-compatible ones.
    this.file = new h5.File(join(this.dataPath, 'main_data.hdf5'), 'w', {
      track_order: true,
      libver: ['v110', 'v110'],
    });
  }

  addEpisode(ep: ExtractedEpisode): void {
    const T = ep.length;
    const id = this.episodes;
    const g = this.file.create_group(`episode_${id}`, true);
    // Level 1: h5wasm's deflate (zlib in WebAssembly) is most of the writer's time, and level 4
    // took ≈ 30 % longer for ≈ 4 % smaller files on the benchmark's frames.
    const level = this.options.gzipLevel ?? 1;
    const gz = level > 0 ? { compression: 'gzip' as const, compression_opts: level } : {};

    // observations: T + 1 frames, written in blocks.
    const n = T + 1;
    const first = Math.min(n, WRITE_BLOCK);
    const obs = g.create_dataset({
      name: 'observations',
      data: ep.frames.read(0, first),
      shape: [first, OBS_SIZE, OBS_SIZE, 3],
      maxshape: [null, OBS_SIZE, OBS_SIZE, 3],
      chunks: [Math.min(OBS_CHUNK, n), OBS_SIZE, OBS_SIZE, 3],
      dtype: '<B',
      ...gz,
    });
    if (n > first) {
      obs.resize([n, OBS_SIZE, OBS_SIZE, 3]);
      const block = new Uint8Array(WRITE_BLOCK * FRAME_BYTES);
      for (let s = first; s < n; s += WRITE_BLOCK) {
        const m = Math.min(WRITE_BLOCK, n - s);
        obs.write_slice([[s, s + m]], ep.frames.read(s, m, block));
      }
    }
    const vec = (
      name: string,
      data: ArrayBufferView & { length: number },
      dtype: string,
      shape: number[],
      parent = g,
    ) => {
      const compress = data.byteLength >= COMPRESS_FROM_BYTES && shape[0] > 0;
      const layout = compress ? { chunks: [Math.min(shape[0], 4096), ...shape.slice(1)], ...gz } : {};
      parent.create_dataset({ name, data: data as never, shape, dtype, ...layout });
    };
    vec(
      'actions',
      BigInt64Array.from(ep.actions, (a) => BigInt(a)),
      '<q',
      [T],
    );
    vec('rewards', ep.rewards, '<d', [T]);
    vec('terminations', Int8Array.from(ep.terminations), '<b', [T]);
    vec('truncations', Int8Array.from(ep.truncations), '<b', [T]);

    const infos = g.create_group('infos', true);
    const info = (name: string, data: ArrayBufferView & { length: number }, dtype: string, shape: number[]) =>
      vec(name, data, dtype, shape, infos);
    const inf = ep.infos;
    info(
      't',
      BigInt64Array.from(inf.t, (t) => BigInt(t)),
      '<q',
      [n],
    );
    info('achievements', inf.achievements, '<i', [n, NUM_ACHIEVEMENTS]);
    info('unlocked', inf.unlocked, '<B', [n, NUM_ACHIEVEMENTS]);
    info('inventory', inf.inventory, '<i', [n, NUM_ITEMS]);
    const vital = (k: number) => Int32Array.from({ length: n }, (_, i) => inf.inventory[i * NUM_ITEMS + k]);
    info('health', vital(0), '<i', [n]);
    info('food', vital(1), '<i', [n]);
    info('drink', vital(2), '<i', [n]);
    info('energy', vital(3), '<i', [n]);
    info('position', inf.position, '<i', [n, 2]);
    info('facing', inf.facing, '<i', [n, 2]);
    info('sleeping', inf.sleeping, '<B', [n]);
    info('daylight', inf.daylight, '<f', [n]);
    info('semantic', inf.semantic, '<B', [n, 7, 9]);
    // Row t: the brain that chose action t (ACTING_BRAINS index); -1 for none and for the final observation.
    const brain = new Int8Array(n).fill(-1);
    brain.set(ep.brains);
    info('brain', brain, '<b', [n]);

    // Episode attributes: Minari's id / total_steps / seed, then AI-KON's own.
    g.create_attribute('id', id, null, '<q');
    g.create_attribute('total_steps', T, null, '<q');
    g.create_attribute('seed', ep.header.seed, null, '<q');
    g.create_attribute('session', this.pseudo.session(ep.sessionId));
    g.create_attribute('player', this.pseudo.player(ep.pid));
    g.create_attribute('player_kind', ep.kind);
    g.create_attribute('slot', ep.slot, null, '<q');
    g.create_attribute('start_t', ep.startT, null, '<q');
    g.create_attribute('end_t', ep.endT, null, '<q');
    g.create_attribute('tick_rate', ep.tickRate, null, '<q');
    g.create_attribute('engine_version', ep.header.engineVersion);
    g.create_attribute('started_at', ep.header.startedAt);
    g.create_attribute('return', ep.return, null, '<d');
    g.create_attribute('end_reason', ep.endReason);
    g.create_attribute('protected_steps', ep.protectedSteps, null, '<q');
    // Comma-separated (an empty string when none): a string array attribute cannot be empty here.
    g.create_attribute('achievements', ep.achievements.join(','));
    // The names of infos/brain's indices.
    g.create_attribute('brain_names', ACTING_BRAINS.join(','));
    this.episodes++;
    this.steps += T;
  }

  /** Closes the HDF5 file and writes metadata.json. */
  finish(extra: Record<string, unknown> = {}): MinariSummary {
    this.close();
    const size = statSync(join(this.dataPath, 'main_data.hdf5')).size;
    const metadata = {
      dataset_id: this.options.datasetId,
      total_episodes: this.episodes,
      total_steps: this.steps,
      data_format: 'hdf5',
      observation_space: observationSpaceJson(),
      action_space: actionSpaceJson(),
      minari_version: '~=0.5',
      dataset_size: Math.round((size / 1e6) * 10) / 10,
      author: 'AI-KON contributors',
      algorithm_name: 'AI-KON session recordings (human and AI players), replayed deterministically',
      code_permalink: 'packages/datasets in the AI-KON repository',
      description: this.options.description ?? 'Crafter-rules gameplay from AI-KON sessions.',
      requirements: [],
      ...extra,
    };
    writeFileSync(join(this.dataPath, 'metadata.json'), JSON.stringify(metadata));
    return { episodes: this.episodes, steps: this.steps };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.file.close();
  }
}

export { ACHIEVEMENTS };
