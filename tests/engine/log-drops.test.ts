/** Issue 9, item 1: a log that cannot be written drops lines and counts them; it never throws. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRotatingLog } from '../../src/engine/logs.js';
import { WriteHealth } from '../../src/control/write-health.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-log-drops-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const flushed = () => new Promise((resolve) => setImmediate(resolve));

describe('a log that cannot be written', () => {
  it('on a full disk (/dev/full: every write is ENOSPC) drops and counts every line', async () => {
    const file = path.join(tempDir(), 'svc.log');
    fs.symlinkSync('/dev/full', file);
    const health = new WriteHealth();
    const log = openRotatingLog(file, undefined, (f, error, lines) => health.droppedLines(f, error, lines));
    for (let i = 0; i < 50; i++) log.write(`line ${i}`);
    await flushed();
    for (let i = 0; i < 10; i++) log.write(`more ${i}`);
    log.close();
    expect(health.problems()).toEqual([expect.objectContaining({ kind: 'logs-dropped', code: 'ENOSPC', lines: 60, path: path.dirname(file) })]);
    expect(fs.readlinkSync(file)).toBe('/dev/full');
  });

  it('where its folder cannot be made (ENOTDIR) drops and counts, and does not throw on open', () => {
    const blocker = path.join(tempDir(), 'a-file');
    fs.writeFileSync(blocker, '');
    const dropped: [string, number][] = [];
    const log = openRotatingLog(path.join(blocker, 'logs', 'svc.log'), undefined, (_, error, lines) => dropped.push([(error as NodeJS.ErrnoException).code!, lines]));
    log.write('one');
    log.write('two');
    log.close();
    expect(dropped).toEqual([['ENOTDIR', 2]]);
  });

  it('writes again once there is room (the next turn tries afresh)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'logs', 'svc.log');
    fs.writeFileSync(path.join(dir, 'logs'), ''); // a file where the folder should be
    let dropped = 0;
    const log = openRotatingLog(file, undefined, (_, __, lines) => (dropped += lines));
    log.write('lost');
    await flushed();
    fs.rmSync(path.join(dir, 'logs'));
    log.write('kept');
    log.close();
    expect(dropped).toBe(1);
    expect(fs.readFileSync(file, 'utf8')).toBe('kept\n');
  });
});
