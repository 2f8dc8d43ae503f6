/**
 * `core status [svc…] [--json]` (alias `core ps`): one row per process, or
 * only those named (an unknown name is an error). The JSON shape is versioned
 * and stable: { version, running, engine, supervisor_pid, processes: [{ name,
 * service, status, health, pid, restarts, uptime_seconds, exit_code, ports,
 * last_probe_error, waiting_for, reason, cpu, rss_bytes }], problems:
 * [WriteProblem…] }. The table cuts long reasons, probe errors and awaited log
 * lines; `--json` has them in full. `--watch`: status-watch.ts (program.ts routes it there).
 *
 * CPU and memory come from the supervisor's GET /resources (its whole process
 * group, src/observe/resources.ts): CPU over a window since its previous
 * sample when that is recent (a `--watch`, a scrape, the dashboard), else over
 * RESOURCE_WINDOW_MS waited for now. Under process-compose, its own `cpu` and
 * `mem` fields, when it has them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlClient } from '../../control/client.js';
import { getText } from '../../control/get-text.js';
import { findStack, type StackHandle } from '../../control/connect.js';
import { describeProblem, type WriteProblem } from '../../control/write-health.js';
import { isSameProcess, runState, type ProcessIdentity } from '../../support/proc.js';
import type { ProcessState } from '../../engine/index.js';
import { healthOf } from '../../engine/health.js';
import type { ResourceReading } from '../../observe/resources.js';
import type { Settings } from '../../support/settings.js';
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
  /** The message of its last alert (`x-core.alerts`), shown under the table. */
  readonly last_alert?: string | null;
  /** Our phase (builtin engine): `completed` is a job that ran to its end. */
  readonly phase?: string;
  /** Cores used by its process group (0.5 = half a core); null when unknown (not running, no window yet). */
  readonly cpu: number | null;
  /** Resident memory of its process group; null when unknown. */
  readonly rss_bytes: number | null;
}

/** How long one request to the supervisor may take before it counts as not answering. */
const ANSWER_MS = 2000;
/** A reason or probe error keeps this much in the table when stdout is not a terminal. */
const CELL_CAP = 60;
/**
 * The CPU window a one-off status waits for when no sample is recent: short,
 * so `core status` stays quick in scripts (a resolution of one clock tick, 10 ms,
 * in 100 ms: 0.1 core); a `--watch` measures over its whole second.
 */
export const RESOURCE_WINDOW_MS = 100;

/** process-compose's ProcessState: `mem` bytes and `cpu` percent, when its resource columns are on. */
type PcResources = { readonly mem?: unknown; readonly cpu?: unknown };

function toRow(p: ProcessState, ports: Readonly<Record<string, { port: number }>> = {}, service = p.name, reading?: ResourceReading): StatusRow {
  const usage = reading?.processes[p.name];
  const pc = p as PcResources;
  const running = p.is_running;
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
    last_alert: p.last_alert ?? null,
    ...(p.phase ? { phase: p.phase } : {}),
    cpu: !running ? null : usage ? usage.cpu : typeof pc.cpu === 'number' ? pc.cpu / 100 : null,
    rss_bytes: !running ? null : usage ? usage.rss_bytes : typeof pc.mem === 'number' ? pc.mem : null,
  };
}

