// Plain-JS entry of the workforce brain thread: a worker does not reliably inherit the parent's
// TypeScript loader (tsx, vitest), so it registers tsx itself and then loads the TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./workforce-brain-thread.ts');
