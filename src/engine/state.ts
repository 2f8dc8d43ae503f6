/**
 * The life of one process as a state machine. `transition` is pure: it takes the
 * current state, one input and the process's policy, and returns the next state
 * and the effects a runner must carry out (spawn, signal, timers, probes, events).
 * Time comes in with the inputs; nothing here reads a clock.
 *
 *               start                       deps failed
 *   pending ───────────▶ waiting ─────────────────────────────────▶ skipped
 *                           │ deps ready (the supervisor gates)
 *                           ▼                    spawn failed
 *      ┌───────────────▶ starting ────────────────────────────────▶ failed
 *      │                    │ spawned
 *      │          readiness │ check?
 *      │            ┌──yes──┴──no──────────────────┐
 *      │            ▼                              ▼
 *      │         probing ─ probe ok / log line ─▶ ready ◀──┐ periodic readiness and
 *      │            │                              │   └───┘ liveness checks
 *      │            │ exited                       │ exited
 *      │            └───────────────┬──────────────┘
 *      │                            ▼
 *      │  timer      restart per availability? ── no ──▶ completed (success exit)
 *      └─ backing-off ◀── yes ──────┘                    | failed (other exit)
 *         (backoff_seconds × 2^n, capped; n resets after a stable run; no re-gating)
 *
 *   daemon (is_daemon): probing | ready ── launcher exits with a success code ──▶
 *             the same phase, launched (no child; probes go on); a failing
 *             launcher is an exit like any other
 *   stop:     probing | ready ──▶ stopping ── exited ──▶ stopped
 *             waiting | backing-off ───────────────────▶ stopped
 *             (stopping = signal the group, SIGKILL it after timeout_seconds;
 *             with shutdown.command: run it instead, bounded by timeout_seconds
 *             ── failed or overran ──▶ SIGKILL the group; ── ok ──▶ the process
 *             gets timeout_seconds more, then SIGKILL; the stop ends once both
 *             the command and the process are gone; a launched daemon ends with
 *             its command, or at once without one: state-stopping.ts)
 *   restart:  probing | ready ──▶ stopping ── exited ──▶ starting (no backoff)
 *             backing-off ──────────────────────────────▶ starting
 *   readiness or liveness failure_threshold reached (or never ready in time):
 *             probing | ready ──▶ stopping ── exited ──▶ restart per availability,
 *                                                        counted as a failure
 *             (liveness only with `x-core.liveness_failure: restart` or for a launched
 *             daemon; otherwise it is reported and the process runs on, as process-compose)
 *   start:    stopped | completed | failed | skipped ──▶ waiting
 */
import type { Policy } from './policy.js';
import { base, emit, ENDED, launch, livenessStart, same } from './state-model.js';
import type { Effect, Input, ProcState, Step } from './state-model.js';
import { onExited, onProbe, onSpawned } from './state-running.js';
import { onKillTimer, onShutdownDone, stopRun } from './state-stopping.js';
import { unreachable } from '../support/errors.js';

export * from './state-model.js';
export { describeExit } from './state-exit.js';

export function transition(state: ProcState, input: Input, policy: Policy): Step {
  switch (input.type) {
    case 'start':
      if (!ENDED.has(state.phase)) return same(state);
      return { state: { ...base(state), launched: false, phase: 'waiting' }, effects: [emit({ type: 'waiting', on: input.waitingOn })] };
    case 'deps-ready':
      return state.phase === 'waiting' ? launch(state, state.restarts) : same(state);
    case 'deps-failed':
      if (state.phase !== 'waiting') return same(state);
      return {
        state: { ...base(state), phase: 'skipped', reason: input.reason, cause: input.cause },
        effects: [
          emit({ type: 'skipped', reason: input.reason, cause: input.cause }),
          ...(policy.exitOnSkipped ? [{ type: 'end-project', exitCode: 1, reason: `exit_on_skipped: ${input.reason}` } as const] : []),
        ],
      };
    case 'spawned':
      return state.phase === 'starting' ? onSpawned(state, input, policy) : same(state);
    case 'spawn-failed': {
      if (state.phase !== 'starting') return same(state);
      const reason = `could not start: ${input.error}`;
      const effects: Effect[] = [emit({ type: 'failed', reason })];
      if (policy.exitOnEnd || policy.restart === 'exit_on_failure') effects.push({ type: 'end-project', exitCode: 1, reason });
      return { state: { ...base(state), phase: 'failed', reason }, effects };
    }
    case 'output':
      if (state.phase !== 'probing') return same(state);
      if (policy.readyLogLine !== undefined) {
        if (!input.line.includes(policy.readyLogLine)) return same(state);
        return {
          state: { ...base(state), phase: 'ready', run: state.run, readyAt: input.at, readinessFailures: 0, livenessFailures: 0 },
          effects: [emit({ type: 'ready', afterMs: input.at - state.run.startedAt, by: 'log' }), ...livenessStart(policy)],
        };
      }
      return onOutputWhileProbing(state, input, policy);
    case 'probe-result':
      return onProbe(state, input, policy);
    case 'timer':
      return onTimer(state, input, policy);
    case 'exited':
      return onExited(state, input, policy);
    case 'stop':
      return onStop(state, policy);
    case 'restart':
      return onRestart(state, policy);
    case 'shutdown-done':
      return onShutdownDone(state, input, policy);
    default:
      return unreachable(input);
  }
}

