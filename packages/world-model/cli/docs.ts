/**
 * Rewrites the world-model README's generated results section from models/manifest.json.
 *   npm run docs -w @aikon/world-model [-- --check]
 */
import { join } from 'node:path';
import { cli } from '../src/node/cli.ts';
import { updateSimReadme } from '../src/node/sim-readme.ts';

const { values, path, repoRoot } = cli('npm run docs -w @aikon/world-model -- [options]', {
  models: { type: 'string', help: 'models directory whose manifest.json is shown (default models/)' },
  check: { type: 'boolean', help: 'change nothing; exit 1 when the README differs from the manifest' },
});
const readme = join(repoRoot, 'packages/world-model/README.md');
const manifest = join(path(values.models ?? join(repoRoot, 'models')), 'manifest.json');
if (values.check) {
  const { readFileSync } = await import('node:fs');
  const { withSimResults } = await import('../src/node/sim-readme.ts');
  const text = readFileSync(readme, 'utf8');
  const fresh = withSimResults(text, JSON.parse(readFileSync(manifest, 'utf8')));
  console.log(
    fresh === text
      ? 'the README matches the manifest'
      : 'the README differs from the manifest: npm run docs -w @aikon/world-model',
  );
  process.exit(fresh === text ? 0 : 1);
}
console.log(updateSimReadme(readme, manifest) ? `updated ${readme}` : `${readme} already matches the manifest`);
