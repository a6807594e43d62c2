// Plain-JS entry of the evaluation worker thread: registers tsx, then loads the TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./eval-worker.ts');
