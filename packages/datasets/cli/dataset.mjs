// Entry of `npm run dataset`: preloads h5wasm with plain Node (see src/worker-entry.mjs), then
// runs the TypeScript CLI through tsx's loader.
import 'h5wasm/node';
import { register } from 'tsx/esm/api';

register();
await import('./dataset.ts');
