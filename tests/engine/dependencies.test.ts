import { describe, expect, it } from 'vitest';
import type { DependencyCondition } from '../../src/manifest/compose-keys.js';
import { closure, dependentsOf, gate } from '../../src/engine/dependencies.js';
import { policyOf } from '../../src/engine/policy.js';
import { initialState } from '../../src/engine/state.js';
import type { ProcState } from '../../src/engine/state.js';
import { doc, httpProbe, proc } from './fakes.js';

const run = { pid: 1, startedAt: 0 };
const states: Record<string, ProcState> = {
  waiting: { ...initialState, phase: 'waiting' },
  probing: { ...initialState, launched: true, phase: 'probing', run, fastDelayMs: 10, deadline: 1000 },
  ready: { ...initialState, launched: true, phase: 'ready', run, readyAt: 5, readinessFailures: 0, livenessFailures: 0 },
  'backing-off': { ...initialState, launched: true, phase: 'backing-off', until: 100 },
  completed: { ...initialState, launched: true, phase: 'completed', lastExit: { code: 0, signal: null, at: 1, startedAt: 0 } },
  failed: { ...initialState, launched: true, phase: 'failed', reason: 'exited with code 1', lastExit: { code: 1, signal: null, at: 1, startedAt: 0 } },
  'spawn-failed': { ...initialState, phase: 'failed', reason: 'could not start: x was not found on PATH' },
  skipped: { ...initialState, phase: 'skipped', reason: 'root failed: boom', cause: 'root' },
  pending: initialState,
};

const withProbe = policyOf(proc('dep', { readiness_probe: httpProbe(1) }));
const withLogLine = policyOf(proc('dep', { ready_log_line: 'listening' }));
const bare = policyOf(proc('dep'));

function verdict(condition: DependencyCondition, state: keyof typeof states, policy = bare): string {
  const result = gate({ dep: { condition } }, () => ({ state: states[state] as ProcState, policy }));
  return result.kind === 'skip' ? `skip: ${result.reason}` : result.kind;
}

describe('gate', () => {
  it.each([
    ['process_started', 'waiting', 'wait'],
    ['process_started', 'probing', 'go'],
    ['process_started', 'backing-off', 'go'],
    ['process_started', 'failed', 'go'],
    ['process_started', 'spawn-failed', 'skip: dep failed: could not start: x was not found on PATH'],
    ['process_completed', 'ready', 'wait'],
    ['process_completed', 'backing-off', 'wait'],
    ['process_completed', 'completed', 'go'],
    ['process_completed', 'failed', 'go'],
    ['process_completed', 'spawn-failed', 'skip: dep failed: could not start: x was not found on PATH'],
    ['process_completed_successfully', 'ready', 'wait'],
    ['process_completed_successfully', 'completed', 'go'],
    ['process_completed_successfully', 'failed', 'skip: dep failed: exited with code 1'],
  ] as const)('%s with the dependency %s: %s', (condition, state, expected) => {
    expect(verdict(condition, state)).toBe(expected);
  });

  it.each([
    ['probing', 'wait'],
    ['backing-off', 'wait'],
    ['ready', 'go'],
    ['failed', 'skip: dep failed: exited with code 1 before it was healthy'],
    ['completed', 'skip: dep exited with code 0 before it was healthy'],
  ] as const)('process_healthy with the dependency %s: %s', (state, expected) => {
    expect(verdict('process_healthy', state, withProbe)).toBe(expected);
  });

  it('process_healthy waits while a ready dependency is failing checks', () => {
    const failing: ProcState = { ...(states.ready as ProcState & { phase: 'ready' }), readinessFailures: 1 };
    expect(gate({ dep: { condition: 'process_healthy' } }, () => ({ state: failing, policy: withProbe }))).toEqual({ kind: 'wait', on: ['dep'] });
  });

  it('process_healthy needs a readiness probe; a log line is not one (as in process-compose)', () => {
    expect(verdict('process_healthy', 'ready', withLogLine)).toBe('skip: dep has no readiness probe, which process_healthy needs');
  });

  it.each([
    ['probing', 'wait'],
    ['ready', 'go'],
    ['completed', 'skip: dep exited with code 0 before it logged "listening"'],
  ] as const)('process_log_ready with the dependency %s: %s', (state, expected) => {
    expect(verdict('process_log_ready', state, withLogLine)).toBe(expected);
  });

  it('passes on a skip with its root cause, and ignores a dependency that is not running', () => {
    const skipped = gate({ dep: { condition: 'process_started' } }, () => ({ state: states.skipped as ProcState, policy: bare }));
    expect(skipped).toEqual({ kind: 'skip', reason: 'dep was skipped: root failed: boom', cause: 'root' });
    expect(verdict('process_healthy', 'pending', withProbe)).toBe('go');
  });

  it('needs every dependency', () => {
    const view = (name: string) => ({ state: (name === 'a' ? states.ready : states.probing) as ProcState, policy: withProbe });
    expect(gate({ a: { condition: 'process_healthy' }, b: { condition: 'process_healthy' } }, view)).toEqual({ kind: 'wait', on: ['b'] });
  });
});

describe('closure and dependents', () => {
  const d = doc({
    web: { depends_on: { api: { condition: 'process_healthy' } } },
    api: { depends_on: { db: { condition: 'process_started' }, cache: { condition: 'process_started' } } },
    db: {},
    cache: { disabled: true },
    other: {},
  });

  it('lists the named processes and their dependencies, dependencies first, skipping disabled ones', () => {
    expect(closure(d, ['web'])).toEqual(['db', 'api', 'web']);
    expect(closure(d, ['cache', 'db'])).toEqual(['cache', 'db']);
  });

  it('maps each process to what depends on it', () => {
    expect(dependentsOf(d).get('db')).toEqual(['api']);
    expect(dependentsOf(d).get('web')).toEqual([]);
  });
});
