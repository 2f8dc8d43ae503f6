/** The CLI boundary: build the program, run it, and turn errors into exit codes. */
import type { CliContext } from './context.js';
import { buildProgram } from './program.js';
import { reportError } from './report-error.js';

export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    await buildProgram(ctx).parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error, { json: argv.includes('--json') });
  }
}
