// Entry of `npm run bench -w @aikon/datasets`: preloads h5wasm with plain Node (a TypeScript
// loader re-transforms its 4 MB module slowly), then runs the TypeScript benchmark via tsx.
import 'h5wasm/node';
import { register } from 'tsx/esm/api';

register();
await import('./datasets.bench.ts');
