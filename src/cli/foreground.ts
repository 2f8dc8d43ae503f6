/**
 * A stack run in the foreground (`core up`, `core <svc> run`): SIGINT or SIGTERM
 * stops it gracefully. Exit status: 130 after SIGINT (interrupted), 0 after
 * SIGTERM (a requested stop, as a service manager expects), else the engine's
 * own (the code of an `exit_on_*` that ended the stack, process-compose's), else 0.
 */
import { ExitCode } from '../support/errors.js';

/** What either engine's running stack offers (engines/engine.ts `LaunchedStack`). */
export interface Stoppable {
  shutdown(): void;
  /** Once everything has stopped: the engine's own exit status. */
  exitCode(): Promise<number>;
}

export interface Foreground {
  /** The signal that asked us to stop, if any. */
  readonly signal: () => NodeJS.Signals | undefined;
  /** Resolves with the exit status once everything has stopped. */
  readonly exitCode: () => Promise<number>;
}

export function foreground(stack: Stoppable, onStopping: () => void): Foreground {
  let received: NodeJS.Signals | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (received) return;
      received = signal;
      onStopping();
      stack.shutdown();
    });
  }
  return {
    signal: () => received,
    exitCode: async () => {
      const code = await stack.exitCode();
      if (received === 'SIGINT') return ExitCode.interrupted;
      if (received === 'SIGTERM') return ExitCode.ok;
      return code;
    },
  };
}
