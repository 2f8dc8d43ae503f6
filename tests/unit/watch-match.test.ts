import { describe, expect, it } from 'vitest';
import { globToRegExp, isIgnored } from '../../src/engine/watch-match.js';

describe('watch ignore globs', () => {
  it.each([
    ['*.log', 'a.log', true],
    ['*.log', 'dir/a.log', false],
    ['**/*.log', 'dir/deep/a.log', true],
    ['**/*.log', 'a.log', true],
    ['build/**', 'build/x/y.js', true],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['v1.0', 'v1x0', false],
  ])('%s against %s: %s', (glob, file, expected) => {
    expect(globToRegExp(glob).test(file)).toBe(expected);
  });

  it.each([
    ['server.js', [], false],
    ['debug.log', ['*.log'], true],
    ['logs/deep/debug.log', ['*.log'], true],
    ['dist/app.js', ['dist'], true],
    ['src/gen/x.ts', ['src/gen'], true],
    ['src/gen/x.ts', ['./src/gen/'], true],
    ['other/src/gen/x.ts', ['src/gen'], false],
    ['tmp/a/b', ['tmp/**'], true],
    ['node_modules/x/index.js', [], true],
    ['.git/index', [], true],
    ['server.js.swp', [], true],
    ['4913', [], true],
  ])('%s with %j: ignored %s', (file, globs, expected) => {
    expect(isIgnored(file, globs)).toBe(expected);
  });
});
