/**
 * A walk-through in Markdown as a test script (docs/getting-started.md, "How this
 * page is tested"): parsing is pure (the steps, and whether an output matches
 * what the page shows); running them is the test file's.
 *
 * - In a ```sh block, a line `$ cmd` is a command; the lines after it, up to the
 *   next `$ ` line or the block's end, are its expected output.
 * - `<!-- file: path -->` before a block: its text is a file to write.
 * - `<!-- wait for events: svc type, svc type -->`: events to await, in order.
 * - `<!-- not run: why -->` before a ```sh block: not run (say why).
 */

export type DocStep =
  | { readonly kind: 'command'; readonly line: number; readonly command: string; readonly expected: readonly string[] }
  | { readonly kind: 'file'; readonly line: number; readonly path: string; readonly text: string }
  | { readonly kind: 'wait'; readonly line: number; readonly events: readonly { readonly process: string; readonly type: string }[] };

const MARKER = /^<!-- (file|not run|wait for events): (.+?) -->$/;
const FENCE = /^```(\w*)\s*$/;

/** The steps of a walk-through, in order; a malformed page is an error naming its line. */
export function parseWalkthrough(markdown: string): DocStep[] {
  const lines = markdown.split('\n');
  const steps: DocStep[] = [];
  let marker: { kind: string; value: string; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const found = MARKER.exec(text);
    if (found) {
      if (found[1] === 'wait for events') steps.push({ kind: 'wait', line: i + 1, events: parseEvents(found[2]!, i + 1) });
      else marker = { kind: found[1]!, value: found[2]!, line: i + 1 };
      continue;
    }
    const fence = FENCE.exec(text);
    if (!fence) continue;
    const start = i + 1;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`line ${start}: a code block that is never closed`);
    if (marker?.kind === 'file') steps.push({ kind: 'file', line: start, path: marker.value, text: `${body.join('\n')}\n` });
    else if (fence[1] === 'sh' && marker?.kind !== 'not run') steps.push(...commandsOf(body, start));
    marker = undefined;
  }
  return steps;
}

function parseEvents(list: string, line: number): { process: string; type: string }[] {
  return list.split(',').map((pair) => {
    const [process, type, extra] = pair.trim().split(/\s+/);
    if (!process || !type || extra) throw new Error(`line ${line}: "${pair.trim()}" is not "<process> <event type>"`);
    return { process, type };
  });
}

function commandsOf(body: readonly string[], fenceLine: number): DocStep[] {
  const steps: { kind: 'command'; line: number; command: string; expected: string[] }[] = [];
  body.forEach((text, k) => {
    if (text.startsWith('$ ')) steps.push({ kind: 'command', line: fenceLine + 1 + k, command: text.slice(2), expected: [] });
    else if (steps.length) steps.at(-1)!.expected.push(text);
    else throw new Error(`line ${fenceLine + 1 + k}: output before any "$ " command in a sh block (mark the block <!-- not run: why --> if it is not to be run)`);
  });
  if (!steps.length) throw new Error(`line ${fenceLine}: a sh block with no "$ " command (mark it <!-- not run: why -->)`);
  return steps;
}

const squash = (line: string) => line.replace(/\s+/g, ' ').trim();
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether one output line is what the page shows: runs of spaces are one, `…` is any text within the line. */
export function lineMatches(expected: string, actual: string): boolean {
  const pattern = squash(expected).split('…').map(literal).join('.*?');
  return new RegExp(`^${pattern}$`).test(squash(actual));
}

/** Why `output` is not what the page shows, or undefined when it is. */
export function outputMismatch(expected: readonly string[], output: string): string | undefined {
  const actual = output.replace(/\n+$/, '').split('\n');
  if (output.trim() === '') actual.length = 0;
  const want = [...expected];
  while (want.length && want.at(-1)!.trim() === '') want.pop();
  for (let k = 0; k < Math.max(want.length, actual.length); k++) {
    if (k >= want.length) return `output line ${k + 1} is not on the page: ${JSON.stringify(actual[k])}`;
    if (k >= actual.length) return `output ended before line ${k + 1} of the page: ${JSON.stringify(want[k])}`;
    if (!lineMatches(want[k]!, actual[k]!)) return `output line ${k + 1}:\n  page:   ${want[k]}\n  output: ${actual[k]}`;
  }
  return undefined;
}

/** The page's port numbers moved by the test's CORE_PORT_OFFSET: in commands up, in output down. */
export function portShift(bases: readonly number[], offset: number): { command: (text: string) => string; output: (text: string) => string } {
  const up = new Map(bases.map((base) => [base, base + offset]));
  const down = new Map(bases.map((base) => [base + offset, base]));
  const shift = (table: Map<number, number>) => (text: string) => text.replace(/\b\d{2,5}\b/g, (n) => String(table.get(Number(n)) ?? n));
  return { command: shift(up), output: shift(down) };
}
