/**
 * Generates training episodes with the engine: uniform random play and the scripted explorer.
 *   npm run gen:episodes -w @aikon/world-model -- --out data/world-model/episodes
 *     --random 200 --scripted 200 --steps 500 --seed 1000
 */
import { cli } from '../src/node/cli.ts';
import { DEFAULT_GENERATION, generateEpisodes } from '../src/node/generate.ts';

const { values, path } = cli('npm run gen:episodes -w @aikon/world-model -- [options]', {
  out: { type: 'string', default: 'data/world-model/episodes', help: 'directory for the episode files' },
  random: {
    type: 'number',
    integer: true,
    min: 0,
    default: DEFAULT_GENERATION.random,
    help: 'uniform-random episodes',
  },
  scripted: {
    type: 'number',
    integer: true,
    min: 0,
    default: DEFAULT_GENERATION.scripted,
    help: 'scripted-explorer episodes',
  },
  steps: {
    type: 'number',
    integer: true,
    min: 1,
    default: DEFAULT_GENERATION.maxSteps,
    help: 'steps per episode at most',
  },
  seed: {
    type: 'number',
    integer: true,
    default: DEFAULT_GENERATION.seed,
    help: 'first world seed (episode i uses seed + i)',
  },
});
const out = path(values.out);
const r = generateEpisodes({
  out,
  random: values.random,
  scripted: values.scripted,
  maxSteps: values.steps,
  seed: values.seed,
});
console.log(`wrote ${r.episodes} episodes, ${r.steps} steps to ${out}`);
