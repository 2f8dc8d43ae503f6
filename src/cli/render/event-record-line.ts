/**
 * `core events` without --json: one line per record, e.g.
 *   14:03:07.412     42  app           stopping           ready → stopping      restart requested (signal 15)
 * Any record type prints (an apply's own events too): what it lacks is left blank. Pure.
 */
import type { EventRecord } from '../../engine/index.js';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Local wall-clock time with milliseconds; the date is in --json. */
function clockTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

export function eventRecordLine(record: EventRecord): string {
  const change = record.from !== null && record.to !== null ? (record.from === record.to ? record.to : `${record.from} → ${record.to}`) : '';
  const facts = [...(record.message ? [record.message] : []), ...(record.pid !== null && (record.type === 'started' || record.type === 'exited') ? [`pid ${record.pid}`] : [])];
  const why = [record.reason ?? '', facts.length ? `(${facts.join(', ')})` : ''].filter(Boolean).join(' ');
  return [clockTime(record.time), String(record.seq).padStart(6), (record.process ?? '-').padEnd(12), record.type.padEnd(17), change.padEnd(21), why].join('  ').trimEnd();
}
