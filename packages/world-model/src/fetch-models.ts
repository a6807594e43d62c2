/**
 * The models directory over HTTP, as a browser (page or Web Worker) reads it: the manifest at
 * `manifestUrl` and the files it lists, fetched next to it. A failed request is an error that
 * names the URL and status (never a 404 page parsed as a model). Browser-safe.
 */
export interface FetchedModels {
  /** The manifest's JSON, not yet validated (the loaders parse it). */
  readonly manifest: unknown;
  /** The bytes of a file listed in the manifest. */
  readFile(file: string): Promise<Uint8Array>;
}

async function get(url: URL): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status} ${res.statusText}`.trim());
  return res;
}

export async function fetchModels(manifestUrl: string): Promise<FetchedModels> {
  const page = (globalThis as { location?: { href: string } }).location?.href;
  const url = new URL(manifestUrl, page);
  const manifest: unknown = await (await get(url)).json();
  const base = new URL('.', url);
  return {
    manifest,
    readFile: async (file) => new Uint8Array(await (await get(new URL(file, base))).arrayBuffer()),
  };
}
