import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentViewRenderer } from '@aikon/engine';
import { loadTextures } from '@aikon/engine/node';
import { replayLog } from '@aikon/protocol';

export function tempDir(prefix = 'aikon-ds-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Debian's python3 has h5py (the pyenv shim on PATH may not). */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** The independent HDF5 reader's Python side: h5py and numpy, and packaging for Minari's version specifier. */
export function hasH5py(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import h5py, numpy, packaging'], { encoding: 'utf8' });
  return r.status === 0;
}

export function python(script: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Independent reference frames for one episode: replays the log with the protocol's replay
 * and renders the player's view right before its first tick and after each tick.
 */
export function referenceFrames(bytes: Uint8Array, slot: number, startT: number, length: number): Uint8Array[] {
  const renderer = new AgentViewRenderer(loadTextures(), 64);
  const frames: Uint8Array[] = [];
  replayLog(bytes, {
    onRecord: (rec, world) => {
      if (rec.k === 'tick' && world.t === startT && frames.length === 0)
        frames.push(renderer.render(world, slot).slice());
    },
    onTick: ({ world, t }) => {
      if (t > startT && t <= startT + length) frames.push(renderer.render(world, slot).slice());
    },
  });
  return frames;
}
