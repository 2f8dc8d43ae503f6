/**
 * What the state machine needs to know about one process, read once from its
 * ComposeDoc entry, plus the engine's timing constants. Pure.
 */
import type { ComposeProbe, ComposeProcess } from '../compose/schema.js';

/** First readiness check after spawn when there is no initial delay. */
export const FAST_FIRST_MS = 10;
/** Each fast check waits this much longer than the one before… */
export const FAST_GROWTH = 1.5;
/**
 * …up to this interval (or `period_seconds`, if shorter), so a service is seen
 * ready within 50 ms of being ready, however long it takes to get there. Before
 * the first success a check costs one refused loopback connection.
 */
export const FAST_MAX_MS = 50;
/** An exec check spawns a shell each time, so its fast phase is capped higher. */
export const FAST_MAX_EXEC_MS = 250;
/**
 * A process without a readiness check counts as up for `core up` only once it
 * has stayed running this long: long enough to see a command that exits at once
 * (a bad flag, a missing file) or crash-loops, short enough not to be felt. The
 * default stack has probes everywhere, so its start-up does not wait for this.
 */
export const RUNNING_SETTLE_MS = 250;
/**
 * A process that crashes this many times before it is up fails `core up`
 * (a crash loop); fewer crashes are restarted per `availability` and waited for.
 */
export const CRASHES_BEFORE_UP = 3;
/** Restart delays double from `backoff_seconds` up to this (`x-core.restart_backoff: doubling`). */
export const MAX_BACKOFF_MS = 30_000;
/** A run this long counts as stable: the next restart delay starts again from `backoff_seconds`. */
export const STABLE_RUN_MS = 10_000;
/** Without `shutdown.timeout_seconds`, SIGKILL follows the signal after this (process-compose never escalates). */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
export const DEFAULT_SHUTDOWN_SIGNAL = 15;
export const SIGKILL = 9;

export type RestartPolicy = 'always' | 'on_failure' | 'exit_on_failure' | 'no';
export type ProbeKind = 'readiness' | 'liveness';

export interface ProbeTiming {
  readonly initialDelayMs: number;
  /** Cap of the fast phase before the first success. */
  readonly fastMaxMs: number;
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly failureThreshold: number;
}

export interface Policy {
  readonly restart: RestartPolicy;
  readonly backoffMs: number;
  /** `doubling`: core's own (see backoffDelay); `fixed`: process-compose's, `backoffMs` every time. */
  readonly backoff: 'doubling' | 'fixed';
  /** 0 means unlimited. */
  readonly maxRestarts: number;
  readonly successCodes: readonly number[];
  readonly exitOnEnd: boolean;
  readonly exitOnSkipped: boolean;
  readonly oneShot: boolean;
  /** How readiness is known: a probe (http, exec or tcp), a log line, or not at all. */
  readonly readiness: 'probe' | 'log' | 'none';
  readonly readinessTiming: ProbeTiming | undefined;
  readonly readyLogLine: string | undefined;
  readonly livenessTiming: ProbeTiming | undefined;
  /**
   * `restart`: a liveness failure stops the process and `availability` decides
   * (core's own manifests); `report`: it is only reported, the process runs on
   * (process-compose), except a launched daemon's (state-running.ts onProbe).
   */
  readonly livenessFailure: 'restart' | 'report';
  readonly shutdownSignal: number;
  readonly shutdownTimeoutMs: number;
  readonly parentOnly: boolean;
  /**
   * `shutdown.command`: a stop runs it instead of sending the signal, bounded by
   * `shutdownTimeoutMs`; if it fails or times out the group gets SIGKILL. Once it
   * succeeded the process gets `shutdownTimeoutMs` more to exit before SIGKILL
   * (process-compose waits forever there).
   */
  readonly shutdownCommand: boolean;
  /** `is_daemon`: the command's success exit means its daemon runs (state.ts, "daemon"). */
  readonly daemon: boolean;
}

// process-compose's defaults for a probe that leaves fields out (src/health/probe.go).
const DEFAULT_TIMING: ProbeTiming = { initialDelayMs: 0, fastMaxMs: FAST_MAX_MS, periodMs: 10_000, timeoutMs: 1_000, failureThreshold: 3 };

