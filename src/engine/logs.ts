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

/**
 * An append-only file that rotates to `<path>.1` at `maxBytes`. Writes are
 * synchronous: a line is on disk before the next event is handled, which keeps
 * `core logs` and failure reports in step with what the supervisor saw, and
 * costs little at the line rates of a local stack. A write error (disk full)
 * drops the line rather than taking the supervisor down.
 */
export function openRotatingLog(file: string, maxBytes = DEFAULT_LOG_MAX_BYTES): LogFile {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let fd: number | undefined;
  let size = 0;
  const open = () => {
    fd = fs.openSync(file, 'a', 0o600);
    size = fs.fstatSync(fd).size;
  };
  const close = () => {
    if (fd !== undefined) fs.closeSync(fd);
    fd = undefined;
  };
  open();
  return {
    write(line) {
      const data = Buffer.from(`${line}\n`);
      try {
        if (size > 0 && size + data.length > maxBytes) {
          close();
          fs.renameSync(file, `${file}.1`);
          open();
        }
        if (fd === undefined) open();
        fs.writeSync(fd as number, data);
        size += data.length;
      } catch {
        // Dropped, see above.
      }
    },
    close,
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
