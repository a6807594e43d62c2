// Worker-thread entry: registers tsx's TypeScript loader (the worker does not inherit the
// parent's vitest / tsx hooks reliably), then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