function timingOf(probe: ComposeProbe | undefined): ProbeTiming | undefined {
  if (!probe) return undefined;
  return {
    initialDelayMs: probe.initial_delay_seconds * 1000,
    fastMaxMs: probe.exec ? FAST_MAX_EXEC_MS : FAST_MAX_MS,
    periodMs: probe.period_seconds * 1000,
    timeoutMs: probe.timeout_seconds * 1000,
    failureThreshold: probe.failure_threshold,
  };
}

export function policyOf(proc: ComposeProcess): Policy {
  const availability = proc.availability;
  const tcp = proc['x-core']?.readiness_tcp !== undefined;
  const probeTiming = timingOf(proc.readiness_probe);
  // readiness_tcp replaces the exec probe, so it gets the fast cap of a connect.
  const readinessTiming = tcp ? { ...DEFAULT_TIMING, ...probeTiming, fastMaxMs: FAST_MAX_MS } : probeTiming;
  const readiness = readinessTiming ? 'probe' : proc.ready_log_line !== undefined ? 'log' : 'none';
  return {
    restart: availability?.restart ?? 'no',
    // process-compose: max(backoff_seconds, 1) s (app/process.go getBackoff).
    backoffMs: Math.max(availability?.backoff_seconds ?? 1, 1) * 1000,
    backoff: proc['x-core']?.restart_backoff === 'doubling' ? 'doubling' : 'fixed',
    maxRestarts: availability?.max_restarts ?? 0,
    successCodes: [0, ...(proc.success_exit_codes ?? [])],
    exitOnEnd: availability?.exit_on_end ?? false,
    exitOnSkipped: availability?.exit_on_skipped ?? false,
    oneShot: proc['x-core']?.one_shot ?? false,
    readiness,
    readinessTiming,
    readyLogLine: readiness === 'log' ? proc.ready_log_line : undefined,
    livenessTiming: timingOf(proc.liveness_probe),
    livenessFailure: proc['x-core']?.liveness_failure === 'restart' ? 'restart' : 'report',
    shutdownSignal: proc.shutdown?.signal ?? DEFAULT_SHUTDOWN_SIGNAL,
    shutdownTimeoutMs: proc.shutdown ? proc.shutdown.timeout_seconds * 1000 : DEFAULT_SHUTDOWN_TIMEOUT_MS,
    parentOnly: proc.shutdown?.parent_only ?? false,
    shutdownCommand: proc.shutdown?.command !== undefined,
    daemon: proc.is_daemon ?? false,
  };
}

/** Delay of the next fast readiness check, given the one before (undefined: the first). */
export function nextFastDelay(previous: number | undefined, timing: ProbeTiming): number {
  const cap = Math.min(timing.fastMaxMs, timing.periodMs);
  if (previous === undefined) return Math.min(FAST_FIRST_MS, cap);
  return Math.min(Math.round(previous * FAST_GROWTH), cap);
}

/**
 * Before the first success, failures don't count one by one (we check far more
 * often than process-compose); instead the process fails when it has had the
 * time process-compose would give it: the initial delay plus `failure_threshold`
 * periods.
 */
export function startupDeadline(spawnedAt: number, timing: ProbeTiming): number {
  return spawnedAt + timing.initialDelayMs + timing.failureThreshold * timing.periodMs;
}

/**
 * The delay before a restart, `level` restarts since the last stable run.
 * `doubling`: base × 2^level, capped, so a crash loop of core's own services
 * costs little. `fixed`: process-compose waits the same `backoff_seconds`
 * before every restart, and a process-compose file is run as it would be.
 */
export function backoffDelay(policy: Policy, level: number): number {
  if (policy.backoff === 'fixed') return policy.backoffMs;
  return Math.min(policy.backoffMs * 2 ** level, Math.max(MAX_BACKOFF_MS, policy.backoffMs));
}

export function isSuccess(policy: Policy, code: number | null): boolean {
  return code !== null && policy.successCodes.includes(code);
}
