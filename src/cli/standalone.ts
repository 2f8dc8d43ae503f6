/**
 * `core status [--json]` (or `ps`) and `core validate [--json]` as bundles of their own
 * (dist/status/, dist/validate/: scripts/build.mjs). Scripts and editors run
 * them in loops, so each is one small graph: Node's ESM loader spends ~10 ms on
 * the ~16 files the split CLI bundle loads for them (docs/performance.md).
 * cmd/core.ts loads one of them instead of the CLI when the words are exactly
 * these; anything else (`status --help` too) goes through commander.
 */
import type { CliContext } from './context.js';
import { reportError } from './report-error.js';

export type Standalone = 'status' | 'validate';

/** The standalone command for these words, if any. */
export function standaloneFor(argv: readonly string[]): { readonly name: Standalone; readonly json: boolean } | undefined {
  const [word, ...rest] = argv;
  const command = word === 'ps' ? 'status' : word; // `core ps`: the alias docker users type
  if (command !== 'status' && command !== 'validate') return undefined;
  if (rest.length === 0) return { name: command, json: false };
  return rest.length === 1 && rest[0] === '--json' ? { name: command, json: true } : undefined;
}

export type RunStandalone = (ctx: CliContext, json: boolean) => Promise<number>;

/** A command as a standalone entry: its errors become exit codes here, as main.ts does for the CLI. */
export function standalone(command: (ctx: CliContext, options: { json: boolean }) => Promise<void>): RunStandalone {
  return async (ctx, json) => {
    try {
      await command(ctx, { json });
      return typeof process.exitCode === 'number' ? process.exitCode : 0;
    } catch (error) {
      return reportError(error, { json });
    }
  };
}
