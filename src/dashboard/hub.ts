/**
 * `/api/stream`: every open dashboard's one SSE stream (docs/dashboard.md).
 * While at least one is open the hub listens to the engine (state changes,
 * output lines), the journal (each client from its own seq) and Resources
 * (a reading every 2 s), and a keep-alive runs every 15 s. When the last one
 * closes all of that stops: with no dashboard open nothing here runs.
 *
 * `processes` is sent at most every PROCESSES_MS, only after a state change,
 * and only when the list differs other than in uptime; output lines are
 * batched every LOGS_MS.
 */
import type { EngineEvent, EventRecord, Supervisor, Unsubscribe } from '../engine/index.js';
import type { Resources } from '../observe/resources.js';
import { frame, type SseClient } from './sse.js';
import { changeKey, type Hello, type ProcessView } from './views.js';

export type DashboardEngine = Pick<Supervisor, 'subscribe' | 'journal' | 'logs' | 'snapshot'>;
export type DashboardResources = Pick<Resources, 'watch' | 'last' | 'read'>;

export interface HubSources {
  readonly engine: DashboardEngine;
  readonly resources: DashboardResources;
  readonly hello: () => Hello;
  readonly processes: () => ProcessView[];
  /** A bug in a timer's work is noted here, never thrown into the supervisor. */
  readonly note?: (line: string) => void;
}

export interface LogEntry {
  readonly name: string;
  /** ms since the epoch; null for the lines sent on connect (the ring keeps no times). */
  readonly at: number | null;
  readonly stream: 'stdout' | 'stderr' | null;
  readonly line: string;
}

export const PROCESSES_MS = 100;
export const LOGS_MS = 100;
export const RESOURCES_MS = 2000;
export const KEEPALIVE_MS = 15_000;
/** Lines of each process sent on connect. */
export const HISTORY_LINES = 200;
/** Records replayed on a fresh connect (no Last-Event-ID): the event log's recent past. */
export const FRESH_RECORDS = 1000;
/** At most this many lines per batch (a runaway printer): the oldest of a batch go, and are counted. */
export const MAX_BATCH_LINES = 5000;
/** A longer line is cut (the page is no place for a 1 MiB line). */
export const MAX_LINE_CHARS = 16 * 1024;

const cut = (line: string) => (line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);

/** Whether an event can change what `processes` shows (a passing probe only after a failing one). */
function changesProcesses(event: EngineEvent, probeFailing: Set<string>): boolean {
  if (event.type === 'output') return false;
  if (event.type === 'probe') {
    if (!event.ok) {
      probeFailing.add(event.name);
      return true;
    }
    return probeFailing.delete(event.name) || event.from !== event.to;
  }
  return true;
}

export class StreamHub {
  private readonly clients = new Map<SseClient, Unsubscribe>();
  private stops: Unsubscribe[] = [];
  private readonly probeFailing = new Set<string>();
  private pendingLogs: LogEntry[] = [];
  private droppedLines = 0;
  private logsTimer: NodeJS.Timeout | undefined;
  private processesTimer: NodeJS.Timeout | undefined;
  private processesSentAt = 0;
  private lastKey = '';

  constructor(private readonly sources: HubSources) {}

  /** Open streams now (tests; the idle check). */
  get size(): number {
    return this.clients.size;
  }

