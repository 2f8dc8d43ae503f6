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
 * Beside each log file, `<file>.idx` says when its lines arrived, without
 * changing the log itself (it stays the process's own output, readable as is):
 * one text line per batch written, `<byte offset> <epoch ms>`, and at each
 * opening by a stack run `<byte offset> <epoch ms> run=<id>` (where `core logs`
 * draws its separator). A batch is what arrived in one event-loop turn, so its
 * lines share one time: one more small write per batch, not per line.
 */
export const INDEX_SUFFIX = '.idx';

/** Told how many lines meant for `file` were not written, and why. */
export type OnDropped = (file: string, error: unknown, lines: number) => void;

/**
 * An append-only file that rotates to `<path>.1` at `maxBytes`. Lines are
 * gathered and written once per event-loop turn (one write(2) per turn, not per
 * line: per-line writes capped a chatty service at ~45 MB/s, bench/logs.mjs), so
 * `core logs` sees a line a moment after the supervisor does; failure reports
 * read the in-memory ring. `close()` writes what is pending. Nothing here
 * throws: a failed open, write or rotation (disk full, read-only folder) drops
 * those lines and tells `onDropped`, rather than taking the supervisor down;
 * the next turn tries again, so logging resumes once there is room.
 */
export function openRotatingLog(file: string, maxBytes = DEFAULT_LOG_MAX_BYTES, onDropped: OnDropped = () => {}, run?: string): LogFile {
  let fd: number | undefined;
  let size = 0;
  let pending: string[] = [];
  let pendingBytes = 0;
  let pendingSince = 0;
  let scheduled: NodeJS.Immediate | undefined;
  const index = indexWriter(`${file}${INDEX_SUFFIX}`);
  let runMarked = run === undefined;
  const open = () => {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fd = fs.openSync(file, 'a', 0o600);
    size = fs.fstatSync(fd).size;
  };
  const closeFd = () => {
    const open = fd;
    fd = undefined;
    if (open !== undefined) fs.closeSync(open);
  };
  const writeOut = (lines: readonly string[], bytes: number) => {
    if (lines.length === 0) return;
    try {
      if (fd === undefined) open();
      index.write(`${size} ${pendingSince}${runMarked ? '' : ` run=${run}`}\n`);
      runMarked = true;
      const buffer = Buffer.from(`${lines.join('\n')}\n`);
      // A nearly full disk may take part of a write; the next part then fails with ENOSPC.
      for (let at = 0; at < buffer.length; ) at += fs.writeSync(fd as number, buffer, at);
      size += bytes;
    } catch (error) {
      onDropped(file, error, lines.length);
    }
  };
  const rotate = () => {
    try {
      closeFd();
      fs.renameSync(file, `${file}.1`);
      index.rotate();
    } catch {
      // Not rotated: appending goes on to the same file (or fails and drops, below).
    }
    size = 0;
  };
  const flush = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    const lines = pending;
    pending = [];
    pendingBytes = 0;
    // Rotate between lines, exactly where line-by-line writing would have.
    let chunk: string[] = [];
    let chunkBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line) + 1;
      if (size + chunkBytes > 0 && size + chunkBytes + bytes > maxBytes) {
        writeOut(chunk, chunkBytes);
        chunk = [];
        chunkBytes = 0;
        rotate();
      }
      chunk.push(line);
      chunkBytes += bytes;
    }
    writeOut(chunk, chunkBytes);
  };
  try {
    open();
  } catch {
    // Tried again at the first write, which counts what is dropped.
  }
  return {
    write(line) {
      if (pending.length === 0) pendingSince = Date.now();
      pending.push(line);
      pendingBytes += line.length + 1;
      if (pendingBytes >= FLUSH_BYTES) flush();
      else scheduled ??= setImmediate(flush);
    },
    close() {
      flush();
      try {
        closeFd();
      } catch {
        // Closing cannot lose more than the failed write already did.
      }
      index.close();
    },
  };
}

/**
 * Appends to a log's index. Best effort: a lost index entry costs `core logs`
 * a time, never a line, so its failures are not counted as drops.
 */
function indexWriter(file: string) {
  let fd: number | undefined;
  return {
    write(entry: string) {
      try {
        fd ??= fs.openSync(file, 'a', 0o600);
        fs.writeSync(fd, entry);
      } catch {
        // See above: the log line itself is written or counted by the caller.
      }
    },
    rotate() {
      this.close();
      try {
        fs.renameSync(file, `${file}.1`);
      } catch {
        // An index that cannot move is removed below so it cannot describe the wrong bytes.
      }
      fs.rmSync(file, { force: true });
    },
    close() {
      const open = fd;
      fd = undefined;
      try {
        if (open !== undefined) fs.closeSync(open);
      } catch {
        // Nothing more is written to it.
      }
    },
  };
}

/** `run`: the stack run's id, written where this opening begins (see INDEX_SUFFIX). */
export const fileLogs =
  (maxBytes = DEFAULT_LOG_MAX_BYTES, onDropped?: OnDropped, run?: string): OpenLog =>
  (file) =>
    openRotatingLog(file, maxBytes, onDropped, run);

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
