/**
 * Which processes the "problems" panel shows first, above everything: failed
 * (Error), restarting after a crash, exited non-zero on their own, or never
 * started because something they need failed. A process the user stopped is no
 * problem (phase `stopped`), nor one that completed with code 0. Pure.
 */
import type { Proc } from './types.js';

export type Severity = 'failed' | 'restarting' | 'exited' | 'skipped';

export function severityOf(proc: Proc): Severity | undefined {
  if (proc.status === 'Error') return 'failed';
  if (proc.status === 'Restarting') return 'restarting';
  if (proc.status === 'Completed' && proc.phase !== 'stopped' && proc.exit_code !== 0) return 'exited';
  if (proc.status === 'Skipped') return 'skipped';
  return undefined;
}

const ORDER: Record<Severity, number> = { failed: 0, restarting: 1, exited: 2, skipped: 3 };

export function problems(processes: readonly Proc[]): { proc: Proc; severity: Severity }[] {
  return processes
    .map((proc) => ({ proc, severity: severityOf(proc) }))
    .filter((p): p is { proc: Proc; severity: Severity } => p.severity !== undefined)
    .sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}

/** "code 1", "killed by a signal" (Go reports -1), or nothing when it has not exited. */
export function exitText(proc: Proc): string | undefined {
  if (proc.exit_code === -1) return 'killed by a signal';
  if (proc.exit_code !== 0) return `exit code ${proc.exit_code}`;
  return proc.restarts > 0 || proc.status === 'Error' ? 'exit code 0' : undefined;
}
