import { describe, expect, it } from 'vitest';
import { backoffDelay, nextFastDelay, policyOf, startupDeadline } from '../../src/engine/policy.js';
import type { ProbeTiming } from '../../src/engine/policy.js';
import { initialState, transition } from '../../src/engine/state.js';
import type { Effect, Input, ProcState } from '../../src/engine/state.js';
import { httpProbe, proc } from './fakes.js';

const plain = policyOf(proc('svc'));
const probed = policyOf(proc('svc', { readiness_probe: httpProbe(80, { period_seconds: 2 }) }));

function run(inputs: Input[], policy = plain, from: ProcState = initialState): { state: ProcState; effects: Effect[] } {
  let state = from;
  const effects: Effect[] = [];
  for (const input of inputs) {
    const step = transition(state, input, policy);
    state = step.state;
    effects.push(...step.effects);
  }
  return { state, effects };
}

const types = (effects: Effect[]) => effects.map((e) => (e.type === 'emit' ? `emit:${e.event.type}` : e.type));
const started: Input[] = [{ type: 'start', waitingOn: [] }, { type: 'deps-ready' }, { type: 'spawned', pid: 7, at: 0 }];

describe('transition', () => {
  it('walks pending → waiting → starting and asks for a spawn', () => {
    const { state, effects } = run([{ type: 'start', waitingOn: ['db'] }, { type: 'deps-ready' }]);
    expect(state.phase).toBe('starting');
    expect(types(effects)).toEqual(['emit:waiting', 'emit:starting', 'spawn']);
  });

  it('is ready at once without a readiness check, probing with one', () => {
    expect(run(started).state.phase).toBe('ready');
    const { state, effects } = run(started, probed);
    expect(state.phase).toBe('probing');
    expect(effects).toContainEqual({ type: 'set-timer', timer: 'readiness', ms: 10 });
  });

  it('ignores inputs that do not apply', () => {
    const ready = run(started).state;
    for (const input of [{ type: 'deps-ready' }, { type: 'spawned', pid: 1, at: 0 }, { type: 'timer', timer: 'backoff', at: 0 }] as Input[]) {
      expect(transition(ready, input, plain)).toEqual({ state: ready, effects: [] });
    }
  });

  it('settles a plain exit in completed or failed, by exit code', () => {
    expect(run([...started, { type: 'exited', code: 0, signal: null, at: 5 }]).state.phase).toBe('completed');
    const failed = run([...started, { type: 'exited', code: 3, signal: null, at: 5 }]).state;
    expect(failed).toMatchObject({ phase: 'failed', reason: 'exited with code 3' });
    const custom = policyOf(proc('svc', { success_exit_codes: [3] }));
    expect(run([...started, { type: 'exited', code: 3, signal: null, at: 5 }], custom).state.phase).toBe('completed');
  });

  it('stops by signalling the group, then SIGKILL when the timer fires', () => {
    const policy = policyOf(proc('svc', { shutdown: { signal: 2, timeout_seconds: 3 } }));
    const stopping = run([...started, { type: 'stop' }], policy);
    expect(stopping.state.phase).toBe('stopping');
    expect(stopping.effects).toContainEqual({ type: 'kill', signal: 2, group: true });
    expect(stopping.effects).toContainEqual({ type: 'set-timer', timer: 'kill', ms: 3000 });
    const killed = transition(stopping.state, { type: 'timer', timer: 'kill', at: 3000 }, policy);
    expect(killed.effects).toContainEqual({ type: 'kill', signal: 9, group: true });
    expect(transition(killed.state, { type: 'exited', code: null, signal: 'SIGKILL', at: 3001 }, policy).state.phase).toBe('stopped');
  });

  it('signals only the leader with parent_only', () => {
    const policy = policyOf(proc('svc', { shutdown: { signal: 15, timeout_seconds: 1, parent_only: true } }));
    expect(run([...started, { type: 'stop' }], policy).effects).toContainEqual({ type: 'kill', signal: 15, group: false });
  });

  it('completes a one-shot that exits 0 even under restart: always', () => {
    const policy = policyOf(proc('svc', { availability: { restart: 'always' }, 'x-core': { service: 'svc', one_shot: true } }));
    expect(run([...started, { type: 'exited', code: 0, signal: null, at: 1 }], policy).state.phase).toBe('completed');
  });

  it('asks to end the project for exit_on_failure and exit_on_skipped', () => {
    const onFailure = policyOf(proc('svc', { availability: { restart: 'exit_on_failure' } }));
    const failed = run([...started, { type: 'exited', code: 4, signal: null, at: 1 }], onFailure);
    expect(failed.effects).toContainEqual({ type: 'end-project', exitCode: 4, reason: 'exit_on_failure: exited with code 4' });
    const onSkip = policyOf(proc('svc', { availability: { restart: 'no', exit_on_skipped: true } }));
    const skipped = run(
      [
        { type: 'start', waitingOn: [] },
        { type: 'deps-failed', reason: 'db failed', cause: 'db' },
      ],
      onSkip,
    );
    expect(skipped.effects).toContainEqual(expect.objectContaining({ type: 'end-project', exitCode: 1 }));
  });
});

