/**
 * watch-path.ts on the real filesystem (inotify): a path two levels short of
 * existing, a file that appears and is edited, a folder replaced by a new one.
 * Each step waits for the change it causes; nothing is timed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nearestFolder, type PathWatch, watchPath } from '../../src/engines/builtin/watch-path.js';
import { waitFor } from '../helpers/e2e.js';

let dir: string;
let watch: PathWatch | undefined;
let seen: string[];
let notes: string[];

const start = (target: string) => {
  watch = watchPath({ target, changed: (file) => seen.push(file), note: (line) => notes.push(line), show: (file) => path.relative(dir, file) || '.' });
};
const changeOf = (file: string) => waitFor(`a change of ${path.relative(dir, file)}`, () => seen.includes(file) || undefined, 5000, 10);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-watch-path-'));
  seen = [];
  notes = [];
});

afterEach(() => {
  watch?.close();
  watch = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('watchPath', () => {
  it('nearestFolder: the closest folder above that exists', () => {
    expect(nearestFolder(path.join(dir, 'a/b/c'))).toBe(dir);
    fs.mkdirSync(path.join(dir, 'a'));
    expect(nearestFolder(path.join(dir, 'a/b/c'))).toBe(path.join(dir, 'a'));
  });

  it('a folder two levels short of existing: named at start, attached once made, its files then seen', async () => {
    const target = path.join(dir, 'dist/js');
    start(target);
    expect(notes).toEqual(['dist/js does not exist yet; watching . until it does']);
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.mkdirSync(target);
    await changeOf(target);
    const file = path.join(target, 'app.js');
    fs.writeFileSync(file, 'x');
    await changeOf(file);
  });

  it('a file that appears, then is written in place', async () => {
    const target = path.join(dir, 'server.js');
    start(target);
    fs.writeFileSync(target, 'one');
    await changeOf(target);
    seen = [];
    fs.appendFileSync(target, 'two');
    await changeOf(target);
  });

  it('a folder removed and made again: the new one is watched', async () => {
    const target = path.join(dir, 'dist');
    fs.mkdirSync(target);
    start(target);
    expect(notes).toEqual([]);
    fs.rmSync(target, { recursive: true });
    await changeOf(target);
    await waitFor('the note', () => notes.some((n) => n.startsWith('dist was removed')) || undefined, 5000, 10);
    fs.mkdirSync(target);
    seen = [];
    await changeOf(target);
    const file = path.join(target, 'new.js');
    fs.writeFileSync(file, 'x');
    await changeOf(file);
  });

  it('a folder removed and made again at once (ext4 gives it the same inode number): the new one is watched', async () => {
    const target = path.join(dir, 'dist');
    fs.mkdirSync(target);
    const before = fs.statSync(target);
    start(target);
    fs.rmSync(target, { recursive: true });
    fs.mkdirSync(target);
    await changeOf(target);
    // Another folder, though ext4 gives it the old one's inode number: only its birth time differs.
    const after = fs.statSync(target);
    expect(`${after.ino}:${after.birthtimeMs}`).not.toBe(`${before.ino}:${before.birthtimeMs}`);
    const file = path.join(target, 'value.txt');
    fs.writeFileSync(file, 'two');
    await changeOf(file);
  });
});
