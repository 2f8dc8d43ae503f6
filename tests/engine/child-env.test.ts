/** The marks in a child's environment (control/marks.ts): its name, and the stack's marks nothing overrides. */
import { describe, expect, it } from 'vitest';
import type { ComposeProcess } from '../../src/compose/schema.js';
import { childEnv } from '../../src/engine/specs.js';

const proc = (environment: string[]): ComposeProcess => ({ entrypoint: ['app'], environment, working_dir: '/' }) as unknown as ComposeProcess;

describe('childEnv', () => {
  it('names the process as process-compose does (PC_PROC_NAME) when nothing else does', () => {
    expect(childEnv(proc([]), {}, {}, 'web').PC_PROC_NAME).toBe('web');
  });

  it("lets the process's environment, and the base environment, set PC_PROC_NAME (a replica's is its base name)", () => {
    // process-compose puts PC_PROC_NAME first, below the OS environment and the file's lists.
    expect(childEnv(proc(['PC_PROC_NAME=web']), {}, {}, 'web-1').PC_PROC_NAME).toBe('web');
    expect(childEnv(proc([]), { PC_PROC_NAME: 'outer' }, {}, 'web').PC_PROC_NAME).toBe('outer');
    expect(childEnv(proc(['PC_PROC_NAME=own']), { PC_PROC_NAME: 'outer' }, {}, 'web').PC_PROC_NAME).toBe('own');
  });

  it('marks the process with its full name (CORE_STACK_PROCESS), whatever its environment or the base says', () => {
    const env = childEnv(proc(['PC_PROC_NAME=web', 'CORE_STACK_PROCESS=hidden']), { CORE_STACK_PROCESS: 'outer' }, { CORE_STACK_PROCESS: 'secret' }, 'web-1');
    expect(env).toMatchObject({ PC_PROC_NAME: 'web', CORE_STACK_PROCESS: 'web-1' });
  });

  it("keeps the base environment's CORE_STACK_* marks whatever the process's environment says", () => {
    const env = childEnv(proc(['CORE_STACK_ID=hidden', 'CORE_STACK_RUN=', 'OTHER=x']), { CORE_STACK_ID: 'abc', CORE_STACK_RUN: '12:34', OTHER: 'base' }, {}, 'web');
    expect(env).toMatchObject({ CORE_STACK_ID: 'abc', CORE_STACK_RUN: '12:34', OTHER: 'x' });
  });
});
