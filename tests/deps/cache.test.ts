/** The cache's commit step on its own: racing writers, corrupt entries, work folders. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { commitToCache, entryDir, readCacheEntry, withWorkDir, type CacheKey } from '../../src/deps/cache.js';
import { filesUnder, tempProject, type TempProject } from './helpers/project.js';

let project: TempProject;
let key: CacheKey;
beforeEach(async () => {
  project = await tempProject();
  key = { cacheDir: project.settings.cacheDir, platform: { os: 'linux', arch: 'amd64' }, name: 'tool', version: '1.0.0' };
});
afterEach(async () => {
  await project.cleanup();
});

const record = { name: 'tool', version: '1.0.0', origin: 'download' as const, url: 'http://x/tool' };

/** Stage a binary with `content` in a work folder and commit it. */
const commit = (content: string) =>
  withWorkDir(key.cacheDir, 'tool-1.0.0', async (dir) => {
    const file = path.join(dir, 'tool');
    await fs.writeFile(file, content);
    return commitToCache(key, dir, file, record);
  });

it('an entry appears whole, with a sidecar recording its sha256, and no work folder is left', async () => {
  const { file, record: written } = await commit('binary one');
  expect(file).toBe(path.join(entryDir(key), 'tool'));
  expect((await fs.stat(file)).mode & 0o777).toBe(0o755);
  expect(written).toMatchObject({ ...record, size: 10, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect(await readCacheEntry(key)).toEqual({ ok: true, file, record: written });
  expect(await filesUnder(key.cacheDir)).toEqual(['bin/linux-amd64/tool/1.0.0/source.json', 'bin/linux-amd64/tool/1.0.0/tool']);
});

it("when two writers race, the second keeps the first one's sound entry", async () => {
  const first = await commit('binary one');
  const second = await commit('binary two');
  expect(second.file).toBe(first.file);
  expect(second.record.sha256).toBe(first.record.sha256);
  expect(await fs.readFile(first.file, 'utf8')).toBe('binary one');
});

it('many concurrent writers leave exactly one whole entry', async () => {
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => commit(`binary ${i}`)));
  const kept = await readCacheEntry(key);
  expect(kept.ok).toBe(true);
  for (const result of results) expect(result.record.sha256).toBe(kept.ok && kept.record.sha256);
  expect(await filesUnder(key.cacheDir)).toEqual(['bin/linux-amd64/tool/1.0.0/source.json', 'bin/linux-amd64/tool/1.0.0/tool']);
});

it('a corrupt entry is reported, then replaced by the next commit', async () => {
  const { file } = await commit('binary one');
  await fs.writeFile(file, 'tampered');
  expect(await readCacheEntry(key)).toMatchObject({ ok: false, reason: 'cache-corrupt' });
  await commit('binary two');
  expect(await fs.readFile(file, 'utf8')).toBe('binary two');
  expect(await readCacheEntry(key)).toMatchObject({ ok: true });
});

it('a missing entry is "not cached"', async () => {
  expect(await readCacheEntry(key)).toEqual({ ok: false, reason: 'not-cached', message: `not in the cache (${entryDir(key)})` });
});

it('a work folder is removed even when the work throws', async () => {
  await expect(
    withWorkDir(key.cacheDir, 'x', async (dir) => {
      await fs.writeFile(path.join(dir, 'partial'), 'half');
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  expect(await filesUnder(key.cacheDir)).toEqual([]);
});
