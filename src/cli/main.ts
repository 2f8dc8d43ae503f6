/** The CLI boundary: build the program, run it, and turn errors into exit codes. */
import type { CliContext } from './context.js';
import { reportError } from './report-error.js';

/**
 * `core status [--json]` is what scripts and prompts call in a loop: with exactly
 * those words it skips loading and building the command tree (~15 ms of its
 * ~60 ms above bare Node). Anything else, `status --help` included, goes
 * through commander as usual.
 */
function fastPath(argv: readonly string[]): ((ctx: CliContext) => Promise<void>) | undefined {
  const [command, ...rest] = argv;
  if (command === 'status' && rest.every((arg) => arg === '--json') && rest.length <= 1) {
    return async (ctx) => (await import('./commands/status.js')).status(ctx, { json: rest.length === 1 });
  }
  return undefined;
}

export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    const fast = fastPath(argv);
    if (fast) await fast(ctx);
    else await (await import('./program.js')).buildProgram(ctx).parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error, { json: argv.includes('--json') });
  }
}
