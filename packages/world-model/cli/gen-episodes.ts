/**
 * Generates training episodes with the engine: uniform random play and the scripted explorer.
 *   npm run gen:episodes -w @aikon/world-model -- --out data/world-model/episodes --random 200 --scripted 200 --steps 500 --seed 1
 */
import { parseArgs } from 'node:util';
import { DEFAULT_GENERATION, generateEpisodes } from '../src/node/generate.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'data/world-model/episodes' },
    random: { type: 'string', default: String(DEFAULT_GENERATION.random) },
    scripted: { type: 'string', default: String(DEFAULT_GENERATION.scripted) },
    steps: { type: 'string', default: String(DEFAULT_GENERATION.maxSteps) },
    seed: { type: 'string', default: String(DEFAULT_GENERATION.seed) },
  },
});
const r = generateEpisodes({
  out: values.out!,
  random: Number(values.random),
  scripted: Number(values.scripted),
  maxSteps: Number(values.steps),
  seed: Number(values.seed),
});
console.log(`wrote ${r.episodes} episodes, ${r.steps} steps to ${values.out}`);