/**
 * A process that prints while it is not ready yet has often just got somewhere
 * ("listening on…"): check at once, rather than at the next tick of the fast
 * cadence (10, 15, 22… ms apart), so readiness is seen within a millisecond or
 * two of the line. One such check at a time; a failed one leaves the cadence as
 * it was (onProbe), and none comes before `initial_delay_seconds`.
 */
function onOutputWhileProbing(state: ProcState & { phase: 'probing' }, input: Input & { type: 'output' }, policy: Policy): Step {
  const timing = policy.readinessTiming;
  if (policy.readiness !== 'probe' || !timing || state.earlyProbe) return same(state);
  if (input.at < state.run.startedAt + timing.initialDelayMs) return same(state);
  return { state: { ...state, earlyProbe: true }, effects: [{ type: 'probe', probe: 'readiness', early: true }] };
}

function onTimer(state: ProcState, input: Input & { type: 'timer' }, policy: Policy): Step {
  switch (input.timer) {
    case 'readiness':
      return state.phase === 'probing' || state.phase === 'ready' ? { state, effects: [{ type: 'probe', probe: 'readiness' }] } : same(state);
    case 'liveness':
      return state.phase === 'ready' ? { state, effects: [{ type: 'probe', probe: 'liveness' }] } : same(state);
    case 'backoff':
      return state.phase === 'backing-off' ? launch(state, state.restarts + 1) : same(state);
    case 'kill':
      return onKillTimer(state, policy);
    default:
      return unreachable(input.timer);
  }
}

function onStop(state: ProcState, policy: Policy): Step {
  switch (state.phase) {
    case 'waiting':
      return { state: { ...base(state), phase: 'stopped' }, effects: [emit({ type: 'stopped' })] };
    case 'backing-off':
      return { state: { ...base(state), phase: 'stopped' }, effects: [{ type: 'clear-timer', timer: 'backoff' }, emit({ type: 'stopped' })] };
    case 'probing':
      return stopRun(state, policy, { kind: 'stop' }, 'stop requested');
    case 'ready':
      return stopRun(state, policy, { kind: 'stop' }, 'stop requested', state.readyAt);
    case 'stopping':
      return { state: { ...state, then: { kind: 'stop' } }, effects: [] };
    default:
      // pending and the end states have nothing to stop; `starting` never outlives
      // one step, because the runner reports the spawn result synchronously.
      return same(state);
  }
}

function onRestart(state: ProcState, policy: Policy): Step {
  switch (state.phase) {
    case 'probing':
      return stopRun(state, policy, { kind: 'restart' }, 'restart requested');
    case 'ready':
      return stopRun(state, policy, { kind: 'restart' }, 'restart requested', state.readyAt);
    case 'backing-off': {
      const step = launch(state, state.restarts + 1);
      return { state: step.state, effects: [{ type: 'clear-timer', timer: 'backoff' }, ...step.effects] };
    }
    case 'stopping':
      return { state: { ...state, then: { kind: 'restart' } }, effects: [] };
    default:
      // Not running: the supervisor starts it (with its dependencies) instead.
      return same(state);
  }
}
