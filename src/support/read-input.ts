/**
 * Read one input file a user wrote (`service.json`, `.env`) without trusting
 * what sits at its path: a FIFO must not hang us, a directory or a device is
 * not a file, a huge file is refused before it is read, and the bytes must be
 * UTF-8. Problems are values (a sentence without the file's contents), so the
 * caller can report them with the file name next to its other issues.
 */
import fs from 'node:fs';

export type InputFile = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly missing: boolean; readonly problem: string };

/** Largest `services/<name>/service.json` read (1 MiB): the shipped ones are under 2 KiB. */
export const MANIFEST_MAX_BYTES = 1024 * 1024;

const UTF8_BOM = [0xef, 0xbb, 0xbf];

export function readInputFile(file: string, maxBytes: number): InputFile {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, missing: true, problem: 'does not exist' };
    return { ok: false, missing: false, problem: `cannot open (${code ?? (error as Error).message})` };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { ok: false, missing: false, problem: `is ${kindOf(stat)}, not a regular file` };
    if (stat.size > maxBytes) return { ok: false, missing: false, problem: `is ${formatBytes(stat.size)}, over the ${formatBytes(maxBytes)} limit` };
    // Read to the end, not to st_size: the file may have grown since fstat, and some
    // (procfs) report 0. Stop one byte past the limit.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(Math.max(stat.size, 64 * 1024), maxBytes + 1 - length));
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
      if (length > maxBytes) return { ok: false, missing: false, problem: `is over the ${formatBytes(maxBytes)} limit` };
    }
    return decodeUtf8(Buffer.concat(chunks, length));
  } catch (error) {
    return { ok: false, missing: false, problem: `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  } finally {
    fs.closeSync(fd);
  }
}

/** Strict UTF-8; a leading BOM (what Windows editors write) is dropped. */
export function decodeUtf8(bytes: Uint8Array): InputFile {
  const start = UTF8_BOM.every((b, i) => bytes[i] === b) ? 3 : 0;
  const body = bytes.subarray(start);
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body) };
  } catch {
    const offset = start + invalidUtf8Offset(body);
    const line = countNewlines(bytes.subarray(0, offset)) + 1;
    return { ok: false, missing: false, problem: `is not valid UTF-8: byte offset ${offset} (line ${line})` };
  }
}

/**
 * TextDecoder says only "invalid". Decode leniently and walk the code points:
 * the first U+FFFD that is not an encoded U+FFFD (EF BF BD) marks the first
 * bad byte; every code point before it is valid, so its byte offset is exact.
 */
function invalidUtf8Offset(bytes: Uint8Array): number {
  let offset = 0;
  for (const char of new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)) {
    const cp = char.codePointAt(0)!;
    if (cp === 0xfffd && !(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) return offset;
    offset += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return offset;
}

function countNewlines(bytes: Uint8Array): number {
  let count = 0;
  for (const b of bytes) if (b === 0x0a) count += 1;
  return count;
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a file';
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
