/** Survivors of a stack, found by its marks (control/survivors.ts, control/marks.ts). */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ownerOf, stackMarks } from '../../src/control/marks.js';
import { findSurvivors, leftBy, reapSurvivors } from '../../src/control/survivors.js';
import { identify } from '../../src/support/proc.js';

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

describe('ownerOf', () => {
  it('names a process only for a well-formed run id with a pid above 1', () => {
    expect(ownerOf('42:99')).toEqual({ pid: 42, start_time: '99' });
    for (const bad of ['1:5', '0:5', '-1:5', '42:', '42', 'x:1', '', undefined]) expect(ownerOf(bad)).toBeUndefined();
  });
});

describe('findSurvivors / reapSurvivors', () => {
  it('lists a marked process with its name and argv, and a live owner named by its run; down stops both', async () => {
    const stackDir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-survivors-'));
    try {
      // An "owner" that is not marked itself (a supervisor whose files are gone), and a service it started.
      const owner = spawn('sleep', ['60'], { stdio: 'ignore' });
      await new Promise((resolve) => owner.once('spawn', resolve));
      started.push(owner.pid!);
      const marks = stackMarks(stackDir, identify(owner.pid!));
      // A replica: PC_PROC_NAME is its base name (the document's to set), the mark its full name.
      const service = spawn('sleep', ['61'], { env: { ...marks, PC_PROC_NAME: 'web', CORE_STACK_PROCESS: 'web-1' }, stdio: 'ignore' });
      await new Promise((resolve) => service.once('spawn', resolve));
      started.push(service.pid!);
      // What a core before CORE_STACK_PROCESS started: named by PC_PROC_NAME alone.
      const older = spawn('sleep', ['62'], { env: { ...marks, PC_PROC_NAME: 'db' }, stdio: 'ignore' });
      await new Promise((resolve) => older.once('spawn', resolve));
      started.push(older.pid!);

      const survivors = findSurvivors(stackDir);
      expect(survivors).toEqual([
        expect.objectContaining({ pid: owner.pid, role: 'supervisor', service: null, command: 'sleep 60' }),
        expect.objectContaining({ pid: service.pid, role: 'service', service: 'web-1', command: 'sleep 61' }),
        expect.objectContaining({ pid: older.pid, role: 'service', service: 'db', command: 'sleep 62' }),
      ]);
      expect(findSurvivors(`${stackDir}-other`)).toEqual([]);
      const run = marks.CORE_STACK_RUN!;
      expect(leftBy(run, 'web-1').map((p) => p.pid)).toEqual([service.pid]);
      expect(leftBy(run, 'web')).toEqual([]);
      expect(leftBy(run, 'db').map((p) => p.pid)).toEqual([older.pid]);

      expect(await reapSurvivors(stackDir, { wait: sleep, timeoutMs: 1000 })).toBe(3);
      expect(findSurvivors(stackDir)).toEqual([]);
    } finally {
      fs.rmSync(stackDir, { recursive: true, force: true });
    }
  });
});
