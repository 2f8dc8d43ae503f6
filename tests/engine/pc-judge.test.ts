/**
 * Judging process-compose's process list (issue 9 items 20–22): the rules of the
 * built-in engine, applied to GET /processes. The interop test runs the real
 * binary where one is installed; this pins the rules everywhere.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessState } from '../../src/engine/index.js';
import { RUNNING_SETTLE_MS } from '../../src/engine/policy.js';
import { judgePcStates } from '../../src/engines/process-compose/judge.js';
import { doc, httpProbe } from './fakes.js';

const MS = 1_000_000;
/** The fields of process-compose's ProcessState the judge reads. */
function state(name: string, status: ProcessState['status'], extra: Partial<ProcessState> = {}): ProcessState {
  return { name, status, is_ready: '-', exit_code: 0, age: 0, restarts: 0, ...extra } as ProcessState;
}

const stack = doc({
  migrate: {},
  app: { readiness_probe: httpProbe(8080), depends_on: { migrate: { condition: 'process_completed_successfully' } } },
  web: {},
});

describe('judgePcStates', () => {
  it('counts a job that completed with 0 as completed, not as a failure (was "migrate ended (Completed, exit code 0)")', () => {
    const verdict = judgePcStates(stack, ['migrate', 'app'], [state('migrate', 'Completed', { exit_code: 0, age: 1200 * MS }), state('app', 'Running', { is_ready: 'Ready' })]);
    expect(verdict).toEqual({
      kind: 'ok',
      outcomes: [
        { name: 'migrate', status: 'completed', exitCode: 0, durationMs: 1200 },
        { name: 'app', status: 'healthy', readyMs: 0 },
      ],
    });
  });

  it('a job that failed, a service that ended, a restart, an error and a skip are failures naming the process', () => {
    const one = (s: ProcessState, targets = [s.name]) => judgePcStates(stack, targets, [s]);
    expect(one(state('migrate', 'Completed', { exit_code: 2 }))).toEqual({ kind: 'failed', name: 'migrate', message: 'migrate failed (exit code 2)', exitCode: 2 });
    expect(one(state('web', 'Completed', { exit_code: 0 }))).toMatchObject({ kind: 'failed', message: 'web exited with code 0 instead of staying up' });
    // One or two crashes get their restart; the third before it is up is a crash loop.
    expect(one(state('web', 'Restarting', { exit_code: 3, restarts: 1 }))).toMatchObject({ kind: 'pending' });
    expect(one(state('web', 'Restarting', { exit_code: 3, restarts: 2 }))).toMatchObject({
      kind: 'failed',
      message: 'web exited with code 3 before it was up, 3 times in a row (restarting)',
      exitCode: 3,
    });
    expect(one(state('web', 'Error', { exit_code: 1 }))).toMatchObject({ kind: 'failed', message: 'web failed (exit code 1)' });
    expect(one(state('app', 'Skipped'))).toMatchObject({ kind: 'failed', message: 'app was not started (a dependency failed)' });
  });

  it('a process without a check is running only after the settle window; one with a check only once ready', () => {
    expect(judgePcStates(stack, ['web'], [state('web', 'Running', { age: (RUNNING_SETTLE_MS - 1) * MS })])).toEqual({ kind: 'pending', waiting: 'web' });
    expect(judgePcStates(stack, ['web'], [state('web', 'Running', { age: RUNNING_SETTLE_MS * MS })])).toEqual({ kind: 'ok', outcomes: [{ name: 'web', status: 'running' }] });
    expect(judgePcStates(stack, ['app'], [state('app', 'Running', { is_ready: 'Not Ready', age: 10_000 * MS })])).toEqual({ kind: 'pending', waiting: 'app' });
    expect(judgePcStates(stack, ['app', 'web'], [])).toEqual({ kind: 'pending', waiting: 'app' });
  });
});
