/** Survivors of a stack, found by its marks (control/survivors.ts, control/marks.ts). */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ownerOf, stackMarks } from '../../src/control/marks.js';
import { findSurvivors, reapSurvivors } from '../../src/control/survivors.js';
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
      const service = spawn('sleep', ['61'], { env: { ...marks, PC_PROC_NAME: 'web' }, stdio: 'ignore' });
      await new Promise((resolve) => service.once('spawn', resolve));
      started.push(service.pid!);

      const survivors = findSurvivors(stackDir);
      expect(survivors).toEqual([
        expect.objectContaining({ pid: owner.pid, role: 'supervisor', service: null, command: 'sleep 60' }),
        expect.objectContaining({ pid: service.pid, role: 'service', service: 'web', command: 'sleep 61' }),
      ]);
      expect(findSurvivors(`${stackDir}-other`)).toEqual([]);

      expect(await reapSurvivors(stackDir, { wait: sleep, timeoutMs: 1000 })).toBe(2);
      expect(findSurvivors(stackDir)).toEqual([]);
    } finally {
      fs.rmSync(stackDir, { recursive: true, force: true });
    }
  });
});
