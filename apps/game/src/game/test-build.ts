/**
 * Whether this build carries the `window.__aikon*` hooks the end-to-end tests and the bench read
 * (state, hashes, scripted runs). Only a test build has them: the e2e harness builds with
 * `vite build --mode test`; `npm run build` (production) leaves every hook out of the bundle
 * (`e2e/bundle.test.ts` greps it).
 */
export const TEST_HOOKS = import.meta.env.MODE === 'test';