/** The supervisor's CPU and memory reading; undefined when it has none to give (process-compose, an old supervisor). */
async function askResources(stack: StackHandle, windowMs: number): Promise<ResourceReading | undefined> {
  if (stack.state?.engine === 'process-compose') return undefined;
  try {
    const answer = await getText(stack.client.socket, `/resources?window=${windowMs}`, ANSWER_MS);
    return answer.status === 200 ? (JSON.parse(answer.body) as ResourceReading) : undefined;
  } catch {
    return undefined; // The columns show '-'; the processes' own answer says whether the supervisor is there.
  }
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

/** What one look at the stack finds. */
export type StatusView =
  | { readonly running: false; readonly stackDir: string }
  | {
      readonly running: true;
      readonly engine: string;
      readonly supervisor_pid: number;
      readonly processes: readonly StatusRow[];
      readonly problems: readonly WriteProblem[];
    };

/** One look: processes, problems and resources asked for at once. */
export async function readStatus(settings: Settings, only: readonly string[], windowMs = RESOURCE_WINDOW_MS): Promise<StatusView> {
  const stack = findStack(settings.stackDir, { timeoutMs: ANSWER_MS });
  refuseBroken(stack);
  const [processes, problems, reading] = stack.supervisor
    ? await Promise.all([
        askProcesses(stack.client, stack.supervisor),
        stack.client.projectState().then(
          (s) => s.problems ?? [],
          () => [] as WriteProblem[],
        ),
        askResources(stack, windowMs),
      ])
    : [undefined, [], undefined];
  if (!processes) return { running: false, stackDir: settings.stackDir };
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
  return {
    running: true,
    engine: stack.state?.engine ?? 'builtin',
    supervisor_pid: stack.supervisor!.pid,
    processes: shown.map((p) => toRow(p, stack.state?.ports[p.name], serviceOf(p.name), reading)),
    problems,
  };
}

export async function status(ctx: CliContext, options: { json?: boolean }, only: readonly string[] = []): Promise<void> {
  const view = await readStatus(loadSettings(process.cwd(), ctx.env), only);
  if (!view.running) {
    if (reportSurvivors(view.stackDir, options.json)) return;
    if (options.json) printJson({ running: false, engine: null, supervisor_pid: null, processes: [], problems: [] });
    else print('not running');
    return;
  }
  if (options.json) {
    printJson(view);
    return;
  }
  for (const line of statusLines(view, process.stdout.isTTY ? process.stdout.columns : undefined)) print(line);
}

/** Pure: a running stack's table and its warnings. */
export function statusLines(view: StatusView & { running: true }, width?: number): string[] {
  const alerts = view.processes.flatMap((p) => (p.last_alert ? [`alert: ${p.name}: ${p.last_alert} (core events ${p.name})`] : []));
  return [...statusTable(view.processes, width), ...alerts, ...view.problems.map((problem) => `warning: ${describeProblem(problem)}`)];
}

/** Pure: the rows as table lines, fitted to `width` when known. */
export function statusTable(rows: readonly StatusRow[], width?: number): string[] {
  const table = [
    ['NAME', 'STATUS', 'HEALTH', 'PID', 'RESTARTS', 'UPTIME', 'CPU', 'MEM', 'PORTS', 'LAST PROBE ERROR'],
    ...rows.map((r) => [
      r.name,
      statusCell(r),
      r.health,
      r.pid === null ? '-' : String(r.pid),
      String(r.restarts),
      r.uptime_seconds === null ? '-' : formatUptime(r.uptime_seconds),
      formatCpu(r.cpu),
      formatBytes(r.rss_bytes),
      Object.entries(r.ports)
        .map(([name, port]) => `${name} ${port}`)
        .join(',') || '-',
      r.last_probe_error ?? (r.waiting_for === null ? '' : `waiting for log line "${r.waiting_for}"`),
    ]),
  ];
  return renderTable(table, { shrinkable: [1, 9], cap: CELL_CAP, ...(width ? { width } : {}) });
}

/** A job that ran to its end shows its exit code; a failure or skip, its reason. */
function statusCell(r: StatusRow): string {
  const completed = r.phase === 'completed' || (r.phase === undefined && r.status === 'Completed');
  if (completed && r.exit_code !== null) return `${r.status} (exit ${r.exit_code})`;
  return r.reason && !['Running', 'Launching', 'Launched'].includes(r.status) ? `${r.status} (${r.reason})` : r.status;
}

export function formatUptime(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
}

/** Cores as top shows them: 100% is one core; '-' when unknown. */
export function formatCpu(cores: number | null | undefined): string {
  if (cores === null || cores === undefined || !Number.isFinite(cores)) return '-';
  const percent = cores * 100;
  return `${percent < 10 ? percent.toFixed(1) : Math.round(percent)}%`;
}

/** Bytes in binary units, three significant figures at most: 512K, 41.2M, 1.50G. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '-';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 || value >= 100 ? Math.round(value) : value.toFixed(value >= 10 ? 1 : 2)}${units[unit]}`;
}
