/**
 * The file under a process-compose log: truncated at opening
 * (pclog/logger_facade.go getFileWriter), or lumberjack v2.2.1's rotating file
 * when `rotation` is set (lumberjack.ts). Each line is written as it comes (one
 * write per line, as process-compose with `flush_each_line`), so a rotation
 * falls between lines. Nothing here throws: a failed open or write drops the
 * line and says so through `onDropped`, as zerolog reports a failed write and
 * goes on.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface LineWriter {
  /** `line` ends with its newline (a console line of a "\n" message holds two). */
  write(line: string): void;
  close(): void;
}

/** Told how many lines meant for `file` were not written, and why (logs.ts OnDropped). */
export type OnDropped = (file: string, error: unknown, lines: number) => void;

const { O_WRONLY, O_CREAT, O_APPEND, O_TRUNC } = fs.constants;

/**
 * os.OpenFile(path, O_WRONLY|O_CREATE|O_APPEND|O_TRUNC, 0600) after MkdirAll(dir, 0755).
 * process-compose gives up on a file it cannot open (every later line is dropped), so does this.
 */
export function openTruncated(file: string, onDropped: OnDropped): LineWriter {
  let fd: number | undefined;
  let failure: unknown;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fd = fs.openSync(file, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0o600);
  } catch (error) {
    failure = error;
  }
  return {
    write(line) {
      if (fd === undefined) return onDropped(file, failure, 1);
      try {
        writeAll(fd, Buffer.from(line));
      } catch (error) {
        onDropped(file, error, 1);
      }
    },
    close() {
      const open = fd;
      fd = undefined;
      failure = new Error('closed');
      try {
        if (open !== undefined) fs.closeSync(open);
      } catch {
        // Nothing more is written to it.
      }
    },
  };
}

/** A nearly full disk may take part of a write; the rest then fails with ENOSPC. */
export function writeAll(fd: number, buffer: Buffer): void {
  for (let at = 0; at < buffer.length; ) at += fs.writeSync(fd, buffer, at);
}
