/**
 * The per-user binary cache (`settings.cacheDir`, e.g. ~/.cache/core):
 *
 *   bin/<os>-<arch>/<name>/<version>/<name>         the binary
 *   bin/<os>-<arch>/<name>/<version>/source.json    how it was made, its sha256
 *   tmp/<name>-<version>-<random>/                  work in progress, never read
 *
 * An entry appears in one `rename` of a finished folder, so a reader sees all of it or
 * none, and two processes racing to add the same entry both end up with one whole entry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Platform } from './platform.js';
import type { CacheOrigin } from './types.js';

export interface CacheRecord {
  readonly name: string;
  readonly version: string;
  readonly origin: CacheOrigin;
  /** sha256 of the binary itself, checked on every cache hit. */
  readonly sha256: string;
  readonly size: number;
  readonly createdAt: string;
  /** download: the URL and the archive's verified digest. */
  readonly url?: string;
  readonly archiveDigest?: string;
  /** go-install: module@version and ldflags. */
  readonly module?: string;
  readonly ldflags?: string;
}

export interface CacheKey {
  readonly cacheDir: string;
  readonly platform: Platform;
  readonly name: string;
  readonly version: string;
}

export function entryDir(key: CacheKey): string {
  return path.join(key.cacheDir, 'bin', `${key.platform.os}-${key.platform.arch}`, key.name, key.version);
}

export function entryBinary(key: CacheKey): string {
  return path.join(entryDir(key), key.name);
}

const SIDECAR = 'source.json';

export type CacheLookup =
  | { readonly ok: true; readonly file: string; readonly record: CacheRecord }
  | { readonly ok: false; readonly reason: 'not-cached' | 'cache-corrupt'; readonly message: string };

/** A cache entry, if present and its binary still has the recorded sha256. */
export async function readCacheEntry(key: CacheKey): Promise<CacheLookup> {
  const dir = entryDir(key);
  let record: CacheRecord;
  try {
    record = JSON.parse(await fs.readFile(path.join(dir, SIDECAR), 'utf8')) as CacheRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, reason: 'not-cached', message: `not in the cache (${dir})` };
    return { ok: false, reason: 'cache-corrupt', message: `${path.join(dir, SIDECAR)}: unreadable (${(error as Error).message})` };
  }
  const file = entryBinary(key);
  try {
    const digest = await sha256File(file);
    if (digest !== record.sha256) {
      return { ok: false, reason: 'cache-corrupt', message: `${file}: sha256 ${digest} differs from the recorded ${record.sha256}` };
    }
  } catch (error) {
    return { ok: false, reason: 'cache-corrupt', message: `${file}: ${(error as Error).message}` };
  }
  return { ok: true, file, record };
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * Run `work` in a fresh folder under `<cacheDir>/tmp`, removed afterwards whatever happens:
 * a refused or failed download leaves nothing behind.
 */
export async function withWorkDir<T>(cacheDir: string, label: string, work: (dir: string) => Promise<T>): Promise<T> {
  const tmpRoot = path.join(cacheDir, 'tmp');
  const dir = await makeWorkDir(tmpRoot, label);
  try {
    return await work(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rmdir(tmpRoot).catch(() => undefined); // only if empty: others may be working
  }
}

async function makeWorkDir(tmpRoot: string, label: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    await fs.mkdir(tmpRoot, { recursive: true });
    try {
      return await fs.mkdtemp(path.join(tmpRoot, `${label}-`));
    } catch (error) {
      // Another process removed the empty tmp/ between our mkdir and mkdtemp.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
    }
  }
}

/**
 * Move a finished binary (inside a work folder) into the cache. If another process got
 * there first with a sound entry, keep theirs; a corrupt one is replaced.
 */
export async function commitToCache(
  key: CacheKey,
  workDir: string,
  binary: string,
  record: Omit<CacheRecord, 'sha256' | 'size' | 'createdAt'>,
): Promise<{ file: string; record: CacheRecord }> {
  const staged = path.join(workDir, `entry-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(staged);
  const stagedBinary = path.join(staged, key.name);
  await fs.rename(binary, stagedBinary);
  await fs.chmod(stagedBinary, 0o755);
  const stat = await fs.stat(stagedBinary);
  const full: CacheRecord = { ...record, sha256: await sha256File(stagedBinary), size: stat.size, createdAt: new Date().toISOString() };
  await fs.writeFile(path.join(staged, SIDECAR), `${JSON.stringify(full, null, 2)}\n`);

  const dir = entryDir(key);
  await fs.mkdir(path.dirname(dir), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(staged, dir);
      return { file: entryBinary(key), record: full };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    }
    const existing = await readCacheEntry(key);
    if (existing.ok) return { file: existing.file, record: existing.record };
    if (attempt > 0) throw new Error(`${dir}: cannot replace a corrupt cache entry (${existing.message})`);
    // Corrupt: move it out of the way in one step, then delete it at leisure.
    const trash = path.join(workDir, `trash-${randomBytes(4).toString('hex')}`);
    await fs.rename(dir, trash).catch(() => undefined);
  }
}