describe('policy', () => {
  it('grows fast readiness delays ×1.5 from 10 ms, capped at 50 ms (exec: 250 ms) or the period', () => {
    const sequence = (timing: ProbeTiming, n: number) => {
      const delays: number[] = [];
      let d: number | undefined;
      for (let i = 0; i < n; i++) delays.push((d = nextFastDelay(d, timing)));
      return delays;
    };
    const http = policyOf(proc('svc', { readiness_probe: httpProbe(80, { period_seconds: 10 }) })).readinessTiming as ProbeTiming;
    expect(sequence(http, 7)).toEqual([10, 15, 23, 35, 50, 50, 50]);
    const exec = { ...httpProbe(0), http_get: undefined, exec: { command: 'true' } };
    const execTiming = policyOf(proc('svc', { readiness_probe: exec })).readinessTiming as ProbeTiming;
    expect(sequence(execTiming, 10)).toEqual([10, 15, 23, 35, 53, 80, 120, 180, 250, 250]);
    expect(nextFastDelay(undefined, { ...http, periodMs: 5 })).toBe(5);
  });

  it('gives a not-yet-ready process initial delay + failure_threshold periods', () => {
    expect(startupDeadline(100, { initialDelayMs: 2000, fastMaxMs: 50, periodMs: 1000, timeoutMs: 1000, failureThreshold: 3 })).toBe(5100);
  });

  it("doubles the backoff from backoff_seconds up to 30 s for core's own processes (x-core.restart_backoff)", () => {
    const policy = policyOf(proc('svc', { availability: { restart: 'always', backoff_seconds: 2 }, 'x-core': { service: 'svc', restart_backoff: 'doubling' } }));
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n))).toEqual([2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it("keeps process-compose's fixed backoff otherwise: backoff_seconds, at least 1 s", () => {
    const policy = policyOf(proc('svc', { availability: { restart: 'always', backoff_seconds: 2 }, 'x-core': { service: 'svc' } }));
    expect([0, 1, 2, 5].map((n) => backoffDelay(policy, n))).toEqual([2000, 2000, 2000, 2000]);
    expect(backoffDelay(policyOf(proc('svc', { availability: { restart: 'always' } })), 3)).toBe(1000);
  });

  it('uses TCP readiness timing defaults when only x-core.readiness_tcp is set', () => {
    const policy = policyOf(proc('svc', { 'x-core': { service: 'svc', readiness_tcp: { host: '127.0.0.1', port: 1 } } }));
    expect(policy.readiness).toBe('probe');
    expect(policy.readinessTiming).toMatchObject({ periodMs: 10_000, failureThreshold: 3 });
  });

  it('defaults shutdown to SIGTERM and 10 s before SIGKILL', () => {
    expect(plain).toMatchObject({ shutdownSignal: 15, shutdownTimeoutMs: 10_000, parentOnly: false, restart: 'no' });
  });
});

describe('transition: shutdown.command and is_daemon', () => {
  const commanded = policyOf(proc('svc', { shutdown: { signal: 15, timeout_seconds: 2, command: 'stop' } }));
  const daemon = policyOf(proc('svc', { is_daemon: true, shutdown: { signal: 15, timeout_seconds: 2, command: 'stop' } }));

  it('stops by the command, bounded by the kill timer, with no signal', () => {
    const { state, effects } = run([...started, { type: 'stop' }], commanded);
    expect(state).toMatchObject({ phase: 'stopping', command: 'running' });
    expect(types(effects).slice(-3)).toEqual(['emit:stopping', 'shutdown-command', 'set-timer']);
    expect(effects.some((e) => e.type === 'kill')).toBe(false);
  });

  it('holds an exit seen while the command runs, and ends the stop with the command', () => {
    const held = run([...started, { type: 'stop' }, { type: 'exited', code: 0, signal: null, at: 5 }], commanded);
    expect(held.state).toMatchObject({ phase: 'stopping', held: { code: 0 } });
    const done = transition(held.state, { type: 'shutdown-done', ok: true, at: 6 }, commanded);
    expect(done.state).toMatchObject({ phase: 'stopped', lastExit: { code: 0, at: 5 } });
    expect(types([...done.effects])).toEqual(['clear-timer', 'clear-timer', 'emit:exited', 'emit:stopped']);
  });

  it('aborts an overrunning command and kills the group; its late report ends nothing else', () => {
    const stopping = run([...started, { type: 'stop' }, { type: 'timer', timer: 'kill', at: 2000 }], commanded);
    expect(stopping.state).toMatchObject({ phase: 'stopping', command: 'aborted' });
    expect(stopping.effects).toContainEqual({ type: 'abort-shutdown-command' });
    expect(stopping.effects).toContainEqual({ type: 'kill', signal: 9, group: true });
    const reported = transition(stopping.state, { type: 'shutdown-done', ok: false, error: 'killed', at: 2001 }, commanded);
    expect(reported.state).toMatchObject({ phase: 'stopping', command: undefined });
    expect(reported.effects).toEqual([]);
  });

  it('launches a daemon on a success exit, and ends it by the command alone', () => {
    const launched = run([...started, { type: 'exited', code: 0, signal: null, at: 5 }], daemon);
    expect(launched.state).toMatchObject({ phase: 'ready', run: { pid: undefined, launched: true }, lastExit: { code: 0 } });
    const stopping = run([{ type: 'stop' }], daemon, launched.state);
    const done = transition(stopping.state, { type: 'shutdown-done', ok: true, at: 9 }, daemon);
    expect(done.state).toMatchObject({ phase: 'stopped', lastExit: { code: 0, at: 5 } });
    expect(types([...done.effects])).not.toContain('emit:exited');
  });

  it('treats a failing launcher as any failed exit', () => {
    expect(run([...started, { type: 'exited', code: 1, signal: null, at: 5 }], daemon).state).toMatchObject({ phase: 'failed' });
  });
});
