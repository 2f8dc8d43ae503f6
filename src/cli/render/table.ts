/**
 * A plain text table that stays readable: one line per row whatever a cell
 * holds (newlines and tabs become spaces), long cells cut with "…". A table
 * library would cost more start-up than these lines (`core status` is called
 * in loops).
 */

export interface TableOptions {
  /** Columns (by index) that may be cut: free text such as a failure reason. */
  readonly shrinkable: readonly number[];
  /** The most a shrinkable cell keeps when the width is not known (stdout not a terminal). */
  readonly cap: number;
  /** The terminal's width, when stdout is one: shrinkable columns give way to fit it. */
  readonly width?: number;
}

const GAP = 2;
// Eight characters still say "Running", "Error (…" or the start of a probe error; ten columns fit 80.
const MIN_SHRUNK = 8;

const oneLine = (cell: string) => cell.replace(/[\r\n\t\v\f]+/g, ' ');
const cut = (cell: string, width: number) => (cell.length <= width ? cell : `${cell.slice(0, Math.max(0, width - 1))}…`);

/** Pure: rows (the first is the header) to lines. */
export function renderTable(rows: readonly (readonly string[])[], options: TableOptions): string[] {
  const cells = rows.map((row) => row.map(oneLine));
  const columns = cells[0]?.length ?? 0;
  const natural = Array.from({ length: columns }, (_, c) => Math.max(...cells.map((row) => row[c]?.length ?? 0)));
  const widths = natural.map((w, c) => (options.shrinkable.includes(c) ? Math.min(w, options.cap) : w));
  if (options.width !== undefined) {
    // Take what is too wide from the widest shrinkable column first, none below MIN_SHRUNK.
    let excess = widths.reduce((sum, w) => sum + w, 0) + GAP * (columns - 1) - options.width;
    while (excess > 0) {
      const widest = options.shrinkable.filter((c) => widths[c]! > MIN_SHRUNK).sort((a, b) => widths[b]! - widths[a]!)[0];
      if (widest === undefined) break;
      const take = Math.min(excess, widths[widest]! - MIN_SHRUNK);
      widths[widest]! -= take;
      excess -= take;
    }
  }
  return cells.map((row) =>
    row
      .map((cell, c) => cut(cell, widths[c]!).padEnd(widths[c]!))
      .join(' '.repeat(GAP))
      .trimEnd(),
  );
}
