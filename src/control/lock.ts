/**
 * One supervisor per project: an exclusive lock file holding the owner's pid
 * and start time. A lock whose owner is gone (crashed, killed) is stale and
 * taken over; a lock whose owner lives means "already running" (exit 2).
 */
import fs from 'node:fs';
import { InputError } from '../support/errors.js';
import { identify, isSameProcess, type ProcessIdentity } from '../support/proc.js';

export interface Lock {
  release(): void;
}

export function readLockOwner(file: string): ProcessIdentity | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as ProcessIdentity;
    return typeof owner.pid === 'number' ? owner : undefined;
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
          if (owner?.pid === me.pid && owner.start_time === me.start_time) fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const stale = readLockOwner(file);
      if (stale && isSameProcess(stale)) throw alreadyRunning(stale);
      // Stale: its owner is gone. Remove it only if it still is that stale lock, so
      // a racing taker never removes the fresh lock of another that got there first.
      if (JSON.stringify(readLockOwner(file)) === JSON.stringify(stale)) fs.rmSync(file, { force: true });
    }
  }
  const owner = runningSupervisor(file);
  throw owner ? alreadyRunning(owner) : new InputError('lock-contended', `${file}: could not take the supervisor lock; try again`);
}
