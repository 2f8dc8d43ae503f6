/**
 * A stack run in the foreground (`core up`, `core <svc> run`): SIGINT or SIGTERM
 * stops it gracefully. Exit status: 130 after SIGINT (interrupted), 0 after
 * SIGTERM (a requested stop, as a service manager expects), else the code of an
 * `exit_on_*` that ended the stack, else 0.
 */
import type { RunningStack } from '../control/supervise.js';
import { ExitCode } from '../support/errors.js';

export interface Foreground {
  /** The signal that asked us to stop, if any. */
  readonly signal: () => NodeJS.Signals | undefined;
  /** Resolves with the exit status once everything has stopped. */
  readonly exitCode: () => Promise<number>;
}

export function foreground(running: RunningStack, onStopping: () => void): Foreground {
  let received: NodeJS.Signals | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (received) return;
      received = signal;
      onStopping();
      void running.shutdown();
    });
  }
  return {
    signal: () => received,
    exitCode: async () => {
      await running.stopped;
      if (received === 'SIGINT') return ExitCode.interrupted;
      if (received === 'SIGTERM') return ExitCode.ok;
      return running.engine.projectExit?.exitCode ?? ExitCode.ok;
    },
  };
}
