/**
 * The fast path of `core up`: a binary linked into `.dep/` before is reused
 * without running it or hashing it, as long as its record still fits the
 * manifest (same pinned version, or a PATH version still in range) and the
 * file it points to is the very file that was checked (path, size, mtime,
 * inode). Anything else goes through the full search of provision.ts.
 * `core deps install` always does the full search.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Binary } from '../manifest/schema.js';
import type { Settings } from '../support/settings.js';
import { depLink, fingerprintOf, readDepRecord } from './dep-link.js';
import type { Provisioned } from './types.js';
import { effectiveRange, inRange } from './version.js';

export async function reuseLinked(binary: Binary, settings: Settings): Promise<Provisioned | undefined> {
  const record = await readDepRecord(settings.depDir, binary.name);
  if (!record?.fingerprint) return undefined;
  const source = binary.sources.find((s) => s.type === record.source);
  if (!source) return undefined;
  const fits = source.type === 'path' ? inRange(record.version, effectiveRange(source.range, binary.version)) : record.version === binary.version;
  if (!fits) return undefined;
  const link = depLink(settings.depDir, binary.name);
  try {
    if (path.resolve(settings.depDir, await fs.readlink(link)) !== path.resolve(settings.depDir, record.target)) return undefined;
    const now = await fingerprintOf(link);
    const then = record.fingerprint;
    if (now.realpath !== then.realpath || now.size !== then.size || now.mtimeMs !== then.mtimeMs || now.ino !== then.ino) return undefined;
    return { name: binary.name, version: record.version, source: record.source, ...(record.origin ? { origin: record.origin } : {}), path: link, target: now.realpath };
  } catch {
    return undefined;
  }
}
