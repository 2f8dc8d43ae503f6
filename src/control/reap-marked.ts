/**
 * Stops the processes that carry a stack's mark (proc-scan.ts), wherever they
 * are: what a supervisor killed mid-write, or one whose state file is corrupt,
 * left behind. Each pid is signalled only while it still is the process found
 * (same start time), never a pid of 1 or less.
 */
import { stackProcesses } from '../support/proc-scan.js';
import { isSameProcess, isSignallable, type ProcessIdentity } from '../support/proc.js';
import type { Wait } from './reaper.js';

function signal(identity: ProcessIdentity, name: NodeJS.Signals): void {
  if (!isSignallable(identity.pid) || !isSameProcess(identity)) return;
  try {
    process.kill(identity.pid, name);
  } catch {
    // Gone already.
  }
}

/** SIGTERM every marked process, SIGKILL what is left after `graceMs`; how many were found. */
export async function reapMarked(stackDir: string, wait: Wait, graceMs = 1000): Promise<number> {
  const found = stackProcesses(stackDir);
  for (const p of found) signal(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (found.some(isSameProcess) && Date.now() < deadline) await wait(20);
  for (const p of found) signal(p, 'SIGKILL');
  return found.length;
}
