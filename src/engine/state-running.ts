/**
 * The running half of the state machine: a spawn, probe results and exits, with
 * the fast-then-periodic readiness cadence and the restart decision. Pure.
 */
import { backoffDelay, isSuccess, nextFastDelay, STABLE_RUN_MS, startupDeadline } from './policy.js';
import type { Policy } from './policy.js';
import { base, emit, launch, livenessStart, same, stopRun } from './state-model.js';
import type { Effect, ExitInfo, Input, ProcState, Run, Step } from './state-model.js';

export function describeExit(exit: { code: number | null; signal: string | null; error?: string }): string {
  if (exit.error) return exit.error;
  if (exit.code !== null) return `exited with code ${exit.code}`;
  return `killed by ${exit.signal ?? 'a signal'}`;
}

/** A process ended: restart it, or settle in completed/failed (and maybe end the project). */
function afterExit(state: ProcState, policy: Policy, run: Run, input: Input & { type: 'exited' }, failure?: string): Step {
  const lastExit: ExitInfo = { code: input.code, signal: input.signal, at: input.at, startedAt: run.startedAt };
  const success = failure === undefined && input.error === undefined && isSuccess(policy, input.code);
  const level = input.at - run.startedAt >= STABLE_RUN_MS ? 0 : state.backoffLevel;
  const common = { ...base(state), lastExit, backoffLevel: level };
  const reason = failure ?? describeExit(input);
  const restartable = !(policy.oneShot && success) && (policy.restart === 'always' || (policy.restart === 'on_failure' && !success));
  const withinLimit = policy.maxRestarts === 0 || state.restarts < policy.maxRestarts;
  if (restartable && withinLimit) {
    const delayMs = backoffDelay(policy, level);
    return {
      state: { ...common, phase: 'backing-off', until: input.at + delayMs, backoffLevel: level + 1 },
      effects: [emit({ type: 'restart-scheduled', delayMs, restarts: state.restarts + 1, reason }), { type: 'set-timer', timer: 'backoff', ms: delayMs }],
    };
  }
  const effects: Effect[] = [];
  let next: ProcState;
  if (success) {
    next = { ...common, phase: 'completed' };
    effects.push(emit({ type: 'completed', code: input.code, afterMs: input.at - run.startedAt }));
  } else {
    const why = restartable ? `${reason} (gave up after ${state.restarts} restarts)` : reason;
    next = { ...common, phase: 'failed', reason: why };
    effects.push(emit({ type: 'failed', reason: why }));
  }
  const exitCode = success ? 0 : input.code !== null && input.code > 0 ? input.code : 1;
  if (policy.exitOnEnd) effects.push({ type: 'end-project', exitCode, reason: `exit_on_end: ${reason}` });
  else if (policy.restart === 'exit_on_failure' && !success) effects.push({ type: 'end-project', exitCode, reason: `exit_on_failure: ${reason}` });
  return { state: next, effects };
}

export function onExited(state: ProcState, input: Input & { type: 'exited' }, policy: Policy): Step {
  const exited = emit({ type: 'exited', code: input.code, signal: input.signal, success: isSuccess(policy, input.code), ...(input.error ? { error: input.error } : {}) });
  const withExited = (step: Step): Step => ({ state: step.state, effects: [exited, ...step.effects] });
  switch (state.phase) {
    case 'probing':
    case 'ready': {
      const stepped = afterExit(state, policy, state.run, input);
      const cleanup: Effect[] = [{ type: 'clear-timer', timer: 'readiness' }, { type: 'clear-timer', timer: 'liveness' }, { type: 'abort-probes' }];
      return { state: stepped.state, effects: [...cleanup, exited, ...stepped.effects] };
    }
    case 'stopping': {
      const cleared: Effect = { type: 'clear-timer', timer: 'kill' };
      const lastExit: ExitInfo = { code: input.code, signal: input.signal, at: input.at, startedAt: state.run.startedAt };
      const then = state.then;
      if (then.kind === 'stop') {
        return { state: { ...base(state), lastExit, phase: 'stopped' }, effects: [cleared, exited, emit({ type: 'stopped' })] };
      }
      if (then.kind === 'restart') {
        const step = launch({ ...state, lastExit }, state.restarts + 1);
        return { state: step.state, effects: [cleared, exited, ...step.effects] };
      }
      const step = afterExit(state, policy, state.run, input, then.reason);
      return { state: step.state, effects: [cleared, ...withExited(step).effects] };
    }
    default:
      return same(state);
  }
}

