/** The JSON error locator and the nesting/NUL limits, without a filesystem. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonError, lineColumn } from '../../src/manifest/json-error.js';
import { checkJsonLimits, MAX_MANIFEST_DEPTH } from '../../src/manifest/json-limits.js';
import { validateManifests } from '../../src/manifest/validate.js';
import { decodeUtf8 } from '../../src/support/read-input.js';
import { repoManifestFiles } from '../helpers/stack.js';

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('findJsonError', () => {
  it.each([
    ['{ "name": "nats", }', 18, 'expected a property name in double quotes (no trailing comma)'],
    ['root:$y$j9T$x:19000', 0, 'expected a value'],
    ['{"a":1} x', 8, 'unexpected text after the JSON value'],
    ['{"a":"b\nc"}', 7, 'control character in a string'],
    ['{"a":', 5, 'unexpected end of file'],
    ['[1,]', 3, 'expected a value (no trailing comma)'],
    ['{"a" 1}', 5, "expected ':' after a property name"],
    ['"abc', 0, 'unterminated string'],
    ['{"a":tru}', 5, 'expected a value'],
    ['{"a":01}', 6, "expected ',' or '}'"],
    ['{"a":"\\x"}', 6, 'bad escape in a string'],
    ['[1 2]', 3, "expected ',' or ']'"],
    ['', 0, 'unexpected end of file'],
  ])('%j', (text, offset, message) => {
    expect(parses(text)).toBe(false);
    const error = findJsonError(text)!;
    expect(error.offset).toBe(offset);
    expect(error.message).toContain(message);
  });

  it('agrees with JSON.parse on what is JSON, for any text', () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.stringMatching(/^[[\]{}",:0-9.eE+\-a-z\\ \n]{0,30}$/),
      fc.json().map((t) => t.slice(0, Math.max(0, t.length - 1))),
    );
    fc.assert(
      fc.property(jsonish, (text) => {
        expect(findJsonError(text) === undefined).toBe(parses(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('has no recursion to overflow', () => {
    expect(findJsonError(`${'['.repeat(500_000)}${']'.repeat(499_999)}`)?.message).toBe('unexpected end of file');
  });

  it('lineColumn counts from 1', () => {
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('checkJsonLimits', () => {
  const nested = (depth: number): unknown => {
    let value: unknown = 'x';
    for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { k: value };
    return value;
  };

  it(`allows ${MAX_MANIFEST_DEPTH} levels and refuses one more, once`, () => {
    expect(checkJsonLimits('f', nested(MAX_MANIFEST_DEPTH))).toEqual([]);
    const issues = checkJsonLimits('f', nested(MAX_MANIFEST_DEPTH + 1000));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toContain(`nested deeper than ${MAX_MANIFEST_DEPTH} levels`);
  });

  it('names every NUL in a value or a key by its path', () => {
    expect(
      checkJsonLimits('f', { a: ['ok', 'n\0'], 'b\0': 1 })
        .map((i) => i.path)
        .sort(),
    ).toEqual(['', 'a[1]']);
  });

  it('a manifest nested far too deep is an issue, not a stack overflow (zod never sees it)', () => {
    const base = repoManifestFiles()[0]!;
    const manifest = JSON.parse(base.text!);
    manifest.config = 'DEEP';
    const deep = `${'{"k":['.repeat(100_000)}1${']}'.repeat(100_000)}`;
    const { issues } = validateManifests([{ ...base, text: JSON.stringify(manifest).replace('"DEEP"', deep) }]);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toMatch(/^config\.k\[0\]\.k/);
  });
});

describe('decodeUtf8', () => {
  it('drops a BOM, accepts an encoded U+FFFD, and gives the offset of the first bad byte', () => {
    expect(decodeUtf8(Buffer.from('\ufeff{}'))).toEqual({ ok: true, text: '{}' });
    expect(decodeUtf8(Buffer.from('a\ufffdb'))).toEqual({ ok: true, text: 'a\ufffdb' });
    const bad = decodeUtf8(Buffer.concat([Buffer.from('\ufeffé\n\ufffd😀'), Buffer.from([0xc3])]));
    expect(bad).toMatchObject({ ok: false, problem: 'is not valid UTF-8: byte offset 13 (line 2)' });
  });
});
