/**
 * Reaping processes found by their mark (reaper.ts `reapProcesses`, `sweep`):
 * SIGTERM, then SIGKILL after the grace; never pid ≤ 1, never the caller, never
 * a pid whose start time changed; a sweep also stops what a process forks
 * while being stopped.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { reapProcesses, sweep } from '../../src/control/reaper.js';
import { findMarked } from '../../src/support/proc-scan.js';
import { identify, isSameProcess } from '../../src/support/proc.js';

const MARK = 'CORE_TEST_REAP';
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

function marked(value: string, script: string): Promise<number> {
  const child = spawn('sh', ['-c', script], { env: { PATH: process.env.PATH, [MARK]: value }, detached: true, stdio: 'ignore' });
  started.push(child.pid!);
  return new Promise((resolve) => child.once('spawn', () => resolve(child.pid!)));
}

describe('reapProcesses', () => {
  it('SIGTERMs, then SIGKILLs one that ignores SIGTERM, and returns once both are gone', async () => {
    const polite = await marked('a', 'exec sleep 30');
    const stubborn = await marked('a', "trap '' TERM; while :; do sleep 0.05; done");
    const reaped = await reapProcesses([identify(polite), identify(stubborn)], sleep, 300);
    expect(reaped).toBe(2);
    expect(isSameProcess(identify(polite))).toBe(false);
    expect(isSameProcess(identify(stubborn))).toBe(false);
  });

  it('never signals pid 0, 1, -1, itself, or a pid whose start time differs', async () => {
    const pid = await marked('b', 'exec sleep 30');
    const kill = process.kill;
    const signalled: number[] = [];
    process.kill = ((target: number, signal?: string | number) => {
      if (signal !== 0 && signal !== undefined) signalled.push(target);
      return kill.call(process, target, signal as NodeJS.Signals);
    }) as typeof process.kill;
    try {
      const reaped = await reapProcesses(
        [
          { pid: 0, start_time: '1' },
          { pid: 1, start_time: identify(1).start_time ?? '1' },
          { pid: -1, start_time: '1' },
          identify(process.pid),
          { pid, start_time: '1' },
          { pid },
        ],
        sleep,
        50,
      );
      expect(reaped).toBe(0);
    } finally {
      process.kill = kill;
    }
    expect(signalled).toEqual([]);
    expect(isSameProcess(identify(pid))).toBe(true);
  });
});

describe('sweep', () => {
  it('stops a marked daemon that left its group, and what appears while the first are stopped', async () => {
    const value = `sweep-${process.pid}-${Date.now()}`;
    // On SIGTERM the shell starts one more marked process in a new session, then exits.
    const shell = await marked(value, "trap 'setsid sleep 30 & exit 0' TERM; setsid sleep 30 & while :; do sleep 0.05; done");
    const deadline = Date.now() + 5000;
    while (!findMarked(MARK, value).some((p) => p.pid !== shell) && Date.now() < deadline) await sleep(10);
    const stopped = await sweep(() => findMarked(MARK, value), { wait: sleep, graceMs: 500 });
    expect(stopped).toBeGreaterThanOrEqual(3);
    expect(findMarked(MARK, value)).toEqual([]);
  });
});