export function onProbe(state: ProcState, input: Input & { type: 'probe-result' }, policy: Policy): Step {
  const error = input.ok ? undefined : (input.error ?? 'failed');
  const lastProbeError = input.ok ? state.lastProbeError : error;
  // A check prompted by output (state.ts): only its success counts, and only before readiness.
  if (input.early && (state.phase !== 'probing' || !input.ok)) return state.phase === 'probing' ? { state: { ...state, earlyProbe: false }, effects: [] } : same(state);
  if (state.phase === 'probing' && input.probe === 'readiness') {
    const timing = policy.readinessTiming;
    if (!timing) return same(state);
    const probe = emit({ type: 'probe', probe: 'readiness', ok: input.ok, failures: 0, ...(error ? { error } : {}) });
    if (input.ok) {
      return {
        state: { ...base(state), lastProbeError: undefined, phase: 'ready', run: state.run, readyAt: input.at, readinessFailures: 0, livenessFailures: 0 },
        effects: [
          probe,
          emit({ type: 'ready', afterMs: input.at - state.run.startedAt, by: 'probe' }),
          { type: 'set-timer', timer: 'readiness', ms: timing.periodMs, periodic: true },
          ...livenessStart(policy),
        ],
      };
    }
    if (state.deadline !== undefined && input.at >= state.deadline) {
      const seconds = Math.round((input.at - state.run.startedAt) / 1000);
      const step = stopRun({ ...state, lastProbeError }, policy, { kind: 'fail', reason: `not ready after ${seconds}s: ${error}` }, `readiness probe failing: ${error}`);
      return { state: step.state, effects: [probe, ...step.effects] };
    }
    const fastDelayMs = nextFastDelay(state.fastDelayMs, timing);
    return { state: { ...state, lastProbeError, fastDelayMs }, effects: [probe, { type: 'set-timer', timer: 'readiness', ms: fastDelayMs }] };
  }
  if (state.phase !== 'ready') return same(state);
  const timing = input.probe === 'readiness' ? policy.readinessTiming : policy.livenessTiming;
  if (!timing) return same(state);
  const key = input.probe === 'readiness' ? 'readinessFailures' : 'livenessFailures';
  const failures = input.ok ? 0 : state[key] + 1;
  const probe = emit({ type: 'probe', probe: input.probe, ok: input.ok, failures, ...(error ? { error } : {}) });
  if (failures >= timing.failureThreshold) {
    const reason = `${input.probe} probe failed ${failures} times: ${error}`;
    const step = stopRun({ ...state, lastProbeError }, policy, { kind: 'fail', reason }, reason, state.readyAt);
    return { state: step.state, effects: [probe, ...step.effects] };
  }
  return {
    state: { ...state, lastProbeError: input.ok && input.probe === 'readiness' ? undefined : lastProbeError, [key]: failures },
    effects: [probe, { type: 'set-timer', timer: input.probe, ms: timing.periodMs, periodic: true }],
  };
}

export function onSpawned(state: ProcState, input: Input & { type: 'spawned' }, policy: Policy): Step {
  const run: Run = { pid: input.pid, startedAt: input.at };
  const started = emit({ type: 'started', pid: input.pid });
  const common = { ...base(state), launched: true };
  const timing = policy.readinessTiming;
  if (policy.readiness === 'probe' && timing) {
    const first = timing.initialDelayMs || nextFastDelay(undefined, timing);
    return {
      state: { ...common, phase: 'probing', run, fastDelayMs: nextFastDelay(undefined, timing), deadline: startupDeadline(input.at, timing) },
      effects: [started, { type: 'set-timer', timer: 'readiness', ms: first }],
    };
  }
  if (policy.readiness === 'log') {
    return { state: { ...common, phase: 'probing', run, fastDelayMs: undefined, deadline: undefined }, effects: [started] };
  }
  return {
    state: { ...common, phase: 'ready', run, readyAt: input.at, readinessFailures: 0, livenessFailures: 0 },
    effects: [started, emit({ type: 'ready', afterMs: 0, by: 'none' }), ...livenessStart(policy)],
  };
}
