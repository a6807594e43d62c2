/**
 * Browser-safe tfjs building blocks shared with other packages' networks (the agents' policy):
 * matrix products whose gradients are fast on tfjs-backend-wasm. Needs tfjs, so it is a
 * subpath ('@aikon/world-model/tf') rather than part of the tfjs-free main entry.
 */
export { bmm, mm } from './tf-model.ts';
