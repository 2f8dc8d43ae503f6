import { describe, expect, it } from 'vitest';
import { createLineSplitter, cutMarker, droppedLine } from '../../src/engine/line-splitter.js';

function split(chunks: (string | Buffer)[], max = 8): string[] {
  const lines: string[] = [];
  const splitter = createLineSplitter((line) => lines.push(line), max);
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  splitter.end();
  return lines;
}

describe('line splitter', () => {
  it('splits on newlines across chunks, strips a CR, keeps empty lines and an unterminated tail', () => {
    expect(split(['a\r\nb', 'c\n\nd', 'e'])).toEqual(['a', 'bc', '', 'de']);
  });

  it('cuts a line past the limit, says so, and counts what it dropped up to the newline', () => {
    expect(split(['0123', '456789ab', 'cd\nnext\n'])).toEqual([`01234567${cutMarker(8)}`, droppedLine(6), 'next']);
  });

  it('reports what an endless line dropped when the stream ends', () => {
    const mib = Buffer.alloc(1 << 20, 0x78);
    expect(split([mib, mib])).toEqual([`xxxxxxxx${cutMarker(8)}`, droppedLine(2 * (1 << 20) - 8)]);
  });

  it('never splits a UTF-8 character at the cut', () => {
    // "aaaaaaa" + "é" (2 bytes) straddles the 8-byte limit: the é goes with the dropped part.
    expect(split(['aaaaaaaé!\n'])).toEqual([`aaaaaaa${cutMarker(8)}`, droppedLine(3)]);
  });

  it('a line of exactly the limit is kept whole', () => {
    expect(split(['12345678\n'])).toEqual(['12345678']);
  });
});
