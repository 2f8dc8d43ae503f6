/** The marks in a child's environment (control/marks.ts): its name, and the stack's marks nothing overrides. */
import { describe, expect, it } from 'vitest';
import type { ComposeProcess } from '../../src/compose/schema.js';
import { childEnv } from '../../src/engine/specs.js';

const proc = (environment: string[]): ComposeProcess => ({ entrypoint: ['app'], environment, working_dir: '/' }) as unknown as ComposeProcess;

describe('childEnv', () => {
  it("names the process as process-compose does (PC_PROC_NAME), over the manifest's value", () => {
    expect(childEnv(proc(['PC_PROC_NAME=other']), {}, {}, 'web').PC_PROC_NAME).toBe('web');
  });

  it("keeps the base environment's CORE_STACK_* marks whatever the process's environment says", () => {
    const env = childEnv(proc(['CORE_STACK_ID=hidden', 'CORE_STACK_RUN=', 'OTHER=x']), { CORE_STACK_ID: 'abc', CORE_STACK_RUN: '12:34', OTHER: 'base' }, {}, 'web');
    expect(env).toMatchObject({ CORE_STACK_ID: 'abc', CORE_STACK_RUN: '12:34', OTHER: 'x' });
  });
});
