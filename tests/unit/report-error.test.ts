import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/report-error.js';
import { makeProject, runCore } from '../helpers/cli.js';

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk, _encoding, done) => ((text += chunk), done()) });
  return { stream, text: () => text };
}

describe('a failed system call is a clear message, not a stack trace', () => {
  it('names the call, the path and the reason (disk full)', () => {
    const error = Object.assign(new Error("ENOSPC: no space left on device, write '/p/.core-stack/state.json'"), {
      code: 'ENOSPC',
      syscall: 'write',
      path: '/p/.core-stack/state.json',
    });
    const out = capture();
    expect(reportError(error, {}, out.stream)).toBe(1);
    expect(out.text()).toBe('core: cannot write /p/.core-stack/state.json: no space left on device (ENOSPC)\n');
  });

  it('says what E2BIG means', () => {
    const error = Object.assign(new Error('spawn E2BIG'), { code: 'E2BIG', syscall: 'spawn', errno: -7 });
    const out = capture();
    expect(reportError(error, {}, out.stream)).toBe(1);
    expect(out.text()).toBe('core: cannot spawn: spawn E2BIG (E2BIG): the arguments and environment are too long for one process (see the limits in docs/manifest.md)\n');
  });

  it('when .core-stack is not a folder, up and generate say so and exit 1', async () => {
    const project = makeProject();
    fs.writeFileSync(path.join(project, '.core-stack'), '');
    for (const args of [['generate'], ['up', '-d']]) {
      const result = await runCore(args, { cwd: project });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`core: cannot mkdir ${project}/.core-stack/logs: not a directory (ENOTDIR)\n`);
    }
  });
});
