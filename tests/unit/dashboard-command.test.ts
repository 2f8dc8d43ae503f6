/** `core dashboard` before it asks the supervisor anything: no stack, another engine. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dashboard } from '../../src/cli/commands/dashboard.js';
import { writeState } from '../../src/control/state-file.js';
import { ExitCode } from '../../src/support/errors.js';
import { identify } from '../../src/support/proc.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function project(): { root: string; stackDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'core-dash-cmd-'));
  dirs.push(root);
  fs.mkdirSync(path.join(root, 'services'));
  const stackDir = path.join(root, '.core-stack');
  fs.mkdirSync(stackDir, { mode: 0o700 });
  return { root, stackDir };
}

const ctxOf = (root: string) => ({ env: { CORE_ROOT: root } }) as never;

describe('core dashboard', () => {
  it('with no stack running: exit 1, saying so', async () => {
    const { root } = project();
    await expect(dashboard(ctxOf(root), {})).rejects.toMatchObject({ exitCode: ExitCode.runtime, message: expect.stringContaining('not running') });
  });

  it('under process-compose: exit 2, naming the engine, without asking it anything', async () => {
    const { root, stackDir } = project();
    // This test's own process stands for the live supervisor holding the lock.
    const me = identify(process.pid);
    fs.writeFileSync(path.join(stackDir, 'supervisor.lock'), JSON.stringify(me));
    writeState(path.join(stackDir, 'state.json'), {
      version: 1,
      engine: 'process-compose',
      supervisor: me,
      started_at: new Date().toISOString(),
      socket: path.join(stackDir, 'pc.sock'),
      ports: {},
      processes: {},
    });
    await expect(dashboard(ctxOf(root), {})).rejects.toMatchObject({ exitCode: ExitCode.badInput, message: expect.stringMatching(/needs the built-in engine.*process-compose/) });
  });
});
