import { ACHIEVEMENTS } from '../src/constants.ts';
import type { EvalSummary } from '../src/evaluate.ts';

/** Prints an evaluation summary as a readable table on stdout. */
export function printSummary(title: string, summary: EvalSummary): void {
  console.log(`\n${title}: ${summary.episodes} episodes`);
  const width = Math.max(...ACHIEVEMENTS.map((a) => a.length));
  for (const name of ACHIEVEMENTS) {
    const rate = summary.successRates[name];
    const bar = '#'.repeat(Math.round(rate / 4));
    console.log(`  ${name.padEnd(width)}  ${rate.toFixed(1).padStart(5)} %  ${bar}`);
  }
  console.log(`  ${'Crafter score'.padEnd(width)}  ${summary.score.toFixed(2).padStart(5)} %`);
  console.log(`  ${'mean length'.padEnd(width)}  ${summary.meanLength.toFixed(1)}`);
  console.log(`  ${'mean return'.padEnd(width)}  ${summary.meanReturn.toFixed(2)}`);
}
