/**
 * The stopping half of the state machine, pure: how a stop begins (the signal,
 * or `shutdown.command`), the kill timer, and how it ends (stopped, restarted,
 * or failed per `availability`).
 *
 * With `shutdown.command` (process-compose's doConfiguredStop) the command runs
 * instead of the signal, bounded by `timeout_seconds`; if it fails or overruns,
 * the group gets SIGKILL. process-compose then waits for the process without a
 * bound; here it gets `timeout_seconds` more before SIGKILL, so `core down`
 * cannot hang on a command that "succeeded" without stopping anything. The stop
 * ends once both the process and the command have ended.
 *
 * A launched daemon (Run.launched) has no child: the command's end is the stop's
 * end. Without a command there is nothing to signal, so it ends at once; the
 * daemon is left to the sweep of the run's marks that follows a stop
 * (engines/builtin/supervise.ts, control/survivors.ts).
 */
import { isSuccess, SIGKILL } from './policy.js';
import type { Policy } from './policy.js';
import { afterExit } from './state-exit.js';
import { base, emit, launch, same } from './state-model.js';
import type { AfterStop, Effect, ExitInfo, ExitInput, Input, ProcState, Run, Step } from './state-model.js';

type Stopping = ProcState & { phase: 'stopping' };

export function stopRun(state: ProcState & { run: Run }, policy: Policy, then: AfterStop, reason: string, readyAt?: number): Step {
  const cleanup: Effect[] = [{ type: 'clear-timer', timer: 'readiness' }, { type: 'clear-timer', timer: 'liveness' }, { type: 'abort-probes' }];
  const stopping: Stopping = { ...base(state), phase: 'stopping', run: state.run, readyAt, then };
  if (policy.shutdownCommand) {
    return {
      state: { ...stopping, command: 'running' },
      effects: [
        ...cleanup,
        emit({ type: 'stopping', signal: policy.shutdownSignal, reason, command: true }),
        { type: 'shutdown-command' },
        { type: 'set-timer', timer: 'kill', ms: policy.shutdownTimeoutMs },
      ],
    };
  }
  const stoppingEvent = emit({ type: 'stopping', signal: policy.shutdownSignal, reason });
  if (state.run.launched) {
    const step = finishStop(stopping, policy, launcherExit(state, state.lastExit?.at ?? state.run.startedAt), false);
    return { state: step.state, effects: [...cleanup, stoppingEvent, ...step.effects] };
  }
  return {
    state: stopping,
    effects: [
      ...cleanup,
      stoppingEvent,
      { type: 'kill', signal: policy.shutdownSignal, group: !policy.parentOnly },
      { type: 'set-timer', timer: 'kill', ms: policy.shutdownTimeoutMs },
    ],
  };
}

/** A launched daemon's run ends with its launcher's exit (process-compose reports that code). */
function launcherExit(state: ProcState, at: number): ExitInput {
  return { type: 'exited', code: state.lastExit?.code ?? 0, signal: null, at };
}

/** The stop is over: the process is gone (`observed`: its exit was seen now, else a daemon's end). */
function finishStop(state: Stopping, policy: Policy, input: ExitInput, observed: boolean): Step {
  const cleared: Effect = { type: 'clear-timer', timer: 'kill' };
  const exited: Effect[] = observed
    ? [emit({ type: 'exited', code: input.code, signal: input.signal, success: isSuccess(policy, input.code), ...(input.error ? { error: input.error } : {}) })]
    : [];
  const lastExit: ExitInfo = observed
    ? { code: input.code, signal: input.signal, at: input.at, startedAt: state.run.startedAt }
    : (state.lastExit ?? { code: input.code, signal: null, at: input.at, startedAt: state.run.startedAt });
  const then = state.then;
  if (then.kind === 'stop') {
    return { state: { ...base(state), lastExit, phase: 'stopped' }, effects: [cleared, ...exited, emit({ type: 'stopped' })] };
  }
  if (then.kind === 'restart') {
    const step = launch({ ...state, lastExit }, state.restarts + 1);
    return { state: step.state, effects: [cleared, ...exited, ...step.effects] };
  }
  const step = afterExit(state, policy, state.run, input, then.reason);
  return { state: step.state, effects: [cleared, ...exited, ...step.effects] };
}

/** The child exited while stopping: done, unless the shutdown command still runs. */
export function onExitedWhileStopping(state: Stopping, input: ExitInput, policy: Policy): Step {
  if (state.command !== undefined) return { state: { ...state, held: input }, effects: [] };
  return finishStop(state, policy, input, true);
}

/**
 * The kill timer: the signal (or the safety wait after a command) ran out, or the
 * command itself overran `timeout_seconds`: kill it, and SIGKILL the group.
 */
export function onKillTimer(state: ProcState, policy: Policy): Step {
  if (state.phase !== 'stopping') return same(state);
  const kill: Effect = { type: 'kill', signal: SIGKILL, group: true };
  const killing = emit({ type: 'killing', afterMs: policy.shutdownTimeoutMs });
  if (state.command === 'running') {
    const error = `did not end within ${policy.shutdownTimeoutMs / 1000}s`;
    return { state: { ...state, command: 'aborted' }, effects: [emit({ type: 'shutdown-failed', error }), { type: 'abort-shutdown-command' }, killing, kill] };
  }
  return { state, effects: [killing, kill] };
}

export function onShutdownDone(state: ProcState, input: Input & { type: 'shutdown-done' }, policy: Policy): Step {
  if (state.phase !== 'stopping' || state.command === undefined) return same(state);
  const aborted = state.command === 'aborted';
  const { held } = state;
  const next: Stopping = { ...state, command: undefined, held: undefined };
  const effects: Effect[] = [];
  if (!aborted) {
    effects.push({ type: 'clear-timer', timer: 'kill' });
    // process-compose: a failed command means SIGKILL to the group (doConfiguredStop).
    if (!input.ok) effects.push(emit({ type: 'shutdown-failed', error: input.error ?? 'failed' }), { type: 'kill', signal: SIGKILL, group: true });
  }
  const finish = (step: Step): Step => ({ state: step.state, effects: [...effects, ...step.effects] });
  if (held) return finish(finishStop(next, policy, held, true));
  if (state.run.launched) return finish(finishStop(next, policy, launcherExit(state, input.at), false));
  // The process still runs: it gets timeout_seconds more to exit (after SIGKILL, it will).
  if (input.ok && !aborted) effects.push({ type: 'set-timer', timer: 'kill', ms: policy.shutdownTimeoutMs });
  return { state: next, effects };
}
