/**
 * Fingerprints an apply compares instead of values: a secret by the sha256 of
 * its value (never printed, never sent), an executable by its identity on disk.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function secretFingerprints(values: Readonly<Record<string, string>> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, createHash('sha256').update(value).digest('hex')]));
}

/**
 * The file a command names, as `.dep/` records it (deps/dep-link.ts
 * `fingerprintOf`): real path, size, mtime and inode, so re-pointing `.dep/x`
 * or replacing the file shows. A bare name (looked up on PATH) or a missing
 * file: undefined, not compared.
 */
export function binaryFingerprint(command: string): string | undefined {
  if (!path.isAbsolute(command)) return undefined;
  try {
    const real = fs.realpathSync(command);
    const stat = fs.statSync(real);
    return `${real}:${stat.size}:${stat.mtimeMs}:${stat.ino}`;
  } catch {
    return undefined;
  }
}
