// Worker bootstrap of SimDreamsPool: registers tsx's loader in this thread, then runs the
// TypeScript worker (module hooks given on the command line do not reach worker threads here).
import { register } from 'tsx/esm/api';

register();
await import('./sim-pool-worker.ts');
