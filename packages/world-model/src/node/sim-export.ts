/** Writes a trained world simulator to models/<name>.bin and registers it in models/manifest.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex, type SimEntry, SimEntrySchema, TOKEN_LAYOUT } from '../manifest.ts';
import { simToBytes } from '../sim/model.ts';
import { FRAME_TOKENS } from '../tokens.ts';
import { readManifest, writeManifest } from './export-model.ts';
import type { SimCheckpoint } from './sim-train.ts';

/** Adds or replaces (by name) one simulator entry. */
export function upsertSimEntry(modelsDir: string, entry: SimEntry): void {
  const m = readManifest(modelsDir);
  const simulators = (m.simulators ?? []).filter((x) => x.name !== entry.name);
  simulators.push(SimEntrySchema.parse(entry));
  writeManifest(modelsDir, { ...m, simulators });
}

/**
 * A retrained simulator's default version: the next minor of the one the manifest holds under
 * the same name (1.3.0 → 1.4.0), so that a retrain never reuses a version; 1.0.0 for a new name.
 */
export function nextVersion(modelsDir: string, name: string): string {
  const current = readManifest(modelsDir).simulators?.find((x) => x.name === name)?.version;
  const m = current ? /^(\d+)\.(\d+)\.\d+$/.exec(current) : null;
  return m ? `${m[1]}.${Number(m[2]) + 1}.0` : '1.0.0';
}

export async function exportSim(
  ck: SimCheckpoint,
  o: { modelsDir: string; command: string; name?: string; version?: string },
): Promise<SimEntry> {
  const c = ck.state.config;
  const name = o.name ?? `world-sim-${c.name}`;
  const file = `${name}.bin`;
  const bytes = simToBytes(ck.model);
  mkdirSync(o.modelsDir, { recursive: true });
  writeFileSync(join(o.modelsDir, file), bytes);
  const last = ck.state.history.at(-1);
  const lastVal = [...ck.state.history].reverse().find((h) => h.val !== undefined);
  const entry: SimEntry = {
    name,
    version: o.version ?? nextVersion(o.modelsDir, name),
    family: 'world-sim',
    description:
      'World simulator: global heads (move, facing, inventory changes, achievement event, ' +
      'death, daylight) and a per-tile view predictor over a dead-reckoned dreamed map',
    file,
    bytes: bytes.byteLength,
    sha256: await sha256Hex(bytes),
    tokens: { layout: TOKEN_LAYOUT, frameTokens: FRAME_TOKENS },
    architecture: { ...c.architecture, params: ck.model.params.length },
    training: {
      framework: 'plain TypeScript (hand-written gradients), Adam, 1 thread',
      command: o.command,
      config: c,
      data: ck.state.data,
      ...(ck.state.initFrom ? { initFrom: ck.state.initFrom } : {}),
      steps: ck.state.step,
      seconds: Math.round(ck.state.trainSeconds),
      finishedAt: new Date().toISOString(),
      ...(last ? { finalLoss: last.loss } : {}),
      ...(lastVal?.val ? { validationLoss: lastVal.val } : {}),
    },
  };
  upsertSimEntry(o.modelsDir, entry);
  return entry;
}
