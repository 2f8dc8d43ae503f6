/**
 * `core status [svc…] [--json]` (alias `core ps`): one row per process, or
 * only those named (an unknown name is an error). The JSON shape is versioned
 * and stable: { version, running, engine, supervisor_pid, processes: [{ name,
 * service, status, health, pid, restarts, uptime_seconds, exit_code, ports,
 * last_probe_error, waiting_for, reason }], problems: [WriteProblem…] }. The
 * table cuts long reasons, probe errors and awaited log lines; `--json` has
 * them in full.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlClient } from '../../control/client.js';
import { findStack, type StackHandle } from '../../control/connect.js';
import { describeProblem, type WriteProblem } from '../../control/write-health.js';
import { isSameProcess, runState, type ProcessIdentity } from '../../support/proc.js';
import type { ProcessState } from '../../engine/index.js';
import { InputError, RuntimeError } from '../../support/errors.js';
import { loadSettings } from '../../support/load-settings.js';
import type { CliContext } from '../context.js';
import { print, printJson } from '../output.js';
import { reportSurvivors } from '../render/survivors.js';
import { renderTable } from '../render/table.js';

export interface StatusRow {
  readonly name: string;
  /** The service it runs for: its own name, or the expanded service's (`nats` for `nats-2`). */
  readonly service: string;
  readonly status: string;
  readonly health: string;
  readonly pid: number | null;
  readonly restarts: number;
  readonly uptime_seconds: number | null;
  readonly exit_code: number | null;
  readonly ports: Readonly<Record<string, number>>;
  readonly last_probe_error: string | null;
  /** Not ready yet and ready on a log line: the line it waits for. */
  readonly waiting_for: string | null;
  /** Why it failed or was skipped. */
  readonly reason: string | null;
  /** Our phase (builtin engine): `completed` is a job that ran to its end. */
  readonly phase?: string;
}

/** How long one request to the supervisor may take before it counts as not answering. */
const ANSWER_MS = 2000;
/** A reason or probe error keeps this much in the table when stdout is not a terminal. */
const CELL_CAP = 60;

function toRow(p: ProcessState, ports: Readonly<Record<string, { port: number }>> = {}, service = p.name): StatusRow {
  return {
    name: p.name,
    service,
    status: p.status,
    health: healthOf(p),
    pid: p.pid > 0 && p.is_running ? p.pid : null,
    restarts: p.restarts,
    uptime_seconds: p.is_running ? Math.round(p.age / 1e9) : null,
    exit_code: p.is_running ? null : p.exit_code,
    ports: Object.fromEntries(Object.entries(ports).map(([name, { port }]) => [name, port])),
    last_probe_error: p.last_probe_error ?? null,
    waiting_for: p.waiting_for_log_line ?? null,
    reason: p.reason ?? null,
    ...(p.phase ? { phase: p.phase } : {}),
  };
}

/**
 * The supervisor's answer; undefined once it has gone. A supervisor that is
 * stopping closes its socket a moment before it exits: give it that moment.
 */
async function askProcesses(client: ControlClient, supervisor: ProcessIdentity): Promise<ProcessState[] | undefined> {
  const deadline = Date.now() + ANSWER_MS;
  for (;;) {
    try {
      return await client.processes();
    } catch (error) {
      if (!isSameProcess(supervisor)) return undefined;
      if (Date.now() > deadline) {
        throw new RuntimeError(
          'supervisor-not-answering',
          `the supervisor (pid ${supervisor.pid}) does not answer on ${client.socket}: ${(error as Error).message}; \`core down\` stops the stack`,
        );
      }
      await sleep(20);
    }
  }
}

/** healthy | unhealthy | starting (not yet ready once) | - (no probe, or not running). */
function healthOf(p: ProcessState): string {
  if (!p.is_running || !p.has_ready_probe) return '-';
  if (p.is_ready === 'Ready') return 'healthy';
  // Not ready: never yet (starting), or no longer (unhealthy). process-compose has no
  // phase of ours; it tells when the process was last ready.
  const wasReady = p.phase ? !['probing', 'starting'].includes(p.phase) : Boolean((p as { process_ready_time?: string | null }).process_ready_time);
  return wasReady ? 'unhealthy' : 'starting';
}

