/**
 * The event log's shape: one flat, versioned record per state change, the same
 * in memory (journal.ts), on disk (`.core-stack/events.ndjson`), over the
 * control socket (`GET /events`) and in `core events --json`. Every key is
 * always present (null when it does not apply), so scripts can rely on it.
 *
 * `toRecord` is the one place an engine event becomes a record. It reads the
 * common fields by name (`name`, `reason`, `code`/`exitCode`, `pid`,
 * `restarts`, `message`, `from`, `to`), so a new event type (an apply's
 * `apply-started`, `apply-diff`, `apply-finished`) flows through unchanged;
 * the switch below only adds what a known type says in other words. Pure.
 */
import type { EngineEvent } from './events.js';

/** Bump on an incompatible change of `EventRecord`. */
export const EVENT_VERSION = 1;

export interface EventRecord {
  readonly v: typeof EVENT_VERSION;
  /** 1, 2, 3… per supervisor run, without gaps: what `--since` resumes from. */
  readonly seq: number;
  /** ISO 8601, milliseconds. */
  readonly time: string;
  readonly type: string;
  /** The process the event is about; null for an event of the whole stack (an apply). */
  readonly process: string | null;
  /** The service the process belongs to (its `x-core.service`). */
  readonly service: string | null;
  /** The process's phase before and after (equal when it did not change). */
  readonly from: string | null;
  readonly to: string | null;
  readonly reason: string | null;
  readonly exit_code: number | null;
  readonly pid: number | null;
  readonly restarts: number | null;
  /** Detail: an error, a probe failure, a signal, the processes waited for. */
  readonly message: string | null;
}

/** What the supervisor knows of a process at the moment one of its events is recorded. */
export interface ProcessFacts {
  readonly service: string | undefined;
  readonly pid: number | undefined;
  readonly restarts: number;
}

/**
 * Whether an event is a state change worth a record. Output lines go to the
 * log files, not here; a probe only when it counts a failure against
 * `failure_threshold` (the fast probes before the first success and the
 * periodic successes would drown everything else).
 */
export function isRecorded(event: EngineEvent): boolean {
  if (event.type === 'output') return false;
  if (event.type === 'probe') return !event.ok && event.failures > 0;
  return true;
}

type Loose = Readonly<Record<string, unknown>>;
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const ms = (value: number) => `${Math.round(value)} ms`;

/** What a known type says in its own words; generic events keep their own fields. */
function specifics(event: EngineEvent): { reason?: string | null; message?: string | null; exit_code?: number | null } {
  switch (event.type) {
    case 'waiting':
      return { message: event.on.length ? `waiting for ${event.on.join(', ')}` : null };
    case 'probe':
      return { reason: `${event.probe} probe failed (${event.failures})`, message: event.error ?? null };
    case 'ready':
      return { reason: event.by === 'none' ? 'started (no readiness check)' : `ready by ${event.by} in ${ms(event.afterMs)}` };
    case 'exited':
      return { reason: event.signal ?? `code ${event.code}`, message: event.error ?? null };
    case 'restart-scheduled':
      return { message: `restart ${event.restarts} in ${ms(event.delayMs)}` };
    case 'skipped':
      return { message: event.cause };
    case 'stopping':
      return { message: event.command ? 'shutdown command' : `signal ${event.signal}` };
    case 'launched':
      return { reason: 'daemon launched', exit_code: event.code };
    case 'shutdown-failed':
      return { reason: 'shutdown command failed', message: event.error };
    case 'killing':
      return { reason: `did not stop within ${ms(event.afterMs)}`, message: 'SIGKILL' };
    case 'completed':
      return { reason: `completed after ${ms(event.afterMs)}` };
    case 'project-exit':
      return { exit_code: event.exitCode };
    case 'watch-triggered':
      return { reason: 'file changed', message: event.changes > 1 ? `${event.file} (and ${event.changes - 1} more changes)` : event.file };
    case 'reloaded':
      return {
        reason: event.signalled ? `config reloaded in ${ms(event.afterMs)}` : event.digest ? 'already on the new config' : 'restarting: reads the new config as it starts',
        message: event.digest ?? (event.signalled ? 'not verified (no verify)' : null),
      };
    case 'alert':
      return { reason: event.message, message: event.line };
    case 'reload-failed':
      return { reason: 'config reload failed', message: event.message };
    case 'apply-started':
      return { reason: event.dryRun ? 'dry run' : null, message: `apply ${event.id}` };
    case 'apply-diff':
      return { message: describeDiff(event) };
    case 'apply-finished':
      return { reason: event.ok ? `done in ${ms(event.afterMs)}` : 'failed', message: event.message ?? `apply ${event.id}` };
    default:
      return {};
  }
}

/** `apply 3: added web; replaced api (environment API_URL); removed old; 2 unchanged`. */
function describeDiff(event: EngineEvent & { type: 'apply-diff' }): string {
  const parts = [
    ...(event.added.length ? [`added ${event.added.join(', ')}`] : []),
    ...(event.replaced.length ? [`replaced ${event.replaced.map((r) => `${r.name} (${r.reasons.join('; ')})`).join(', ')}`] : []),
    ...(event.updated.length ? [`updated in place ${event.updated.map((u) => `${u.name} (${u.fields.join(', ')})`).join(', ')}`] : []),
    ...(event.removed.length ? [`removed ${event.removed.join(', ')}`] : []),
    `${event.unchanged} unchanged`,
  ];
  return `apply ${event.id}: ${parts.join('; ')}`;
}

export function toRecord(event: EngineEvent, seq: number, facts: ProcessFacts | undefined): EventRecord {
  const loose = event as unknown as Loose;
  const own = specifics(event);
  const has = (key: keyof typeof own) => Object.hasOwn(own, key);
  return {
    v: EVENT_VERSION,
    seq,
    time: new Date(event.at).toISOString(),
    type: event.type,
    // An apply is about the whole stack: its empty name is no process.
    process: str(loose.name) || null,
    service: facts?.service ?? null,
    from: str(loose.from),
    to: str(loose.to),
    reason: has('reason') ? (own.reason ?? null) : str(loose.reason),
    exit_code: has('exit_code') ? (own.exit_code ?? null) : (num(loose.code) ?? num(loose.exitCode)),
    pid: num(loose.pid) ?? facts?.pid ?? null,
    restarts: num(loose.restarts) ?? facts?.restarts ?? null,
    message: has('message') ? (own.message ?? null) : str(loose.message),
  };
}
