/**
 * The marks in every stack child's environment. Whatever a child forks
 * inherits them, also a daemon that double-forked out of its process group, so
 * the processes of a stack can be found from /proc alone (support/proc-scan.ts):
 *
 * - `CORE_STACK_ID`: which stack (a hash of its folder). `core down` and
 *   `core status` look for it; it needs no state file.
 * - `CORE_STACK_RUN`: which run of the stack: `<pid>:<start time>` of the
 *   `core` process that started it (the built-in supervisor, or the `core up`
 *   that launched process-compose). The guardian and the supervisor reap only
 *   their own run, never a stack started again in the same folder meanwhile;
 *   `core down` stops that process first if it still lives.
 * - `CORE_STACK_PROCESS`: the process's full name (engine/specs.ts), for
 *   `core status` and for reaping what one process left. A core before it
 *   marked its processes with `PC_PROC_NAME` only, which process-compose
 *   semantics leave to the document (a replica's is its base name): it is
 *   read where the mark is missing, so an upgrade still finds what they left.
 */
import fs from 'node:fs';
import { PROCESS_MARK, PROCESS_NAME_VAR } from '../engine/specs.js';
import { STACK_MARK, stackId } from '../support/proc-scan.js';
import type { ProcessIdentity } from '../support/proc.js';

export const RUN_MARK = 'CORE_STACK_RUN';

export function runIdOf(owner: ProcessIdentity): string {
  return `${owner.pid}:${owner.start_time ?? ''}`;
}

/** The process a run id names, if it is well formed (pid > 1, with a start time). */
export function ownerOf(run: string | undefined): ProcessIdentity | undefined {
  const match = /^(\d+):(\d+)$/.exec(run ?? '');
  if (!match) return undefined;
  const pid = Number(match[1]);
  return pid > 1 ? { pid, start_time: match[2]! } : undefined;
}

/** The marks for the children of a run of the stack in `stackDir`, started by `owner`. */
export function stackMarks(stackDir: string, owner: ProcessIdentity): Record<string, string> {
  return { [STACK_MARK]: stackId(stackDir), [RUN_MARK]: runIdOf(owner) };
}

/** A process's environment as it was exec'd; undefined if it is gone or not ours to read. */
export function environOf(pid: number): Map<string, string> | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return undefined;
  }
  const env = new Map<string, string>();
  for (const entry of raw.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

/** Its argv as one line (NULs as spaces), or its name in brackets when it has none (a kernel thread, a zombie). */
export function commandOf(pid: number): string {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').split('\0').join(' ');
    if (argv) return argv;
    return `[${fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}]`;
  } catch {
    return '?';
  }
}

/** Which process of its stack a marked process belongs to: its mark, or what an older core left (see above). */
export function processNameOf(env: ReadonlyMap<string, string> | undefined): string | undefined {
  return env?.get(PROCESS_MARK) ?? env?.get(PROCESS_NAME_VAR);
}

export { PROCESS_MARK, PROCESS_NAME_VAR, STACK_MARK };
