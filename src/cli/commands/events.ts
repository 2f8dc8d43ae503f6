/**
 * `core events [--json] [-f] [--since SEQ]`: the stack's state changes, oldest
 * first, each with its seq (1, 2, 3… per supervisor run). From the running
 * supervisor over the control socket (what it keeps in memory), completed
 * from `.core-stack/events.ndjson` for older seqs; with no supervisor, the
 * file alone (the last run's). `-f` follows live; `--since` prints only
 * later seqs, so a reader that kept its last seq resumes with no gap and no
 * duplicate. A gap that cannot be filled (older than anything kept) is said.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ControlError, type EventsPage, type FollowEnd } from '../../control/client.js';
import { findStack, type StackHandle } from '../../control/connect.js';
import { readEventLog } from '../../control/event-log.js';
import type { EventRecord } from '../../engine/index.js';
import { connectEngine, type StackEngine } from '../../engines/index.js';
import { InputError } from '../../support/errors.js';
import { loadSettings } from '../../support/load-settings.js';
import { isSameProcess, type ProcessIdentity } from '../../support/proc.js';
import type { CliContext } from '../context.js';
import { note } from '../output.js';
import { eventRecordLine } from '../render/event-record-line.js';

export interface EventsOptions {
  readonly json?: boolean;
  readonly follow?: boolean;
  readonly since?: string;
}

/** A broken follow (not a stop) is retried after this long, while the supervisor lives. */
const RECONNECT_MS = 100;
/** A supervisor that has just started may not listen yet: how long to keep trying to connect. */
const CONNECT_MS = 2000;

/** `attempt`, tried again while it cannot connect to a live supervisor, for up to CONNECT_MS. */
async function patiently<T>(supervisor: ProcessIdentity, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + CONNECT_MS;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const unreachable = error instanceof ControlError && error.status === undefined && !error.timedOut;
      if (!unreachable || Date.now() > deadline || !isSameProcess(supervisor)) throw error;
      await sleep(50);
    }
  }
}

function parseSince(raw: string | undefined): number {
  if (raw === undefined) return 0;
  if (!/^\d{1,15}$/.test(raw)) throw new InputError('bad-flag', `--since: "${raw}" is not a whole number (a seq from \`core events\`)`);
  return Number(raw);
}

/** Prints each record once, in seq order, and says where seqs are missing. */
class Printer {
  constructor(
    private last: number,
    private readonly json: boolean,
  ) {}

  get seq(): number {
    return this.last;
  }

  print(record: EventRecord): void {
    if (record.seq <= this.last) return;
    this.skipTo(record.seq - 1);
    process.stdout.write(`${this.json ? JSON.stringify(record) : eventRecordLine(record)}\n`);
    this.last = record.seq;
  }

  /** Seqs up to `seq` are nowhere to be had: say so (on stderr, so --json stays clean) and go past them. */
  skipTo(seq: number): void {
    if (seq <= this.last) return;
    const gap = seq === this.last + 1 ? `event ${seq} is` : `events ${this.last + 1}…${seq} are`;
    note(`${gap} no longer kept (older than the supervisor keeps in memory and than .core-stack/events.ndjson holds)`);
    this.last = seq;
  }

  /** The records after the last printed one, up to (not including) `before`, from the file. */
  fromFile(file: string, before = Infinity): void {
    for (const record of readEventLog(file)) if (record.seq > this.last && record.seq < before) this.print(record);
  }
}

export async function events(ctx: CliContext, options: EventsOptions): Promise<void> {
  const since = parseSince(options.since);
  const stack = findStack(loadSettings(process.cwd(), ctx.env).stackDir);
  const printer = new Printer(since, Boolean(options.json));
  const file = stack.paths.events;
  if (!stack.supervisor) {
    if (!fs.existsSync(file)) return note(`the stack is not running, and there is no event log (${file}) yet: start it with \`core up\``);
    printer.fromFile(file);
    return note(`the stack is not running: these are the events of its last run, from ${file}`);
  }
  const engine = connectEngine(stack);
  const lacking = engine.lacks('events');
  if (lacking) throw lacking;
  if (options.follow) return follow(stack, engine, printer);
  let page: EventsPage;
  try {
    page = await patiently(stack.supervisor, () => engine.events(since));
  } catch (error) {
    if (isSameProcess(stack.supervisor)) throw error;
    printer.fromFile(file);
    return note(`the stack has just stopped: these are the events of its last run, from ${file}`);
  }
  if (since > page.last_seq) note(`--since ${since} is past this supervisor run's last event (${page.last_seq}); seqs start again at 1 each time the stack starts`);
  printer.fromFile(file, page.oldest_seq);
  printer.skipTo(Math.min(page.oldest_seq, page.last_seq + 1) - 1);
  for (const record of page.events) printer.print(record);
}

/** Follow until the supervisor stops (exit 0) or the user interrupts. */
async function follow(stack: StackHandle, engine: StackEngine, printer: Printer): Promise<void> {
  const supervisor = stack.supervisor!;
  for (;;) {
    let end: FollowEnd;
    try {
      end = await patiently(supervisor, () => engine.follow(printer.seq, (record) => printer.print(record)));
    } catch (error) {
      // 410: the supervisor no longer keeps what comes next; the file does (or says it is gone).
      const oldest = error instanceof ControlError && error.status === 410 ? (error.body as { oldest_seq?: unknown }).oldest_seq : undefined;
      if (typeof oldest === 'number') {
        printer.fromFile(stack.paths.events, oldest);
        printer.skipTo(oldest - 1);
        continue;
      }
      if (!isSameProcess(supervisor)) return stopped(stack, printer);
      throw error;
    }
    if (end.kind === 'ended' || !isSameProcess(supervisor)) return stopped(stack, printer);
    // Broken while the supervisor lives (e.g. this reader fell too far behind): resume where it was.
    await sleep(RECONNECT_MS);
  }
}

function stopped(stack: StackHandle, printer: Printer): void {
  // The last records may have reached the file after the stream ended.
  printer.fromFile(stack.paths.events);
  note('the supervisor stopped: no more events');
}
