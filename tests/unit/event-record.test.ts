import { describe, expect, it } from 'vitest';
import { EVENT_VERSION, isRecorded, toRecord, type EventRecord } from '../../src/engine/event-record.js';
import { EventJournal } from '../../src/engine/journal.js';
import type { EngineEvent } from '../../src/engine/events.js';

const AT = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const facts = { service: 'web', pid: 4242, restarts: 2 };
const ev = (body: Record<string, unknown>) => ({ name: 'web-1', at: AT, from: 'ready', to: 'stopping', ...body }) as unknown as EngineEvent;

const KEYS = ['v', 'seq', 'time', 'type', 'process', 'service', 'from', 'to', 'reason', 'exit_code', 'pid', 'restarts', 'message'];

describe('an engine event as a record (the one mapping)', () => {
  it('always has every key, versioned, with the time in ISO 8601', () => {
    const record = toRecord(ev({ type: 'stopped', from: 'stopping', to: 'stopped' }), 12, facts);
    expect(Object.keys(record)).toEqual(KEYS);
    expect(record).toEqual({
      v: EVENT_VERSION,
      seq: 12,
      time: '2026-01-02T03:04:05.678Z',
      type: 'stopped',
      process: 'web-1',
      service: 'web',
      from: 'stopping',
      to: 'stopped',
      reason: null,
      exit_code: null,
      pid: 4242,
      restarts: 2,
      message: null,
    });
  });

  // Each known type: what lands in reason, exit_code and message (pid and restarts come from the event first).
  const table: [string, Record<string, unknown>, Partial<EventRecord>][] = [
    ['waiting', { type: 'waiting', on: ['nats', 'db'] }, { reason: null, message: 'waiting for nats, db' }],
    ['starting', { type: 'starting', restarts: 3 }, { restarts: 3 }],
    ['started', { type: 'started', pid: 777 }, { pid: 777 }],
    ['probe', { type: 'probe', probe: 'liveness', ok: false, failures: 2, error: 'HTTP 503' }, { reason: 'liveness probe failed (2)', message: 'HTTP 503' }],
    ['ready', { type: 'ready', afterMs: 57.4, by: 'probe' }, { reason: 'ready by probe in 57 ms' }],
    ['exited (code)', { type: 'exited', code: 3, signal: null, success: false }, { reason: 'code 3', exit_code: 3 }],
    ['exited (signal)', { type: 'exited', code: null, signal: 'SIGTERM', success: true }, { reason: 'SIGTERM', exit_code: null }],
    [
      'restart-scheduled',
      { type: 'restart-scheduled', delayMs: 2000, restarts: 3, reason: 'exited with code 1' },
      { reason: 'exited with code 1', restarts: 3, message: 'restart 3 in 2000 ms' },
    ],
    ['skipped', { type: 'skipped', reason: 'dependency db failed', cause: 'db' }, { reason: 'dependency db failed', message: 'db' }],
    ['stopping', { type: 'stopping', signal: 15, reason: 'restart requested' }, { reason: 'restart requested', message: 'signal 15' }],
    ['killing', { type: 'killing', afterMs: 10_000 }, { reason: 'did not stop within 10000 ms', message: 'SIGKILL' }],
    ['completed', { type: 'completed', code: 0, afterMs: 241 }, { reason: 'completed after 241 ms', exit_code: 0 }],
    ['failed', { type: 'failed', reason: 'could not start: ENOENT' }, { reason: 'could not start: ENOENT' }],
    ['project-exit', { type: 'project-exit', exitCode: 7, reason: 'exit_on_failure: exited with code 7' }, { reason: 'exit_on_failure: exited with code 7', exit_code: 7 }],
  ];
  it.each(table)('%s', (_, body, expected) => {
    expect(toRecord(ev(body), 1, facts)).toMatchObject({ type: body.type, ...expected });
  });

  it("an apply's events are the whole stack's (no process), with the diff in words", () => {
    const diff = {
      type: 'apply-diff',
      name: '',
      at: AT,
      id: 3,
      added: ['web'],
      removed: ['old'],
      replaced: [{ name: 'api', reasons: ['environment API_URL'] }],
      updated: [],
      unchanged: 2,
    } as EngineEvent;
    expect(toRecord(diff, 7, undefined)).toMatchObject({
      type: 'apply-diff',
      process: null,
      message: 'apply 3: added web; replaced api (environment API_URL); removed old; 2 unchanged',
    });
    const finished = { type: 'apply-finished', name: '', at: AT, id: 3, ok: true, afterMs: 41.6 } as EngineEvent;
    expect(toRecord(finished, 8, undefined)).toMatchObject({ process: null, reason: 'done in 42 ms', message: 'apply 3' });
  });

  it('an event type it has never heard of flows through by its common field names', () => {
    const future = { type: 'future-thing', at: AT, reason: 'manifests changed', message: '1 replaced, 3 untouched', exitCode: 0 } as unknown as EngineEvent;
    expect(toRecord(future, 40, undefined)).toEqual({
      v: 1,
      seq: 40,
      time: '2026-01-02T03:04:05.678Z',
      type: 'future-thing',
      process: null,
      service: null,
      from: null,
      to: null,
      reason: 'manifests changed',
      exit_code: 0,
      pid: null,
      restarts: null,
      message: '1 replaced, 3 untouched',
    });
  });

  it('records state changes, not output lines, nor probes that count no failure', () => {
    expect(isRecorded(ev({ type: 'output', line: 'hello', stream: 'stdout' }))).toBe(false);
    expect(isRecorded(ev({ type: 'probe', probe: 'readiness', ok: true, failures: 0 }))).toBe(false);
    expect(isRecorded(ev({ type: 'probe', probe: 'readiness', ok: false, failures: 0, error: 'refused' }))).toBe(false);
    expect(isRecorded(ev({ type: 'probe', probe: 'readiness', ok: false, failures: 1, error: 'refused' }))).toBe(true);
    expect(isRecorded(ev({ type: 'stopped' }))).toBe(true);
    expect(isRecorded({ type: 'apply-started', at: AT } as unknown as EngineEvent)).toBe(true);
  });
});

