/**
 * Process output: a size-bounded file per process, and the last lines in memory
 * for status and failure messages.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LogFile, OpenLog } from './interfaces.js';

/** Rotate a log file when it would pass this size; one previous file (`.1`) is kept. */
export const DEFAULT_LOG_MAX_BYTES = 5 * 1024 * 1024;
/** Lines kept in memory per process (process-compose's default `log_length`). */
export const DEFAULT_RING_LINES = 1000;

/** Lines are written together once per event-loop turn, or sooner past this many bytes. */
const FLUSH_BYTES = 64 * 1024;

/**
 * An append-only file that rotates to `<path>.1` at `maxBytes`. Lines are
 * gathered and written once per event-loop turn (one write(2) per turn, not per
 * line: per-line writes capped a chatty service at ~45 MB/s, bench/logs.mjs), so
 * `core logs` sees a line a moment after the supervisor does; failure reports
 * read the in-memory ring. `close()` writes what is pending. A write error (disk
 * full) drops the lines rather than taking the supervisor down.
 */
export function openRotatingLog(file: string, maxBytes = DEFAULT_LOG_MAX_BYTES): LogFile {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let fd: number | undefined;
  let size = 0;
  let pending: string[] = [];
  let pendingBytes = 0;
  let scheduled: NodeJS.Immediate | undefined;
  const open = () => {
    fd = fs.openSync(file, 'a', 0o600);
    size = fs.fstatSync(fd).size;
  };
  const closeFd = () => {
    if (fd !== undefined) fs.closeSync(fd);
    fd = undefined;
  };
  const writeOut = (lines: readonly string[], bytes: number) => {
    if (lines.length === 0) return;
    if (fd === undefined) open();
    fs.writeSync(fd as number, `${lines.join('\n')}\n`);
    size += bytes;
  };
  const flush = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    const lines = pending;
    pending = [];
    pendingBytes = 0;
    try {
      // Rotate between lines, exactly where line-by-line writing would have.
      let chunk: string[] = [];
      let chunkBytes = 0;
      for (const line of lines) {
        const bytes = Buffer.byteLength(line) + 1;
        if (size + chunkBytes > 0 && size + chunkBytes + bytes > maxBytes) {
          writeOut(chunk, chunkBytes);
          chunk = [];
          chunkBytes = 0;
          closeFd();
          fs.renameSync(file, `${file}.1`);
          open();
        }
        chunk.push(line);
        chunkBytes += bytes;
      }
      writeOut(chunk, chunkBytes);
    } catch {
      // Dropped, see above.
    }
  };
  open();
  return {
    write(line) {
      pending.push(line);
      pendingBytes += line.length + 1;
      if (pendingBytes >= FLUSH_BYTES) flush();
      else scheduled ??= setImmediate(flush);
    },
    close() {
      flush();
      closeFd();
    },
  };
}

export const fileLogs =
  (maxBytes = DEFAULT_LOG_MAX_BYTES): OpenLog =>
  (file) =>
    openRotatingLog(file, maxBytes);

/** The last `capacity` lines, oldest first. */
export class LineRing {
  private readonly lines: string[] = [];
  private start = 0;
  /** Lines ever pushed: a stable offset for "lines since" queries. */
  total = 0;

  constructor(private readonly capacity = DEFAULT_RING_LINES) {}

  push(line: string): void {
    if (this.lines.length < this.capacity) this.lines.push(line);
    else {
      this.lines[this.start] = line;
      this.start = (this.start + 1) % this.capacity;
    }
    this.total += 1;
  }

  /** The last `n` lines (all kept lines when omitted), oldest first. */
  tail(n = this.capacity): string[] {
    const ordered = [...this.lines.slice(this.start), ...this.lines.slice(0, this.start)];
    return n >= ordered.length ? ordered : ordered.slice(ordered.length - n);
  }

  clear(): void {
    this.lines.length = 0;
    this.start = 0;
  }
}
