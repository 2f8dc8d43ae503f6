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
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { reapGroups } from './reaper.js';
import { ControlClient } from './client.js';
import { readState, runningGroups, writeState } from './state-file.js';
import { isSameProcess } from '../support/proc.js';

export interface Guardian {
  readonly pid: number | undefined;
  /** Tell it the supervisor is done on purpose. */
  dismiss(): void;
}

/**
 * `watch`: follow the supervisor named in the state file by polling its pid
 * (for a supervisor that is not us, such as process-compose), refreshing the
 * recorded process groups from its API as it restarts them.
 */
export function spawnGuardian(self: readonly string[], stateFile: string, env: NodeJS.ProcessEnv, options: { watch?: boolean } = {}): Guardian {
  const [node, ...entry] = self as [string, ...string[]];
  const child: ChildProcess = spawn(node, [...entry, 'internal', 'guardian', '--state', stateFile, ...(options.watch ? ['--watch'] : [])], {
    detached: true, // its own process group: a Ctrl-C to the terminal does not reach it
    // Watching, it follows the supervisor's pid and needs no pipe from us.
    stdio: [options.watch ? 'ignore' : 'pipe', 'ignore', 'ignore'],
    env,
  });
  child.unref();
  // It only waits; let the services it guards have the CPU while they start.
  if (child.pid) {
    try {
      os.setPriority(child.pid, 19);
    } catch {
      // Not allowed here: it runs at normal priority.
    }
  }
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

const WATCH_POLL_MS = 200;

/** Poll the supervisor of the state file until it dies, keeping its process groups up to date. */
async function watchSupervisor(stateFile: string): Promise<void> {
  let known = readState(stateFile);
  if (!known) return;
  const client = new ControlClient(known.socket, 1000);
  while (isSameProcess(known.supervisor)) {
    const states = await client.processes().catch(() => undefined);
    const current = readState(stateFile);
    // Another stack took over the state file, or it was cleaned up: not ours to reap any more.
    if (!current || current.supervisor.pid !== known.supervisor.pid) return;
    known = states ? { ...current, processes: { ...current.processes, ...runningGroups(states) } } : current;
    // Write only when a pid changed (a restart), not on every poll.
    if (states && JSON.stringify(known.processes) !== JSON.stringify(current.processes)) writeState(stateFile, known);
    await sleep(WATCH_POLL_MS);
  }
  await reapGroups(Object.values(known.processes), (ms) => sleep(ms));
}

/** The guardian's own main: wait for EOF on stdin (or, watching, the supervisor's end), then reap. */
export async function runGuardian(stateFile: string, options: { watch?: boolean } = {}): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});
  if (options.watch) {
    await watchSupervisor(stateFile);
    process.exit(0);
  }
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