describe('the journal', () => {
  const journal = (capacity?: number) => new EventJournal(() => facts, capacity);
  const stopped = ev({ type: 'stopped' });

  it('numbers state changes 1, 2, 3… without gaps, skipping output', () => {
    const j = journal();
    j.record(stopped);
    expect(j.record(ev({ type: 'output', line: 'x', stream: 'stdout' }))).toBeUndefined();
    j.record(stopped);
    expect(j.since(0).events.map((r) => r.seq)).toEqual([1, 2]);
    expect(j.last).toBe(2);
  });

  it('keeps the last `capacity` records and says when a seq asked for is no longer kept', () => {
    const j = journal(3);
    for (let i = 0; i < 5; i++) j.record(stopped);
    expect(j.since(0)).toMatchObject({ oldest: 3, last: 5, complete: false });
    expect(j.since(0).events.map((r) => r.seq)).toEqual([3, 4, 5]);
    expect(j.since(2)).toMatchObject({ complete: true });
    expect(j.since(2).events.map((r) => r.seq)).toEqual([3, 4, 5]);
    expect(j.since(4).events.map((r) => r.seq)).toEqual([5]);
    expect(j.since(5).events).toEqual([]);
    expect(j.since(99).events).toEqual([]);
  });

  it('before any event: nothing, and complete from 0', () => {
    expect(journal().since(0)).toEqual({ events: [], oldest: 1, last: 0, complete: true });
  });

  it('follow: the kept records after a seq, then each new one once, with none between', () => {
    const j = journal();
    for (let i = 0; i < 4; i++) j.record(stopped);
    const live: number[] = [];
    const { page, unsubscribe } = j.follow(2, (r) => live.push(r.seq));
    j.record(stopped);
    j.record(stopped);
    unsubscribe();
    j.record(stopped);
    expect([...page.events.map((r) => r.seq), ...live]).toEqual([3, 4, 5, 6]);
  });

  it('an exit keeps the pid of the run that ended, which the state no longer has', () => {
    let pid: number | undefined = 900;
    const j = new EventJournal(() => ({ service: 'web', pid, restarts: 0 }));
    j.record(ev({ type: 'started', pid: 900 }));
    pid = undefined;
    expect(j.record(ev({ type: 'exited', code: 1, signal: null, success: false }))?.pid).toBe(900);
  });
});