  /**
   * A new stream. `since`: the Last-Event-ID (or ?since=) to resume after;
   * undefined for a fresh page.
   */
  open(client: SseClient, since: number | undefined): void {
    const { engine, resources } = this.sources;
    // Everything that can fail first: a bug here leaves nothing subscribed (the server answers 500).
    const hello = this.sources.hello();
    const views = this.sources.processes();
    const history: LogEntry[] = views.flatMap(({ name }) => (engine.logs(name, HISTORY_LINES) ?? []).map((line) => ({ name, at: null, stream: null, line: cut(line) })));
    const reading = resources.last();
    const fresh = reading && Date.now() - reading.at < RESOURCES_MS * 2 ? reading : undefined;
    const last = engine.journal.last;
    const from = since === undefined ? Math.max(0, last - FRESH_RECORDS) : since > last ? 0 : since;
    // Replay and subscribe in one turn: nothing is recorded in between (journal.ts).
    const { page, unsubscribe } = engine.journal.follow(from, (record: EventRecord) => client.send('record', record, record.seq));
    if (this.clients.size === 0) this.wake(changeKey(views));
    this.clients.set(client, unsubscribe);
    client.send('hello', hello);
    client.send('processes', views);
    if (history.length) client.send('logs', history);
    if (since !== undefined && (!page.complete || since > last)) client.send('reset', { oldest_seq: page.oldest, last_seq: page.last });
    for (const record of page.events) client.send('record', record, record.seq);
    if (fresh) client.send('resources', fresh);
    client.startCounting();
    client.response.once('close', () => this.drop(client));
    if (!client.open) this.drop(client);
  }

  /** End every stream (the dashboard or the stack stops). */
  closeAll(): void {
    for (const client of [...this.clients.keys()]) {
      client.response.end();
      this.drop(client);
    }
  }

  private drop(client: SseClient): void {
    const unsubscribe = this.clients.get(client);
    if (!unsubscribe) return;
    unsubscribe();
    this.clients.delete(client);
    if (this.clients.size === 0) this.sleep();
  }

  /** The first stream opened: start listening. */
  private wake(key: string): void {
    const { engine, resources } = this.sources;
    this.lastKey = key;
    this.stops = [engine.subscribe((event) => this.onEvent(event)), resources.watch((reading) => this.broadcast('resources', reading), RESOURCES_MS)];
    const keepAlive = setInterval(() => this.each((client) => client.comment('keep-alive')), KEEPALIVE_MS);
    keepAlive.unref();
    this.stops.push(() => clearInterval(keepAlive));
  }

  /** The last stream closed: stop everything, so nothing runs with no dashboard open. */
  private sleep(): void {
    for (const stop of this.stops) stop();
    this.stops = [];
    clearTimeout(this.logsTimer);
    clearTimeout(this.processesTimer);
    this.logsTimer = this.processesTimer = undefined;
    this.pendingLogs = [];
    this.droppedLines = 0;
    this.probeFailing.clear();
  }

  private onEvent(event: EngineEvent): void {
    if (event.type === 'output') {
      this.pendingLogs.push({ name: event.name, at: event.at, stream: event.stream, line: cut(event.line) });
      if (this.pendingLogs.length > MAX_BATCH_LINES) {
        const over = this.pendingLogs.length - MAX_BATCH_LINES;
        this.pendingLogs.splice(0, over);
        this.droppedLines += over;
      }
      this.logsTimer ??= setTimeout(() => this.guard('logs', () => this.flushLogs()), LOGS_MS);
      return;
    }
    if (!changesProcesses(event, this.probeFailing) || this.processesTimer) return;
    const wait = Math.max(0, this.processesSentAt + PROCESSES_MS - Date.now());
    this.processesTimer = setTimeout(() => this.guard('processes', () => this.flushProcesses()), wait);
  }

  private flushLogs(): void {
    this.logsTimer = undefined;
    const batch = this.pendingLogs;
    this.pendingLogs = [];
    if (this.droppedLines) this.broadcast('logs-dropped', { lines: this.droppedLines });
    this.droppedLines = 0;
    if (batch.length) this.broadcast('logs', batch);
  }

  private flushProcesses(): void {
    this.processesTimer = undefined;
    this.processesSentAt = Date.now();
    const views = this.sources.processes();
    const key = changeKey(views);
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.broadcast('processes', views);
  }

  private broadcast(event: string, data: unknown): void {
    const text = frame(event, data);
    this.each((client) => client.write(text));
  }

  private each(action: (client: SseClient) => void): void {
    for (const client of this.clients.keys()) action(client);
  }

  /** Timer work: a bug in it is noted, and the supervisor goes on. */
  private guard(what: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.sources.note?.(`internal error in the dashboard (${what}): ${(error as Error)?.stack ?? String(error)}`);
    }
  }
}
