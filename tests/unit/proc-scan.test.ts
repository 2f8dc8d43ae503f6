import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findMarked, STACK_MARK, stackId } from '../../src/support/proc-scan.js';

describe('findMarked', () => {
  it('finds a marked process and its setsid grandchild, and nothing unmarked', async () => {
    const mark = `test-${process.pid}-${Date.now()}`;
    // The shell starts a grandchild in a new session (it leaves the group), then waits.
    const child = spawn('bash', ['-c', 'setsid sleep 30 & echo $!; sleep 30'], {
      env: { PATH: process.env.PATH, [STACK_MARK]: mark },
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    const unmarked = spawn('sleep', ['30'], { env: { PATH: process.env.PATH, [STACK_MARK]: `${mark}x` }, stdio: 'ignore' });
    try {
      const grandchild = Number(await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
      const pids = findMarked(STACK_MARK, mark)
        .map((p) => p.pid)
        .sort((a, b) => a - b);
      expect(pids).toEqual([child.pid!, grandchild].sort((a, b) => a - b));
      expect(pids).not.toContain(unmarked.pid);
      process.kill(grandchild, 'SIGKILL');
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
      unmarked.kill('SIGKILL');
    }
  });

  it('gives each stack folder its own stable id', () => {
    expect(stackId('/a/.core-stack')).toBe(stackId('/a/./.core-stack'));
    expect(stackId('/a/.core-stack')).not.toBe(stackId('/b/.core-stack'));
  });
});
