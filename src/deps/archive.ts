/**
 * Take one member out of a .tar.gz or .zip (with the `tar` and `yauzl` packages), after
 * checking every entry: see archive-paths.ts for what is refused.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { list as listTar, type ReadEntry } from 'tar';
import yauzl from 'yauzl';
import { normalizeEntryName, unsafeEntryName, unsafeHardLink, unsafeSymlink } from './archive-paths.js';
import type { FailureReason } from './types.js';

export type ArchiveKind = 'tar.gz' | 'zip';

export type ExtractOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: Extract<FailureReason, 'unsafe-archive' | 'bad-archive' | 'member-missing'>; readonly message: string };

/** A refusal found while reading entries; thrown to stop the reader, caught below. */
class Refusal extends Error {
  constructor(
    readonly reason: 'unsafe-archive' | 'bad-archive',
    message: string,
  ) {
    super(message);
  }
}

/** Write `member` of `archive` to the new file `dest` (mode 0755). The caller removes `dest` on failure. */
export async function extractMember(archive: string, kind: ArchiveKind, member: string, dest: string): Promise<ExtractOutcome> {
  const wanted = normalizeEntryName(member);
  try {
    const found = kind === 'tar.gz' ? await extractFromTar(archive, wanted, dest) : await extractFromZip(archive, wanted, dest);
    if (!found) return { ok: false, reason: 'member-missing', message: `the archive has no "${member}"` };
    return { ok: true };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.reason, message: error.message };
    return { ok: false, reason: 'bad-archive', message: `cannot read the ${kind} archive: ${(error as Error).message}` };
  }
}

function refuseUnsafe(name: string, kind: 'file' | 'symlink' | 'hardlink' | 'other', linkTarget?: string): void {
  const why =
    unsafeEntryName(name) ?? (kind === 'symlink' ? unsafeSymlink(name, linkTarget ?? '') : undefined) ?? (kind === 'hardlink' ? unsafeHardLink(name, linkTarget ?? '') : undefined);
  if (why) throw new Refusal('unsafe-archive', `unsafe archive entry: ${why}`);
}

function checkMember(name: string, wanted: string, kind: string, seen: boolean): boolean {
  if (normalizeEntryName(name) !== wanted) return false;
  if (kind !== 'file') throw new Refusal('bad-archive', `"${name}" in the archive is a ${kind}, not a regular file`);
  if (seen) throw new Refusal('bad-archive', `"${name}" appears twice in the archive`);
  return true;
}

async function extractFromTar(archive: string, wanted: string, dest: string): Promise<boolean> {
  const abort = new AbortController();
  let writing: Promise<void> | undefined;
  let failure: unknown;
  const onReadEntry = (entry: ReadEntry) => {
    try {
      const kind = tarKind(entry.type);
      refuseUnsafe(entry.path, kind, entry.linkpath);
      if (checkMember(entry.path, wanted, kind, writing !== undefined)) {
        writing = pipeline(entry, fs.createWriteStream(dest, { flags: 'wx', mode: 0o755 }), { signal: abort.signal });
        writing.catch(() => undefined);
      }
    } catch (error) {
      failure ??= error;
    }
  };
  try {
    // strict: a warning (bad header, truncated gzip) is an error, not a skipped entry.
    await listTar({ file: archive, strict: true, onReadEntry });
  } catch (error) {
    failure ??= error;
  }
  if (failure) {
    // A truncated member never ends: stop its writer rather than wait for it.
    abort.abort();
    await writing?.catch(() => undefined);
    throw failure;
  }
  if (!writing) return false;
  await writing;
  return true;
}

function tarKind(type: string): 'file' | 'symlink' | 'hardlink' | 'other' {
  switch (type) {
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      return 'file';
    case 'SymbolicLink':
      return 'symlink';
    case 'Link':
      return 'hardlink';
    default:
      return 'other';
  }
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

async function extractFromZip(archive: string, wanted: string, dest: string): Promise<boolean> {
  // decodeStrings off: yauzl would reject bad names itself, with its own words; we check
  // them here so a zip and a tarball are refused alike.
  const zip = await yauzl.openPromise(archive, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true });
  try {
    let found = false;
    for await (const entry of zip.eachEntry()) {
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
      const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
      const kind = mode === S_IFLNK ? 'symlink' : mode === S_IFDIR || name.endsWith('/') ? 'other' : 'file';
      const linkTarget = kind === 'symlink' ? (await readAll(await zip.openReadStreamPromise(entry))).toString('utf8') : undefined;
      refuseUnsafe(name, kind, linkTarget);
      if (checkMember(name, wanted, kind, found)) {
        found = true;
        await pipeline(await zip.openReadStreamPromise(entry), fs.createWriteStream(dest, { flags: 'wx', mode: 0o755 }));
      }
    }
    return found;
  } finally {
    zip.close();
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
