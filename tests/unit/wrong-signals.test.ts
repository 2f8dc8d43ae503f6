/**
 * Issue 9, item 9: a state file or lock holding pid/pgid 0, -1 or 1 must never
 * lead to a signal (kill(0) is our own group, kill(-1) everything, 1 is init).
 * process.kill is spied on: a probe (signal 0) goes through, anything else is
 * recorded and blocked, so a regression fails here instead of killing the runner.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { acquireLock, readLockOwner, runningSupervisor, upInProgress } from '../../src/control/lock.js';
import { reapGroups } from '../../src/control/reaper.js';
import { groupExists, isSameProcess } from '../../src/support/proc.js';

const BAD = [0, -1, 1];
let dir: string;
let signals: [number, string | number | undefined][];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-signals-'));
  signals = [];
  const real = process.kill.bind(process);
  vi.spyOn(process, 'kill').mockImplementation((pid: number, signal?: string | number) => {
    if (signal === 0) return real(pid, 0);
    signals.push([pid, signal]);
    return true;
  });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('pids that name no single process of ours', () => {
  it('are never alive, never a live group', () => {
    for (const pid of BAD) {
      expect(isSameProcess({ pid })).toBe(false);
      expect(groupExists(pid)).toBe(false);
    }
  });

  it('a lock holding pid 0, -1 or 1 is stale: no owner, taken over', () => {
    const lock = path.join(dir, 'supervisor.lock');
    for (const pid of BAD) {
      fs.writeFileSync(lock, JSON.stringify({ pid }));
      expect(readLockOwner(lock)).toBeUndefined();
      expect(runningSupervisor(lock)).toBeUndefined();
      expect(upInProgress(lock)).toBeUndefined();
      acquireLock(lock).release();
      expect(fs.existsSync(lock)).toBe(false);
    }
  });

  it('reapGroups signals none of them', async () => {
    const recorded = BAD.map((pid) => ({ pid, pgid: pid }));
    expect(await reapGroups(recorded, sleep, 50)).toBe(0);
    expect(signals).toEqual([]);
  });

  it('core down with such a state file and lock signals nothing, and says the state file is corrupt', async () => {
    const stackDir = path.join(dir, '.core-stack');
    fs.mkdirSync(stackDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(stackDir, 'supervisor.lock'), JSON.stringify({ pid: -1 }));
    const state = {
      version: 1,
      engine: 'builtin',
      supervisor: { pid: -1 },
      guardian: 0,
      started_at: new Date().toISOString(),
      socket: path.join(stackDir, 'core.sock'),
      ports: {},
      processes: { a: { pid: 0, pgid: 0 }, b: { pid: -1, pgid: -1 }, c: { pid: 1, pgid: 1 } },
    };
    fs.writeFileSync(path.join(stackDir, 'state.json'), JSON.stringify(state));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const { down } = await import('../../src/cli/commands/down.js');
      const started = Date.now();
      await expect(down({ env: { CORE_ROOT: dir }, self: [] }, { timeout: '2' })).rejects.toMatchObject({ reason: 'corrupt-state', exitCode: 2 });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      process.chdir(cwd);
    }
    expect(signals).toEqual([]);
  });
});
