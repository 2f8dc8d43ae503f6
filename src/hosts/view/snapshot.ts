/**
 * What a host's supervisor says about its processes on NATS (pure): the
 * subjects, the snapshot it publishes, and the check a reader runs on one.
 *
 * The snapshot carries states only, never what a process was started with:
 * no environment, no command line, no argument (any client of the NATS
 * cluster can read the subject). Pids, names and probe errors are what
 * `core status` shows anyone who can run it.
 */
import type { ProcessState } from '../../engine/snapshot.js';
import { healthOf } from '../../engine/health.js';

export const SNAPSHOT_VERSION = 1;
/** Every supervisor answers a request here with its snapshot (scatter-gather). */
export const REQUEST_SUBJECT = 'core.hosts.status';
/** Each supervisor's own subject: every state change (coalesced), and a heartbeat. */
export const statusSubject = (host: string) => `core.hosts.${host}.status`;
/** Every host's subject at once. */
export const ALL_STATUS_SUBJECTS = 'core.hosts.*.status';
/** A snapshot at least this often, changed or not: a host silent for longer has stopped reporting. */
export const HEARTBEAT_MS = 1000;
/** State changes that come in a burst (a stack starting) go out as one snapshot, this long after the first. */
export const COALESCE_MS = 50;

/** The host a snapshot comes from, as the hosts file names it. */
export interface HostIdentity {
  readonly host: string;
  readonly region: string;
  readonly address: string;
}

/** One process, with the fields `core status --json` has under the same names. */
export interface HostProcess {
  readonly name: string;
  readonly service: string;
  readonly status: string;
  /** healthy | unhealthy | starting | - (no probe, or not running): as `core status`. */
  readonly health: string;
  readonly ready: boolean;
  readonly restarts: number;
  readonly pid: number | null;
  readonly uptime_seconds: number | null;
  readonly exit_code: number | null;
  readonly last_probe_error: string | null;
  /** Why it failed or was skipped. */
  readonly reason: string | null;
}

export interface HostSnapshot extends HostIdentity {
  readonly version: typeof SNAPSHOT_VERSION;
  /** Counts this supervisor's snapshots; a reader keeps the highest it saw. */
  readonly seq: number;
  /** When it was taken (ISO 8601, the supervisor's clock). */
  readonly time: string;
  readonly processes: readonly HostProcess[];
}

export function snapshotOf(here: HostIdentity, states: readonly ProcessState[], serviceOf: (name: string) => string, seq: number, now: number): HostSnapshot {
  return {
    version: SNAPSHOT_VERSION,
    host: here.host,
    region: here.region,
    address: here.address,
    seq,
    time: new Date(now).toISOString(),
    processes: states.map((p) => ({
      name: p.name,
      service: serviceOf(p.name),
      status: p.status,
      health: healthOf(p),
      ready: p.is_ready === 'Ready',
      restarts: p.restarts,
      pid: p.pid > 0 && p.is_running ? p.pid : null,
      uptime_seconds: p.is_running ? Math.round(p.age / 1e9) : null,
      exit_code: p.is_running ? null : p.exit_code,
      last_probe_error: p.last_probe_error ?? null,
      reason: p.reason ?? null,
    })),
  };
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const orNull = (check: (v: unknown) => boolean) => (v: unknown) => v === null || check(v);
const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);

const PROCESS_FIELDS: Readonly<Record<keyof HostProcess, (v: unknown) => boolean>> = {
  name: isString,
  service: isString,
  status: isString,
  health: isString,
  ready: (v) => typeof v === 'boolean',
  restarts: isCount,
  pid: orNull(isCount),
  uptime_seconds: orNull(isCount),
  exit_code: orNull(isInt),
  last_probe_error: orNull(isString),
  reason: orNull(isString),
};

/**
 * A message's payload as a snapshot, or undefined when it is not one (another
 * version, a stray publisher on the subject): a reader shows nothing it cannot
 * vouch for, and only the fields it knows.
 */
export function parseSnapshot(payload: string): HostSnapshot | undefined {
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const s = data as Record<string, unknown>;
  if (s.version !== SNAPSHOT_VERSION || !isString(s.host) || !isString(s.region) || !isString(s.address) || !isCount(s.seq) || !isString(s.time)) return undefined;
  if (!Array.isArray(s.processes)) return undefined;
  const processes: HostProcess[] = [];
  for (const p of s.processes as unknown[]) {
    if (typeof p !== 'object' || p === null) return undefined;
    const fields = p as Record<string, unknown>;
    if (!Object.entries(PROCESS_FIELDS).every(([key, check]) => check(fields[key]))) return undefined;
    processes.push(Object.fromEntries(Object.keys(PROCESS_FIELDS).map((key) => [key, fields[key]])) as unknown as HostProcess);
  }
  return { version: SNAPSHOT_VERSION, host: s.host, region: s.region, address: s.address, seq: s.seq, time: s.time, processes };
}
