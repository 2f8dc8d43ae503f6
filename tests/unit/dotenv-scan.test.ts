/** The `.env` scanner against the installed dotenv, and the '#' warning through the CLI. */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanDotenv } from '../../src/support/dotenv-scan.js';
import { makeProject, runCore } from '../helpers/cli.js';

/** Each line, what dotenv makes of it, and whether a shell would keep more (a warning). */
const LINES: ReadonlyArray<[line: string, dotenv: string, warn: boolean]> = [
  ['A=abc#def', 'abc', true],
  ['A=abc #def', 'abc', false],
  ['A=abc\t# note', 'abc', false],
  ['A=#abc', '', true],
  ['A= #abc', '', false],
  ['A="a#b"', 'a#b', false],
  ["A='a#b' # note", 'a#b', false],
  ['A=`a#b`', 'a#b', false],
  ['A="a#b" junk', '"a', true],
  ['A=a\\#b', 'a\\', true],
  ['export A=p#q', 'p', true],
  ['A: x#y', 'x', true],
  ['A=plain', 'plain', false],
  ['# A=commented#out', '', false],
];

describe('scanDotenv', () => {
  it.each(LINES)('%j', (line, value, warn) => {
    const parsed = parse(line);
    if (line.startsWith('#')) expect(parsed).toEqual({});
    else expect(parsed.A).toBe(value);
    expect(scanDotenv(line).cut.map((c) => c.key)).toEqual(warn ? ['A'] : []);
  });

  it('gives the line of the definition dotenv keeps, across blank lines, comments, CRLF and multi-line values', () => {
    const text = 'A=1\r\n\r\n# comment\nB="two\nlines"\nC=3\n  export D=4\nA=again#cut\nE=x # fine\n';
    expect(Object.keys(scanDotenv(text).lines).sort()).toEqual(Object.keys(parse(text)).sort());
    expect(scanDotenv(text)).toEqual({ lines: { A: 8, B: 4, C: 6, D: 7, E: 9 }, cut: [{ key: 'A', line: 8 }] });
  });

  it('a later clean definition clears an earlier warning', () => {
    expect(scanDotenv('A=x#y\nA="x#y"\n').cut).toEqual([]);
  });

  it('finds exactly the keys dotenv finds, for any text', () => {
    const text = fc.stringMatching(/^[A-Za-z_=#"' \t\n:.-]{0,60}$/);
    fc.assert(
      fc.property(text, (t) => {
        expect(Object.keys(scanDotenv(t).lines).sort()).toEqual(Object.keys(parse(t)).sort());
      }),
      { numRuns: 500 },
    );
  });
});

describe("an unquoted '#' in .env", () => {
  it('is warned about with file, line and variable, never the value; the command still works', async () => {
    const project = makeProject();
    try {
      fs.writeFileSync(path.join(project, '.env'), '# settings\nDB_PASSWORD=hunter2#rest\nNOTE=kept # a comment\nQUOTED="a#b"\n');
      const result = await runCore(['validate'], { cwd: project });
      expect(result.code).toBe(0);
      expect(result.stderr).toBe(
        `core: warning: ${path.join(project, '.env')}:2: DB_PASSWORD: an unquoted '#' starts a comment, so the value is cut short there; quote the value to keep it (DB_PASSWORD="...#...")\n`,
      );
      expect(result.stdout).not.toContain('hunter2');
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  it('is not warned about when the process environment sets the variable', async () => {
    const project = makeProject();
    try {
      fs.writeFileSync(path.join(project, '.env'), 'GREETING=hi#there\n');
      const result = await runCore(['validate'], { cwd: project, env: { GREETING: 'hi#there' } });
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
