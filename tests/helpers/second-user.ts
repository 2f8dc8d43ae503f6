/**
 * A second local user for the "another user on this machine" tests. Only root
 * can create one and run commands as it: `canUseSecondUser` is false
 * elsewhere, and those tests skip.
 */
import { execFileSync, spawn } from 'node:child_process';
import { type ChildOutput, childOutput } from './child-output.js';

export const OTHER_USER = 'core-other';

export const canUseSecondUser = process.platform === 'linux' && process.getuid?.() === 0;

/** The uid and gid of the second user, creating it (no home, no login shell) the first time. */
export function secondUser(): { uid: number; gid: number } {
  const read = () => {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, OTHER_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      return undefined; // no such user yet
    }
  };
  const existing = read();
  if (existing) return existing;
  try {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER_USER], { stdio: 'ignore' });
  } catch {
    // A concurrent test file created it first.
  }
  const created = read();
  if (!created) throw new Error(`could not create the user ${OTHER_USER}`);
  return created;
}

export type AsUserResult = ChildOutput;

/** Run a program as the second user with a minimal environment (no shell), bounded in time. */
export function runAsOtherUser(command: string, args: readonly string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<AsUserResult> {
  const { uid, gid } = secondUser();
  return childOutput(
    spawn(command, [...args], {
      uid,
      gid,
      cwd: options.cwd ?? '/',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 15_000,
    }),
  );
}
