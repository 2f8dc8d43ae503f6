import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEventLog, startEventLog } from '../../src/control/event-log.js';
import { EventJournal } from '../../src/engine/journal.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { eventRecordLine } from '../../src/cli/render/event-record-line.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-event-log-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const stopped = { type: 'stopped', name: 'svc', at: Date.UTC(2026, 0, 1), from: 'stopping', to: 'stopped' } as EngineEvent;
const output = { type: 'output', name: 'svc', at: 0, line: 'secret-looking output', stream: 'stdout' } as EngineEvent;
const flushed = () => new Promise((resolve) => setImmediate(resolve));

describe('the event log (.core-stack/events.ndjson)', () => {
  it('appends each record as one JSON line, without output lines, readable back in order', async () => {
    const file = path.join(dir, 'a', 'events.ndjson');
    const journal = new EventJournal(() => ({ service: 'svc', pid: undefined, restarts: 0 }));
    const log = startEventLog(file, journal);
    journal.record(stopped);
    journal.record(output);
    journal.record(stopped);
    await flushed();
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toMatchObject({ v: 1, seq: 2, type: 'stopped', process: 'svc' });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    log.close();
    expect(readEventLog(file).map((r) => r.seq)).toEqual([1, 2]);
  });

  it('starts afresh for a new run, rotates to .1 when full, and reads both parts back', () => {
    const file = path.join(dir, 'b', 'events.ndjson');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, '{"v":1,"seq":99,"type":"old run"}\n');
    fs.writeFileSync(`${file}.1`, '{"v":1,"seq":98,"type":"old run"}\n');
    const journal = new EventJournal(() => undefined);
    const log = startEventLog(file, journal, undefined, 1000);
    for (let i = 0; i < 10; i++) journal.record(stopped);
    log.close();
    expect(fs.existsSync(`${file}.1`)).toBe(true);
    const seqs = readEventLog(file).map((r) => r.seq);
    // The old run is gone; what rotation kept is the newest, consecutive, and bounded.
    expect(seqs.at(-1)).toBe(10);
    expect(seqs.length).toBeLessThan(10);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => 11 - seqs.length + i));
  });

  it('skips lines that are not records (cut short by a full disk) and reads nothing from a missing file', () => {
    const file = path.join(dir, 'c.ndjson');
    fs.writeFileSync(file, '{"v":1,"seq":1,"type":"stopped"}\n{"v":1,"seq":2,"ty\nnot json\n{"v":2,"seq":3,"type":"x"}\n{"v":1,"seq":4,"type":"ready"}\n');
    expect(readEventLog(file).map((r) => r.seq)).toEqual([1, 4]);
    expect(readEventLog(path.join(dir, 'missing.ndjson'))).toEqual([]);
  });

  it('a write that fails (no room, read-only) is dropped and counted, never thrown', async () => {
    const file = path.join(dir, 'not-a-dir', 'events.ndjson');
    fs.writeFileSync(path.join(dir, 'not-a-dir'), 'a file where the folder should be');
    const dropped: number[] = [];
    const journal = new EventJournal(() => undefined);
    const log = startEventLog(file, journal, (_, __, lines) => dropped.push(lines));
    journal.record(stopped);
    await flushed();
    log.close();
    expect(dropped).toEqual([1]);
  });
});

describe('a record as a line of `core events`', () => {
  it('shows time, seq, process, type, from → to, reason and detail', () => {
    const line = eventRecordLine({
      v: 1,
      seq: 42,
      time: new Date(2026, 0, 1, 14, 3, 7, 412).toISOString(),
      type: 'stopping',
      process: 'app',
      service: 'app',
      from: 'ready',
      to: 'stopping',
      reason: 'restart requested',
      exit_code: null,
      pid: 100,
      restarts: 0,
      message: 'signal 15',
    });
    expect(line).toBe('14:03:07.412      42  app           stopping           ready → stopping       restart requested (signal 15)');
  });

  it('an event of the whole stack (an apply) has no process and no phases', () => {
    const line = eventRecordLine({
      v: 1,
      seq: 7,
      time: new Date(2026, 0, 1, 9, 0, 0, 5).toISOString(),
      type: 'apply-finished',
      process: null,
      service: null,
      from: null,
      to: null,
      reason: null,
      exit_code: 0,
      pid: null,
      restarts: null,
      message: '1 replaced',
    });
    expect(line).toBe('09:00:00.005       7  -             apply-finished                            (1 replaced)');
  });
});
