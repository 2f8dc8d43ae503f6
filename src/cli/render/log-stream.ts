/**
 * `core logs` lines: a service's line with its name (when several are shown)
 * and arrival time (-t), a supervisor event (--events), and the separator where
 * a new run of the stack begins. Pure.
 */
import pc from 'picocolors';
import type { EventRecord } from '../../engine/index.js';
import { eventRecordLine } from './event-record-line.js';

export interface StreamOptions {
  /** The name column's width; 0: no name column (one service, no events). */
  readonly width: number;
  readonly timestamps: boolean;
}

/** The name shown before supervisor events. */
export const EVENTS_NAME = 'events';

const stamp = (ms: number | undefined) => (ms === undefined ? '-'.padEnd(24) : new Date(ms).toISOString());

export function serviceLine(name: string, text: string, ms: number | undefined, options: StreamOptions): string {
  const prefix = options.width ? `${pc.cyan(name.padEnd(options.width))} | ` : '';
  return `${prefix}${options.timestamps ? `${pc.dim(stamp(ms))} ` : ''}${text}`;
}

export function eventLine(record: EventRecord, options: StreamOptions): string {
  const prefix = options.width ? `${pc.magenta(EVENTS_NAME.padEnd(options.width))} | ` : '';
  const ms = Date.parse(record.time);
  // With -t the ISO stamp says when; the record's own clock time would say it twice.
  const line = options.timestamps ? eventRecordLine(record).replace(/^\S+\s+/, '') : eventRecordLine(record);
  return `${prefix}${options.timestamps ? `${pc.dim(stamp(Number.isNaN(ms) ? undefined : ms))} ` : ''}${line}`;
}

export function runSeparator(run: string, ms: number | undefined): string {
  return pc.dim(`──── a new run of the stack (${run})${ms === undefined ? '' : `, started ${new Date(ms).toISOString()}`} ────`);
}
