/**
 * The page's state and how each stream event changes it. No DOM, no clock of
 * its own (callers pass `now`): unit-tested in node (tests/browser/ui-store.test.ts).
 *
 * Logs are kept per process in rings of at most LOG_CAP lines, and once more in
 * arrival order for the merged view (MERGED_CAP), so a chatty service cannot
 * grow the tab's memory without bound.
 */
import { type EventRec, type Hello, type LogEntry, type Proc, type Reading, toMs } from './types.js';

export const LOG_CAP = 5000;
export const MERGED_CAP = 20_000;
export const RECORD_CAP = 1000;

export interface LogLine {
  /** Arrival order across all processes (the merged view's order). */
  readonly id: number;
  readonly name: string;
  readonly at: number | undefined;
  readonly stream: string;
  readonly line: string;
}

export type Connection = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface State {
  hello: Hello | undefined;
  processes: Proc[];
  /** When `processes` arrived (ms): uptime ticks from there with the browser's clock. */
  processesAt: number;
  /** Newest first. */
  records: EventRec[];
  /** Set by a `reset`: older records were dropped by the server before we read them. */
  missedRecords: boolean;
  logs: Map<string, LogLine[]>;
  merged: LogLine[];
  /** Bumped on every change of `logs` (the log view's memo key). */
  logsVersion: number;
  /** Lines the server dropped from its batches (a runaway printer): said, not hidden. */
  droppedLines: number;
  resources: Reading | undefined;
  connection: Connection;
  /** When the stream was last live (ms), for "disconnected 12 s ago". */
  lastLiveAt: number | undefined;
  nextLineId: number;
}

export function initialState(): State {
  return {
    hello: undefined,
    processes: [],
    processesAt: 0,
    records: [],
    missedRecords: false,
    logs: new Map(),
    merged: [],
    logsVersion: 0,
    droppedLines: 0,
    resources: undefined,
    connection: 'connecting',
    lastLiveAt: undefined,
    nextLineId: 1,
  };
}

/** Drop the oldest lines beyond `cap`, in chunks (splicing on every push would copy the array each time). */
function trim<T>(lines: T[], cap: number): void {
  if (lines.length > cap + Math.max(64, cap >> 4)) lines.splice(0, lines.length - cap);
}

/**
 * A new connection's greeting. The server follows it with the full process list
 * and the recent lines of every process, so what we hold is replaced, not
 * appended to (a reconnect would otherwise show every recent line twice). A
 * different supervisor (another `started_at`) also starts a new event log.
 */
export function applyHello(state: State, hello: Hello): void {
  const sameRun = state.hello !== undefined && toMs(state.hello.started_at) === toMs(hello.started_at);
  if (!sameRun) {
    state.records = [];
    state.missedRecords = false;
  }
  state.hello = hello;
  state.logs = new Map();
  state.merged = [];
  state.logsVersion++;
}

export function applyProcesses(state: State, processes: readonly Proc[], now: number): void {
  // One malformed entry is left out rather than taking every panel down with it.
  state.processes = Array.isArray(processes) ? processes.filter((p) => typeof p?.name === 'string' && typeof p.status === 'string') : [];
  state.processesAt = now;
}

export function applyLogs(state: State, entries: readonly LogEntry[]): void {
  if (!Array.isArray(entries) || entries.length === 0) return;
  for (const entry of entries) {
    if (typeof entry?.name !== 'string' || typeof entry.line !== 'string') continue;
    const line: LogLine = { id: state.nextLineId++, name: entry.name, at: toMs(entry.at), stream: entry.stream, line: entry.line };
    let lines = state.logs.get(entry.name);
    if (!lines) state.logs.set(entry.name, (lines = []));
    lines.push(line);
    trim(lines, LOG_CAP);
    state.merged.push(line);
  }
  trim(state.merged, MERGED_CAP);
  state.logsVersion++;
}

export function applyDropped(state: State, dropped: { lines?: unknown }): void {
  if (typeof dropped?.lines === 'number') state.droppedLines += dropped.lines;
}

export function applyRecord(state: State, record: EventRec): void {
  if (typeof record?.seq !== 'number') return;
  // A resumed stream replays the records after Last-Event-ID: one we hold already is skipped.
  const newest = state.records[0];
  if (newest && record.seq <= newest.seq) {
    if (state.records.some((r) => r.seq === record.seq)) return;
    state.records.push(record);
    state.records.sort((a, b) => b.seq - a.seq);
  } else {
    state.records.unshift(record);
  }
  if (state.records.length > RECORD_CAP) state.records.length = RECORD_CAP;
}

/** The server no longer keeps the records after our Last-Event-ID: what follows starts a new log. */
export function applyReset(state: State): void {
  state.records = [];
  state.missedRecords = true;
}

export function applyResources(state: State, reading: Reading): void {
  if (reading && typeof reading === 'object' && reading.processes) state.resources = reading;
}

export function applyConnection(state: State, connection: Connection, now: number): void {
  if (state.connection === 'live' && connection !== 'live') state.lastLiveAt = now;
  state.connection = connection;
}

/** Uptime of a process's current run (ms) at `now`, from the age the server sent and the browser's clock since. */
export function uptimeMs(state: State, proc: Proc, now: number): number | undefined {
  if (!proc.is_running) return undefined;
  const started = toMs(proc.started_at);
  if (typeof proc.age === 'number' && proc.age > 0) return proc.age / 1e6 + Math.max(0, now - state.processesAt);
  return started === undefined ? undefined : Math.max(0, now - started);
}

/**
 * Processes grouped by service, the groups in the order they started (as the
 * waterfall reads), those not started yet after them in the server's order.
 */
export function byService(processes: readonly Proc[]): { service: string; processes: Proc[] }[] {
  const groups = new Map<string, Proc[]>();
  for (const proc of processes) {
    const service = proc.service || proc.name;
    let group = groups.get(service);
    if (!group) groups.set(service, (group = []));
    group.push(proc);
  }
  const firstStart = (list: Proc[]) => Math.min(...list.map((p) => toMs(p.first_started_at) ?? Number.POSITIVE_INFINITY));
  return [...groups]
    .map(([service, processes], order) => ({ service, processes, order, start: firstStart(processes) }))
    .sort((a, b) => (a.start === b.start ? a.order - b.order : a.start - b.start))
    .map(({ service, processes }) => ({ service, processes }));
}
