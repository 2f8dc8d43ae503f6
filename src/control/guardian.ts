/**
 * The guardian: a tiny process that outlives a supervisor killed with SIGKILL
 * and stops what it had started. Node cannot ask the kernel for a
 * parent-death signal, and `setpriv --pdeathsig` would reach only direct
 * children, not what they fork. So the supervisor holds the write end of the
 * guardian's stdin; the kernel closes it when the supervisor dies, however it
 * dies, and the guardian wakes at once (no polling) and reaps the recorded
 * process groups (see reaper.ts). After a clean stop there is nothing left to
 * reap and it simply exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { reapGroups } from './reaper.js';
import { readState } from './state-file.js';

export interface Guardian {
  readonly pid: number | undefined;
  /** Tell it the supervisor is done on purpose. */
  dismiss(): void;
}

export function spawnGuardian(self: readonly string[], stateFile: string, env: NodeJS.ProcessEnv): Guardian {
  const [node, ...entry] = self as [string, ...string[]];
  const child: ChildProcess = spawn(node, [...entry, 'internal', 'guardian', '--state', stateFile], {
    detached: true, // its own process group: a Ctrl-C to the terminal does not reach it
    stdio: ['pipe', 'ignore', 'ignore'],
    env,
  });
  child.unref();
  child.stdin?.on('error', () => {});
  // Keep the pipe but let it not hold the event loop open.
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    pid: child.pid,
    dismiss() {
      child.stdin?.end();
    },
  };
}

/** The guardian's own main: wait for EOF on stdin, then reap. */
export async function runGuardian(stateFile: string): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});
  await new Promise<void>((resolve) => {
    process.stdin.on('end', resolve);
    process.stdin.on('close', resolve);
    process.stdin.on('error', () => resolve());
    process.stdin.resume();
  });
  const state = readState(stateFile);
  if (state) await reapGroups(Object.values(state.processes), (ms) => sleep(ms));
  process.exit(0);
}
