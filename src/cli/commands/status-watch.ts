/**
 * `core status --watch`: the status table again every second until Ctrl-C or
 * SIGTERM (exit 0). On a terminal the table is redrawn in place: the cursor
 * goes home and each line overwrites the last frame's, cleared to its end,
 * then the rest of the screen is cleared; nothing is blanked between frames,
 * so nothing flickers. Not on a terminal (a pipe, a log file) each frame is
 * printed whole, after a blank line: a readable log of the stack over time
 * rather than escape codes.
 *
 * Each frame is one look (status.ts readStatus); CPU is over the second since
 * the previous frame's sample, so only the first frame waits for a window.
 * A look that fails (a stopped supervisor, the stack going down) is shown in
 * the frame and the watch goes on.
 */
import type { CliContext } from '../context.js';
import { loadSettings } from '../../support/load-settings.js';
import { InputError } from '../../support/errors.js';
import { readStatus, statusLines } from './status.js';

export const WATCH_EVERY_MS = 1000;

const HOME = '\x1b[H';
const CLEAR_LINE = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';
const CLEAR_SCREEN = '\x1b[2J';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/** Pure: one terminal frame of `lines`, fitted to `rows` (a longer table would scroll and tear the redraw). */
export function terminalFrame(lines: readonly string[], rows: number | undefined): string {
  let shown = [...lines];
  if (rows !== undefined && rows > 1 && shown.length > rows - 1) {
    const kept = shown.slice(0, rows - 2);
    shown = [...kept, `… ${lines.length - kept.length} more lines (a taller terminal shows them)`];
  }
  return `${HOME}${shown.map((line) => `${line}${CLEAR_LINE}`).join('\n')}\n${CLEAR_BELOW}`;
}

export async function watchStatus(ctx: CliContext, options: { json?: boolean }, only: readonly string[]): Promise<void> {
  if (options.json) throw new InputError('bad-flag', '--watch and --json do not go together: run `core status --json` in a loop, or `core events --json -f` for changes');
  const settings = loadSettings(process.cwd(), ctx.env);
  const out = process.stdout;
  const tty = out.isTTY === true;
  let stopped = false;
  let wake: () => void = () => {};
  const stop = () => {
    stopped = true;
    wake();
  };
  const signals = ['SIGINT', 'SIGTERM'] as const;
  for (const signal of signals) process.on(signal, stop);
  if (tty) out.write(`${HIDE_CURSOR}${HOME}${CLEAR_SCREEN}`);
  try {
    for (let frame = 0; !stopped; frame++) {
      const started = Date.now();
      const lines = await look(settings, only, tty, frame === 0);
      if (stopped) break;
      if (tty) out.write(terminalFrame([`every ${WATCH_EVERY_MS / 1000}s · ${new Date().toLocaleTimeString()} · Ctrl-C to quit`, '', ...lines], out.rows));
      else out.write(`${frame === 0 ? '' : '\n'}${lines.join('\n')}\n`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, WATCH_EVERY_MS - (Date.now() - started)));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    for (const signal of signals) process.off(signal, stop);
    if (tty) out.write(SHOW_CURSOR);
  }
}

/** One frame's lines; a failed look is a line of the frame, not the end of the watch (but an unknown name at first is exit 2). */
async function look(settings: ReturnType<typeof loadSettings>, only: readonly string[], tty: boolean, first: boolean): Promise<string[]> {
  try {
    const view = await readStatus(settings, only);
    return view.running ? statusLines(view, tty ? process.stdout.columns : undefined) : ['not running'];
  } catch (error) {
    if (first && error instanceof InputError && error.reason === 'unknown-service') throw error;
    return [`core: ${(error as Error).message}`];
  }
}
