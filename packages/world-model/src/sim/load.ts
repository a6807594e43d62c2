/** Loading a manifest's world simulator (browser-safe): refused unless size and sha256 match. */
import { ModelRefusedError, parseManifest, type SimEntry, sha256Hex } from '../manifest.ts';
import { type SimModel, simFromBytes } from './model.ts';

export function findSim(manifestJson: unknown, name?: string): SimEntry {
  const sims = parseManifest(manifestJson).simulators ?? [];
  const e = sims.filter((s) => name === undefined || s.name === name).at(-1);
  if (!e) throw new ModelRefusedError(`no world-sim model${name ? ` named ${name}` : ''} in the manifest`);
  return e;
}

export async function loadSim(
  manifestJson: unknown,
  readFile: (file: string) => Promise<Uint8Array>,
  name?: string,
): Promise<{ entry: SimEntry; model: SimModel }> {
  const entry = findSim(manifestJson, name);
  const bytes = await readFile(entry.file);
  if (bytes.byteLength !== entry.bytes)
    throw new ModelRefusedError(`${entry.file}: ${bytes.byteLength} bytes, the manifest says ${entry.bytes}`);
  const hash = await sha256Hex(bytes);
  if (hash !== entry.sha256)
    throw new ModelRefusedError(`${entry.file}: sha256 ${hash} does not match the manifest's ${entry.sha256}`);
  const model = simFromBytes(bytes);
  if (model.params.length !== entry.architecture.params)
    throw new ModelRefusedError(
      `${entry.file}: ${model.params.length} parameters, the manifest says ${entry.architecture.params}`,
    );
  return { entry, model };
}
