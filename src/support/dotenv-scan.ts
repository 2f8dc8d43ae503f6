/**
 * What dotenv.parse does not tell: the line each variable was read from (for
 * messages), and where an unquoted `#` cut a value short. dotenv 18 ends an
 * unquoted value at the first `#`, with or without a space before it, so
 * `PASSWORD=pa#ss` is read as `pa`. A shell reads `#` as a comment only at the
 * start of a word, so `#` right after other characters is almost surely part
 * of the value: that is what we warn about. ` # note` after a space is a comment
 * to both and stays quiet.
 *
 * LINE is dotenv 18.0.10's own pattern (node_modules/dotenv/dist/index.cjs),
 * with the `d` flag for match indices; tests/unit/dotenv-scan.test.ts checks
 * that it still finds the keys dotenv.parse returns.
 */
const LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/dgm;

export interface DotenvScan {
  /** The 1-based line of each variable's last definition (the one dotenv keeps). */
  readonly lines: Readonly<Record<string, number>>;
  /** Variables whose last definition an unquoted `#` cut short, with that line. */
  readonly cut: ReadonlyArray<{ readonly key: string; readonly line: number }>;
}

export function scanDotenv(source: string): DotenvScan {
  const text = source.replace(/\r\n?/g, '\n');
  const lines: Record<string, number> = {};
  const cutAt = new Map<string, number>();
  let line = 1;
  let counted = 0;
  for (const match of text.matchAll(LINE)) {
    const key = match[1]!;
    const [keyStart, keyEnd] = match.indices![1]!;
    line += countNewlines(text, counted, keyStart);
    counted = keyStart;
    lines[key] = line;
    cutAt.delete(key);
    const valueEnd = match.indices![2]?.[1] ?? keyEnd;
    const matchEnd = match.index! + match[0].length;
    const hash = text.indexOf('#', valueEnd);
    if (hash !== -1 && hash < matchEnd && !/\s/.test(text[hash - 1]!)) cutAt.set(key, line);
  }
  return { lines, cut: [...cutAt].map(([key, at]) => ({ key, line: at })) };
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count += 1;
  return count;
}
