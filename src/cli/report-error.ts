/** The one place an error becomes a message and an exit status. */
import { CoreError, ExitCode } from '../support/errors.js';

interface CommanderLike {
  code: string;
  exitCode: number;
}

function isCommanderError(error: unknown): error is CommanderLike {
  return typeof error === 'object' && error !== null && typeof (error as CommanderLike).code === 'string' && (error as CommanderLike).code.startsWith('commander.');
}

/**
 * With `--json`, a failure is also a JSON document on stdout, so a script that
 * parses stdout always gets one: { version, ok: false, error: { reason, message, details } }.
 */
/**
 * A failed system call (disk full, read-only folder, a file where a folder
 * should be) is the machine's problem, not a bug: say what failed on which path.
 */
function systemError(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException;
  if (!(error instanceof Error) || typeof e.code !== 'string' || typeof e.syscall !== 'string') return undefined;
  const what = / (?:[A-Z]+): ([^,]+),/.exec(` ${e.message}`)?.[1] ?? e.message;
  // Checked before spawning (src/support/spawn-limits.ts); should one still slip through, say what it means.
  const hint = e.code === 'E2BIG' ? ': the arguments and environment are too long for one process (see the limits in docs/manifest.md)' : '';
  return `cannot ${e.syscall}${e.path ? ` ${e.path}` : ''}: ${what} (${e.code})${hint}`;
}

export function reportError(error: unknown, options: { json?: boolean } = {}, stderr: NodeJS.WritableStream = process.stderr): number {
  if (isCommanderError(error)) {
    // commander has printed its message already; help and version are not errors.
    if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)) return ExitCode.ok;
    return ExitCode.badInput;
  }
  if (error instanceof CoreError) {
    stderr.write(`core: ${error.message}\n`);
    for (const line of error.details) stderr.write(`  ${line}\n`);
    if (options.json)
      process.stdout.write(`${JSON.stringify({ version: 1, ok: false, error: { reason: error.reason, message: error.message, details: error.details } }, null, 2)}\n`);
    return error.exitCode;
  }
  const system = systemError(error);
  if (system) {
    stderr.write(`core: ${system}\n`);
    return ExitCode.runtime;
  }
  stderr.write(`core: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return ExitCode.runtime;
}
