/**
 * The data of the per-process state machine (see the diagram in state.ts): states,
 * inputs, effects, and the small step builders both halves of `transition` share.
 */
import type { EventBody } from './events.js';
import type { Policy, ProbeKind } from './policy.js';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: string | null;
  readonly at: number;
  /** When the run that ended began: `at - startedAt` is how long it ran. */
  readonly startedAt: number;
}

export interface Run {
  readonly pid: number | undefined;
  readonly startedAt: number;
  /**
   * `is_daemon`: the launcher exited with a success code and its daemon runs
   * (process-compose's "Launched"). No child is left to signal or wait for: pid is
   * undefined, and only `shutdown.command` (or `core down`'s sweep) stops it.
   */
  readonly launched?: true;
}

/** A child's exit as the runner reports it. */
export type ExitInput = Input & { readonly type: 'exited' };

interface Common {
  /** Launches after the first one. */
  readonly restarts: number;
  /** Exponent of the next restart delay. */
  readonly backoffLevel: number;
  /** Spawned since the last start request (what `process_started` waits for). */
  readonly launched: boolean;
  readonly lastExit: ExitInfo | undefined;
  readonly lastProbeError: string | undefined;
}

/** What to do when a stopping process is gone. */
export type AfterStop = { readonly kind: 'stop' } | { readonly kind: 'restart' } | { readonly kind: 'fail'; readonly reason: string };

export type ProcState =
  | (Common & { readonly phase: 'pending' })
  | (Common & { readonly phase: 'waiting' })
  | (Common & { readonly phase: 'starting' })
  | (Common & {
      readonly phase: 'probing';
      readonly run: Run;
      /** Delay before the check in flight or scheduled; grows while it fails. */
      readonly fastDelayMs: number | undefined;
      readonly deadline: number | undefined;
      /** A check prompted by output (state.ts `output`) is in flight: one at a time. */
      readonly earlyProbe?: boolean;
    })
  | (Common & {
      readonly phase: 'ready';
      readonly run: Run;
      readonly readyAt: number;
      readonly readinessFailures: number;
      readonly livenessFailures: number;
    })
  | (Common & { readonly phase: 'backing-off'; readonly until: number })
  | (Common & {
      readonly phase: 'stopping';
      readonly run: Run;
      readonly readyAt: number | undefined;
      readonly then: AfterStop;
      /**
       * `shutdown.command` in flight (`aborted`: it overran the timeout and was killed).
       * The stop ends only once it has ended too, as process-compose's stopProcess
       * returns after the command (state-stopping.ts).
       */
      readonly command?: 'running' | 'aborted';
      /** The child's exit, seen while the command still ran. */
      readonly held?: ExitInput;
    })
  | (Common & { readonly phase: 'stopped' })
  | (Common & { readonly phase: 'failed'; readonly reason: string })
  | (Common & { readonly phase: 'skipped'; readonly reason: string; readonly cause: string })
  | (Common & { readonly phase: 'completed' });

export type Phase = ProcState['phase'];
export type TimerName = ProbeKind | 'backoff' | 'kill';

export type Input =
  | { readonly type: 'start'; readonly waitingOn: readonly string[] }
  | { readonly type: 'deps-ready' }
  | { readonly type: 'deps-failed'; readonly reason: string; readonly cause: string }
  | { readonly type: 'spawned'; readonly pid: number | undefined; readonly at: number }
  | { readonly type: 'spawn-failed'; readonly error: string; readonly at: number }
  | { readonly type: 'output'; readonly line: string; readonly at: number }
  | { readonly type: 'probe-result'; readonly probe: ProbeKind; readonly ok: boolean; readonly error?: string; readonly at: number; readonly early?: boolean }
  | { readonly type: 'timer'; readonly timer: TimerName; readonly at: number }
  | { readonly type: 'exited'; readonly code: number | null; readonly signal: string | null; readonly error?: string; readonly at: number }
  | { readonly type: 'stop' }
  | { readonly type: 'restart' }
  /** The `shutdown.command` ended: `ok` when it exited 0. */
  | { readonly type: 'shutdown-done'; readonly ok: boolean; readonly error?: string; readonly at: number };

export type Effect =
  | { readonly type: 'spawn' }
  | { readonly type: 'kill'; readonly signal: number; readonly group: boolean }
  /**
   * `periodic`: the steady cadence of a check (every `ms`): the runner fires it on the
   * next multiple of `ms` of the clock, so checks of the same period share a wake-up.
   */
  | { readonly type: 'set-timer'; readonly timer: TimerName; readonly ms: number; readonly periodic?: true }
  | { readonly type: 'clear-timer'; readonly timer: TimerName }
  /** `early`: prompted by output, outside the cadence (state.ts `output`). */
  | { readonly type: 'probe'; readonly probe: ProbeKind; readonly early?: boolean }
  | { readonly type: 'abort-probes' }
  /** Run `shutdown.command` (the runner reports `shutdown-done`), or kill it when it overran. */
  | { readonly type: 'shutdown-command' }
  | { readonly type: 'abort-shutdown-command' }
  | { readonly type: 'emit'; readonly event: EventBody }
  /** `exit_on_end` / `exit_on_failure` / `exit_on_skipped`: stop the whole stack with this code. */
  | { readonly type: 'end-project'; readonly exitCode: number; readonly reason: string };

export interface Step {
  readonly state: ProcState;
  readonly effects: readonly Effect[];
}

export const initialState: ProcState = {
  phase: 'pending',
  restarts: 0,
  backoffLevel: 0,
  launched: false,
  lastExit: undefined,
  lastProbeError: undefined,
};

export const RUNNING: ReadonlySet<Phase> = new Set(['starting', 'probing', 'ready', 'stopping']);
export const ENDED: ReadonlySet<Phase> = new Set(['pending', 'stopped', 'failed', 'skipped', 'completed']);

export const emit = (event: EventBody): Effect => ({ type: 'emit', event });
export const same = (state: ProcState): Step => ({ state, effects: [] });

export function launch(state: ProcState, restarts: number): Step {
  return { state: { ...base(state), phase: 'starting', restarts }, effects: [emit({ type: 'starting', restarts }), { type: 'spawn' }] };
}

export function base(state: ProcState): Common {
  const { restarts, backoffLevel, launched, lastExit, lastProbeError } = state;
  return { restarts, backoffLevel, launched, lastExit, lastProbeError };
}

export function livenessStart(policy: Policy): Effect[] {
  const timing = policy.livenessTiming;
  return timing ? [{ type: 'set-timer', timer: 'liveness', ms: timing.initialDelayMs || timing.periodMs }] : [];
}
