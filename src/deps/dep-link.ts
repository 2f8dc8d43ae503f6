/**
 * `.dep/<name>`: a symlink to the chosen binary, replaced atomically (a new link renamed
 * over the old), plus `.dep/.<name>.json` recording what was chosen, for `core deps list`.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CacheOrigin, SourceType } from './types.js';

export interface DepRecord {
  readonly name: string;
  readonly version: string;
  readonly source: SourceType;
  readonly origin?: CacheOrigin;
  readonly target: string;
  readonly provisionedAt: string;
  /** The real file's identity when linked: a changed file means "check again". */
  readonly fingerprint?: Fingerprint;
}

export interface Fingerprint {
  readonly realpath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

export async function fingerprintOf(file: string): Promise<Fingerprint> {
  const realpath = await fs.realpath(file);
  const stat = await fs.stat(realpath);
  return { realpath, size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino };
}

export function depLink(depDir: string, name: string): string {
  return path.join(depDir, name);
}

function recordFile(depDir: string, name: string): string {
  return path.join(depDir, `.${name}.json`);
}

async function replaceAtomically(final: string, create: (temp: string) => Promise<void>): Promise<void> {
  const temp = `${path.join(path.dirname(final), `.${path.basename(final)}`)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await create(temp);
    await fs.rename(temp, final);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** Point `.dep/<name>` at `target` and record how it was chosen. Returns the link's path. */
export async function linkDep(depDir: string, record: DepRecord): Promise<string> {
  await fs.mkdir(depDir, { recursive: true });
  const link = depLink(depDir, record.name);
  await replaceAtomically(link, (temp) => fs.symlink(record.target, temp));
  await replaceAtomically(recordFile(depDir, record.name), (temp) => fs.writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, { flag: 'wx' }));
  return link;
}

export async function readDepRecord(depDir: string, name: string): Promise<DepRecord | undefined> {
  try {
    return JSON.parse(await fs.readFile(recordFile(depDir, name), 'utf8')) as DepRecord;
  } catch {
    return undefined;
  }
}