/** A supervisor that cannot answer: stopped (SIGSTOP), or a state file that cannot be trusted. */
function refuseBroken(stack: StackHandle): void {
  if (stack.stateProblem) {
    throw new InputError('corrupt-state', `${stack.paths.state}: corrupt state file (${stack.stateProblem}); \`core down\` stops what still runs and removes it`);
  }
  const supervisor = stack.supervisor;
  if (supervisor && runState(supervisor.pid) === 'stopped') {
    throw new RuntimeError(
      'supervisor-stopped',
      `the supervisor (pid ${supervisor.pid}) is stopped (SIGSTOP): it answers nothing and restarts nothing; resume it with \`kill -CONT ${supervisor.pid}\`, or stop the stack with \`core down\``,
    );
  }
}

export async function status(ctx: CliContext, options: { json?: boolean }, only: readonly string[] = []): Promise<void> {
  const settings = loadSettings(process.cwd(), ctx.env);
  const stack = findStack(settings.stackDir, { timeoutMs: ANSWER_MS });
  refuseBroken(stack);
  const [processes, problems] = stack.supervisor
    ? await Promise.all([
        askProcesses(stack.client, stack.supervisor),
        stack.client.projectState().then(
          (s) => s.problems ?? [],
          () => [] as WriteProblem[],
        ),
      ])
    : [undefined, []];
  if (!processes) {
    if (reportSurvivors(settings.stackDir, options.json)) return;
    if (options.json) printJson({ running: false, engine: null, supervisor_pid: null, processes: [], problems: [] });
    else print('not running');
    return;
  }
  const services = stack.state?.services ?? {};
  const serviceOf = (name: string) => services[name] ?? name;
  // A service's name stands for every process it runs as.
  const named = (p: ProcessState) => only.includes(p.name) || only.includes(serviceOf(p.name));
  const unknown = only.filter((name) => !processes.some((p) => p.name === name || serviceOf(p.name) === name));
  if (unknown.length) {
    throw new InputError('unknown-service', `no process named ${unknown.map((n) => `"${n}"`).join(', ')} in the running stack`, [
      `processes: ${processes.map((p) => p.name).join(', ')}`,
    ]);
  }
  const shown = only.length ? processes.filter(named) : processes;
  const rows = shown.map((p) => toRow(p, stack.state?.ports[p.name], serviceOf(p.name)));
  if (options.json) {
    printJson({ running: true, engine: stack.state?.engine ?? 'builtin', supervisor_pid: stack.supervisor!.pid, processes: rows, problems });
    return;
  }
  for (const line of statusTable(rows, process.stdout.isTTY ? process.stdout.columns : undefined)) print(line);
  for (const problem of problems) print(`warning: ${describeProblem(problem)}`);
}

/** Pure: the rows as table lines, fitted to `width` when known. */
export function statusTable(rows: readonly StatusRow[], width?: number): string[] {
  const table = [
    ['NAME', 'STATUS', 'HEALTH', 'PID', 'RESTARTS', 'UPTIME', 'PORTS', 'LAST PROBE ERROR'],
    ...rows.map((r) => [
      r.name,
      statusCell(r),
      r.health,
      r.pid === null ? '-' : String(r.pid),
      String(r.restarts),
      r.uptime_seconds === null ? '-' : formatUptime(r.uptime_seconds),
      Object.entries(r.ports)
        .map(([name, port]) => `${name} ${port}`)
        .join(',') || '-',
      r.last_probe_error ?? (r.waiting_for === null ? '' : `waiting for log line "${r.waiting_for}"`),
    ]),
  ];
  return renderTable(table, { shrinkable: [1, 7], cap: CELL_CAP, ...(width ? { width } : {}) });
}

/** A job that ran to its end shows its exit code; a failure or skip, its reason. */
function statusCell(r: StatusRow): string {
  const completed = r.phase === 'completed' || (r.phase === undefined && r.status === 'Completed');
  if (completed && r.exit_code !== null) return `${r.status} (exit ${r.exit_code})`;
  return r.reason && !['Running', 'Launching'].includes(r.status) ? `${r.status} (${r.reason})` : r.status;
}

function formatUptime(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
}
