/**
 * Reading a log file with its index (`<file>.idx`, written by
 * src/engine/logs.ts): each line with the time it arrived and, where a stack
 * run opened the file, that run's id. A log without an index (process-compose
 * writes its own, or an older core) reads with no times. Pure but for `readLog`.
 */
import fs from 'node:fs';
import { INDEX_SUFFIX } from '../../engine/logs.js';

export interface IndexEntry {
  readonly offset: number;
  readonly ms: number;
  readonly run?: string;
}

export interface LogLine {
  readonly offset: number;
  readonly text: string;
  /** When the line arrived (epoch ms), if the index says. */
  readonly ms?: number;
  /** Set on the first line a stack run wrote: that run's id. */
  readonly runStart?: string;
}

export function parseIndex(text: string): IndexEntry[] {
  const entries: IndexEntry[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+) (\d+)(?: run=(\S+))?$/.exec(line);
    if (match) entries.push({ offset: Number(match[1]), ms: Number(match[2]), ...(match[3] ? { run: match[3] } : {}) });
  }
  return entries;
}

/**
 * The lines of `text` (which starts at byte `start` of the file), each with its
 * time and run start from `index`. A last line without its newline is left out:
 * it is still being written; `rest` is where it begins.
 */
export function indexLines(text: string, start: number, index: readonly IndexEntry[]): { lines: LogLine[]; rest: number } {
  const lines: LogLine[] = [];
  let offset = start;
  let at = 0;
  // Entries are in offset order; walk them alongside the lines.
  let i = 0;
  let current: IndexEntry | undefined;
  let previousRun: string | undefined;
  while (i < index.length && index[i]!.offset <= start) {
    current = index[i]!;
    if (current.run && current.offset < start) previousRun = current.run;
    i++;
  }
  for (;;) {
    const end = text.indexOf('\n', at);
    if (end < 0) break;
    const raw = text.slice(at, end);
    while (i < index.length && index[i]!.offset <= offset) current = index[i++]!;
    const runStart = current?.run && current.offset === offset && current.run !== previousRun ? current.run : undefined;
    if (current?.run && current.offset === offset) previousRun = current.run;
    lines.push({ offset, text: raw, ...(current ? { ms: current.ms } : {}), ...(runStart ? { runStart } : {}) });
    offset += Buffer.byteLength(raw) + 1;
    at = end + 1;
  }
  return { lines, rest: offset };
}

/** The file's lines from byte `start`; an unreadable file has none. */
export function readLog(file: string, start = 0): { lines: LogLine[]; rest: number; size: number } {
  let buffer: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size < start) start = 0; // rotated: read the new file from its start
      buffer = Buffer.alloc(size - start);
      fs.readSync(fd, buffer, 0, buffer.length, start);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return { lines: [], rest: start, size: start };
  }
  let index: IndexEntry[] = [];
  try {
    index = parseIndex(fs.readFileSync(`${file}${INDEX_SUFFIX}`, 'utf8'));
  } catch {
    // No index: lines without times.
  }
  const { lines, rest } = indexLines(buffer.toString('utf8'), start, index);
  return { lines, rest, size: start + buffer.length };
}
