/**
 * `core logs [svc…] [-f] [-n|--tail N] [-t] [--since 10m|TIME] [--events]`:
 * reads the per-process log files under .core-stack/logs/, so it works while
 * the stack runs and after it stopped. Each file's index (src/engine/logs.ts)
 * says when each line arrived: several services are interleaved by time, -t
 * shows it, --since filters by it, and a separator marks where a new run of
 * the stack begins. --events mixes in the supervisor's events
 * (.core-stack/events.ndjson). -f follows until the stack stops (exit 0); a
 * file that shrinks was rotated: it is read anew.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readEventLog } from '../../control/event-log.js';
import { runningSupervisor } from '../../control/lock.js';
import { controlPaths } from '../../control/paths.js';
import { readState } from '../../control/state-file.js';
import type { EventRecord } from '../../engine/index.js';
import { InputError } from '../../support/errors.js';
import { loadSettings } from '../../support/load-settings.js';
import type { CliContext } from '../context.js';
import { readLog, type LogLine } from '../logs/log-index.js';
import { parseSince } from '../logs/since.js';
import { note } from '../output.js';
import { EVENTS_NAME, eventLine, runSeparator, serviceLine, type StreamOptions } from '../render/log-stream.js';
import { expandNames, namedProcesses } from '../../plan/process-names.js';

const FOLLOW_POLL_MS = 100;

export interface LogsOptions {
  readonly follow?: boolean;
  readonly lines: string;
  readonly tail?: string;
  readonly timestamps?: boolean;
  readonly since?: string;
  readonly events?: boolean;
}

/**
 * process-compose writes each line as JSON ({"level", "process", "message", …});
 * the built-in engine writes the line itself. Show the line either way.
 */
export function logLine(raw: string): string {
  if (!raw.startsWith('{"level":')) return raw;
  try {
    const entry = JSON.parse(raw) as { process?: unknown; message?: unknown };
    return typeof entry.process === 'string' && typeof entry.message === 'string' ? entry.message : raw;
  } catch {
    return raw;
  }
}

/** One thing to print: a service's line or a supervisor event. */
type Item = { readonly ms: number | undefined; readonly name: string; readonly line?: LogLine; readonly event?: EventRecord };

export async function logs(ctx: CliContext, services: readonly string[], options: LogsOptions): Promise<void> {
  const rawCount = options.tail ?? options.lines;
  const count = Number(rawCount);
  if (!/^\d+$/.test(rawCount) || !Number.isSafeInteger(count))
    throw new InputError('bad-flag', `${options.tail !== undefined ? '--tail' : '-n'}: "${rawCount}" is not a whole number`);
  const since = options.since === undefined ? undefined : parseSince(options.since, Date.now());
  const paths = controlPaths(loadSettings(process.cwd(), ctx.env).stackDir);
  const state = readState(paths.state);
  const names = pickServices(paths.logs, state?.ports, services, state?.services);
  const stream: StreamOptions = {
    width: names.length > 1 || options.events ? Math.max(...names.map((n) => n.length), options.events ? EVENTS_NAME.length : 0) : 0,
    timestamps: Boolean(options.timestamps),
  };
  const shownRuns = new Set<string>();
  const print = (items: Item[]) => {
    // Interleave by arrival time when every item has one (a log without an index has none: keep file order).
    if (items.every((item) => item.ms !== undefined)) items.sort((a, b) => a.ms! - b.ms!);
    for (const item of items) {
      if (item.event) {
        process.stdout.write(`${eventLine(item.event, stream)}\n`);
        continue;
      }
      const line = item.line!;
      if (line.runStart && !shownRuns.has(line.runStart)) {
        shownRuns.add(line.runStart);
        process.stdout.write(`${runSeparator(line.runStart, line.ms)}\n`);
      }
      process.stdout.write(`${serviceLine(item.name, logLine(line.text), line.ms, stream)}\n`);
    }
  };
  const wanted = (ms: number | undefined) => since === undefined || (ms !== undefined && ms >= since);
  const offsets = new Map<string, number>();
  const history: Item[] = [];
  for (const name of names) {
    const { lines, rest } = readLog(path.join(paths.logs, `${name}.log`));
    offsets.set(name, rest);
    const kept = lines.filter((line) => wanted(line.ms));
    for (const line of count === 0 ? [] : kept.slice(-count)) history.push({ ms: line.ms, name, line });
  }
  let lastEvent: EventRecord | undefined;
  if (options.events) {
    const records = readEventLog(paths.events).filter((r) => wanted(Date.parse(r.time)));
    for (const event of count === 0 ? [] : records.slice(-count)) history.push({ ms: Date.parse(event.time), name: EVENTS_NAME, event });
    lastEvent = records.at(-1);
  }
  print(history);
  if (!options.follow) return;
  if (!runningSupervisor(paths.lock)) return note('the stack is not running: nothing more to follow');
  for (;;) {
    await sleep(FOLLOW_POLL_MS);
    // Seen stopped before the last read: the supervisor wrote its last lines when it closed its logs.
    const running = runningSupervisor(paths.lock) !== undefined;
    const fresh: Item[] = [];
    for (const name of names) {
      const { lines, rest } = readLog(path.join(paths.logs, `${name}.log`), offsets.get(name) ?? 0);
      offsets.set(name, rest);
      for (const line of lines) fresh.push({ ms: line.ms, name, line });
    }
    if (options.events) {
      for (const event of readEventLog(paths.events)) {
        if (lastEvent && !after(event, lastEvent)) continue;
        fresh.push({ ms: Date.parse(event.time), name: EVENTS_NAME, event });
        lastEvent = event;
      }
    }
    print(fresh);
    if (!running) return note('the stack stopped: no more logs');
  }
}

/** Whether `event` came after `last` (seqs start again at 1 each run; times go on). */
function after(event: EventRecord, last: EventRecord): boolean {
  return event.time > last.time || (event.time === last.time && event.seq > last.seq);
}

/** The services asked for, or every service of the last stack with a log; an unknown name is an error. */
function pickServices(
  dir: string,
  stackServices: Readonly<Record<string, unknown>> | undefined,
  asked: readonly string[],
  serviceOf: Readonly<Record<string, string>> = {},
): string[] {
  // The services of the last stack (the state file knows them): not the leftovers of
  // services since removed, nor process-compose's or the supervisor's own logs.
  const available = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => f.slice(0, -4))
        .filter((name) => (stackServices ? name in stackServices : !['core', 'process-compose'].includes(name)))
        .sort()
    : [];
  // `core logs nats` with a NATS cluster: every node's log.
  const { names, unknown } = expandNames(asked, namedProcesses(available, serviceOf));
  if (unknown.length) {
    throw new InputError('unknown-service', `no logs for ${unknown.map((n) => `"${n}"`).join(', ')} in ${dir}`, [
      available.length ? `logs exist for: ${available.join(', ')}` : 'no logs yet: start the stack with `core up`',
    ]);
  }
  return asked.length ? names : available;
}
