/** Read `services/<name>/service.json` files: the only I/O of the manifest stage. */
import fsSync, { type Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { InputError, IssuesError } from '../support/errors.js';
import { MANIFEST_MAX_BYTES, readInputFile } from '../support/read-input.js';
import type { Settings } from '../support/settings.js';
import { cacheKey, readCached, writeCached } from './cache.js';
import type { LoadedManifest, ManifestFile } from './validate.js';

export type { LoadedManifest } from './validate.js';

export const MANIFEST_FILE = 'service.json';

export interface ServiceDir {
  /** The folder name under services/. */
  readonly name: string;
  /** Why the folder cannot be used (a symlink leading out of the project, a dangling symlink). */
  readonly problem?: string;
}

/**
 * Folders under `services/` that hold a service (sorted). Plain files there are
 * not services and are passed over. A symlinked folder is followed when it
 * stays inside the project (a vendored service, say); one that leads out, or
 * nowhere, is reported rather than skipped in silence.
 */
export async function listServiceDirs(root: string): Promise<ServiceDir[]> {
  const servicesDir = path.join(root, 'services');
  let entries: Dirent[];
  try {
    entries = await fs.readdir(servicesDir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new InputError('no-services', `${servicesDir}: no services folder (set CORE_ROOT or run inside a core project)`);
    }
    throw new InputError('bad-services-folder', `${servicesDir}: cannot list (${code ?? (error as Error).message})`);
  }
  const inside = insideProject(root);
  const dirs: ServiceDir[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) dirs.push({ name: entry.name });
    else if (entry.isSymbolicLink()) {
      const link = path.join(servicesDir, entry.name);
      const target = realTarget(link);
      if (!target.ok) dirs.push({ name: entry.name, problem: target.problem });
      else if (!fsSync.statSync(target.path).isDirectory())
        continue; // a link to a file: not a service, like any file
      else if (!inside(target.path))
        dirs.push({
          name: entry.name,
          problem: `is a symlink to ${target.path}, outside the project: core follows a symlinked service folder only inside the project (move or copy the folder in)`,
        });
      else dirs.push({ name: entry.name });
    }
  }
  return dirs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function readManifestFiles(root: string): Promise<ManifestFile[]> {
  const dirs = await listServiceDirs(root);
  const inside = insideProject(root);
  return dirs.map(({ name: dir, problem }) => {
    const absolute = path.join(root, 'services', dir, MANIFEST_FILE);
    const file = path.relative(root, absolute);
    if (problem) return { file: path.dirname(file), dir, absolute, text: undefined, problem };
    const target = realTarget(absolute);
    if (target.ok && !inside(target.path)) {
      return { file, dir, absolute, text: undefined, problem: `is a symlink to ${target.path}, outside the project: core reads a service.json only from inside the project` };
    }
    const read = readInputFile(absolute, MANIFEST_MAX_BYTES);
    if (read.ok) return { file, dir, absolute, text: read.text };
    return { file, dir, absolute, text: undefined, ...(read.missing ? {} : { problem: read.problem }) };
  });
}

/** Where a path leads once every symlink is followed. */
function realTarget(link: string): { ok: true; path: string } | { ok: false; problem: string } {
  try {
    return { ok: true, path: fsSync.realpathSync(link) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { ok: false, problem: 'is a symlink loop' };
    if (code === 'ENOENT') {
      let target = '?';
      try {
        target = fsSync.readlinkSync(link);
      } catch {
        // Not a link itself: a folder on the way is missing, reported as missing below.
        return { ok: false, problem: 'does not exist' };
      }
      return { ok: false, problem: `is a symlink to ${target}, which does not exist` };
    }
    return { ok: false, problem: `cannot be resolved (${code ?? (error as Error).message})` };
  }
}

/** The project is the root and the services folder, each with its symlinks resolved. */
function insideProject(root: string): (real: string) => boolean {
  const bases = [root, path.join(root, 'services')].map((p) => {
    try {
      return fsSync.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  });
  return (real) => bases.some((base) => real === base || real.startsWith(base.endsWith(path.sep) ? base : base + path.sep));
}

/**
 * Whether to use `.core-stack/manifests.json`: true reads it (and loadStack writes
 * it after a fresh validation); 'read' reads it and leaves writing to the caller
 * (`core validate` writes nothing; `core generate` writes once all went well).
 * Either way a hit is exactly as good as validating: the key holds every
 * manifest file's text and the build of core, and only successes are cached.
 */
export type CacheUse = boolean | 'read';

/**
 * Load and validate every manifest; throws an IssuesError listing every problem.
 * With `cache`, manifests that validated before (same files, same build of core)
 * are taken from `.core-stack/manifests.json` without loading zod (~85 ms).
 */
export async function loadManifests(settings: Settings, options: { cache?: CacheUse } = {}): Promise<LoadedManifest[]> {
  const { manifests, saveCache } = await loadManifestsForCache(settings, options);
  saveCache();
  return manifests;
}

/**
 * As loadManifests, but the cache is written only when the caller says so:
 * after the rest of the stack (placeholders, limits) checked out, so bad input
 * leaves nothing behind on disk.
 */
export async function loadManifestsForCache(settings: Settings, options: { cache?: CacheUse } = {}): Promise<{ manifests: LoadedManifest[]; saveCache: () => void }> {
  const files = await readManifestFiles(settings.root);
  const cacheFile = path.join(settings.stackDir, 'manifests.json');
  const key = options.cache ? cacheKey(files) : undefined;
  const nothing = () => {};
  if (key) {
    const cached = readCached(cacheFile, key);
    if (cached) return { manifests: cached, saveCache: nothing };
  }
  const { validateManifests } = await import('./validate.js');
  const { manifests, issues } = validateManifests(files);
  if (issues.length > 0) throw new IssuesError(issues, `invalid manifest${issues.length === 1 ? '' : 's'}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`);
  return { manifests, saveCache: key ? () => writeCached(cacheFile, key, manifests) : nothing };
}
