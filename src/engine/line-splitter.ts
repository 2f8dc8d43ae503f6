/**
 * Output bytes → lines, with a bound on a line's length. Works on Buffers and
 * hands out fresh strings: concatenating and slicing strings (as this did
 * before) let each kept line pin the huge cons/sliced string it came from, and
 * a service writing 200 MB without a newline drove the supervisor past 600 MB.
 */

/**
 * A line longer than this many bytes is cut: its first MAX_LINE_BYTES are kept
 * (with a marker saying so) and the rest, up to the next newline, is dropped
 * and counted. 16 KiB holds any sensible log line; with the 1000-line ring per
 * process that bounds the kept output at ~16 MB (32 MB for non-Latin-1 text).
 */
export const MAX_LINE_BYTES = 16 * 1024;

/** Appended to the kept head of a line that was cut. */
export const cutMarker = (maxBytes: number): string => ` … [core: line cut at ${maxBytes} bytes]`;
/** A line of its own once an over-long line ends: how much of it was dropped. */
export const droppedLine = (bytes: number): string => `[core: dropped ${bytes} more bytes of a line longer than the limit]`;

const NEWLINE = 0x0a;
const CR = 0x0d;

const isContinuation = (byte: number | undefined) => byte !== undefined && (byte & 0xc0) === 0x80;

/** Where to cut `head` so no UTF-8 character is split, given the byte that follows it. */
function charBoundary(head: Buffer, next: number | undefined): number {
  if (!isContinuation(next)) return head.length;
  let at = head.length - 1;
  while (at > head.length - 4 && at > 0 && isContinuation(head[at])) at -= 1;
  return at; // before the lead byte of the split character
}

export interface LineSplitter {
  push(chunk: Buffer): void;
  /** The stream ended: emit what is left. */
  end(): void;
}

export function createLineSplitter(emit: (line: string) => void, maxBytes = MAX_LINE_BYTES): LineSplitter {
  // The bytes of the current line so far (at most maxBytes), and how many of it were dropped.
  let parts: Buffer[] = [];
  let size = 0;
  let dropped = 0;

  const finishLine = () => {
    if (dropped > 0) {
      emit(droppedLine(dropped));
      dropped = 0;
      return;
    }
    let line = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    parts = [];
    size = 0;
    emit(line.toString('utf8'));
  };

  /** Add bytes that hold no newline to the current line. */
  const add = (bytes: Buffer) => {
    if (bytes.length === 0) return;
    if (dropped > 0) {
      dropped += bytes.length;
      return;
    }
    if (size + bytes.length <= maxBytes) {
      // Copy: a subarray would keep the whole 64 KiB read buffer alive.
      parts.push(Buffer.from(bytes));
      size += bytes.length;
      return;
    }
    const head = Buffer.concat([...parts, bytes.subarray(0, maxBytes - size)], maxBytes);
    const keep = charBoundary(head, bytes[maxBytes - size]);
    emit(head.toString('utf8', 0, keep) + cutMarker(maxBytes));
    dropped = size + bytes.length - keep;
    parts = [];
    size = 0;
  };

  return {
    push(chunk) {
      let start = 0;
      for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, start)) {
        add(chunk.subarray(start, newline));
        finishLine();
        start = newline + 1;
      }
      add(chunk.subarray(start));
    },
    end() {
      if (size > 0 || dropped > 0) finishLine();
    },
  };
}
