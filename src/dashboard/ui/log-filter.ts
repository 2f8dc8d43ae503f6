/**
 * Search, highlight and copy for the log view. A plain substring match, case
 * insensitive: people paste what they saw (a request id, an error text), and a
 * regular expression would make `.` or `(` in that text surprising. Pure.
 */
import type { LogLine } from './store.js';

export function matches(line: LogLine, needle: string): boolean {
  return needle === '' || line.line.toLowerCase().includes(needle);
}

export function filterLines(lines: readonly LogLine[], query: string): LogLine[] {
  const needle = query.trim().toLowerCase();
  return needle === '' ? [...lines] : lines.filter((line) => matches(line, needle));
}

export interface Segment {
  readonly text: string;
  readonly hit: boolean;
}

/** A line cut into the parts that match `query` and the rest. */
export function highlight(text: string, query: string): Segment[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') return [{ text, hit: false }];
  const lower = text.toLowerCase();
  const segments: Segment[] = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + needle.length)) {
    if (at > from) segments.push({ text: text.slice(from, at), hit: false });
    segments.push({ text: text.slice(at, at + needle.length), hit: true });
    from = at + needle.length;
  }
  if (from < text.length) segments.push({ text: text.slice(from), hit: false });
  return segments;
}

/** What "copy" puts on the clipboard: the lines as printed, the process's name first only in the merged view. */
export function plainText(lines: readonly LogLine[], merged: boolean): string {
  return lines.map((l) => (merged ? `${l.name} | ${l.line}` : l.line)).join('\n');
}
