/**
 * `.core-stack/events.ndjson`: the journal's records (engine/journal.ts), one
 * JSON object a line, for `core events` when a seq is older than what the
 * supervisor keeps in memory, or when no supervisor runs. It holds one run: a
 * new supervisor starts it afresh (seqs restart at 1 each run). Bounded and
 * rotated like the service logs (one `.1` kept), through the same writer,
 * which drops and counts on a full or read-only disk and never throws.
 */
import fs from 'node:fs';
// Narrow imports: `core events` reads this file without loading the engine.
import type { EventRecord } from '../engine/event-record.js';
import type { EventJournal } from '../engine/journal.js';
import { openRotatingLog, type OnDropped } from '../engine/logs.js';

/** ~300 bytes a record: the file and its `.1` hold more than the journal's 10 000. */
export const EVENT_LOG_MAX_BYTES = 4 * 1024 * 1024;

export interface EventLog {
  /** Write what is pending and stop listening. */
  close(): void;
}

/** Start the file afresh and append every record the journal publishes from now on. */
export function startEventLog(file: string, journal: EventJournal, onDropped?: OnDropped, maxBytes = EVENT_LOG_MAX_BYTES): EventLog {
  for (const old of [file, `${file}.1`]) {
    try {
      fs.rmSync(old, { force: true });
    } catch {
      // A read-only folder: the writer below fails the same way and counts what it drops.
    }
  }
  const log = openRotatingLog(file, maxBytes, onDropped);
  const unsubscribe = journal.subscribe((record) => log.write(JSON.stringify(record)));
  return {
    close() {
      unsubscribe();
      log.close();
    },
  };
}

const isRecord = (value: unknown): value is EventRecord =>
  typeof value === 'object' && value !== null && (value as EventRecord).v === 1 && Number.isInteger((value as EventRecord).seq) && typeof (value as EventRecord).type === 'string';

/**
 * The records on disk, oldest first: the rotated file, then the current one.
 * A line that is not a record (cut short by a full disk, edited by hand) is skipped.
 */
export function readEventLog(file: string): EventRecord[] {
  const records: EventRecord[] = [];
  for (const part of [`${file}.1`, file]) {
    let text: string;
    try {
      text = fs.readFileSync(part, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const value: unknown = JSON.parse(line);
        if (isRecord(value)) records.push(value);
      } catch {
        // skipped, see above
      }
    }
  }
  // A rotation under way could put a record in both files: keep each seq once, in order.
  const seen = new Set<number>();
  return records.filter((r) => !seen.has(r.seq) && seen.add(r.seq)).sort((a, b) => a.seq - b.seq);
}
