/** The reaper signals only process groups that are provably ours (pid + start time). */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { reapGroups } from '../../src/control/reaper.js';
import { groupExists, identify, isSameProcess } from '../../src/support/proc.js';

const children: number[] = [];
afterEach(() => {
  for (const pid of children.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

function sleeper(): Promise<number> {
  // A group leader with a child of its own, like a service that forks.
  const child = spawn('sh', ['-c', 'sleep 30 & wait'], { detached: true, stdio: 'ignore' });
  children.push(child.pid!);
  return new Promise((resolve) => child.once('spawn', () => resolve(child.pid!)));
}

const exited = (pid: number) =>
  new Promise<void>((resolve) => {
    const check = () => (isSameProcess({ pid }) ? setTimeout(check, 10) : resolve());
    check();
  });

describe('reapGroups', () => {
  it('stops a recorded group, children included', async () => {
    const pid = await sleeper();
    const reaped = await reapGroups([{ ...identify(pid), pgid: pid }], sleep);
    expect(reaped).toBe(1);
    await exited(pid);
    expect(groupExists(pid)).toBe(false);
  });

  it('never signals a pid whose start time differs (a recycled pid)', async () => {
    const pid = await sleeper();
    const reaped = await reapGroups([{ pid, start_time: '1', pgid: pid }], sleep);
    expect(reaped).toBe(0);
    expect(isSameProcess(identify(pid))).toBe(true);
  });
});
