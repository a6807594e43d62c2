/**
 * The engine's modules import one way: no import cycle anywhere in packages/engine/src (type-only
 * imports included), and the world's state (world-state.ts) imports none of the systems that run
 * on it. Read from the source files themselves, so a new cycle fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

/** Every relative module a source file imports or re-exports (static `from '…'` and bare `import '…'`). */
function relativeImports(text: string): string[] {
  const found: string[] = [];
  const pattern =
    /\b(?:import|export)\s[^'";]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const m of text.matchAll(pattern)) found.push(m[1] ?? m[2]);
  return found;
}

/** The import graph of a source tree: file (relative to the root) → files it imports. */
function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.(ts|mts|mjs|js)$/.test(entry.name)) {
        const targets = relativeImports(readFileSync(path, 'utf8')).map((spec) =>
          relative(root, resolve(dirname(path), spec)),
        );
        graph.set(relative(root, path), targets);
      }
    }
  };
  visit(root);
  return graph;
}

/** Every cycle found by a depth-first search, each as the path that closes it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const walk = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) walk(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) walk(node);
  return found;
}

/** Everything a module reaches through its imports. */
function reachable(graph: Map<string, string[]>, from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length > 0) {
    for (const next of graph.get(todo.pop()!) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        todo.push(next);
      }
    }
  }
  return seen;
}

describe('module shape', () => {
  const graph = importGraph(SRC);

  it('the checker reads imports and finds cycles', () => {
    expect(
      relativeImports("import type { A } from './a.ts';\nexport {\n  B,\n} from '../b.ts';\nimport './c.mjs';"),
    ).toEqual(['./a.ts', '../b.ts', './c.mjs']);
    const looped = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(looped)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(graph.get('world.ts')).toContain('world-state.ts');
  });

  it('packages/engine/src has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('the world state imports no system; the systems import the state, not the world', () => {
    const systems = ['balance.ts', 'creatures.ts', 'player-update.ts', 'worldgen.ts', 'spawn.ts', 'snapshot.ts'];
    const fromState = reachable(graph, 'world-state.ts');
    for (const module of [...systems, 'world.ts']) expect(fromState.has(module), module).toBe(false);
    for (const system of systems) {
      expect(graph.get(system), system).toContain('world-state.ts');
      expect(reachable(graph, system).has('world.ts'), system).toBe(false);
    }
  });
});
