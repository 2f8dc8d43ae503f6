/**
 * The guardian: a tiny process that outlives a supervisor killed with SIGKILL
 * and stops what it had started. Node cannot ask the kernel for a
 * parent-death signal, and `setpriv --pdeathsig` would reach only direct
 * children, not what they fork. So the supervisor holds the write end of the
 * guardian's stdin; the kernel closes it when the supervisor dies, however it
 * dies, and the guardian wakes at once (no polling) and reaps the recorded
 * process groups (see reaper.ts), then every process that carries the run's
 * mark (marks.ts): children spawned after the last write of the state file, and
 * daemons that left their group. After a clean stop there is nothing left to
 * reap and it simply exits.
 *
 * It gets an empty environment: it needs none, and whatever it held (the
 * `.env` with its passwords) would be readable in /proc for as long as the
 * stack runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { reapGroups } from './reaper.js';
import { sweepRun } from './survivors.js';
import { ControlClient } from './client.js';
import { readState, runningGroups, writeState, type RecordedProcess } from './state-file.js';
import { isSameProcess } from '../support/proc.js';

export interface Guardian {
  readonly pid: number | undefined;
  /** Tell it the supervisor is done on purpose and has left nothing behind. */
  dismiss(): void;
}

export interface GuardianOptions {
  /** The run id (marks.ts) whose processes it reaps. */
  readonly run: string;
  /**
   * Follow the supervisor named in the state file by polling its pid (for a
   * supervisor that is not us, such as process-compose), refreshing the
   * recorded process groups from its API as it restarts them.
   */
  readonly watch?: boolean;
}

export function spawnGuardian(self: readonly string[], stateFile: string, options: GuardianOptions): Guardian {
  const [node, ...entry] = self as [string, ...string[]];
  const args = [...entry, 'internal', 'guardian', '--state', stateFile, '--run', options.run, ...(options.watch ? ['--watch'] : [])];
  const child: ChildProcess = spawn(node, args, {
    detached: true, // its own process group: a Ctrl-C to the terminal does not reach it
    // Watching, it follows the supervisor's pid and needs no pipe from us.
    stdio: [options.watch ? 'ignore' : 'pipe', 'ignore', 'ignore'],
    env: {}, // nothing from .env, no secret: see the header
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
      child.stdin?.end('stopped\n');
    },
  };
}

const WATCH_POLL_MS = 200;

/** Stop what the dead supervisor's run left: the recorded groups, then whatever carries the run's mark. */
async function reap(run: string | undefined, groups: readonly RecordedProcess[], settleMs = 0): Promise<void> {
  const wait = (ms: number) => sleep(ms);
  await reapGroups(groups, wait);
  if (run) await sweepRun(run, wait, settleMs);
}

/**
 * A child that the built-in supervisor (Node) forked just before it died may
 * not have exec'd into its marked environment yet: look again this much later.
 * (process-compose, in Go, forks with CLONE_VFORK: no such window.)
 */
const EXEC_SETTLE_MS = 100;

/** Poll the supervisor of the state file until it dies, keeping its process groups up to date. */
async function watchSupervisor(stateFile: string, run: string | undefined): Promise<void> {
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
  await reap(run, Object.values(known.processes));
}

/** The guardian's own main: wait for EOF on stdin (or, watching, the supervisor's end), then reap. */
export async function runGuardian(stateFile: string, options: { watch?: boolean; run?: string } = {}): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});
  if (options.watch) {
    await watchSupervisor(stateFile, options.run);
    process.exit(0);
  }
  let dismissed = false;
  await new Promise<void>((resolve) => {
    process.stdin.on('data', () => (dismissed = true));
    process.stdin.on('end', resolve);
    process.stdin.on('close', resolve);
    process.stdin.on('error', () => resolve());
    process.stdin.resume();
  });
  // Dismissed: the supervisor stopped its run itself, sweep included.
  if (!dismissed) await reap(options.run, Object.values(readState(stateFile)?.processes ?? {}), EXEC_SETTLE_MS);
  process.exit(0);
}
