/**
 * A process's state in process-compose's ProcessState JSON shape (GET /processes),
 * so one client reads either engine, plus a few fields of ours. Pure.
 */
import type { Policy } from './policy.js';
import type { ProcState } from './state.js';
import { unreachable } from '../support/errors.js';

export type ProcessStatus = 'Pending' | 'Running' | 'Launching' | 'Launched' | 'Restarting' | 'Terminating' | 'Completed' | 'Skipped' | 'Error' | 'Disabled';

export interface ProcessState {
  readonly name: string;
  readonly namespace: string;
  readonly status: ProcessStatus;
  /** Uptime as a Go-style duration, e.g. "1m5s". */
  readonly system_time: string;
  /** Uptime in nanoseconds, as process-compose reports it. */
  readonly age: number;
  readonly is_ready: 'Ready' | 'Not Ready' | '-';
  readonly has_ready_probe: boolean;
  readonly restarts: number;
  /** The last exit code; -1 when killed by a signal (as Go reports it). */
  readonly exit_code: number;
  readonly pid: number;
  readonly is_running: boolean;
  // Ours:
  /** Why it failed or was skipped. */
  readonly reason: string | null;
  readonly last_probe_error: string | null;
  /** When it became ready in its current run (ISO 8601). */
  readonly ready_time: string | null;
  /** Our state machine's phase (finer than `status`). */
  readonly phase: ProcState['phase'];
  /** Running but not ready yet, ready on a log line: that line (`core status` shows it). */
  readonly waiting_for_log_line: string | null;
  /** The message of its last `alert` event (`x-core.alerts`), if any. */
  readonly last_alert?: string | null;
}

export interface SnapshotInput {
  readonly name: string;
  readonly state: ProcState;
  readonly policy: Policy;
  /** False when disabled, or never asked to start: process-compose shows those as Disabled. */
  readonly requested: boolean;
  readonly now: number;
  readonly lastAlert?: string | undefined;
}

function statusOf(state: ProcState, policy: Policy, requested: boolean): ProcessStatus {
  switch (state.phase) {
    case 'pending':
      return requested ? 'Pending' : 'Disabled';
    case 'waiting':
      return 'Pending';
    case 'starting':
      return 'Launching';
    case 'probing':
    case 'ready':
      // process-compose: a daemon is Launching while its launcher runs, then Launched.
      if (policy.daemon) return state.run.launched ? 'Launched' : 'Launching';
      return 'Running';
    case 'backing-off':
      return 'Restarting';
    case 'stopping':
      return 'Terminating';
    case 'stopped':
    case 'completed':
      return 'Completed';
    case 'skipped':
      return 'Skipped';
    case 'failed':
      return 'Error';
    default:
      return unreachable(state);
  }
}

/** Go's time.Duration.String() for whole seconds. */
export function goDuration(ms: number): string {
  let seconds = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (hours) return `${hours}h${minutes}m${seconds}s`;
  if (minutes) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** Ready, and its last readiness check (if any) passed: process-compose shows "Not Ready" after a failed one. */
export function isReady(state: ProcState): boolean {
  return state.phase === 'ready' && state.readinessFailures === 0;
}

export function toProcessState({ name, state, policy, requested, now, lastAlert }: SnapshotInput): ProcessState {
  const run = 'run' in state ? state.run : undefined;
  const readyAt = state.phase === 'ready' ? state.readyAt : state.phase === 'stopping' ? state.readyAt : undefined;
  const ageMs = run ? now - run.startedAt : 0;
  const exit = state.lastExit;
  return {
    name,
    namespace: 'default',
    status: statusOf(state, policy, requested),
    system_time: goDuration(ageMs),
    age: ageMs * 1_000_000,
    is_ready: policy.readiness === 'none' ? '-' : isReady(state) ? 'Ready' : 'Not Ready',
    has_ready_probe: policy.readiness === 'probe',
    restarts: state.restarts,
    exit_code: exit ? (exit.code ?? -1) : 0,
    pid: run?.pid ?? 0,
    is_running: run !== undefined,
    reason: state.phase === 'failed' || state.phase === 'skipped' ? state.reason : null,
    last_probe_error: state.lastProbeError ?? null,
    ready_time: readyAt === undefined ? null : new Date(readyAt).toISOString(),
    phase: state.phase,
    waiting_for_log_line: run !== undefined && policy.readiness === 'log' && state.phase !== 'ready' ? (policy.readyLogLine ?? null) : null,
    ...(lastAlert !== undefined ? { last_alert: lastAlert } : {}),
  };
}
