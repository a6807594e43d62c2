// Worker-thread entry. h5wasm/node (a 4 MB module) is loaded by plain Node first, because a
// TypeScript loader re-transforms it slowly (≈4 s); then tsx's loader is registered (a worker
// does not reliably inherit the parent's vitest / tsx hooks) and the TypeScript worker runs.
import 'h5wasm/node';
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
