/**
 * What the page receives over `/api/stream` (the contract in docs/dashboard.md).
 * The page's own copy of the wire shapes: it is bundled for the browser apart
 * from the supervisor, and reads every field defensively (a newer server may
 * add fields, an older one may lack `logs_tail`).
 */
import type { EventRecord } from '../../engine/event-record.js';

/** An instant as the server sends it: ms since the epoch or ISO 8601 (null: not yet). */
export type Instant = number | string | null | undefined;

export interface Hello {
  readonly v: number;
  readonly project: string;
  readonly root: string;
  readonly engine: string;
  readonly started_at: Instant;
  readonly depends_on: Readonly<Record<string, readonly string[]>>;
}

export interface Port {
  readonly name: string;
  readonly port: number;
  readonly url: string | null;
}

/** A process: process-compose's ProcessState plus ours (src/engine/snapshot.ts) and the dashboard's fields. */
export interface Proc {
  readonly name: string;
  readonly service?: string | null;
  /** What it waits for: as in `hello`, but current after an apply (newer servers). */
  readonly depends_on?: readonly string[];
  readonly status: string;
  readonly phase?: string;
  readonly is_ready: string;
  readonly has_ready_probe?: boolean;
  readonly restarts: number;
  readonly exit_code: number;
  readonly pid: number;
  readonly is_running: boolean;
  /** Uptime of the current run in nanoseconds at the time the list was sent. */
  readonly age?: number;
  readonly reason?: string | null;
  readonly last_probe_error?: string | null;
  readonly ports?: readonly Port[];
  readonly started_at?: Instant;
  readonly ready_at?: Instant;
  readonly first_started_at?: Instant;
  readonly first_ready_at?: Instant;
  readonly logs_tail?: readonly string[];
}

export interface LogEntry {
  readonly name: string;
  readonly at: Instant;
  readonly stream: string;
  readonly line: string;
}

/** An EventRecord of the journal: the supervisor's own type (a type import: nothing of it is bundled). */
export type EventRec = EventRecord;

export interface Usage {
  readonly cpu: number | null;
  readonly rss_bytes: number;
}

export interface Reading {
  readonly at: number;
  readonly window_ms: number;
  readonly processes: Readonly<Record<string, Usage>>;
  readonly supervisor?: Usage;
}

/** ms since the epoch, or undefined for a missing or unreadable instant. */
export function toMs(instant: Instant): number | undefined {
  if (typeof instant === 'number') return Number.isFinite(instant) ? instant : undefined;
  if (typeof instant === 'string') {
    const ms = Date.parse(instant);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}
