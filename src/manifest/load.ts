/** Read `services/<name>/service.json` files: the only I/O of the manifest stage. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { InputError, IssuesError } from '../support/errors.js';
import type { Settings } from '../support/settings.js';
import { cacheKey, readCached, writeCached } from './cache.js';
import type { LoadedManifest, ManifestFile } from './validate.js';

export type { LoadedManifest } from './validate.js';

export const MANIFEST_FILE = 'service.json';

/** Folder names under `services/` that hold a manifest (sorted). */
export async function listServiceDirs(root: string): Promise<string[]> {
  const servicesDir = path.join(root, 'services');
  let entries;
  try {
    entries = await fs.readdir(servicesDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError('no-services', `${servicesDir}: no services folder (set CORE_ROOT or run inside a core project)`);
    }
    throw error;
  }
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

export async function readManifestFiles(root: string): Promise<ManifestFile[]> {
  const dirs = await listServiceDirs(root);
  const files: ManifestFile[] = [];
  for (const dir of dirs) {
    const absolute = path.join(root, 'services', dir, MANIFEST_FILE);
    const file = path.relative(root, absolute);
    try {
      files.push({ file, dir, absolute, text: await fs.readFile(absolute, 'utf8') });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      files.push({ file, dir, absolute, text: undefined });
    }
  }
  return files;
}

/**
 * Load and validate every manifest; throws an IssuesError listing every problem.
 * With `cache`, manifests that validated before (same files, same build of core)
 * are taken from `.core-stack/manifests.json` without loading zod (~85 ms).
 */
export async function loadManifests(settings: Settings, options: { cache?: boolean } = {}): Promise<LoadedManifest[]> {
  const files = await readManifestFiles(settings.root);
  const cacheFile = path.join(settings.stackDir, 'manifests.json');
  const key = options.cache ? cacheKey(files) : undefined;
  if (key) {
    const cached = readCached(cacheFile, key);
    if (cached) return cached;
  }
  const { validateManifests } = await import('./validate.js');
  const { manifests, issues } = validateManifests(files);
  if (issues.length > 0) throw new IssuesError(issues, `invalid manifest${issues.length === 1 ? '' : 's'}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`);
  if (key) writeCached(cacheFile, key, manifests);
  return manifests;
}
