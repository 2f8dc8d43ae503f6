/**
 * The running half of the state machine: a spawn, probe results and exits, with
 * the fast-then-periodic readiness cadence, and a daemon's launch. Pure.
 */
import { isSuccess, nextFastDelay, startupDeadline } from './policy.js';
import type { Policy } from './policy.js';
import { afterExit } from './state-exit.js';
import { base, emit, livenessStart, same } from './state-model.js';
import type { Effect, ExitInfo, ExitInput, Input, ProcState, Run, Step } from './state-model.js';
import { onExitedWhileStopping, stopRun } from './state-stopping.js';

export function onExited(state: ProcState, input: ExitInput, policy: Policy): Step {
  const exited = emit({ type: 'exited', code: input.code, signal: input.signal, success: isSuccess(policy, input.code), ...(input.error ? { error: input.error } : {}) });
  switch (state.phase) {
    case 'probing':
    case 'ready': {
      if (policy.daemon && !state.run.launched && input.error === undefined && isSuccess(policy, input.code)) {
        // process-compose's "Launched": the daemon runs on, probes and all; only its launcher is gone.
        const lastExit: ExitInfo = { code: input.code, signal: input.signal, at: input.at, startedAt: state.run.startedAt };
        const run: Run = { pid: undefined, startedAt: state.run.startedAt, launched: true };
        return { state: { ...state, lastExit, run }, effects: [exited, emit({ type: 'launched', code: input.code })] };
      }
      const stepped = afterExit(state, policy, state.run, input);
      const cleanup: Effect[] = [{ type: 'clear-timer', timer: 'readiness' }, { type: 'clear-timer', timer: 'liveness' }, { type: 'abort-probes' }];
      return { state: stepped.state, effects: [...cleanup, exited, ...stepped.effects] };
    }
    case 'stopping':
      return onExitedWhileStopping(state, input, policy);
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
  // process-compose only logs an ordinary process's liveness failure; a launched daemon's ends it.
  const ends = input.probe === 'readiness' || policy.livenessFailure === 'restart' || state.run.launched === true;
  if (ends && failures >= timing.failureThreshold) {
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
