/**
 * One supervisor per project: an exclusive lock file holding the owner's pid
 * and start time. A lock whose owner is gone (crashed, killed) is stale and
 * taken over; a lock whose owner lives means "already running" (exit 2).
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeAtomicSync } from '../support/atomic-write.js';
import { InputError } from '../support/errors.js';
import { identify, isSameProcess, isSignallable, type ProcessIdentity } from '../support/proc.js';

export interface Lock {
  release(): void;
}

/** The identity a lock file holds; anything else (pid 0, -1, 1, no JSON) is no owner: a stale lock. */
export function readLockOwner(file: string): ProcessIdentity | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ProcessIdentity> | null;
    if (!owner || !isSignallable(owner.pid)) return undefined;
    if (owner.start_time !== undefined && typeof owner.start_time !== 'string') return undefined;
    return owner.start_time === undefined ? { pid: owner.pid } : { pid: owner.pid, start_time: owner.start_time };
  } catch {
    return undefined;
  }
}

/** The live owner of the lock, if any. */
export function runningSupervisor(file: string): ProcessIdentity | undefined {
  const owner = readLockOwner(file);
  return owner && isSameProcess(owner) ? owner : undefined;
}

export function alreadyRunning(owner: ProcessIdentity): InputError {
  return new InputError('already-running', `the stack is already running (supervisor pid ${owner.pid}); see \`core status\`, or stop it with \`core down\``);
}

export function acquireLock(file: string): Lock {
  const me = identify(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, JSON.stringify(me));
      fs.closeSync(fd);
      return {
        release() {
          const owner = readLockOwner(file);
          try {
            if (owner?.pid === me.pid && owner.start_time === me.start_time) fs.rmSync(file, { force: true });
          } catch {
            // A read-only folder: left behind, the lock is stale once we exit.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const stale = readLockOwner(file);
      if (stale && isSameProcess(stale)) throw alreadyRunning(stale);
      // Stale: its owner is gone (or it names no process). Remove it only if it still is
      // that stale lock, so a racing taker never removes the fresh lock of another that got
      // there first.
      if (JSON.stringify(readLockOwner(file)) === JSON.stringify(stale)) fs.rmSync(file, { force: true });
    }
  }
  const owner = runningSupervisor(file);
  throw owner ? alreadyRunning(owner) : new InputError('lock-contended', `${file}: could not take the supervisor lock; try again`);
}

/**
 * A `core up` in progress, recorded (pid and start time, 0600) in the stack
 * folder as its first act and removed when it returns, so a `core down` that
 * comes a moment later waits for it and then stops what it started, instead of
 * finding nothing and letting the stack come up behind it.
 */
export function recordUp(file: string, detached: boolean): Lock {
  const me = identify(process.pid);
  // An `up` refused for bad input changes nothing: a stack folder made just for this goes again.
  const folder = path.dirname(file);
  const madeFolder = !fs.existsSync(folder);
  try {
    writeAtomicSync(file, JSON.stringify({ ...me, detached }));
  } catch {
    // A stack folder we cannot write fails `up` soon enough, with a better message.
  }
  const release = () => {
    try {
      const owner = readLockOwner(file);
      if (owner?.pid === me.pid && owner.start_time === me.start_time) fs.rmSync(file, { force: true });
      // Only if empty: a stack that did start has filled it.
      if (madeFolder) fs.rmdirSync(folder);
    } catch {
      // Left behind, the record is stale as soon as we exit.
    }
  };
  process.once('exit', release);
  return {
    release() {
      process.off('exit', release);
      release();
    },
  };
}

export interface UpInProgress extends ProcessIdentity {
  /** `up -d`: it returns once the stack is up. In the foreground it becomes (or starts) the supervisor. */
  readonly detached: boolean;
}

/** The `core up` in progress, if one lives. */
export function upInProgress(file: string): UpInProgress | undefined {
  const owner = readLockOwner(file);
  if (!owner || owner.pid === process.pid || !isSameProcess(owner)) return undefined;
  let detached = true;
  try {
    detached = (JSON.parse(fs.readFileSync(file, 'utf8')) as { detached?: unknown }).detached !== false;
  } catch {
    // Gone meanwhile: as good as detached (it has returned).
  }
  return { ...owner, detached };
}
