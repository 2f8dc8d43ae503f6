/** readInputFile: what may sit at an input path, read without hanging or trusting st_size. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInputFile } from '../../src/support/read-input.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-read-input-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('readInputFile', () => {
  it('reads a file of exactly the limit, refuses one byte more without reading it', () => {
    fs.writeFileSync(path.join(dir, 'exact'), 'x'.repeat(1000));
    expect(readInputFile(path.join(dir, 'exact'), 1000)).toEqual({ ok: true, text: 'x'.repeat(1000) });
    fs.writeFileSync(path.join(dir, 'over'), 'x'.repeat(1001));
    expect(readInputFile(path.join(dir, 'over'), 1000)).toEqual({ ok: false, missing: false, problem: 'is 1001 bytes, over the 1000 bytes limit' });
  });

  it('reads to the end of a file whose size says 0 (procfs)', () => {
    const read = readInputFile('/proc/self/status', 1024 * 1024);
    expect(read.ok && read.text).toContain('Name:');
  });

  it('reads a file larger than one chunk whole', () => {
    const text = 'é'.repeat(100_000);
    fs.writeFileSync(path.join(dir, 'big'), text);
    expect(readInputFile(path.join(dir, 'big'), 1024 * 1024)).toEqual({ ok: true, text });
  });

  it('does not wait for a writer on a FIFO, and names what is not a file', () => {
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    expect(readInputFile(path.join(dir, 'fifo'), 10)).toMatchObject({ ok: false, problem: 'is a FIFO (named pipe), not a regular file' });
    expect(readInputFile(dir, 10)).toMatchObject({ ok: false, problem: 'is a directory, not a regular file' });
    expect(readInputFile('/dev/zero', 10)).toMatchObject({ ok: false, problem: 'is a device, not a regular file' });
    expect(readInputFile(path.join(dir, 'nope'), 10)).toMatchObject({ ok: false, missing: true });
  });
});
