/**
 * How a run ends, pure: restart it per `availability`, or settle in completed or
 * failed (and maybe end the project). Shared by an exit while running
 * (state-running.ts) and the end of a stop (state-stopping.ts).
 */
import { backoffDelay, isSuccess, STABLE_RUN_MS } from './policy.js';
import type { Policy } from './policy.js';
import { base, emit } from './state-model.js';
import type { Effect, ExitInfo, ExitInput, ProcState, Run, Step } from './state-model.js';

export function describeExit(exit: { code: number | null; signal: string | null; error?: string }): string {
  if (exit.error) return exit.error;
  if (exit.code !== null) return `exited with code ${exit.code}`;
  return `killed by ${exit.signal ?? 'a signal'}`;
}

/** A process ended: restart it, or settle in completed/failed (and maybe end the project). */
export function afterExit(state: ProcState, policy: Policy, run: Run, input: ExitInput, failure?: string): Step {
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
