#!/usr/bin/env node
// Fails when a source line is longer than 120 characters. Biome's formatter wraps code at that
// width but leaves long strings, comments and templates alone, and Biome has no rule that reports them.
// Run from the repository root (`npm run lint` does); prints `path:line: N characters (limit 120)`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const LIMIT = 120;
const CHECKED = /\.(ts|tsx|mts|mjs|js|json|jsonc|css|html)$/;
// Not checked: files that programs write or that are stored as data, not read as source.
// Markdown is exempt altogether (prose and tables), so it is not in CHECKED.
const SKIPPED = [
  /(^|\/)package-lock\.json$/, // written by npm
  /^models\//, // trained weights and their manifest, written by the training CLIs
  /^public\//, // static assets served as they are
  /(^|\/)test\/golden\//, // stored expected outputs that tests compare against
  /(^|\/)test\/fixtures\/durable-[^/]+\//, // data directories an older relay wrote, kept byte for byte
];

// Tracked files and new ones not added yet (git's ignore rules apply); a tracked file deleted
// but not yet staged is gone.
const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const files = [...new Set(listed.split('\0'))].filter(
  (path) => CHECKED.test(path) && !SKIPPED.some((skip) => skip.test(path)) && existsSync(path),
);

let offenders = 0;
for (const path of files) {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  lines.forEach((line, i) => {
    const length = [...line].length; // code points: an emoji counts once, not as two UTF-16 units
    if (length > LIMIT) {
      offenders++;
      console.log(`${path}:${i + 1}: ${length} characters (limit ${LIMIT})`);
    }
  });
}
if (offenders > 0) {
  console.log(`${offenders} line(s) over ${LIMIT} characters`);
  process.exit(1);
}
