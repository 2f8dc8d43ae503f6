/**
 * Process identity on Linux: a pid plus its start time (field 22 of
 * /proc/<pid>/stat, in clock ticks since boot) names one process for good, so
 * a recycled pid is never mistaken for ours.
 */
import fs from 'node:fs';

export interface ProcessIdentity {
  readonly pid: number;
  /** undefined where /proc is missing (not Linux): then only liveness is checked. */
  readonly start_time?: string;
}

/** Fields of /proc/<pid>/stat after the command name: [0] is the state, [19] the start time. */
function statFields(pid: number): string[] | undefined {
  if (!isSignallable(pid)) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

export function startTimeOf(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** The parent's pid, from /proc/<pid>/stat; undefined when gone or without /proc. */
export function parentOf(pid: number): number | undefined {
  const ppid = statFields(pid)?.[1];
  return ppid === undefined ? undefined : Number(ppid);
}

export function identify(pid: number): ProcessIdentity {
  const start_time = startTimeOf(pid);
  return start_time === undefined ? { pid } : { pid, start_time };
}

/**
 * Only a pid above 1 names one process: kill(0) is our own group, kill(-1)
 * every process we may signal, kill(1) init. A state file or lock holding such
 * a value (corrupt, or hand-edited) must never reach a signal.
 */
export function isSignallable(pid: unknown): pid is number {
  return typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 1;
}

function exists(pid: number): boolean {
  if (!isSignallable(pid)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Is this very process still alive (not merely some process with its pid)? */
export function isSameProcess(identity: ProcessIdentity): boolean {
  if (!exists(identity.pid)) return false;
  const fields = statFields(identity.pid);
  if (!fields) return true; // no /proc: liveness is all we can tell
  // A zombie has exited; whoever adopted it (often PID 1) may take its time to reap it.
  if (fields[0] === 'Z') return false;
  return identity.start_time === undefined || fields[19] === identity.start_time;
}

/**
 * Does anything still run in this process group? Zombies do not count: members
 * orphaned by a dead supervisor are reaped by PID 1 in its own time.
 */
export function groupExists(pgid: number): boolean {
  if (!isSignallable(pgid)) return false;
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true; // no /proc: trust kill(0)
  }
  // Fields after the command name: [0] state, [2] process group.
  return pids.some((pid) => {
    const fields = statFields(Number(pid));
    return fields !== undefined && fields[2] === String(pgid) && fields[0] !== 'Z';
  });
}

/**
 * The scheduler state of a live process, from /proc/<pid>/stat: 'stopped' for
 * T (SIGSTOP) and t (stopped by a tracer), a process that will answer nothing
 * until it gets SIGCONT.
 */
export function runState(pid: number): 'running' | 'stopped' | 'gone' {
  const state = statFields(pid)?.[0];
  if (state === undefined) return exists(pid) ? 'running' : 'gone';
  if (state === 'Z' || state === 'X') return 'gone';
  return state === 'T' || state === 't' ? 'stopped' : 'running';
}

/**
 * Signal this very process: a pid above 1, never ourselves, still with the
 * start time it was found with (checked right before the signal, so a pid
 * recycled meanwhile is never hit). False when it is gone or not ours.
 */
export function signalIfSame(identity: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (!isSignallable(identity.pid) || identity.pid === process.pid || !isSameProcess(identity)) return false;
  try {
    process.kill(identity.pid, signal);
    return true;
  } catch {
    return false; // gone already
  }
}
