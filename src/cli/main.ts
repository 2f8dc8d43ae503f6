/** The CLI boundary: build the program, run it, and turn errors into exit codes. */
import type { CliContext } from './context.js';
import { reportError } from './report-error.js';

type Run = (ctx: CliContext) => Promise<void>;

/**
 * The detached supervisor, on the critical path of `core up -d`, skips loading
 * and building the command tree (commander and its child_process import: ~15 ms
 * of a ~60 ms bare Node start-up), with exactly these words. (`core status` and
 * `core validate` do not even load this module: src/cli/standalone.ts.)
 */
function fastPath(argv: readonly string[]): Run | undefined {
  const [command, ...rest] = argv;
  return command === 'internal' && rest.length === 1 && rest[0] === 'supervise' ? supervise : undefined;
}

const supervise: Run = async (ctx) => (await import('./commands/daemon.js')).daemon(ctx);

export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  let early: typeof import('./early-up.js') | undefined;
  try {
    const fast = fastPath(argv);
    if (fast) await fast(ctx);
    else {
      // `core up -d`: start the supervisor before commander loads (early-up.ts).
      if (argv[0] === 'up') {
        early = await import('./early-up.js');
        if (early.wantsEarlyUp(argv)) early.startEarlyUp(ctx);
      }
      await (await import('./program.js')).buildProgram(ctx).parseAsync([...argv], { from: 'user' });
    }
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error, { json: argv.includes('--json') });
  } finally {
    early?.disposeEarlyUp();
  }
}
