/**
 * A cache of validated manifests, keyed by the manifest files' contents and the
 * build of core that validated them. Manifests hold placeholders, not their
 * values, so nothing secret lands here. Any doubt (no build id, a damaged file)
 * means "validate again".
 */
import fs from 'node:fs';
import { writeAtomicSync } from '../support/atomic-write.js';
import { sha256Hex } from '../support/sha256.js';
import type { LoadedManifest, ManifestFile } from './validate.js';

// Set by scripts/build.mjs from the sources that define validation; absent under tests.
declare const __CORE_BUILD_ID__: string | undefined;
const BUILD_ID = typeof __CORE_BUILD_ID__ === 'string' ? __CORE_BUILD_ID__ : undefined;

export function cacheKey(files: readonly ManifestFile[]): string | undefined {
  if (!BUILD_ID) return undefined;
  // sha256Hex, not node:crypto: loading that costs more than hashing a few manifests (support/sha256.ts).
  return sha256Hex(BUILD_ID + files.map((file) => `\0${file.absolute}\0${file.text ?? `\0missing\0${file.problem ?? ''}`}`).join(''));
}

export function readCached(file: string, key: string): LoadedManifest[] | undefined {
  try {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as { key?: string; manifests?: LoadedManifest[] };
    return cached.key === key && Array.isArray(cached.manifests) ? cached.manifests : undefined;
  } catch {
    return undefined;
  }
}

export function writeCached(file: string, key: string, manifests: readonly LoadedManifest[]): void {
  try {
    writeAtomicSync(file, JSON.stringify({ key, manifests }));
  } catch {
    // Only a cache: the next run validates again.
  }
}
