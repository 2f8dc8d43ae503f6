/** What `.dep/` holds now, for `core deps list`: each link, its record, whether it still resolves. */
import fs from 'node:fs/promises';
import type { Binary } from '../manifest/schema.js';
import type { Settings } from '../support/settings.js';
import { depLink, readDepRecord } from './dep-link.js';
import type { CacheOrigin, SourceType } from './types.js';

export interface ListedBinary {
  readonly name: string;
  /** The version the manifest pins. */
  readonly pinned: string;
  /** ok: linked and the target exists; missing: never provisioned; broken: the link dangles. */
  readonly status: 'ok' | 'missing' | 'broken';
  /** The version provisioned (a PATH binary may differ from the pin). */
  readonly version?: string;
  readonly source?: SourceType;
  readonly origin?: CacheOrigin;
  /** `.dep/<name>`. */
  readonly path: string;
  /** The real file, when the link resolves. */
  readonly target?: string;
}

export async function listProvisioned(binaries: readonly Binary[], settings: Settings): Promise<ListedBinary[]> {
  const names = new Map<string, Binary>();
  for (const binary of binaries) if (!names.has(binary.name)) names.set(binary.name, binary);
  return Promise.all([...names.values()].map((binary) => listOne(binary, settings.depDir)));
}

async function listOne(binary: Binary, depDir: string): Promise<ListedBinary> {
  const path = depLink(depDir, binary.name);
  const base = { name: binary.name, pinned: binary.version, path };
  try {
    await fs.lstat(path);
  } catch {
    return { ...base, status: 'missing' };
  }
  const record = await readDepRecord(depDir, binary.name);
  const known = record ? { version: record.version, source: record.source, ...(record.origin ? { origin: record.origin } : {}) } : {};
  try {
    return { ...base, ...known, status: 'ok', target: await fs.realpath(path) };
  } catch {
    return { ...base, ...known, status: 'broken' };
  }
}
