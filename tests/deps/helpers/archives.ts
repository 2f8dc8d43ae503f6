/**
 * Fixture archives built in memory, in the upstream layouts, with the real archive
 * libraries (`tar` headers, `yazl`), including the malformed ones the safety checks must
 * refuse: `../` names, absolute names, symlinks and hard links pointing out.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import yazl from 'yazl';

export type FixtureEntry =
  | { readonly name: string; readonly body: string | Buffer; readonly mode?: number }
  | { readonly name: string; readonly symlink: string }
  | { readonly name: string; readonly hardlink: string }
  | { readonly name: string; readonly dir: true };

export function tarGz(entries: readonly FixtureEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = 'body' in entry ? Buffer.from(entry.body) : Buffer.alloc(0);
    const header = new Header({
      path: entry.name,
      mode: 'body' in entry ? (entry.mode ?? 0o755) : 0o755,
      size: body.length,
      mtime: new Date(0),
      type: 'symlink' in entry ? 'SymbolicLink' : 'hardlink' in entry ? 'Link' : 'dir' in entry ? 'Directory' : 'File',
      linkpath: 'symlink' in entry ? entry.symlink : 'hardlink' in entry ? entry.hardlink : '',
      uid: 0,
      gid: 0,
    });
    const block = Buffer.alloc(512);
    header.encode(block);
    blocks.push(block, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

export async function zip(entries: readonly FixtureEntry[]): Promise<Buffer> {
  const archive = new yazl.ZipFile();
  for (const entry of entries) {
    // yazl refuses unsafe names itself; the zip-slip fixtures need them anyway.
    const options = { mtime: new Date(0), forceDosTimestamp: true } as const;
    if ('body' in entry) archive.addBuffer(Buffer.from(entry.body), entry.name, { ...options, mode: 0o100000 | (entry.mode ?? 0o755) });
    else if ('symlink' in entry) archive.addBuffer(Buffer.from(entry.symlink), entry.name, { ...options, mode: 0o120777 });
    else if ('dir' in entry) archive.addEmptyDirectory(entry.name, options);
  }
  archive.end();
  const chunks: Buffer[] = [];
  for await (const chunk of archive.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function digest(algorithm: 'sha256' | 'sha512', data: Buffer): string {
  return createHash(algorithm).update(data).digest('hex');
}

/** A checksum file in the GNU coreutils layout every upstream uses. */
export function checksumFile(algorithm: 'sha256' | 'sha512', files: Record<string, Buffer>): string {
  return Object.entries(files)
    .map(([name, data]) => `${digest(algorithm, data)}  ${name}\n`)
    .join('');
}

/** A tiny "binary": a script that prints a version the way the real one does. */
export function versionScript(output: string): string {
  return `#!/bin/sh\necho '${output}'\n`;
}

/**
 * yazl will not write a `../` or absolute name, so a zip-slip fixture is written with a
 * placeholder name of the same length and patched (local header and central directory).
 */
export function patchZipName(archive: Buffer, placeholder: string, name: string): Buffer {
  if (placeholder.length !== name.length) throw new Error('patchZipName: names must have the same length');
  const out = Buffer.from(archive);
  const from = Buffer.from(placeholder);
  let patched = 0;
  for (let at = out.indexOf(from); at !== -1; at = out.indexOf(from, at + 1)) {
    out.write(name, at);
    patched++;
  }
  if (patched < 2) throw new Error(`patchZipName: ${placeholder} found ${patched} times`);
  return out;
}
