/**
 * Processes found by a mark in their environment. Every child of a stack gets
 * `CORE_STACK_ID=<id>` (the id is a hash of the stack folder), and whatever it
 * forks inherits it, also a daemon that left the process group with setsid.
 * So `down`, the guardian and `status` can find every process of a stack from
 * /proc alone, with no state file, before the supervisor has recorded anything.
 * /proc/<pid>/environ holds the environment the process was exec'd with; only
 * the owner (and root) may read it, so another user's processes never match.
 */
import fs from 'node:fs';
import path from 'node:path';
import { identify, runState, type ProcessIdentity } from './proc.js';
import { sha256Hex } from './sha256.js';

/** The environment variable that marks every process of a stack. */
export const STACK_MARK = 'CORE_STACK_ID';

/** A stable id for the stack that lives in `stackDir` (absolute): the same from every command. */
export function stackId(stackDir: string): string {
  return sha256Hex(path.resolve(stackDir)).slice(0, 24);
}

function hasEntry(environ: Buffer, entry: Buffer): boolean {
  for (let at = environ.indexOf(entry); at >= 0; at = environ.indexOf(entry, at + 1)) {
    if (at === 0 || environ[at - 1] === 0) return true;
  }
  return false;
}

/**
 * Live processes (pid > 1, not zombies, never this process) whose environment
 * holds `key=value`, each with its start time so a later signal can make sure
 * the pid still names the same process.
 */
export function findMarked(key: string, value: string): ProcessIdentity[] {
  const entry = Buffer.from(`${key}=${value}\0`);
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return []; // no /proc (not Linux): nothing can be found this way
  }
  const found: ProcessIdentity[] = [];
  for (const name of pids) {
    const pid = Number(name);
    if (pid <= 1 || pid === process.pid) continue;
    let environ: Buffer;
    try {
      environ = fs.readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue; // gone, or not ours to read
    }
    if (!hasEntry(environ, entry)) continue;
    const identity = identify(pid);
    // A zombie has exited already; its parent (or PID 1) reaps it.
    if (identity.start_time !== undefined && runState(pid) !== 'gone') found.push(identity);
  }
  return found;
}

/** The processes of the stack in `stackDir`, wherever they are now. */
export function stackProcesses(stackDir: string): ProcessIdentity[] {
  return findMarked(STACK_MARK, stackId(stackDir));
}
