/**
 * Checks on a parsed manifest before anything recursive sees it. JSON.parse
 * copes with any nesting, but zod, the placeholder resolver and the renderers
 * recurse, and 2,000 levels of `config` overflowed the stack. A NUL can be
 * written in JSON (`\u0000`) but no command line, environment or config file
 * can carry it. This walk keeps its own stack, so it cannot overflow either.
 */
import { jsonPath, type Issue } from '../support/errors.js';

/** Deepest nesting of objects and arrays in a manifest (the top-level object is level 1). */
export const MAX_MANIFEST_DEPTH = 64;

export function checkJsonLimits(file: string, json: unknown): Issue[] {
  const issues: Issue[] = [];
  const pending: Array<{ value: unknown; at: readonly PropertyKey[] }> = [{ value: json, at: [] }];
  let deepReported = false;
  while (pending.length > 0) {
    const { value, at } = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\0')) issues.push({ file, path: jsonPath(at), message: 'contains a NUL character (\\u0000), which no argument, environment variable or file can carry' });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (at.length >= MAX_MANIFEST_DEPTH) {
      // One issue is enough: the path shows where, and deeper levels say nothing new.
      if (!deepReported) issues.push({ file, path: jsonPath(at), message: `nested deeper than ${MAX_MANIFEST_DEPTH} levels of objects and arrays (the limit)` });
      deepReported = true;
      continue;
    }
    const entries = Array.isArray(value) ? value.map((item, i) => [i, item] as const) : Object.entries(value);
    for (const [key, item] of entries) {
      if (typeof key === 'string' && key.includes('\0')) issues.push({ file, path: jsonPath(at), message: 'has a key with a NUL character (\\u0000)' });
      pending.push({ value: item, at: [...at, key] });
    }
  }
  return issues.reverse();
}
