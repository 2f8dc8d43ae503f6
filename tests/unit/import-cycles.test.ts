/**
 * No module imports itself back, statically or through a lazy `import()`
 * (what `madge --circular` reports): the house has no import running back up.
 * A small scan of relative imports rather than madge: one regex does it, and
 * madge would bring a dependency tree for one check.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOTS = ['src', 'cmd'];
/** A relative import that loads code: `import … from './x.js'`, `export … from`, `import('./x.js')`; not `import type`. */
const IMPORT = /(?:^(?:import|export)(?!\s+type\b)[^'"]*?from\s*|import\(\s*)['"](\.[^'"]+)['"]/gm;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(file) : file.endsWith('.ts') ? [file] : [];
  });
}

function cycles(): string[] {
  const files = new Set(ROOTS.flatMap(sources));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const imports = [...fs.readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => path.join(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')));
    graph.set(
      file,
      imports.filter((f) => files.has(f)),
    );
  }
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}

describe('imports', () => {
  it('form no cycle in src/ and cmd/', () => {
    expect(cycles()).toEqual([]);
  });
});
