/**
 * The supervisor's memory of what happened: each state change numbered (seq
 * 1, 2, 3… per run, no gaps), the last `capacity` kept, and published again as
 * records for the event log and for `core events -f`. Reading the kept records
 * and subscribing happen in one synchronous step, so a follower resuming from a
 * seq sees every later record once: no gap, no duplicate.
 */
import { EventBus, type Listener, type Unsubscribe } from './event-bus.js';
import { isRecorded, toRecord, type EventRecord, type ProcessFacts } from './event-record.js';
import type { EngineEvent } from './events.js';

/** Records kept in memory; older ones are only in `.core-stack/events.ndjson`. */
export const DEFAULT_JOURNAL_CAPACITY = 10_000;

export interface JournalPage {
  /** The kept records with a seq above the one asked for, oldest first. */
  readonly events: readonly EventRecord[];
  /** The oldest seq still kept (last + 1 when nothing is kept yet). */
  readonly oldest: number;
  /** The last seq given out (0 before the first). */
  readonly last: number;
  /** False when records after the asked seq are no longer kept (seqs `since+1 … oldest-1`). */
  readonly complete: boolean;
}

export class EventJournal {
  private readonly ring: EventRecord[] = [];
  /** Index in `ring` of the oldest record once it is full. */
  private start = 0;
  private seq = 0;
  private readonly bus: EventBus<EventRecord>;
  /** The pid of each process's last run: an exit is recorded after the run is gone from the state. */
  private readonly pids = new Map<string, number>();

  constructor(
    /** What the supervisor knows of a process (its service, pid, restarts) right now. */
    private readonly factsOf: (name: string) => ProcessFacts | undefined,
    private readonly capacity = DEFAULT_JOURNAL_CAPACITY,
    onListenerError?: (error: unknown) => void,
  ) {
    this.bus = new EventBus(onListenerError);
  }

  /** Number and keep an engine event that is a state change; the record, or undefined. */
  record(event: EngineEvent): EventRecord | undefined {
    if (!isRecorded(event)) return undefined;
    const name = (event as { name?: unknown }).name;
    let facts = typeof name === 'string' ? this.factsOf(name) : undefined;
    if (facts && facts.pid === undefined && (event.type === 'exited' || event.type === 'completed')) facts = { ...facts, pid: this.pids.get(name as string) };
    const record = toRecord(event, ++this.seq, facts);
    if (record.process !== null && record.pid !== null) this.pids.set(record.process, record.pid);
    if (this.ring.length < this.capacity) this.ring.push(record);
    else {
      this.ring[this.start] = record;
      this.start = (this.start + 1) % this.capacity;
    }
    this.bus.publish(record);
    return record;
  }

  get last(): number {
    return this.seq;
  }

  /** Kept records after `seq` (0: all kept). */
  since(seq: number): JournalPage {
    const oldest = this.seq - this.ring.length + 1;
    const from = Math.max(seq + 1, oldest);
    const events: EventRecord[] = [];
    for (let s = from; s <= this.seq; s++) events.push(this.ring[(this.start + (s - oldest)) % this.ring.length]!);
    return { events, oldest, last: this.seq, complete: seq + 1 >= oldest };
  }

  /** How many listen now (the event log, each `core events -f`). */
  get subscribers(): number {
    return this.bus.size;
  }

  /** Every record from now on. */
  subscribe(listener: Listener<EventRecord>): Unsubscribe {
    return this.bus.subscribe(listener);
  }

  /** The records after `seq` that are kept, then every new one, with nothing between. */
  follow(seq: number, listener: Listener<EventRecord>): { page: JournalPage; unsubscribe: Unsubscribe } {
    const page = this.since(seq);
    return { page, unsubscribe: this.bus.subscribe(listener) };
  }
}
