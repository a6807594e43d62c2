/**
 * One argument parser for the world-model command lines (train, eval, the token model's train
 * and eval, episode generation, benches): typed options declared once with their help text,
 * numbers checked, unknown flags refused, `--help` generated, paths resolved against the
 * directory npm was started from, and the command line as the manifest records it.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export type OptionSpec =
  | { readonly type: 'boolean'; readonly help: string }
  | { readonly type: 'string'; readonly help: string; readonly default?: string; readonly choices?: readonly string[] }
  | {
      readonly type: 'number';
      readonly help: string;
      readonly default?: number;
      readonly integer?: boolean;
      readonly min?: number;
    };

type ValueOf<S> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'number'; default: number }
    ? number
    : S extends { type: 'number' }
      ? number | undefined
      : S extends { type: 'string'; default: string }
        ? string
        : string | undefined;

export type CliValues<O extends Record<string, OptionSpec>> = { -readonly [K in keyof O]: ValueOf<O[K]> };

export interface Cli<O extends Record<string, OptionSpec>> {
  readonly values: CliValues<O>;
  /** The repository root (models/, data/ defaults hang off it). */
  readonly repoRoot: string;
  /** A path given on the command line, resolved against the directory npm was started from. */
  path(p: string): string;
  /** `npm run <script> -- <the arguments>` without `drop`ped flags (what a manifest records). */
  command(script: string, drop?: readonly string[]): string;
}

export class CliError extends Error {}

const REPO_ROOT = resolve(import.meta.dirname, '../../../..');

/** Parses `argv` (default: this process's arguments); throws CliError on a bad command line. */
export function parseCliArgs<const O extends Record<string, OptionSpec>>(
  options: O,
  argv: readonly string[] = process.argv.slice(2),
): CliValues<O> {
  let parsed: Record<string, string | boolean | undefined>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(options).map(([k, s]) => [k, { type: s.type === 'boolean' ? 'boolean' : 'string' }]),
      ),
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(options)) {
    const raw = parsed[k];
    if (s.type === 'boolean') {
      out[k] = raw === true;
    } else if (s.type === 'string') {
      const v = (raw as string | undefined) ?? s.default;
      if (v !== undefined && s.choices && !s.choices.includes(v))
        throw new CliError(`--${k} must be one of ${s.choices.join(', ')}, got ${v}`);
      out[k] = v;
    } else {
      if (raw === undefined) {
        out[k] = s.default;
        continue;
      }
      const v = Number(raw);
      if (raw === '' || !Number.isFinite(v)) throw new CliError(`--${k} must be a number, got ${JSON.stringify(raw)}`);
      if (s.integer && !Number.isSafeInteger(v)) throw new CliError(`--${k} must be an integer, got ${raw}`);
      if (s.min !== undefined && v < s.min) throw new CliError(`--${k} must be at least ${s.min}, got ${raw}`);
      out[k] = v;
    }
  }
  return out as CliValues<O>;
}

/** The usage text: the synopsis, then one line per option with its default. */
export function cliUsage(synopsis: string, options: Record<string, OptionSpec>): string {
  const lines = Object.entries(options).map(([k, s]) => {
    const flag =
      s.type === 'boolean' ? `--${k}` : `--${k} ${s.type === 'number' ? 'N' : s.choices ? s.choices.join('|') : 'X'}`;
    const def = s.type !== 'boolean' && s.default !== undefined ? ` (default ${s.default})` : '';
    return `  ${flag.padEnd(26)} ${s.help}${def}`;
  });
  return `usage: ${synopsis}\n${lines.join('\n')}`;
}

/**
 * For a command-line entry point: parses this process's arguments; `--help` prints the usage and
 * exits 0, a bad command line prints the problem and the usage and exits 2.
 */
export function cli<const O extends Record<string, OptionSpec>>(synopsis: string, options: O): Cli<O> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(cliUsage(synopsis, options));
    process.exit(0);
  }
  let values: CliValues<O>;
  try {
    values = parseCliArgs(options, argv);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    console.error(`${err.message}\n${cliUsage(synopsis, options)}`);
    process.exit(2);
  }
  const cwd = process.env.INIT_CWD ?? process.cwd();
  return {
    values,
    repoRoot: REPO_ROOT,
    path: (p) => resolve(cwd, p),
    command: (script, drop = []) => `npm run ${script} -- ${argv.filter((a) => !drop.includes(a)).join(' ')}`.trim(),
  };
}
